"""Access scope by duty in the admin (issue 17 item 20): another team's customer page offers the access
request (to the general manager) or a break-glass with a reason, instead of the profile; the general
manager decides the requests in their list (customers.services.access_requests)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.errors import form_add_error
from customers.access_scope import can_see, is_scoped, scope_customers
from customers.errors import CustomerError
from customers.models import Customer, CustomerAccessRequest
from customers.services.access_requests import access_request, access_request_decide


class AccessRequestForm(forms.Form):
    reason = forms.CharField(label=_("why do you need this customer's profile?"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class CustomerAccessMixin:
    """For the customer admin: lists and lookups show only what the user may see; another team's
    customer's page is the access request."""

    def get_queryset(self, request):
        return scope_customers(request.user, super().get_queryset(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if is_scoped(request.user) and str(object_id).isdigit():
            customer = Customer.objects.filter(pk=object_id).select_related("owner").first()
            if customer is not None and not can_see(request.user, customer):
                return self.access_request_view(request, customer)
        return super().change_view(request, object_id, form_url, extra_context)

    def access_request_view(self, request, customer):
        form = AccessRequestForm(request.POST or None)
        waiting = CustomerAccessRequest.objects.filter(customer=customer, requested_by=request.user,
                                                       status=CustomerAccessRequest.Status.PENDING).first()
        if request.method == "POST" and form.is_valid():
            try:
                access_request(customer=customer, actor=request.user, reason=form.cleaned_data["reason"],
                               break_glass="_break_glass" in request.POST)
            except CustomerError as exc:
                form_add_error(form, exc)
            else:
                if "_break_glass" in request.POST:
                    messages.warning(request, gettext("Opened by break-glass: the general manager is told."))
                else:
                    messages.success(request, gettext("Your request was sent to the general manager."))
                return HttpResponseRedirect(request.path)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "customer": customer,
                   "form": form, "waiting": waiting, "title": gettext("Another team's customer")}
        return TemplateResponse(request, "admin/customers/customer/access_request.html", context)


@admin.register(CustomerAccessRequest)
class CustomerAccessRequestAdmin(admin.ModelAdmin):
    list_display = ("customer", "requested_by", "kind", "reason", "status", "requested_at", "decided_by",
                    "expires_at")
    list_filter = ("status", "kind")
    list_select_related = ("customer", "requested_by", "decided_by")
    readonly_fields = ("customer", "requested_by", "kind", "reason", "status", "requested_at", "decided_by",
                       "decided_at", "expires_at")
    fields = readonly_fields
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.has_perm("customers.approve_access_request") else qs.filter(requested_by=request.user)

    def _decide(self, request, queryset, approve):
        if not request.user.has_perm("customers.approve_access_request"):
            raise PermissionDenied
        done = 0
        for req in queryset.filter(status=CustomerAccessRequest.Status.PENDING):
            try:
                access_request_decide(request=req, actor=request.user, approve=approve)
                done += 1
            except CustomerError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, ngettext("%(n)d request decided.", "%(n)d requests decided.", done) % {"n": done})

    @admin.action(description=_("Grant access to the selected requests"))
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Refuse the selected requests"))
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


