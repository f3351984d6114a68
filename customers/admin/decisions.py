"""Requests that wait for a decision: handovers, deletion requests and key-field changes. Status fields are
read-only; decisions are buttons (POST) that call the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import admin_message
from customers import privacy, selectors, services
from customers.admin.customers import mobile_for
from customers.admin.privacy import PersonalDataAdminMixin
from customers.admin.records import ReadOnlyAdmin, _customer_link, _supervisor
from customers.errors import CustomerError
from customers.forms import DecisionForm
from customers.models import Customer, DeletionRequest, Handover, KeyFieldChange


class DecisionAdminMixin:
    """Buttons on a record's page that call a service with an optional note."""

    decisions: dict = {}

    def get_urls(self):
        opts = self.model._meta
        return [
            path("<int:object_id>/decide/<str:decision>/", self.admin_site.admin_view(self.decision_view),
                 name=f"{opts.app_label}_{opts.model_name}_decide"),
            *super().get_urls(),
        ]

    def decision_view(self, request, object_id, decision):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])  # a decision is never taken by a link
        obj = get_object_or_404(self.model, pk=object_id)
        if decision not in self.decisions:
            raise PermissionDenied
        form = DecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            self.decisions[decision][0](self, request, obj, note)
        except CustomerError as exc:
            admin_message(request, exc)
        else:
            messages.success(request, gettext("Done: %(decision)s.") % {"decision": self.decisions[decision][1]})
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            opts = self.model._meta
            context["decisions"] = [
                (reverse(f"admin:{opts.app_label}_{opts.model_name}_decide", args=[obj.pk, key]), label)
                for key, (_func, label, available) in self.decisions.items() if available(self, request, obj)
            ]
            context["decision_form"] = DecisionForm()
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


def _approve_handover(admin_, request, obj, note):
    services.handover_approve(handover=obj, actor=request.user, note=note)


def _reject_handover(admin_, request, obj, note):
    services.handover_reject(handover=obj, actor=request.user, note=note)


def _confirm_handover(admin_, request, obj, note):
    services.handover_confirm(handover=obj, actor=request.user)


def _cancel_handover(admin_, request, obj, note):
    services.handover_cancel(handover=obj, actor=request.user)


@admin.register(Handover)
class HandoverAdmin(DecisionAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/customers/decision_change_form.html"
    list_display = ("__str__", "kind", "from_user", "to_user", "customer_count", "status", "requested_by",
                    "requested_at", "approved_by", "confirmed_at")
    list_filter = ("status", "kind")
    list_select_related = ("from_user", "to_user", "requested_by", "approved_by")
    readonly_fields = ("kind", "from_user", "to_user", "customer_list", "reason", "status", "requested_by",
                       "requested_at", "approved_by", "approved_at", "confirmed_at", "note")
    fields = readonly_fields
    decisions = {
        "approve": (_approve_handover, _("Approve"),
                    lambda a, r, o: o.status == Handover.Status.REQUESTED and _supervisor(r)),
        "reject": (_reject_handover, _("Reject"),
                   lambda a, r, o: o.status in (Handover.Status.REQUESTED, Handover.Status.APPROVED)
                   and (_supervisor(r) or r.user.pk == o.to_user_id)),
        "confirm": (_confirm_handover, _("Confirm receipt"),
                    lambda a, r, o: o.status == Handover.Status.APPROVED and r.user.pk == o.to_user_id),
        "cancel": (_cancel_handover, _("Cancel"),
                   lambda a, r, o: o.status in (Handover.Status.REQUESTED, Handover.Status.APPROVED)
                   and (_supervisor(r) or r.user.pk == o.requested_by_id)),
    }

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_customers=Count("customers"))

    @admin.display(description=_("customers"))
    def customer_count(self, obj):
        return obj.n_customers

    @admin.display(description=_("customers"))
    def customer_list(self, obj):
        customers = obj.customers.all()[:200]
        return format_html("<br>".join(["{}"] * len(customers)), *[_customer_link(c) for c in customers]) or "—"

    def has_add_permission(self, request):
        return False  # started from the customer list (action "start a handover")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _approve_deletion(admin_, request, obj, note):
    services.deletion_request_decide(request=obj, actor=request.user, approve=True, note=note)


def _reject_deletion(admin_, request, obj, note):
    services.deletion_request_decide(request=obj, actor=request.user, approve=False, note=note)


@admin.register(DeletionRequest)
class DeletionRequestAdmin(DecisionAdminMixin, ReadOnlyAdmin):
    change_form_template = "admin/customers/decision_change_form.html"
    list_display = ("customer", "status", "by_customer", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "by_customer")
    list_select_related = ("customer", "requested_by", "decided_by")
    fields = ("customer_link", "reason", "by_customer", "status", "requested_by", "requested_at", "decided_by",
              "decided_at", "decision_note")
    readonly_fields = fields
    decisions = {
        "approve": (_approve_deletion, _("Approve and anonymise"),
                    lambda a, r, o: o.status == DeletionRequest.Status.PENDING and _supervisor(r)),
        "reject": (_reject_deletion, _("Reject"),
                   lambda a, r, o: o.status == DeletionRequest.Status.PENDING and _supervisor(r)),
    }

    @admin.display(description=_("customer"))
    def customer_link(self, obj):
        return _customer_link(obj.customer)


def _approve_key_change(admin_, request, obj, note):
    services.key_change_decide(change=obj, actor=request.user, approve=True, note=note)


def _send_back_key_change(admin_, request, obj, note):
    services.key_change_decide(change=obj, actor=request.user, approve=False, note=note)


def _withdraw_key_change(admin_, request, obj, note):
    services.key_change_withdraw(change=obj, actor=request.user, note=note)


def _field_label(name):
    if name == "id_number":
        return gettext("ID number")
    return Customer._meta.get_field(name).verbose_name


@admin.register(KeyFieldChange)
class KeyFieldChangeAdmin(PersonalDataAdminMixin, DecisionAdminMixin, ReadOnlyAdmin):
    """Key-field changes of owned VIP customers waiting for a supervisor (001 篇2). Agents see their
    own requests; supervisors and managers see all and decide the ones they may review."""

    change_form_template = "admin/customers/decision_change_form.html"
    list_display = ("customer", "fields_changed", "status", "requested_by", "requested_at", "decided_by",
                    "decided_at")
    list_filter = ("status",)
    list_select_related = ("customer", "requested_by", "decided_by")
    fields = ("customer_link", "changes_table", "reason", "status", "requested_by", "requested_at", "decided_by",
              "decided_at", "decision_note")
    readonly_fields = tuple(f for f in fields if f != "changes_table")  # the table: get_fields
    decisions = {
        "approve": (_approve_key_change, _("Approve and apply"),
                    lambda a, r, o: o.status == KeyFieldChange.Status.PENDING
                    and services.user_can_review_key_change(r.user, o)),
        "send_back": (_send_back_key_change, _("Send back (say what to correct)"),
                      lambda a, r, o: o.status == KeyFieldChange.Status.PENDING
                      and services.user_can_review_key_change(r.user, o)),
        "withdraw": (_withdraw_key_change, _("Withdraw"),
                     lambda a, r, o: o.status == KeyFieldChange.Status.PENDING and r.user.pk == o.requested_by_id),
    }

    def get_queryset(self, request):
        return selectors.key_changes_visible_to(request.user, super().get_queryset(request))

    @staticmethod
    def _show(request, name, value):
        if value in (None, ""):
            return "—"
        if name == "mobile":
            return mobile_for(request.user, value)
        if name == "birthday":
            return privacy.birthday_for(request.user, value)
        if name == "customer_type":
            return dict(Customer.Type.choices).get(value, value)
        return value

    @admin.display(description=_("fields"))
    def fields_changed(self, obj):
        names = list(obj.changes) + (["id_number"] if obj.id_number_masked else [])
        return ", ".join(str(_field_label(n)) for n in names) or "—"

    @admin.display(description=_("customer"))
    def customer_link(self, obj):
        return _customer_link(obj.customer)

    def _changes_table(self, request, obj):
        rows = []
        for name, value in obj.changes.items():
            current = getattr(obj.customer, name, "")
            current = current.isoformat() if hasattr(current, "isoformat") else current
            rows.append((_field_label(name), self._show(request, name, obj.previous.get(name)),
                         self._show(request, name, value), self._show(request, name, current)))
        if obj.id_number_masked:
            rows.append((_field_label("id_number"), obj.previous.get("id_number") or "—", obj.id_number_masked,
                         obj.customer.id_number_masked or "—"))
        if not rows:
            return "—"
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", gettext("field"),
                           gettext("when submitted"), gettext("requested"), gettext("now"))
        row = "<tr><td>{}</td><td>{}</td><td><strong>{}</strong></td><td>{}</td></tr>"
        body = format_html(row * len(rows), *[cell for r in rows for cell in r])
        return format_html("<table>{}{}</table>", head, body)

    def _table_field(self, request):
        # A callable bound to this request (mobiles masked for roles that see them masked); the same
        # object for the form's fields and its read-only fields.
        if not hasattr(request, "_key_change_table"):
            def changes_table(obj):
                return self._changes_table(request, obj)

            changes_table.short_description = _("changes")
            request._key_change_table = changes_table
        return request._key_change_table

    def get_fields(self, request, obj=None):
        return [self._table_field(request) if f == "changes_table" else f for f in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)
