"""Forms of the public complaint pages. Mobiles are taken in any typed form (+86 139 1234 5678,
0086…, dashes) and normalised by the one rule in customers.validators."""

from captcha.fields import CaptchaField
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from complaints.models import Category
from customers.validators import normalise_mobile


class TelInput(forms.TextInput):
    input_type = "tel"


class MobileField(forms.CharField):
    """A phone keypad on mobiles (type=tel, inputmode=tel), no length cut in the browser; cleaned to the
    11-digit mobile."""

    widget = TelInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)  # "+86 139 1234 5678" is 17 characters: never cut it
        attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalise_mobile(value)
        except ValidationError as exc:
            raise ValidationError(_("Enter your mainland mobile number, e.g. 139 1234 5678."),
                                  code=exc.code) from None


class PublicComplaintForm(forms.Form):
    """The online complaint form on the company website (no login)."""

    full_name = forms.CharField(label=_("Your name"), max_length=60,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    mobile = MobileField(label=_("Mobile"))
    category = forms.ModelChoiceField(label=_("What happened"), queryset=Category.objects.filter(is_active=True),
                                      empty_label=None)
    order_reference = forms.CharField(label=_("Order number (if you have it)"), max_length=64, required=False)
    occurred_at = forms.DateTimeField(label=_("When"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    content = forms.CharField(label=_("Your complaint"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))
    demand = forms.CharField(label=_("What you would like us to do"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    # Honeypot: hidden from people by CSS; bots fill every field.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ChallengeForm(forms.Form):
    """The CAPTCHA shown after a few submissions from one address (django-simple-captcha: an image
    drawn on our server, no third-party service)."""

    captcha = CaptchaField(label=_("Type the answer shown in the picture"))


class StatusLookupForm(forms.Form):
    number = forms.CharField(label=_("Complaint number"), max_length=16, widget=forms.TextInput(
        attrs={"autocapitalize": "characters", "placeholder": "TS2612-0001"}))
    mobile = MobileField(label=_("The mobile you gave us"))

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your message to us"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class FeedbackForm(forms.Form):
    satisfied = forms.TypedChoiceField(label=_("Are you satisfied with how we handled it?"),
                                       choices=[("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))],
                                       coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything to add"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
