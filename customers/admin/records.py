"""Admin of drivers, orders, reviews, the contact log and the governance records (sensitive-data accesses,
ownership changes, merges). Requests that wait for a decision (handovers, deletion requests, key-field
changes) are in customers.admin.decisions."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.masking import mask_mobile
from customers import hooks, selectors
from customers.admin.paging import LargeTablePaginator
from customers.admin.privacy import PersonalDataAdminMixin
from customers.models import ContactLog, CustomerMerge, Driver, Order, OwnershipChange, Review, SensitiveAccess


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
        super().save_model(request, obj, form, change)


# --- governance records ---------------------------------------------------------------------------
def _supervisor(request):
    return request.user.has_perm("customers.approve_customer_change")


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
