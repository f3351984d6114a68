"""Early warnings in the admin (客户关怀 → 客户预警): the list (open first, by kind, owner, month) and
one page per warning to work it — close it with an outcome — which calls the service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, form_add_error
from customers.admin.privacy import PersonalDataAdminMixin
from retention.models import CustomerWarning
from retention.services import warning_work


class WorkForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=CustomerWarning.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("outcome note"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(CustomerWarning)
class CustomerWarningAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "kind", "reason", "owner", "raised_at", "status", "callback_status", "outcome",
                    "work_link")
    list_filter = ("status", "kind", "outcome", ("owner", admin.RelatedOnlyFieldListFilter), "raised_at")
    search_fields = ("customer__full_name", "customer__mobile")
    list_select_related = ("customer", "owner", "callback")
    ordering = ("-status", "-raised_at")  # open before worked
    show_full_result_count = False
    readonly_fields = ("customer", "kind", "reason", "evidence_key", "owner", "callback", "status", "raised_at",
                       "outcome", "outcome_note", "worked_at", "worked_by")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("callback"))
    def callback_status(self, obj):
        if obj.callback is None:
            return "—"
        contact = obj.callback
        text = contact.get_outcome_display() if contact.outcome else contact.get_status_display()
        return format_html('<a href="{}">{}</a>', reverse("admin:care_callback_change", args=[contact.pk]), text)

    @admin.display(description=_("work"))
    def work_link(self, obj):
        if obj.status != CustomerWarning.Status.OPEN:
            return "—"
        return format_html('<a class="button" href="{}">{}</a>', reverse("admin:retention_customerwarning_work",
                                                                         args=[obj.pk]), _("Work"))

    def get_urls(self):
        return [path("<int:pk>/work/", self.admin_site.admin_view(self.work_view),
                     name="retention_customerwarning_work"),
                *super().get_urls()]

    def work_view(self, request, pk):
        if not request.user.has_perm("retention.work_warning"):
            raise PermissionDenied
        warning = get_object_or_404(CustomerWarning.objects.select_related("customer", "owner", "callback"), pk=pk)
        form = WorkForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                warning_work(warning=warning, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_add_error(form, exc)
            else:
                self.message_user(request, _("Warning worked: %(customer)s.") % {"customer": warning.customer},
                                  messages.SUCCESS)
                return redirect("admin:retention_customerwarning_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "warning": warning,
                   "form": form, "title": _("Work the warning: %(customer)s") % {"customer": warning.customer}}
        return TemplateResponse(request, "admin/retention/work.html", context)
