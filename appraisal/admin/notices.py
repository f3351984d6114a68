"""考核 → 奖罚通知单: supervisors and managers open reward and penalty notices; the general manager
approves or rejects them (POST, after a confirmation page); the issuer may withdraw a pending one; a
printable notice (three copies: 自存、会计单位查核、处罚部门). An agent sees their own once approved."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from appraisal import selectors
from appraisal.admin.forms import NoticeForm, RejectForm
from appraisal.admin.scope import AgentTeamFilter
from appraisal.errors import AppraisalError
from appraisal.models import Notice
from appraisal.services import (
    may_decide,
    notice_approve,
    notice_check,
    notice_issue,
    notice_reject,
    notice_withdraw,
)
from appraisal.services.notices import what
from core.errors import DomainError, admin_message, form_add_error

PENDING_MINE = "mine"


class ApprovalFilter(admin.SimpleListFilter):
    """待我审批: pending notices the user may decide (not their own, not about themself)."""

    title = pgettext_lazy("notice", "approval")
    parameter_name = "approval"

    def lookups(self, request, model_admin):
        if request.user.has_perm("appraisal.approve_notices"):
            return [(PENDING_MINE, _("Pending my approval"))]
        return []

    def queryset(self, request, queryset):
        if self.value() == PENDING_MINE:
            user = request.user
            return queryset.filter(status=Notice.Status.PENDING).exclude(issued_by=user).exclude(agent=user)
        return queryset


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("number_label", "issued_at", "agent", "kind", "amount", "points", "short_reason", "complaint",
                    "issued_by", "status", "decided_by")
    list_filter = ("status", ApprovalFilter, "kind", AgentTeamFilter, "issued_at")
    list_select_related = ("agent", "complaint", "issued_by", "decided_by")
    search_fields = ("agent__username", "agent__first_name", "agent__last_name", "reason")
    raw_id_fields = ("complaint",)
    form = NoticeForm
    readonly_fields = ("number_label", "agent", "kind", "reason", "amount", "points", "complaint", "issued_by",
                       "issued_at", "status", "decided_by", "decided_at", "decision_note")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(selectors.notices_visible_q(request.user))

    @admin.display(description=pgettext_lazy("notice", "number"), ordering="pk")
    def number_label(self, obj):
        return obj.number

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return obj.reason if len(obj.reason) <= 40 else f"{obj.reason[:40]}…"

    def has_add_permission(self, request):
        user = request.user  # (no query: the menu asks on every page)
        may = user.has_perm("appraisal.appraise_team") or user.has_perm("appraisal.appraise_all")
        return may and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False  # a notice is a record: approve, reject or withdraw it; issue a new one to correct it

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else NoticeForm.Meta.fields

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        actor = request.user

        class Form(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if "agent" in self.fields:
                    self.fields["agent"].queryset = selectors.agents_appraisable_by(actor)

            def clean(self):
                cleaned = super().clean()
                try:
                    notice_check(actor=actor, agent=cleaned.get("agent"), kind=cleaned.get("kind"),
                                 reason=cleaned.get("reason"), amount=cleaned.get("amount"),
                                 points=cleaned.get("points"))
                except AppraisalError as exc:
                    self.add_error(exc.field if exc.field in self.fields else None, exc.message)
                return cleaned

            def validate_unique(self):
                pass  # notice_check above says what is wrong (the database constraints stay the backstop)

        return Form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = notice_issue(actor=request.user, agent=data["agent"], kind=data["kind"], reason=data["reason"],
                             amount=data.get("amount"), points=data.get("points"), complaint=data.get("complaint"))
        obj.pk, obj.issued_by, obj.issued_at, obj.status = saved.pk, saved.issued_by, saved.issued_at, saved.status
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, _("Notice %(number)s submitted to the general manager for approval.") % {
            "number": obj.number}, messages.SUCCESS)
        return redirect("admin:appraisal_notice_change", obj.pk)

    # --- approval -------------------------------------------------------------------------------
    def changelist_view(self, request, extra_context=None):
        user = request.user
        pending = None
        if user.has_perm("appraisal.approve_notices"):
            pending = (self.get_queryset(request).filter(status=Notice.Status.PENDING).exclude(issued_by=user)
                       .exclude(agent=user).count())
        extra_context = {**(extra_context or {}), "pending_mine": pending,
                         "pending_url": reverse("admin:appraisal_notice_pending")}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        notice = get_object_or_404(self.get_queryset(request), pk=object_id)
        pending = notice.status == Notice.Status.PENDING
        extra_context = {**(extra_context or {}),
                         "may_decide": pending and may_decide(request.user, notice),
                         "may_withdraw": pending and notice.issued_by_id == request.user.pk}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        post_or_get = require_http_methods(["GET", "POST"])
        return [path("pending/", view(self.pending_view), name="appraisal_notice_pending"),
                path("<int:pk>/approve/", view(post_or_get(self.approve_view)), name="appraisal_notice_approve"),
                path("<int:pk>/reject/", view(post_or_get(self.reject_view)), name="appraisal_notice_reject"),
                path("<int:pk>/withdraw/", view(post_or_get(self.withdraw_view)), name="appraisal_notice_withdraw"),
                path("<int:pk>/print/", view(self.print_view), name="appraisal_notice_print"),
                *super().get_urls()]

    def pending_view(self, request):
        """The sidebar's 待我审批: the list narrowed to the pending notices the user may decide."""
        if not request.user.has_perm("appraisal.approve_notices"):
            raise PermissionDenied
        return redirect(reverse("admin:appraisal_notice_changelist") + f"?approval={PENDING_MINE}")

    def _notice(self, request, pk) -> Notice:
        return get_object_or_404(self.get_queryset(request).select_related(
            "agent__staff_profile__team", "issued_by", "decided_by", "complaint"), pk=pk)

    def _confirm(self, request, notice, *, action: str, title, form=None):
        """GET: the confirmation page (the notice and a POST button); the service decides on POST."""
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title,
                   "notice": notice, "what": what(notice), "form": form, "action": action,
                   "action_url": reverse(f"admin:appraisal_notice_{action}", args=[notice.pk])}
        return TemplateResponse(request, "admin/appraisal/notice/confirm.html", context)

    def _done(self, request, notice, text):
        self.message_user(request, text % {"number": notice.number}, messages.SUCCESS)
        return redirect("admin:appraisal_notice_change", notice.pk)

    def approve_view(self, request, pk):
        notice = self._notice(request, pk)
        if request.method == "POST":
            try:
                notice_approve(notice=notice, actor=request.user)
            except DomainError as exc:
                admin_message(request, exc)
                return redirect("admin:appraisal_notice_change", pk)
            return self._done(request, notice, _("Notice %(number)s approved: it is in effect and the agent is told."))
        return self._confirm(request, notice, action="approve", title=_("Approve this notice?"))

    def reject_view(self, request, pk):
        notice = self._notice(request, pk)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                notice_reject(notice=notice, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                if exc.field:
                    form_add_error(form, exc)
                else:
                    admin_message(request, exc)
                    return redirect("admin:appraisal_notice_change", pk)
            else:
                return self._done(request, notice, _("Notice %(number)s rejected: it will not take effect."))
        return self._confirm(request, notice, action="reject", title=_("Reject this notice?"), form=form)

    def withdraw_view(self, request, pk):
        notice = self._notice(request, pk)
        if request.method == "POST":
            try:
                notice_withdraw(notice=notice, actor=request.user)
            except DomainError as exc:
                admin_message(request, exc)
                return redirect("admin:appraisal_notice_change", pk)
            return self._done(request, notice, _("Notice %(number)s withdrawn."))
        return self._confirm(request, notice, action="withdraw", title=_("Withdraw this notice?"))

    def print_view(self, request, pk):
        """The notice on paper, for the three copies (自存、会计单位查核、处罚部门)."""
        notice = self._notice(request, pk)
        team = getattr(getattr(notice.agent, "staff_profile", None), "team", None)
        copies = [_("Copy 1: kept"), _("Copy 2: to accounting, for checking"),
                  _("Copy 3: to the department concerned, for the bonus")]
        return TemplateResponse(request, "admin/appraisal/notice/print.html",
                                {"notice": notice, "team": team, "what": what(notice), "copies": copies,
                                 "title": _("Reward and penalty notice")})
