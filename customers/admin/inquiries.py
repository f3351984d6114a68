"""Inquiries and suggestions waiting for an answer (003 8.3.2: within 24 hours): a list with a countdown,
and each one's page where the agent writes the answer given (customers.services.inquiries)."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.errors import admin_message
from core.formats import countdown
from customers.errors import CustomerError
from customers.models import Inquiry
from customers.services.inquiries import ANSWER_MAX, inquiry_answer


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", _("Waiting for an answer")), ("mine", _("Mine, waiting for an answer")),
                ("late", _("Answered late or still late")), ("yes", _("Answered"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "no":
            return queryset.filter(answered_at__isnull=True)
        if value == "mine":
            return queryset.filter(answered_at__isnull=True, agent=request.user)
        if value == "late":
            return queryset.filter(reply_late_at__isnull=False)
        if value == "yes":
            return queryset.filter(answered_at__isnull=False)
        return queryset


class AnswerForm(forms.ModelForm):
    answer = forms.CharField(label=_("answer"), max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What the customer was told, and how (call, SMS…)."))

    class Meta:
        model = Inquiry
        fields = ["answer"]


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ("customer", "purpose", "agent", "happened_at", "time_left", "answered_at", "reply_late_at")
    list_filter = (AnsweredFilter, "purpose", ("reply_late_at", admin.EmptyFieldListFilter))
    list_select_related = ("customer", "agent")
    search_fields = ("customer__full_name", "notes")
    ordering = ("answered_at", "reply_due_at")
    form = AnswerForm
    readonly_fields = ("customer", "purpose", "channel", "agent", "happened_at", "notes", "reply_due_at",
                       "answered_at", "answered_by", "reply_late_at")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(reply_due_at__isnull=False)

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        fields.insert(6, "answer")
        return fields

    def has_add_permission(self, request):
        return False  # recorded from the customer page or the contact log

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """Answering is a change; an answered inquiry is kept as it was (view only)."""
        return request.user.has_perm("customers.add_contactlog") and (obj is None or obj.answered_at is None)

    @admin.display(description=_("time left"), ordering="reply_due_at")
    def time_left(self, obj):
        if obj.answered_at is not None:
            return "—"
        late = obj.reply_due_at <= timezone.now()
        html = '<strong class="errornote">{}</strong>' if late else '<span class="review-countdown">{}</span>'
        return format_html(html, countdown(obj.reply_due_at))

    def save_model(self, request, obj, form, change):
        try:
            inquiry_answer(contact=obj, actor=request.user, answer=form.cleaned_data["answer"])
        except CustomerError as exc:
            admin_message(request, exc)
