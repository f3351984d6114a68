"""Orders booked by phone (004 订单预订/变更/退票流程): the list of the company channel's orders, the
booking form (from the customer page or the list's "add"), and on each order its change and cancel
forms. Every write goes through customers.services.phone_orders (the API's rules)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import form_add_error
from customers.admin.privacy import PersonalDataAdminMixin
from customers.errors import CustomerError, NotAllowed
from customers.models import Customer, Order, PhoneOrder
from customers.services import phone_orders

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BookForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("customer"), queryset=Customer.objects.exclude(
        status=Customer.Status.ANONYMISED), widget=forms.HiddenInput)
    pickup_at = forms.DateTimeField(label=_("driver wanted at"), widget=DATETIME,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    pickup = forms.CharField(label=_("pick-up address"), max_length=200)
    dropoff = forms.CharField(label=_("drop-off address"), max_length=200, required=False)
    notes = forms.CharField(label=_("notes"), max_length=500, required=False)


class ChangeForm(forms.Form):
    pickup_at = forms.DateTimeField(label=_("driver wanted at"), widget=DATETIME,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    pickup = forms.CharField(label=_("pick-up address"), max_length=200)
    dropoff = forms.CharField(label=_("drop-off address"), max_length=200, required=False)
    notes = forms.CharField(label=_("notes"), max_length=500, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason for cancelling"), max_length=200)


@admin.register(PhoneOrder)
class PhoneOrderAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("external_id", "customer", "booked_at", "status", "pickup_address", "dropoff_address",
                    "created_at")
    list_filter = ("status",)
    list_select_related = ("customer",)
    search_fields = ("external_id", "customer__full_name")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(platform__code=phone_orders.COMPANY_CODE)

    def has_add_permission(self, request):
        return request.user.has_perm(phone_orders.PERM)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(phone_orders.PERM)

    def has_delete_permission(self, request, obj=None):
        return False

    def _render(self, request, context):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, "admin/customers/phone_order.html", context)

    def add_view(self, request, form_url="", extra_context=None):
        """Book: GET ?customer=<id> shows the form; POST books and opens the new order."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BookForm(request.POST or None, initial={"customer": request.GET.get("customer")})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                order = phone_orders.phone_order_book(customer=data.pop("customer"), actor=request.user, **data)
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except CustomerError as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, gettext("Order %(id)s booked.") % {"id": order.external_id})
                return HttpResponseRedirect(reverse("admin:customers_phoneorder_change", args=[order.pk]))
        customer_id = form["customer"].value()
        customer = Customer.objects.filter(pk=customer_id).first() if str(customer_id or "").isdigit() else None
        return self._render(request, {"title": gettext("Book an order by phone"), "book_form": form,
                                      "customer": customer})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The order, with its change and cancel forms (each a POST)."""
        order = get_object_or_404(self.get_queryset(request).select_related("customer"), pk=object_id)
        change = ChangeForm(initial={"pickup_at": order.booked_at, "pickup": order.pickup_address,
                                     "dropoff": order.dropoff_address})
        cancel = CancelForm()
        if request.method == "POST":
            if not self.has_change_permission(request, order):
                raise PermissionDenied
            result = self._post(request, order)
            if result is True:
                return HttpResponseRedirect(request.path)
            change, cancel = result if result else (change, cancel)
        return self._render(request, {"title": str(order.external_id), "order": order, "change_form": change,
                                      "cancel_form": cancel,
                                      "can_change": order.status == Order.Status.BOOKED,
                                      "can_cancel": order.status in (Order.Status.BOOKED, Order.Status.COMPLETED)})

    def _post(self, request, order):
        """True when done; else the (change, cancel) forms with their errors."""
        cancelling = "_cancel" in request.POST
        form = CancelForm(request.POST) if cancelling else ChangeForm(request.POST)
        if form.is_valid():
            try:
                if cancelling:
                    phone_orders.phone_order_cancel(order=order, actor=request.user, **form.cleaned_data)
                else:
                    phone_orders.phone_order_change(order=order, actor=request.user, **form.cleaned_data)
            except CustomerError as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, gettext("Order cancelled.") if cancelling else gettext("Order changed."))
                return True
        return (ChangeForm(initial={"pickup_at": order.booked_at, "pickup": order.pickup_address,
                                    "dropoff": order.dropoff_address}), form) if cancelling else (form, CancelForm())
