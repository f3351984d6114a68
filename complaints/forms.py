"""Forms of the admin intake and the complaint page (the public form is in complaints.public.forms).
The intake calls the intake service and turns its ComplaintError into a field error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.errors import ComplaintError
from complaints.models import Category, Complaint, Grade, Remedy
from complaints.services import complaint_create


class IntakeForm(forms.ModelForm):
    """The admin's intake form. Validating it takes the complaint through the intake service (inside
    the admin's transaction): a refused intake is a form error and writes nothing."""

    class Meta:
        model = Complaint
        fields = ("channel", "received_at", "customer", "complainant_name", "complainant_mobile", "order", "driver",
                  "category", "occurred_at", "content", "demand", "grade")
        help_texts = {
            "grade": _("Leave empty for the minimum the rules require; you may choose a higher grade."),
            "complainant_mobile": _("Only when the complainant is not yet a customer."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["grade"].required = False
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = complaint_create(
                channel=data["channel"], category=data["category"], content=data["content"],
                customer=data.get("customer"), complainant_name=data.get("complainant_name") or "",
                complainant_mobile=data.get("complainant_mobile") or "", order=data.get("order"),
                driver=data.get("driver"), demand=data.get("demand") or "", occurred_at=data.get("occurred_at"),
                received_at=data.get("received_at"), grade=data.get("grade"), actor=self.user,
            )
        except ComplaintError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
        return data

    def _post_clean(self):
        pass  # the intake service validated and saved the complaint

    def save(self, commit=True):
        self.save_m2m = lambda: None  # no many-to-many fields; the admin calls it
        return self.instance  # saved by the intake service in clean()


class DetailsForm(forms.ModelForm):
    """What staff edit on an existing complaint; status and grade move only through the workflow."""

    class Meta:
        model = Complaint
        fields = ("assignee", "demand", "cause", "responsibility", "responsible_staff", "resolution_measures",
                  "expected_completion_at", "customer_informed_by")


class RemedyForm(forms.Form):
    kind = forms.ChoiceField(label=_("remedy"), choices=Remedy.Kind.choices)
    amount = forms.DecimalField(label=_("amount (CNY)"), required=False, min_value=0, max_digits=12,
                                decimal_places=2)
    points = forms.IntegerField(label=_("points"), required=False, min_value=0)
    overcharged_amount = forms.DecimalField(label=_("overcharged amount (CNY)"), required=False, min_value=0,
                                            max_digits=12, decimal_places=2)
    action = forms.ChoiceField(label=_("action"), choices=[("", "—"), *Remedy.Action.choices], required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class GradeForm(forms.Form):
    grade = forms.ModelChoiceField(label=_("grade"), queryset=Grade.objects.all())
    note = forms.CharField(label=_("reason"), required=False, max_length=500)
