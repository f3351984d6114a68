"""The agent's admin: finding a customer, the customer page, and the daily actions. Every write
goes through ``customers.services``; nothing here deletes a customer."""

import logging

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from core.import_storage import ImportTempFilesMixin
from core.masking import mask_birthday, mask_mobile
from customers import hooks, privacy, selectors, services
from customers.admin.callbacks import CallbackListMixin
from customers.admin.customer_actions import CustomerBulkActionsMixin
from customers.admin.customer_filters import (
    ActivityFilter,
    LifecycleFilter,
    OwnerFilter,
    ProfileReviewFilter,
    staff_name,
)
from customers.admin.paging import LargeTablePaginator
from customers.admin.privacy import PersonalDataAdminMixin
from customers.admin.quick_actions import CustomerQuickActionsMixin
from customers.errors import CustomerError
from customers.forms import CustomerAdminForm, MergeForm, RevealForm
from customers.models import Customer, CustomerAnniversary, Place, ProfileReview, SensitiveAccess
from customers.resources import CustomerImportResource
from customers.services.customers import OWNER_ONLY_FIELDS

log = logging.getLogger(__name__)
can_see_full_mobile = privacy.can_see_full_mobile  # (also imported from here by other admin modules)
mobile_for = privacy.mobile_for

KEY_FORM_FIELDS = ("full_name", "mobile", "birthday", "customer_type", "company_name")
ALWAYS_READONLY = (
    "public_id", "id_number_masked", "status", "status_reason", "owner_since", "first_order_at", "last_order_at",
    "marketing_consent_at", "created_at", "updated_at",
)


def render_panels(panels, obj, request) -> list[dict]:
    """Render the sections other apps register (customers.hooks) for ``obj``; a broken panel of
    another app shows a note instead of taking the page down."""
    rendered = []
    for panel in panels:
        spec = None
        try:
            spec = panel(obj, request)
            if spec:
                html = render_to_string(spec["template"], spec.get("context") or {}, request=request)
                rendered.append({"title": spec["title"], "html": mark_safe(html),  # noqa: S308
                                 "anchor": spec.get("anchor", "")})
        except Exception:
            log.exception("panel %r failed", panel)
            title = (spec or {}).get("title") or getattr(panel, "__name__", "panel")
            rendered.append({"title": title, "html": "", "error": True})
    return rendered


class PlaceInline(admin.TabularInline):
    model = Place
    extra = 0
    fields = ("kind", "label", "address", "lat", "lng", "use_count", "last_used_at")
    readonly_fields = ("use_count", "last_used_at")


class AnniversaryInline(admin.TabularInline):
    """Commemoration days (001 篇2), chosen from the kinds list; the first ride is not entered: it is
    the day of the first completed order (shown under "first completed order")."""

    model = CustomerAnniversary
    extra = 0
    fields = ("kind", "date", "note")


@admin.register(Customer)
class CustomerAdmin(CustomerBulkActionsMixin, CustomerQuickActionsMixin, CallbackListMixin, PersonalDataAdminMixin,
                    ImportTempFilesMixin, ImportMixin, SimpleHistoryAdmin):
    form = CustomerAdminForm
    inlines = [PlaceInline, AnniversaryInline]
    change_list_template = "admin/customers/customer/change_list.html"
    change_form_template = "admin/customers/customer/change_form.html"
    list_display = ("full_name", "mobile", "customer_type", "source", "status", "owner_name", "last_order_at",
                    "created_at")
    list_display_links = ("full_name",)
    list_filter = ("status", OwnerFilter, ActivityFilter, LifecycleFilter, ProfileReviewFilter, "source",
                   "customer_type")
    list_select_related = ("owner",)
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are a COUNT per filter option
    paginator = LargeTablePaginator
    # The search box runs customers.selectors.customer_search_ids (mobile in any form, name, platform
    # user id, order id); search_fields only switches the box (and autocomplete) on.
    search_fields = ("full_name",)
    search_help_text = _("Mobile (any format), full name, platform user id or platform order id")
    autocomplete_fields = ("referred_by", "tags", "service_needs")
    sortable_by = ("full_name", "last_order_at", "created_at")
    # Import (django-import-export): dry run, report of rejected rows, all or nothing.
    resource_classes = [CustomerImportResource]
    import_template_name = "admin/customers/customer/import.html"
    import_formats = [CSV, XLSX]
    actions = [
        "take_ownership", "assign_owner", "release_to_pool", "schedule_callback", "start_handover",
        "profile_checked", "request_deletion", "merge_two", "export_csv", "export_xlsx",
    ]

    # --- permissions ---------------------------------------------------------------------------
    def has_delete_permission(self, request, obj=None):
        return False  # customers are never deleted: a deletion request anonymises them

    def has_import_permission(self, request):
        return request.user.has_perm("customers.add_customer")

    def has_change_history_permission(self, request, obj=None):
        return False  # no "revert" from history: changes go through the service

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # History holds old mobiles in full: not for roles that see them masked.
        return can_see_full_mobile(request.user) and super().has_view_history_or_change_history_permission(
            request, obj)

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        if not can_see_full_mobile(request.user):  # name the real gate on the 403 page, not "view customer"
            raise PermissionDenied(gettext("Can see full mobile numbers"))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed old version without asking for change rights: read only here.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        user = request.user
        if not user.has_perm("customers.change_customer"):
            for name in ("take_ownership", "assign_owner", "release_to_pool", "start_handover", "merge_two",
                         "profile_checked"):
                actions.pop(name, None)
        if not user.has_perm("customers.manage_ownership"):
            actions.pop("assign_owner", None)
        if not user.has_perm("customers.add_contactlog"):
            actions.pop("schedule_callback", None)
        if not user.has_perm("customers.add_deletionrequest"):
            actions.pop("request_deletion", None)
        return actions

    # --- the list ------------------------------------------------------------------------------
    @admin.display(description=_("mobile"))
    def masked_mobile(self, obj):
        return mask_mobile(obj.mobile)

    @admin.display(description=_("birthday (month-day)"))
    def birthday_shown(self, obj):
        return mask_birthday(obj.birthday) or "—"

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))  # noqa: S308
    def action_checkbox(self, obj):
        # The same markup as Django's, without a template render per row (a third of a page's time).
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           helpers.ACTION_CHECKBOX_NAME, obj.pk, obj.full_name)

    @admin.display(description=_("account manager"), ordering="owner")
    def owner_name(self, obj):
        return staff_name(obj.owner) or "—"

    def get_queryset(self, request):
        # The key-field rule looks at the owner's team supervisor: one query for the page, not three.
        return super().get_queryset(request).select_related("owner__staff_profile__team")

    def get_search_results(self, request, queryset, search_term):
        try:
            ids = selectors.customer_search_ids(search_term, user=request.user)
        except privacy.SearchRefused as exc:
            return self.refused_search(request, queryset, exc)
        if ids is None:
            return queryset, False
        return queryset.filter(pk__in=ids), False

    # --- the customer page ---------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def _can_edit_key_fields(self, request, obj):
        return obj is None or services.user_can_edit_key_fields(request.user, obj)

    def get_fieldsets(self, request, obj=None):
        user = request.user
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        key_rights = editable and self._can_edit_key_fields(request, obj)
        mobile = "mobile" if can_see_full_mobile(user) else "masked_mobile"
        # Without view_sensitive an existing birthday shows as month-day; it can be replaced, not read.
        year_hidden = obj is not None and not privacy.can_see_sensitive(user)
        birthday = ("birthday_shown", "birthday_is_lunar") if year_hidden else ("birthday", "birthday_is_lunar")
        identity = ["full_name", mobile, "gender", birthday, "email"]
        identity += ["id_number_masked"] if obj else []
        if key_rights:
            identity += ["new_birthday", "id_number"] if year_hidden else ["id_number"]
        ownership = ["owner"] + (["owner_since", "status", "status_reason", "first_order_at", "last_order_at",
                                  "public_id", "created_at", "updated_at"] if obj else [])
        fieldsets = [
            (_("Profile"), {"fields": identity}),
            (_("Account"), {"fields": ["customer_type", "company_name", "source", "source_platform",
                                       "referred_by"]}),
            (_("Service"), {"fields": ["service_needs", "tags", "notes",
                                       ("marketing_consent", "marketing_consent_at") if obj else "marketing_consent"]}),
            (_("Account manager and status"), {"fields": ownership}),
        ]
        if obj and editable:
            fieldsets.append((_("Why"), {"fields": ["change_reason"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(ALWAYS_READONLY) + ["masked_mobile", "birthday_shown"]
        if obj is not None:
            readonly.append("owner")  # ownership moves only through assign / release / handover
            if not self._can_edit_key_fields(request, obj):
                # Another agent's customer: key fields, e-mail, consent and referrer (the service refuses them too).
                readonly += list(KEY_FORM_FIELDS) + list(OWNER_ONLY_FIELDS)
        return readonly

    def save_model(self, request, obj, form, change):
        saved = form.save_via_service()
        obj.__dict__.update(saved.__dict__)  # the inlines are bound to ``obj``
        submitted = getattr(saved, "submitted_key_change", None)
        if submitted is not None:
            self.message_user(request, format_html(
                '{} <a href="{}">{}</a>',
                gettext("This customer is an owned VIP: the changes to its key fields wait for a supervisor's "
                        "review and are applied when approved; the other changes are saved."),
                reverse("admin:customers_keyfieldchange_change", args=[submitted.pk]), gettext("Open the request"),
            ), messages.WARNING)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self.customer_page_context(request, obj))
            context.update(self.quick_actions_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def customer_page_context(self, request, customer):
        user = request.user
        orders = selectors.customer_latest_orders(customer)
        callbacks = selectors.customer_upcoming_callbacks(customer)
        panels = render_panels(hooks.customer_panels(), customer, request)
        return {
            "customer": customer,
            "customer_mobile": mobile_for(user, customer.mobile),
            "order_count": selectors.customer_order_count(customer),
            "latest_orders": orders,
            "contacts": selectors.customer_contacts(customer),
            "upcoming_callbacks": callbacks,
            "ownership_history": selectors.customer_ownership_history(customer),
            "platform_accounts": selectors.customer_platform_accounts(customer),
            "key_change": (key_change := selectors.customer_key_change(customer)),
            "key_change_linked": key_change is not None and selectors.key_change_visible_to(user, key_change),
            "classification": selectors.customer_classification(customer),
            "profile_review": selectors.customer_profile_review(customer),
            "staff_member": selectors.staff_member_of_customer(customer),
            "pending_review": ProfileReview.objects.filter(customer=customer,
                                                           status=ProfileReview.Status.PENDING).first(),
            "can_mark_profile_checked": user.has_perm("customers.change_customer")
            and customer.status != Customer.Status.ANONYMISED,
            "extra_panels": panels,
            "can_reveal_id": user.has_perm("customers.view_sensitive") and bool(customer.id_number_encrypted),
            "can_reveal_mobile": not can_see_full_mobile(user) and user.has_perm("customers.view_sensitive"),
            "can_schedule_callback": user.has_perm("customers.add_contactlog"),
            "can_view_history": self.has_view_history_or_change_history_permission(request, customer),
            "can_request_deletion": user.has_perm("customers.add_deletionrequest")
            and customer.status != Customer.Status.ANONYMISED,
        }

    # --- extra pages ---------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        extra = [
            path("mine/", view(self.my_customers_view), name="customers_customer_mine"),
            path("<int:kept_id>/merge/<int:duplicate_id>/", view(self.merge_view), name="customers_customer_merge"),
            path("<int:object_id>/reveal/<str:field>/", view(self.reveal_view), name="customers_customer_reveal"),
            path("<int:object_id>/do/<str:action>/", view(self.single_action_view),
                 name="customers_customer_single_action"),
        ]
        return extra + super().get_urls()

    def _page(self, request, template, context):
        ctx = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, template, ctx)

    def my_customers_view(self, request):
        return HttpResponseRedirect(reverse("admin:customers_customer_changelist") + "?owner=me")

    def reveal_view(self, request, object_id, field):
        customer = get_object_or_404(Customer, pk=object_id)
        if field not in SensitiveAccess.Field.values or not self.has_view_permission(request, customer):
            raise PermissionDenied
        if not request.user.has_perm("customers.view_sensitive"):  # no form the user could never submit
            raise PermissionDenied(gettext("Can reveal ID numbers and full mobiles"))
        form = RevealForm(request.POST or None)
        value = None
        if request.method == "POST" and form.is_valid():
            try:
                value = services.customer_reveal_sensitive(
                    customer=customer, user=request.user, field=field, reason=form.cleaned_data["reason"]
                )
            except CustomerError as exc:
                if exc.code == "not_allowed":
                    raise PermissionDenied(exc.message) from exc
                form.add_error("reason", exc.message)
        label = SensitiveAccess.Field(field).label
        return self._page(request, "admin/customers/customer/reveal.html", {
            "title": gettext("Reveal %(field)s") % {"field": label}, "customer": customer, "form": form,
            "value": value, "field_label": label,
        })

    def merge_view(self, request, kept_id, duplicate_id):
        kept = get_object_or_404(Customer.objects.select_related("owner"), pk=kept_id)
        duplicate = get_object_or_404(Customer.objects.select_related("owner"), pk=duplicate_id)
        user = request.user
        if not (self.has_change_permission(request, kept) and services.user_can_edit_key_fields(user, kept)
                and services.user_can_edit_key_fields(user, duplicate)):
            raise PermissionDenied
        form = MergeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                merge = services.customer_merge(kept=kept, duplicate=duplicate, actor=user,
                                                reason=form.cleaned_data["reason"])
            except CustomerError as exc:
                messages.error(request, exc.message)
            else:
                moved = ", ".join(f"{k}: {v}" for k, v in merge.moved.items() if v)
                messages.success(request, gettext("Merged into %(kept)s (%(moved)s).") % {
                    "kept": kept, "moved": moved or "—"})
                return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[kept.pk]))
        rows = [(c, mobile_for(user, c.mobile), selectors.customer_order_count(c)) for c in (kept, duplicate)]
        return self._page(request, "admin/customers/customer/merge.html", {
            "title": gettext("Merge two customers"), "kept": kept, "duplicate": duplicate, "rows": rows, "form": form,
        })

    # Actions that only show their form on GET (they act on the confirming POST with "apply").
    SINGLE_ACTIONS_WITH_FORM = frozenset({"schedule_callback", "request_deletion", "start_handover", "assign_owner",
                                          "release_to_pool"})

    def single_action_view(self, request, object_id, action):
        """The customer page's buttons run the changelist actions on that one customer."""
        allowed = {"schedule_callback", "request_deletion", "start_handover", "take_ownership", "release_to_pool",
                   "assign_owner", "profile_checked"}
        actions = self.get_actions(request)
        if action not in allowed or action not in actions:
            raise PermissionDenied
        if request.method != "POST" and action not in self.SINGLE_ACTIONS_WITH_FORM:
            # A change of state is never made by a link (or an <img src>): POST with the CSRF token only.
            return HttpResponseNotAllowed(["POST"])
        queryset = Customer.objects.filter(pk=object_id)
        func = actions[action][0]
        response = func(self, request, queryset)
        return response or HttpResponseRedirect(reverse("admin:customers_customer_change", args=[object_id]))

    # (the actions on selected customers, the export and the import: customers.admin.customer_actions)
