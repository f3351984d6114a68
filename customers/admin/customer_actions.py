"""The customer list's actions (ownership, callbacks, handovers, deletion requests, merging), its export
and its all-or-nothing import. Every write goes through ``customers.services``."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.errors import admin_message
from core.http import redirect_next, safe_next
from customers import privacy, services
from customers.errors import CustomerError, NotAllowed
from customers.forms import AssignOwnerForm, DeletionRequestForm, HandoverStartForm, ReleaseForm, ScheduleCallbackForm
from customers.resources import IMPORT_COLUMNS

mobile_for = privacy.mobile_for


def rejected_rows_report(result) -> list[tuple[int, str, str]]:
    """(row, column as the file may name it, reason) for every rejected row of an import."""
    report = []
    for row in result.invalid_rows:
        for field, errors in row.field_specific_errors.items():
            label = f"{field}（{IMPORT_COLUMNS[field]}）" if field in IMPORT_COLUMNS else field
            report += [(row.number, label, str(error)) for error in errors]
        report += [(row.number, "—", str(error)) for error in row.non_field_specific_errors]
    return report


class CustomerBulkActionsMixin:
    """Actions on the selected customers, export and import, for CustomerAdmin."""

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
