"""Forms the engagement admin shares: a segment's tiers as checkboxes, a target (segment or one customer)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from care.adapters import tier_choices
from customers.models import Customer
from engage.models import Segment


class SegmentForm(forms.ModelForm):
    tiers = forms.MultipleChoiceField(label=_("tiers"), required=False, widget=forms.CheckboxSelectMultiple,
                                      help_text=_("None chosen: every tier."))

    class Meta:
        model = Segment
        fields = ["name", "tiers", "status", "district", "last_order_before", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tiers"].choices = tier_choices()


class TargetForm(forms.Form):
    """Whom to send something to: a saved segment, or one customer by number."""

    segment = forms.ModelChoiceField(label=_("customer segment"), queryset=Segment.objects.all(), required=False)
    customer = forms.ModelChoiceField(
        label=_("or one customer"), required=False, widget=forms.NumberInput, help_text=_("Customer number (id)."),
        queryset=Customer.objects.exclude(status=Customer.Status.ANONYMISED))

    def clean(self):
        data = super().clean()
        if bool(data.get("segment")) == bool(data.get("customer")):
            raise forms.ValidationError(_("Choose a segment or one customer."))
        return data

    def customers(self):
        from engage.selectors import segment_customers

        if self.cleaned_data.get("customer"):
            return [self.cleaned_data["customer"]]
        return segment_customers(self.cleaned_data["segment"])
