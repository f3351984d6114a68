"""Admin of drivers, orders, reviews, the contact log and the governance records (handovers,
deletion requests, sensitive-data accesses, ownership changes, merges). Status fields are
read-only; decisions are buttons that call the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import admin_message
from core.masking import mask_mobile
from customers import hooks, privacy, selectors, services
from customers.admin.customers import mobile_for
from customers.admin.paging import LargeTablePaginator
from customers.admin.privacy import PersonalDataAdminMixin
from customers.errors import CustomerError
from customers.forms import DecisionForm
from customers.models import (
    ContactLog,
    Customer,
    CustomerMerge,
    DeletionRequest,
    Driver,
    Handover,
    KeyFieldChange,
    Order,
    OwnershipChange,
    Review,
    SensitiveAccess,
)
from customers.services.inquiries import inquiry_deadline_set


def _customer_link(customer):
    if customer is None:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("admin:customers_customer_change", args=[customer.pk]), customer)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept for accountability: listed, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- drivers and orders ---------------------------------------------------------------------------
@admin.register(Driver)
class DriverAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("employee_no", "name", "mobile", "team", "status", "joined_on")
    list_filter = ("status", "team")
    list_select_related = ("team",)
    search_fields = ("employee_no", "name", "=mobile")
    change_form_template = "admin/customers/driver/change_form.html"

    def has_delete_permission(self, request, obj=None):
        return False  # drivers leave (status), their orders and ratings stay attributed

    def get_fields(self, request, obj=None):
        fields = ["employee_no", "name", "mobile", "team", "status", "joined_on"]
        if not request.user.has_perm("customers.view_full_mobile"):
            fields[2] = "masked_mobile"
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ["masked_mobile"]

    @admin.display(description=_("mobile"))
    def masked_mobile(self, obj):
        return mask_mobile(obj.mobile)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["driver_orders"] = selectors.driver_latest_orders(obj)
            context["driver_orders_url"] = reverse("admin:customers_order_changelist") + f"?driver__id__exact={obj.pk}"
            from customers.admin.customers import render_panels

            context["extra_panels"] = render_panels(hooks.driver_panels(), obj, request)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


class ReviewInline(admin.StackedInline):
    model = Review
    extra = 0
    can_delete = False
    fields = ("rating", "recommend_score", "comment", "source", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("external_id", "platform", "customer", "driver", "status", "booked_at", "fee", "rating")
    list_filter = ("status", "platform")
    list_select_related = ("platform", "customer", "driver", "review")
    search_fields = ("=external_id",)
    search_help_text = _("Platform order id (exact)")
    autocomplete_fields = ("driver",)
    raw_id_fields = ("customer", "credited_owner")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = LargeTablePaginator
    list_per_page = 50
    inlines = [ReviewInline]
    readonly_fields = (
        "platform", "external_id", "customer", "credited_owner", "status", "booked_at", "started_at", "finished_at",
        "pickup_address", "dropoff_address", "distance_km", "fee", "created_at", "updated_at",
    )
    fields = ("platform", "external_id", "customer", "driver", "credited_owner", "status", "booked_at", "started_at",
              "finished_at", "pickup_address", "dropoff_address", "distance_km", "fee", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False  # orders come from the platforms (API); the admin corrects the driver only

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("rating"))
    def rating(self, obj):
        review = getattr(obj, "review", None)
        return review.get_rating_display() if review else "—"


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("order", "customer", "rating", "recommend_score", "source", "created_at")
    list_filter = ("rating", "source")
    list_select_related = ("order", "customer")
    raw_id_fields = ("order", "customer")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = LargeTablePaginator


# --- the contact log ------------------------------------------------------------------------------
class DueFilter(admin.SimpleListFilter):
    title = _("callbacks")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("mine_today", _("My callbacks due today")), ("mine", _("My scheduled callbacks")),
                ("overdue", _("All overdue callbacks"))]

    def queryset(self, request, queryset):
        from django.utils import timezone

        today = timezone.localdate()
        value = self.value()
        if value == "mine_today":
            return queryset.filter(agent=request.user, status=ContactLog.Status.SCHEDULED, due_on__lte=today)
        if value == "mine":
            return queryset.filter(agent=request.user, status=ContactLog.Status.SCHEDULED)
        if value == "overdue":
            return queryset.filter(status=ContactLog.Status.SCHEDULED, due_on__lt=today)
        return queryset


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ("customer", "channel", "purpose", "status", "due_on", "agent", "outcome", "satisfaction",
                    "created_at")
    list_filter = (DueFilter, "status", "purpose", "channel", "outcome")
    list_select_related = ("customer", "agent")
    autocomplete_fields = ("customer",)
    raw_id_fields = ("agent",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = LargeTablePaginator
    fields = ("customer", "channel", "purpose", "status", "due_on", "agent", "happened_at", "outcome",
              "satisfaction", "recommend_score", "notes", "reason_key")
    readonly_fields = ("status", "reason_key")

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        from django.utils import timezone

        return {"agent": request.user.pk, "happened_at": timezone.now(), **super().get_changeform_initial_data(request)}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("customer")
            if obj.status == ContactLog.Status.SCHEDULED:
                # A scheduled callback is closed from "my callbacks" (callback_outcome_record).
                readonly += ["outcome", "satisfaction", "recommend_score", "happened_at"]
        return readonly

    def save_model(self, request, obj, form, change):
        if not change:
            obj.agent = obj.agent or request.user
            # An inquiry or suggestion entered here waits for its answer (the inquiries list).
            inquiry_deadline_set(obj, answered=False)
        super().save_model(request, obj, form, change)


# --- governance records ---------------------------------------------------------------------------
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


def _supervisor(request):
    return request.user.has_perm("customers.approve_customer_change")


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


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(ReadOnlyAdmin):
    """Who revealed which customer's sensitive data, when and why: for supervisors."""

    list_display = ("accessed_at", "user", "customer", "field", "reason")
    list_filter = ("field",)
    list_select_related = ("user", "customer")
    search_fields = ("=user__username",)
    fields = ("accessed_at", "user", "customer", "field", "reason")
    readonly_fields = fields
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = LargeTablePaginator

    def has_view_permission(self, request, obj=None):
        return _supervisor(request) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return _supervisor(request) and super().has_module_permission(request)


@admin.register(OwnershipChange)
class OwnershipChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "customer", "from_owner", "to_owner", "reason", "changed_by", "note")
    list_filter = ("reason",)
    list_select_related = ("customer", "from_owner", "to_owner", "changed_by")
    fields = ("changed_at", "customer", "from_owner", "to_owner", "reason", "handover", "changed_by", "note")
    readonly_fields = fields
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = LargeTablePaginator


@admin.register(CustomerMerge)
class CustomerMergeAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    list_display = ("merged_at", "kept", "merged_public_id", "merged_by", "reason")
    list_select_related = ("kept", "merged_by")
    fields = ("merged_at", "kept", "merged_public_id", "merged_snapshot", "moved", "merged_by", "reason")
    readonly_fields = fields
