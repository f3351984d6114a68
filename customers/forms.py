"""Forms of the agent's admin. They validate input and hand it to the services; a CustomerError
becomes an error on the field it names."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import form_add_error
from core.names import name_from_parts
from customers import services
from customers.errors import CustomerError, DuplicateCustomer
from customers.models import ContactLog, Customer, Handover, Rating
from customers.validators import normalise_mobile

# Fields the service takes as keyword arguments beside the model's own columns.
_SERVICE_ONLY = ("id_number", "change_reason", "new_birthday")


class _DryRun(Exception):
    """Raised inside a savepoint to undo a service call made only to validate the form."""


def add_service_error(form: forms.Form, exc: CustomerError) -> None:
    """Put a domain error on the field it names, or on the form as a whole."""
    form_add_error(form, exc)


def staff_choices():
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = name_from_parts(obj.last_name, obj.first_name)
        return f"{full} ({obj.username})" if full else obj.username


class CustomerAdminForm(forms.ModelForm):
    """The customer page's form. Validation runs the real service inside a savepoint that is always
    rolled back, so the admin shows exactly the service's errors (on the right field) and the
    duplicate-mobile offer to merge; ``save_via_service`` then makes the change for real."""

    mobile = forms.CharField(
        label=_("mobile"), max_length=40,
        help_text=_("Any form is accepted (spaces, dashes, +86); stored as 11 digits."),
    )
    id_number = forms.CharField(
        label=_("set or replace the ID number"), required=False, max_length=30, strip=True,
        help_text=_("Typed here to set or replace it; stored encrypted and only ever shown masked. "
                    "Leave empty to keep the current one."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # For staff who see the birthday as month-day only (no customers.view_sensitive): replace, not read.
    new_birthday = forms.DateField(
        label=_("set or replace the birthday"), required=False, widget=AdminDateWidget,
        help_text=_("The year of birth is shown only to roles that may see sensitive data. "
                    "Leave empty to keep the current birthday."),
    )
    change_reason = forms.CharField(
        label=_("reason for the change"), required=False, max_length=100,
        help_text=_("Kept in the customer's history with the change."),
    )

    actor = None  # set per request by the ModelAdmin (get_form)

    class Meta:
        model = Customer
        fields = [
            "full_name", "mobile", "email", "gender", "birthday", "birthday_is_lunar", "customer_type", "company_name",
            "source", "source_platform", "service_needs", "tags", "notes", "marketing_consent", "owner", "referred_by",
        ]
        widgets = {"birthday": AdminDateWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared fields are always on a ModelForm; keep them only where the admin placed them
        # (no ID number input for someone without key-field rights).
        for name in _SERVICE_ONLY:
            if self._meta.fields is not None and name not in self._meta.fields:
                self.fields.pop(name, None)

    def clean_mobile(self):
        try:
            return normalise_mobile(self.cleaned_data["mobile"])
        except forms.ValidationError:
            raise
        except Exception as exc:  # pragma: no cover - normalise_mobile raises ValidationError only
            raise forms.ValidationError(str(exc)) from exc

    def clean_owner(self):
        owner = self.cleaned_data.get("owner")
        actor = self.actor
        if (owner and actor is not None and owner.pk != actor.pk
                and not actor.has_perm("customers.manage_ownership")):
            raise forms.ValidationError(_("Only a supervisor may give a customer to someone else."))
        return owner

    def validate_unique(self):
        # Uniqueness is the service's job: a duplicate mobile is an offer to merge, not a bare error.
        return

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.save_via_service()
                raise _DryRun
        except _DryRun:
            pass
        except DuplicateCustomer as exc:
            self.add_error(exc.field if exc.field in self.fields else None, self._duplicate_message(exc))
        except CustomerError as exc:
            add_service_error(self, exc)

    def _duplicate_message(self, exc: DuplicateCustomer):
        existing = services.duplicate_disclose(duplicate=exc, user=self.actor, where=gettext("customer form"))
        if existing is None:
            return exc.message  # "an existing customer has this …", without naming or linking it
        open_url = reverse("admin:customers_customer_change", args=[existing.pk])
        if self.instance.pk:
            merge_url = reverse("admin:customers_customer_merge", args=[existing.pk, self.instance.pk])
            return format_html(
                '{} <a href="{}">{}</a> · <a href="{}">{}</a>', exc.message, open_url,
                _("Open %(name)s") % {"name": existing}, merge_url, _("Merge this customer into it"),
            )
        return format_html('{} <a href="{}">{}</a>', exc.message, open_url, _("Open %(name)s") % {"name": existing})

    def _changes(self) -> dict:
        data = self.cleaned_data
        changes = {}
        for name in self.changed_data:
            if name in _SERVICE_ONLY or name not in data:
                continue
            value = data[name]
            if name in ("tags", "service_needs"):
                before = set(getattr(self.instance, name).values_list("pk", flat=True)) if self.instance.pk else set()
                if before == {v.pk for v in value}:
                    continue
                value = list(value)
            elif self.initial.get(name) == (value.pk if hasattr(value, "pk") else value):
                continue
            changes[name] = value
        return changes

    def save_via_service(self) -> Customer:
        data = self.cleaned_data
        id_number = data.get("id_number") or ""
        if self.instance.pk is None:
            fields = {
                name: data[name] for name in self._meta.fields or data
                if name in data and name not in _SERVICE_ONLY and name not in ("full_name", "mobile")
            }
            return services.customer_create(
                actor=self.actor, full_name=data["full_name"], mobile=data["mobile"], id_number=id_number, **fields,
            )
        changes = self._changes()
        if data.get("new_birthday"):
            changes["birthday"] = data["new_birthday"]
        return services.customer_update(
            customer=self.instance, actor=self.actor, reason=data.get("change_reason", ""),
            id_number=id_number or None, **changes,
        )

    def _save_m2m(self):
        # Tags and service needs were set by the service.
        return


# --- action forms (intermediate pages) ----------------------------------------------------------
class AssignOwnerForm(forms.Form):
    owner = StaffChoiceField(label=_("account manager"), queryset=get_user_model().objects.none())
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices()


class ReleaseForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class ScheduleCallbackForm(forms.Form):
    agent = StaffChoiceField(label=_("agent"), queryset=get_user_model().objects.none())
    due_on = forms.DateField(label=_("due on"), widget=AdminDateWidget)
    purpose = forms.ChoiceField(label=_("purpose"), choices=ContactLog.Purpose.choices,
                                initial=ContactLog.Purpose.CALLBACK)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = staff_choices()
        self.fields["due_on"].initial = timezone.localdate()

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("A callback cannot be due in the past."))
        return due_on


class HandoverStartForm(forms.Form):
    to_user = StaffChoiceField(label=_("receiver"), queryset=get_user_model().objects.none())
    kind = forms.ChoiceField(label=_("handover type"), choices=Handover.Kind.choices)
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = staff_choices()


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    by_customer = forms.BooleanField(label=_("the customer's own erasure request"), required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("why do you need to see it?"), max_length=200,
        help_text=_("Recorded with your name and the time; supervisors review these records."),
    )


class MergeForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=200)


class ChecklistFormMixin:
    """A callback-outcome form with the callback script's checklist (``checklist``: [(item id, text)],
    from ``hooks.callback_guides``): one yes/no field per item, optional. ``service_data()`` splits the
    cleaned data into the outcome fields and ``answers`` ({item id: bool}) for ``callback_outcome_record``."""

    ITEM_PREFIX = "item_"

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item_id, text in checklist:
            self.fields[f"{self.ITEM_PREFIX}{item_id}"] = forms.TypedChoiceField(
                label=text, choices=[("1", _("Yes")), ("0", _("No"))], coerce=lambda v: v == "1",
                empty_value=None, required=False, widget=forms.RadioSelect)

    def checklist_fields(self):
        return [self[name] for name in self.fields if name.startswith(self.ITEM_PREFIX)]

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith(self.ITEM_PREFIX)}
        data["answers"] = {int(k[len(self.ITEM_PREFIX):]): v for k, v in self.cleaned_data.items()
                           if k.startswith(self.ITEM_PREFIX) and v is not None}
        return data


class CallbackOutcomeForm(ChecklistFormMixin, forms.Form):
    """Recording a callback in a few clicks: an outcome, and when reached, satisfaction (and the
    script's checklist, folded under the row)."""

    outcome = forms.ChoiceField(label=_("outcome"), choices=ContactLog.Outcome.choices)
    satisfaction = forms.TypedChoiceField(
        label=_("satisfaction"), choices=[("", _("satisfaction")), *Rating.choices], coerce=int, empty_value=None,
        required=False,
    )
    recommend_score = forms.TypedChoiceField(
        label=_("recommend score (0–10)"), choices=[("", _("recommend score (0–10)"))] + [(i, i) for i in range(11)],
        coerce=int,
        empty_value=None, required=False,
    )
    notes = forms.CharField(label=_("notes"), required=False, max_length=500,
                            widget=forms.TextInput(attrs={"placeholder": _("notes"), "size": 18}))


class ContactRecordForm(forms.Form):
    """The customer page's inline "record a contact": how (kind) and a summary; the purpose has a
    default so the usual call is two fields and one click to save."""

    channel = forms.ChoiceField(label=_("contact by"), choices=ContactLog.Channel.choices,
                                initial=ContactLog.Channel.PHONE_IN, widget=forms.RadioSelect)
    purpose = forms.ChoiceField(label=_("purpose"), choices=ContactLog.Purpose.choices,
                                initial=ContactLog.Purpose.INQUIRY)
    notes = forms.CharField(label=_("summary"), max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
