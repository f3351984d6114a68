"""The agent's admin: finding a customer, the customer page, and the daily actions. Every write
goes through ``customers.services``; nothing here deletes a customer."""

import logging

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from core.errors import admin_message
from core.http import redirect_next, safe_next
from core.import_storage import ImportTempFilesMixin
from core.masking import mask_birthday, mask_mobile
from core.names import person_name
from customers import hooks, privacy, rules, selectors, services
from customers.admin.callbacks import CallbackListMixin
from customers.admin.paging import LargeTablePaginator
from customers.admin.privacy import PersonalDataAdminMixin
from customers.admin.quick_actions import CustomerQuickActionsMixin
from customers.errors import CustomerError, NotAllowed
from customers.forms import (
    AssignOwnerForm,
    CustomerAdminForm,
    DeletionRequestForm,
    HandoverStartForm,
    MergeForm,
    ReleaseForm,
    RevealForm,
    ScheduleCallbackForm,
)
from customers.models import (
    AnniversaryKind,
    Customer,
    CustomerAnniversary,
    Place,
    ProfileReview,
    SensitiveAccess,
    ServiceNeed,
    Tag,
)
from customers.resources import IMPORT_COLUMNS, CustomerImportResource
from customers.services.customers import OWNER_ONLY_FIELDS

log = logging.getLogger(__name__)
can_see_full_mobile = privacy.can_see_full_mobile  # (also imported from here by other admin modules)
mobile_for = privacy.mobile_for

KEY_FORM_FIELDS = ("full_name", "mobile", "birthday", "customer_type", "company_name")
ALWAYS_READONLY = (
    "public_id", "id_number_masked", "status", "status_reason", "owner_since", "first_order_at", "last_order_at",
    "marketing_consent_at", "created_at", "updated_at",
)


def staff_name(user) -> str:
    """A member of staff as colleagues call them: 郭晨曦 (family name first), else the login."""
    return person_name(user, empty="")


def rejected_rows_report(result) -> list[tuple[int, str, str]]:
    """(row, column as the file may name it, reason) for every rejected row of an import."""
    report = []
    for row in result.invalid_rows:
        for field, errors in row.field_specific_errors.items():
            label = f"{field}（{IMPORT_COLUMNS[field]}）" if field in IMPORT_COLUMNS else field
            report += [(row.number, label, str(error)) for error in errors]
        report += [(row.number, "—", str(error)) for error in row.non_field_specific_errors]
    return report


# --- changelist filters ---------------------------------------------------------------------------
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


class OwnerFilter(admin.SimpleListFilter):
    title = _("account manager")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        choices = [("me", _("My customers")), ("pool", _("Public pool (no account manager)"))]
        staff = (
            get_user_model().objects.filter(is_active=True, staff_profile__takes_customers=True)
            .order_by("username").only("username", "first_name", "last_name")
        )
        return choices + [(str(u.pk), staff_name(u)) for u in staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(owner=request.user)
        if value == "pool":
            return queryset.filter(owner__isnull=True)
        if value and value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset


class _SelectorFilter(admin.SimpleListFilter):
    """A list filter whose choices and query come from customers.selectors / rules."""

    options: dict = {}  # value → label ("choices" is SimpleListFilter's own method)
    select = None  # selectors.filter_by_…(queryset, value)

    def lookups(self, request, model_admin):
        return list(self.options.items())

    def queryset(self, request, queryset):
        return type(self).select(queryset, self.value()) if self.value() else queryset


class ActivityFilter(_SelectorFilter):
    """003: activity level from completed orders in the last CUSTOMER_ACTIVITY_WINDOW_DAYS."""

    title, parameter_name = _("activity"), "activity"
    options, select = rules.ACTIVITY_LABELS, staticmethod(selectors.filter_by_activity)


class LifecycleFilter(_SelectorFilter):
    title, parameter_name = _("new or returning"), "lifecycle"
    options, select = rules.LIFECYCLE_LABELS, staticmethod(selectors.filter_by_lifecycle)


class ProfileReviewFilter(_SelectorFilter):
    """The periodic profile review: profiles with gaps, or not checked for CUSTOMER_PROFILE_STALE_DAYS."""

    title, parameter_name = _("profile review"), "profile"
    options = {"due": _("Review due (incomplete or not checked)"), "incomplete": _("Incomplete profile"),
               "stale": _("Not checked for a long time"),
               "incomplete_after": _("Still incomplete after the allowed days (90)")}
    select = staticmethod(selectors.filter_by_profile_review)


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


@admin.register(AnniversaryKind)
class AnniversaryKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "from_first_order", "is_active")
    fields = list_display
    search_fields = ("name", "code")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ServiceNeed)
class ServiceNeedAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Customer)
class CustomerAdmin(CustomerQuickActionsMixin, CallbackListMixin, PersonalDataAdminMixin, ImportTempFilesMixin,
                    ImportMixin, SimpleHistoryAdmin):
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

    # --- actions -------------------------------------------------------------------------------
    def _action_page(self, request, queryset, action, form, title, *, intro=""):
        customers = list(queryset.select_related("owner")[:100])
        return self._page(request, "admin/customers/customer/action_form.html", {
            "title": title, "intro": intro, "form": form, "action": action, "media": self.media + form.media,
            "customers": [(c, mobile_for(request.user, c.mobile)) for c in customers],
            "selected": [c.pk for c in customers], "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "next": safe_next(request, ""),
        })

    def _report(self, request, done: int, errors: list[str], done_message: str):
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        for error in errors[:20]:
            self.message_user(request, error, messages.ERROR)
        if request.POST.get("next"):
            return redirect_next(request, reverse("admin:customers_customer_changelist"))
        return None

    def _each(self, queryset, func):
        done, errors = 0, []
        for customer in queryset:
            try:
                func(customer)
            except CustomerError as exc:
                errors.append(f"{customer}: {exc.message}")
            else:
                done += 1
        return done, errors

    @admin.action(description=_("Take into my customers"))
    def take_ownership(self, request, queryset):
        done, errors = self._each(queryset, lambda c: services.customer_assign_owner(
            customer=c, owner=request.user, actor=request.user))
        return self._report(request, done, errors, gettext("%(count)d customers are now yours."))

    @admin.action(description=_("Profile checked with the customer (nothing to change)"))
    def profile_checked(self, request, queryset):
        if request.method != "POST":
            raise PermissionDenied  # a change of state: never from a link
        try:
            done = services.customer_profile_checked(customer_ids=queryset.values_list("pk", flat=True),
                                                     actor=request.user)
        except CustomerError as exc:
            return self._report(request, 0, [exc.message], "")
        return self._report(request, done, [], ngettext("%(count)d profile marked as checked today.",
                                                        "%(count)d profiles marked as checked today.", done))

    @admin.action(description=_("Assign an account manager"))
    def assign_owner(self, request, queryset):
        form = AssignOwnerForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            owner, note = form.cleaned_data["owner"], form.cleaned_data["note"]
            done, errors = self._each(queryset, lambda c: services.customer_assign_owner(
                customer=c, owner=owner, actor=request.user, note=note))
            return self._report(request, done, errors, gettext("%(count)d customers assigned."))
        return self._action_page(request, queryset, "assign_owner", form, gettext("Assign an account manager"))

    @admin.action(description=_("Release to the public pool"))
    def release_to_pool(self, request, queryset):
        form = ReleaseForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            note = form.cleaned_data["note"]
            done, errors = self._each(queryset, lambda c: services.customer_release_to_pool(
                customer=c, actor=request.user, note=note))
            return self._report(request, done, errors, gettext("%(count)d customers released to the public pool."))
        return self._action_page(request, queryset, "release_to_pool", form, gettext("Release to the public pool"))

    @admin.action(description=_("Schedule a callback"))
    def schedule_callback(self, request, queryset):
        form = ScheduleCallbackForm(request.POST if "apply" in request.POST else None,
                                    initial={"agent": request.user.pk})
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            done, errors = self._each(queryset, lambda c: services.callback_schedule(
                customer=c, agent=data["agent"], due_on=data["due_on"], actor=request.user,
                purpose=data["purpose"], notes=data["notes"]))
            return self._report(request, done, errors, gettext("%(count)d callbacks scheduled."))
        return self._action_page(request, queryset, "schedule_callback", form, gettext("Schedule a callback"))

    @admin.action(description=_("Start a handover to another member of staff"))
    def start_handover(self, request, queryset):
        owners = set(queryset.values_list("owner_id", flat=True))
        if len(owners) != 1 or None in owners:
            self.message_user(request, gettext("Select customers of one account manager to hand over."),
                              messages.ERROR)
            return None
        form = HandoverStartForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            from_user = get_user_model().objects.get(pk=owners.pop())
            try:
                handover = services.handover_request(
                    from_user=from_user, to_user=form.cleaned_data["to_user"], actor=request.user,
                    customers=list(queryset), reason=form.cleaned_data["reason"], kind=form.cleaned_data["kind"])
            except CustomerError as exc:
                admin_message(request, exc)
                return None
            handover_url = reverse("admin:customers_handover_change", args=[handover.pk])
            self.message_user(request, format_html('{} <a href="{}">{}</a>', gettext(
                "Handover requested; a supervisor must approve it."), handover_url, gettext("Open the handover")),
                messages.SUCCESS)
            return redirect_next(request, handover_url)
        return self._action_page(request, queryset, "start_handover", form,
                                 gettext("Start a handover to another member of staff"))

    @admin.action(description=_("Request deletion (anonymisation)"))
    def request_deletion(self, request, queryset):
        form = DeletionRequestForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            done, errors = self._each(queryset, lambda c: services.deletion_request_create(
                customer=c, actor=request.user, reason=data["reason"], by_customer=data["by_customer"]))
            return self._report(request, done, errors,
                                gettext("%(count)d deletion requests sent to a supervisor for approval."))
        return self._action_page(
            request, queryset, "request_deletion", form, gettext("Request deletion (anonymisation)"),
            intro=gettext("Customers are never deleted. Once a supervisor approves, the customer's personal data "
                          "is scrubbed; orders and figures are kept."),
        )

    @admin.action(description=_("Merge two duplicate customers"))
    def merge_two(self, request, queryset):
        pks = sorted(queryset.values_list("pk", flat=True))
        if len(pks) != 2:
            self.message_user(request, gettext("Select exactly two customers to merge."), messages.ERROR)
            return None
        # Keep the older record by default; the merge page shows both before anything moves.
        return HttpResponseRedirect(reverse("admin:customers_customer_merge", args=[pks[0], pks[1]]))

    def has_export_permission(self, request):
        return services.user_can_export_customers(request.user)

    def _export(self, request, queryset, fmt):
        # The changelist's filter, and whether every matching customer was taken ("select all").
        query = request.GET.urlencode()
        if request.POST.get("select_across") == "1":
            query = "&".join(filter(None, [query, "select_across=1"]))
        try:
            file = services.customers_export(actor=request.user, queryset=queryset, fmt=fmt, query=query)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(file.content, content_type=file.content_type)
        response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.{file.extension}"'
        return response

    @admin.action(description=_("Export selected to CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export selected to Excel"), permissions=["export"])
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    # --- import: all or nothing ---------------------------------------------------------------
    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None and result.has_validation_errors():
            response.context_data["rejected"] = rejected_rows_report(result)
        return response

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return kwargs
