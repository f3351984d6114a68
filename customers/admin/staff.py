"""The staff member's page (core's user admin) with what customers knows about staff: the ID number
(entered here, stored encrypted with a blind index, as on customers) and whether the member of staff
is also a customer, who then cannot rise above the entry tier (001 篇2: 公司内部人员不能成为VIP客户)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core import crypto
from core.admin import StaffProfileInline, StaffUserAdmin
from core.masking import mask_id_number
from core.models import StaffProfile
from customers import selectors
from customers.validators import normalise_id_number, try_normalise_mobile


class StaffProfileForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("new ID number"), required=False, max_length=30,
        help_text=_("Typed to set or replace it; stored encrypted, shown masked. A customer with the same ID "
                    "number or mobile is this member of staff."),
    )

    class Meta:
        model = StaffProfile
        fields = ("team", "employee_no", "phone", "takes_customers", "left_at")

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        return try_normalise_mobile(phone) or phone

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip()
        if not value:
            return ""
        try:
            number = normalise_id_number(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code=exc.code) from exc
        index = crypto.blind_index(number)
        if StaffProfile.objects.filter(id_number_index=index).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another member of staff has this ID number."), code="duplicate")
        return number

    def save(self, commit=True):
        number = self.cleaned_data.get("id_number")
        if number:
            profile = self.instance
            profile.id_number_encrypted = crypto.encrypt(number)
            profile.id_number_index = crypto.blind_index(number)
            profile.id_number_masked = mask_id_number(number)
        return super().save(commit=commit)


class StaffProfileWithCustomersInline(StaffProfileInline):
    form = StaffProfileForm
    fields = ("team", "employee_no", "phone", "id_number_masked", "id_number", "takes_customers", "left_at",
              "also_a_customer")
    readonly_fields = ("id_number_masked", "also_a_customer")

    @admin.display(description=_("also a customer"))
    def also_a_customer(self, obj):
        if obj is None or not obj.pk:
            return "—"
        customers = list(selectors.customers_of_staff_member(obj.user)[:10])
        if not customers:
            return "—"
        links = format_html_join(", ", '<a href="{}">{}</a>', (
            (reverse("admin:customers_customer_change", args=[c.pk]), str(c)) for c in customers))
        return format_html('<strong class="errornote">{}</strong> {}',
                           _("Staff cannot be VIP customers: held at the entry tier."), links)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserWithCustomersAdmin(StaffUserAdmin):
    inlines = [*UserAdmin.inlines, StaffProfileWithCustomersInline]
