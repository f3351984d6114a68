"""The supervisors' queue of new profiles waiting for review (001 篇2: within 12 hours)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.formats import countdown
from customers.errors import CustomerError
from customers.models import ProfileReview
from customers.services.profile_review import profile_review_approve


@admin.register(ProfileReview)
class ProfileReviewAdmin(admin.ModelAdmin):
    list_display = ("customer_link", "created_by", "created_at", "countdown", "status", "decided_by", "late_at")
    list_filter = ("status", ("late_at", admin.EmptyFieldListFilter))
    list_select_related = ("customer", "created_by", "decided_by")
    search_fields = ("customer__full_name",)
    ordering = ("status", "due_at")
    actions = ["approve"]
    fields = ("customer_link", "created_by", "created_at", "due_at", "status", "decided_by", "decided_at", "late_at")
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("customer"))
    def customer_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:customers_customer_change", args=[obj.customer_id]),
                           obj.customer)

    @admin.display(description=_("time left"), ordering="due_at")
    def countdown(self, obj):
        if obj.status != ProfileReview.Status.PENDING:
            return "—"
        late = obj.due_at <= timezone.now()
        html = '<strong class="errornote">{}</strong>' if late else '<span class="review-countdown">{}</span>'
        return format_html(html, countdown(obj.due_at))

    @admin.action(description=_("Approve the selected new profiles"))
    def approve(self, request, queryset):
        done, errors = 0, []
        for review in queryset.filter(status=ProfileReview.Status.PENDING):
            try:
                profile_review_approve(review=review, actor=request.user)
                done += 1
            except CustomerError as exc:
                errors.append(f"{review}: {exc.message}")
        if done:
            self.message_user(request, ngettext("%(n)d profile approved.", "%(n)d profiles approved.", done)
                              % {"n": done}, messages.SUCCESS)
        for error in errors:
            self.message_user(request, error, messages.ERROR)
