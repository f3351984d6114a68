"""The complaint list and page. Status and grade move only through the services: the page's
workflow panel posts to small views here that call complaint_transition, complaint_set_grade and
remedy_propose, and show a refused move as a message."""


from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from complaints import casework, selectors, services
from complaints.admin import views, work
from complaints.admin.filters import MineFilter, OverdueFilter
from complaints.errors import ComplaintError
from complaints.forms import DetailsForm, GradeForm, IntakeForm, RemedyForm
from complaints.models import Attachment, Complaint, Grade, Remedy, TimelineEntry
from complaints.selectors import next_deadline
from core.errors import admin_message
from core.formats import countdown
from core.http import redirect_next
from core.paging import page_links
from customers.admin.privacy import PersonalDataAdminMixin

S = Complaint.Status


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_status", "to_status", "actor", "note", "public")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class RemedyInline(admin.TabularInline):
    model = Remedy
    extra = 0
    can_delete = False
    fields = ("kind", "amount", "points", "action", "status", "proposed_by", "approved_by", "carried_out_at",
              "loyalty_reference", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # proposed through the workflow panel (authority checked by the service)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 1
    can_delete = False
    fields = ("file", "original_name", "description", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("original_name", "size", "uploaded_by", "uploaded_at")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    # The countdown first: at 1440 px it must not sit off-screen.
    list_display = ("deadline", "overdue_flag", "number", "received_at", "grade", "status_badge", "category",
                    "channel", "complainant", "driver", "owner_role", "assignee")
    list_display_links = ("number",)
    actions = [work.merge_duplicates]
    list_filter = (OverdueFilter, MineFilter, "status", "grade", "channel", "category", "owner_role",
                   "responsibility", "platform")
    list_select_related = ("grade", "category", "customer", "driver", "assignee")
    search_fields = ("=number", "complainant_name", "=complainant_mobile", "customer__full_name",
                     "=customer__mobile", "driver__name", "=driver__employee_no", "=order__external_id", "content")
    autocomplete_fields = ("customer", "order", "driver")
    # (staff are a few dozen: a select of names, not a raw id box)
    show_full_result_count = False
    ordering = ("-received_at",)
    change_form_template = "admin/complaints/complaint/change_form.html"
    change_list_template = "admin/complaints/complaint/change_list.html"
    list_per_page = 50

    # --- list columns ---
    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("complainant"))
    def complainant(self, obj):
        return obj.complainant_display

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(next_due=selectors.next_due_expression())

    def has_merge_permission(self, request):
        return request.user.has_perm("complaints.merge_complaint")

    @admin.display(description=_("next deadline"), ordering="next_due")
    def deadline(self, obj):
        label, due = next_deadline(obj)
        if due is None:
            return "—"
        overdue = due < timezone.now()
        return format_html('<span title="{}" style="{}">{}: {}</span>',
                           timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                           "color:#ba2121;font-weight:bold" if overdue else "", label, countdown(due))

    @admin.display(description=_("overdue"), boolean=True)
    def overdue_flag(self, obj):
        return obj.is_overdue

    # --- forms ---
    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = IntakeForm
            form = super().get_form(request, obj, change=change, **kwargs)

            customer = self._prefill_customer(request)

            class RequestIntakeForm(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, user=request.user, customer=customer, **kw)

            return RequestIntakeForm
        kwargs["form"] = DetailsForm
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestDetailsForm(form):
            user = request.user

        return RequestDetailsForm

    def _prefill_customer(self, request):
        """``?customer=<id>`` (the customer page's "register a complaint"): that customer, when the user
        may see customers; the form then offers only the customer's recent orders."""
        from customers.models import Customer

        raw = request.GET.get("customer", "")
        if not raw.isdigit() or not request.user.has_perm("customers.view_customer"):
            return None
        return Customer.objects.filter(pk=int(raw)).first()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("assignee", "responsible_staff"):
            kwargs["queryset"] = (get_user_model().objects.filter(is_active=True, is_staff=True)
                                  .order_by("last_name", "first_name", "username"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        if self._prefill_customer(request) is not None:
            return tuple(f for f in fields if f != "order")  # a short list of the customer's orders instead
        return fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ("channel", "received_at", "category", "content", "demand", "occurred_at")}),
                (_("Complainant and order"), {"fields": ("customer", "complainant_name", "complainant_mobile",
                                                         "order", "order_number", ("trip_date", "driver"))}),
                (_("Grade"), {"fields": ("grade",)}),
            ]
        return [
            (None, {"fields": ("number", "status", "grade", "min_grade", "owner_role", "assignee", "received_by")}),
            (_("Deadlines"), {"fields": ("acknowledge_countdown", "resolve_countdown", "close_countdown",
                                         "paused_seconds", "reopen_count")}),
            (_("Complaint"), {"fields": ("received_at", "channel", "complainant_shown", "order", "driver", "platform",
                                         "category", "occurred_at", "content", "demand")}),
            (_("Investigation and resolution"), {"fields": ("cause_category", "cause", "responsibility",
                                                            "responsible_staff", "resolution_measures",
                                                            "expected_completion_at", "customer_informed_by",
                                                            "not_upheld_reason")}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("number", "status", "grade", "min_grade", "owner_role", "received_by", "acknowledge_countdown",
                "resolve_countdown", "close_countdown", "paused_seconds", "reopen_count", "received_at", "channel",
                "complainant_shown", "order", "driver", "platform", "category", "occurred_at", "content",
                "not_upheld_reason")

    def get_inlines(self, request, obj):
        return [] if obj is None else [RemedyInline, AttachmentInline, TimelineInline]

    def _deadline_field(self, obj, due, met_at, label):
        if met_at is not None:
            return format_html("{} ✓ {}", timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                               timezone.localtime(met_at).strftime("%Y-%m-%d %H:%M"))
        overdue = due < timezone.now() and obj.is_open
        return format_html('{} · <span style="{}">{}</span>', timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                           "color:#ba2121;font-weight:bold" if overdue else "", countdown(due))

    @admin.display(description=_("acknowledge by"))
    def acknowledge_countdown(self, obj):
        return self._deadline_field(obj, obj.acknowledge_due_at, obj.acknowledged_at, "ack")

    @admin.display(description=_("resolve by"))
    def resolve_countdown(self, obj):
        if obj.status == S.AWAITING_CUSTOMER:
            return format_html("{} · {}", timezone.localtime(obj.resolve_due_at).strftime("%Y-%m-%d %H:%M"),
                               gettext("paused: awaiting the customer"))
        return self._deadline_field(obj, obj.resolve_due_at, obj.resolved_at, "resolve")

    @admin.display(description=_("close by"))
    def close_countdown(self, obj):
        return self._deadline_field(obj, obj.close_due_at, obj.closed_at, "close")

    @admin.display(description=_("complainant"))
    def complainant_shown(self, obj):
        if obj.customer_id:
            url = reverse("admin:customers_customer_change", args=[obj.customer_id])
            return format_html('<a href="{}">{}</a>', url, obj.customer)
        return obj.complainant_display

    # --- saving ---
    def save_model(self, request, obj, form, change):
        if not change:
            return  # the intake service saved it (IntakeForm.clean)
        if form.changed_data:
            # Through the service: the assignee with the assign action's checks, the rest with a note.
            services.complaint_update_details(complaint=obj, actor=request.user,
                                              changes={f: form.cleaned_data[f] for f in form.changed_data})

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data.get("file"):
                continue
            try:
                formset.new_objects.append(services.attachment_add(
                    complaint=form.instance, file=inline_form.cleaned_data["file"], actor=request.user,
                    description=inline_form.cleaned_data.get("description", "")))
            except ComplaintError as exc:
                admin_message(request, exc)

    def has_delete_permission(self, request, obj=None):
        return False  # complaints are archived, never deleted

    # --- the page's workflow panel ---
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self._work_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _work_context(self, request, obj):
        """Only what this user may do now: each button's permission and precondition checked here,
        and again by the service it posts to."""
        user = request.user
        pending = list(obj.remedies.filter(status=Remedy.Status.PROPOSED))
        macros = [(m, casework.macro_fill(macro=m, complaint=obj)) for m in casework.macros_for(obj)]
        return {
            "transitions": [(t, S(t).label) for t in selectors.complaint_transitions_for(
                obj, user, pending_remedies=bool(pending))],
            "can_work": obj.is_open and user.has_perm("complaints.transition_complaint"),
            "can_grade": obj.is_open and user.has_perm("complaints.raise_grade"),
            "can_take": casework.may_take(obj, user),
            "can_hand_back": obj.is_open and obj.assignee_id == user.pk,
            "can_note": user.has_perm("complaints.add_timelineentry"),
            "can_decide": user.has_perm("complaints.approve_remedy"),
            "remedy_form": RemedyForm(prefix="remedy"),
            "grade_form": GradeForm(prefix="grade", initial={"grade": obj.grade_id}),
            "note_form": work.NoteForm(complaint=obj),
            "macros": macros,
            "approval_limit": services.approval_limit_of(user),
            "pending_remedies": pending,
            "duplicates": list(obj.duplicates.order_by("pk")),
            "next_deadline": next_deadline(obj),
            "overdue": obj.overdue_deadline_labels(),
        }

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            # The workflow buttons change state: POST only (a GET is 405, never an action).
            path("<int:pk>/transition/", wrap(require_POST(self.transition_view)),
                 name="complaints_complaint_transition"),
            path("<int:pk>/grade/", wrap(require_POST(self.grade_view)), name="complaints_complaint_grade"),
            path("<int:pk>/remedy/", wrap(require_POST(self.remedy_view)), name="complaints_complaint_remedy"),
            path("<int:pk>/take/", wrap(require_POST(work.take_view)), name="complaints_complaint_take"),
            # The former "assign to me" address takes the complaint too (with the routing's check).
            path("<int:pk>/assign-me/", wrap(require_POST(work.take_view)), name="complaints_complaint_assign_me"),
            path("<int:pk>/hand-back/", wrap(require_POST(work.hand_back_view)),
                 name="complaints_complaint_hand_back"),
            path("<int:pk>/note/", wrap(require_POST(work.note_view)), name="complaints_complaint_note"),
            path("<int:pk>/remedy/<int:remedy_id>/<str:decision>/",
                 wrap(require_POST(work.remedy_decide_view)), name="complaints_complaint_remedy_decision"),
            path("queue/", wrap(self.queue_view), name="complaints_complaint_queue"),
            path("analysis/", wrap(views.analysis_view), name="complaints_complaint_analysis"),
            path("analysis/export/", wrap(views.analysis_export), name="complaints_complaint_analysis_export"),
            path("driver/<int:driver_id>/", wrap(views.driver_history_view), name="complaints_driver_history"),
            path("attachments/<path:name>", wrap(views.attachment_download), name="complaints_attachment_download"),
            *super().get_urls(),
        ]

    def _back(self, pk, request):
        return redirect_next(request, reverse("admin:complaints_complaint_change", args=[pk]))

    def transition_view(self, request, pk):
        """The workflow buttons: saves nothing but the move (and the investigation fields sent with it)."""
        if request.method != "POST":
            return self._back(pk, request)
        complaint = get_object_or_404(Complaint, pk=pk)
        target = request.POST.get("to_status", "")
        fields = {}
        form = DetailsForm(request.POST, instance=complaint)
        form.is_valid()
        for name in ("cause", "responsibility", "resolution_measures", "customer_informed_by",
                     "expected_completion_at", "responsible_staff"):
            if name in request.POST and name not in form.errors:
                fields[name] = form.cleaned_data.get(name)
        if fields.get("responsibility") is not None and fields["responsibility"] == "":
            fields.pop("responsibility")
        try:
            services.complaint_transition(complaint=complaint, to_status=target, actor=request.user,
                                          note=request.POST.get("transition_note", ""), **fields)
        except ComplaintError as exc:
            admin_message(request, exc)
        else:
            messages.success(request, gettext("%(number)s is now “%(status)s”.") % {
                "number": complaint.number, "status": S(target).label})
        return self._back(pk, request)

    def grade_view(self, request, pk):
        complaint = get_object_or_404(Complaint, pk=pk)
        form = GradeForm(request.POST or None, prefix="grade")
        if request.method == "POST" and form.is_valid():
            try:
                services.complaint_set_grade(complaint=complaint, grade=form.cleaned_data["grade"],
                                             actor=request.user, note=form.cleaned_data["note"])
            except ComplaintError as exc:
                admin_message(request, exc)
            else:
                messages.success(request, gettext("Grade changed."))
        elif request.method == "POST":
            messages.error(request, gettext("Choose a grade."))
        return self._back(pk, request)

    def remedy_view(self, request, pk):
        complaint = get_object_or_404(Complaint, pk=pk)
        form = RemedyForm(request.POST or None, prefix="remedy")
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                remedy = services.remedy_propose(
                    complaint=complaint, kind=data["kind"], actor=request.user, amount=data.get("amount"),
                    points=data.get("points") or 0, overcharged_amount=data.get("overcharged_amount"),
                    action=data.get("action") or "", note=data.get("note") or "")
            except ComplaintError as exc:
                admin_message(request, exc)
            else:
                if remedy.status == Remedy.Status.PROPOSED:
                    messages.warning(request, gettext(
                        "Remedy recorded, awaiting approval: this complaint's remedies now total ¥%(total)s, above "
                        "your approval limit of ¥%(limit)s.") % {
                        "total": services.complaint_remedies_total(complaint),
                        "limit": services.approval_limit_of(request.user)})
                else:
                    messages.success(request, gettext("Remedy recorded: %(status)s.") % {
                        "status": remedy.get_status_display()})
        elif request.method == "POST":
            messages.error(request, "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items()))
        return self._back(pk, request)

    def queue_view(self, request):
        """The supervisor queue: every overdue open complaint, the longest overdue first (or by grade
        with ``?sort=grade``), counted and paged (WORK_LIST_PER_PAGE)."""
        if not request.user.has_perm("complaints.view_complaint"):
            raise PermissionDenied
        now = timezone.now()
        by_grade = request.GET.get("sort") == "grade"
        queryset = selectors.complaints_overdue(now, by_grade=by_grade)
        paginator = Paginator(queryset, settings.WORK_LIST_PER_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        rows = [{"complaint": c, "missed": c.overdue_deadline_labels(now), "deadline": next_deadline(c),
                 "countdown": countdown(next_deadline(c)[1], now)} for c in page.object_list]
        context = {**self.admin_site.each_context(request), "title": gettext("Overdue complaints (supervisor queue)"),
                   "rows": rows, "opts": self.model._meta, "grades": Grade.objects.all(), "page_obj": page,
                   "page_links": page_links(request, page), "by_grade": by_grade, "now": now}
        return TemplateResponse(request, "admin/complaints/complaint/queue.html", context)
