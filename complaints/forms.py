"""Forms of the admin intake and the complaint page (the public form is in complaints.public.forms).
The intake calls the intake service and turns its ComplaintError into a field error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.errors import ComplaintError
from complaints.models import Category, Complaint, Grade, Remedy
from complaints.services import complaint_assign_check, complaint_create
from core.errors import form_add_error


class IntakeForm(forms.ModelForm):
    """The admin's intake form. Validating it takes the complaint through the intake service (inside
    the admin's transaction): a refused intake is a form error and writes nothing. The agent is asked
    for the order: chosen directly, or found by its order number, or by the day of the ride and the
    driver (``selectors.complaint_order_matches``); a complaint without one is still taken."""

    order_number = forms.CharField(label=_("order number"), max_length=64, required=False,
                                   help_text=_("The platform's order number, if the customer has it."))
    trip_date = forms.DateField(label=_("day of the ride"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("Without the order number: the day of the ride and the driver."))

    class Meta:
        model = Complaint
        fields = ("channel", "received_at", "customer", "complainant_name", "complainant_mobile", "order", "driver",
                  "category", "occurred_at", "content", "demand", "grade")
        help_texts = {
            "grade": _("Leave empty for the minimum the rules require; you may choose a higher grade."),
            "complainant_mobile": _("Only when the complainant is not yet a customer."),
        }

    RECENT_ORDERS = 10

    def __init__(self, *args, user=None, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["grade"].required = False
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        if customer is not None:
            self._prefill(customer)

    def _prefill(self, customer):
        """Registered from a customer's page (``?customer=<id>``): the customer chosen and the order
        picked from their latest orders (the lookup fields still find an older one)."""
        from customers.models import Order

        self.initial["customer"] = customer.pk
        recent = list(Order.objects.filter(customer=customer).order_by("-booked_at", "-pk")
                      .values_list("pk", flat=True)[:self.RECENT_ORDERS])
        field = self.fields["order"]
        field.queryset = Order.objects.filter(pk__in=recent).select_related("platform").order_by("-booked_at", "-pk")
        field.label_from_instance = _order_label
        field.widget = forms.Select(choices=field.choices)
        field.help_text = _("The customer's latest orders.")

    def _find_order(self, data):
        """The order the lookup fields name (exactly one), else a form error."""
        from complaints.selectors import complaint_order_matches

        number, day, driver = data.get("order_number") or "", data.get("trip_date"), data.get("driver")
        if not number and day is None:
            return None
        if not number and driver is None:
            self.add_error("driver", _("Choose the driver to find the order of that day."))
            return None
        matches = list(complaint_order_matches(order_number=number, trip_date=day, driver=driver,
                                               customer=data.get("customer"),
                                               mobile=data.get("complainant_mobile") or ""))
        field = "order_number" if number else "trip_date"
        if not matches:
            self.add_error(field, _("No order matches: check the number, or the day and the driver."))
        elif len(matches) > 1:
            self.add_error(field, _("%(count)s orders match: choose the order itself.") % {"count": len(matches)})
        else:
            return matches[0]
        return None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("order") is None:
            data["order"] = self._find_order(data)
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
            form_add_error(self, exc)
        return data

    def _post_clean(self):
        pass  # the intake service validated and saved the complaint

    def save(self, commit=True):
        self.save_m2m = lambda: None  # no many-to-many fields; the admin calls it
        return self.instance  # saved by the intake service in clean()


def _order_label(order) -> str:
    from django.utils import timezone

    booked = timezone.localtime(order.booked_at).strftime("%Y-%m-%d %H:%M") if order.booked_at else ""
    return f"{booked} · {order.platform} · {order.external_id}"


class DetailsForm(forms.ModelForm):
    """What staff edit on an existing complaint; status and grade move only through the workflow.
    The admin sets ``user``; a new assignee is checked as the assign action checks it (the service
    ``complaint_update_details`` checks again when saving)."""

    user = None

    class Meta:
        model = Complaint
        fields = ("assignee", "demand", "cause_category", "cause", "responsibility", "responsible_staff",
                  "resolution_measures", "expected_completion_at", "customer_informed_by")

    def clean_assignee(self):
        assignee = self.cleaned_data.get("assignee")
        if "assignee" in self.changed_data:
            try:
                complaint_assign_check(actor=self.user, assignee=assignee)
            except ComplaintError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return assignee


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
