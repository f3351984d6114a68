"""Appreciation events: define (date, place, capacity, tiers, message), invite (the event's tiers, a
segment or one customer), the guest list per event; invitations: record answers taken by phone and
attendance (actions, each calling a service)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from care.adapters import tier_choices, tier_label
from core.errors import admin_message, form_add_error
from customers.admin.privacy import PersonalDataAdminMixin
from engage.admin.forms import TargetForm
from engage.errors import EngageError
from engage.models import AppreciationEvent, EventInvitation
from engage.selectors import event_counts, event_tier_customers
from engage.services import event_attendance_mark, event_invite, event_respond


class EventForm(forms.ModelForm):
    tiers = forms.MultipleChoiceField(label=_("tiers invited"), required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = AppreciationEvent
        fields = ["name", "description", "starts_at", "place", "capacity", "tiers", "message", "requires_consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tiers"].choices = tier_choices()


class InviteForm(TargetForm):
    by_tier = forms.BooleanField(label=_("every customer of the event's tiers"), required=False)

    def clean(self):
        if self.data.get("by_tier"):
            return forms.Form.clean(self)
        return super().clean()


@admin.register(AppreciationEvent)
class AppreciationEventAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    form = EventForm
    list_display = ("name", "starts_at", "place", "capacity", "tier_list", "answers", "links")
    search_fields = ("name", "place")
    date_hierarchy = "starts_at"

    @admin.display(description=_("tiers invited"))
    def tier_list(self, obj):
        return "、".join(tier_label(code) for code in obj.tiers) or "—"

    @admin.display(description=_("coming / invited"))
    def answers(self, obj):
        counts = event_counts(obj)
        return f"{counts['accepted']} / {counts['invited']}"

    @admin.display(description=_("actions"))
    def links(self, obj):
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>',
                           reverse("admin:engage_appreciationevent_invite", args=[obj.pk]), _("Invite"),
                           reverse("admin:engage_appreciationevent_guests", args=[obj.pk]), _("Guest list"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/invite/", view(self.invite_view), name="engage_appreciationevent_invite"),
                path("<int:pk>/guests/", view(self.guests_view), name="engage_appreciationevent_guests"),
                *super().get_urls()]

    def _context(self, request, event, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "event": event, "title": title,
                **extra}

    def invite_view(self, request, pk):
        if not request.user.has_perm("engage.invite_event"):
            raise PermissionDenied
        event = get_object_or_404(AppreciationEvent, pk=pk)
        form = InviteForm(request.POST or None, initial={"by_tier": True})
        if request.method == "POST" and form.is_valid():
            customers = event_tier_customers(event) if form.cleaned_data.get("by_tier") else form.customers()
            try:
                result = event_invite(event=event, customers=customers, actor=request.user)
            except EngageError as exc:
                form_add_error(form, exc)
            else:
                self.message_user(request, _("%(sent)s customers invited (%(already)s were already).")
                                  % {"sent": result.sent, "already": result.already}, messages.SUCCESS)
                return redirect("admin:engage_appreciationevent_guests", pk=pk)
        return TemplateResponse(request, "admin/engage/send.html", self._context(
            request, event, _("Invite: %(name)s") % {"name": event.name}, form=form))

    def guests_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = get_object_or_404(AppreciationEvent, pk=pk)
        guests = event.invitations.select_related("customer", "recorded_by").order_by("response", "customer__pk")
        return TemplateResponse(request, "admin/engage/event_guests.html", self._context(
            request, event, _("Guest list: %(name)s") % {"name": event.name}, counts=event_counts(event),
            guests=guests, invitations_url=reverse("admin:engage_eventinvitation_changelist")))


def _respond(modeladmin, request, queryset, response):
    for invitation in queryset:
        try:
            event_respond(invitation_id=invitation.pk, response=response, actor=request.user)
        except EngageError as exc:
            admin_message(request, exc, prefix=str(invitation.customer))


def _attend(modeladmin, request, queryset, attended):
    for invitation in queryset.select_related("event"):
        try:
            event_attendance_mark(invitation=invitation, attended=attended, actor=request.user)
        except EngageError as exc:
            admin_message(request, exc, prefix=str(invitation.customer))
            return


@admin.register(EventInvitation)
class EventInvitationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("event", "customer", "created_at", "response", "responded_via", "responded_at", "attended")
    list_filter = ("event", "response", "attended")
    search_fields = ("customer__mobile", "customer__full_name")
    list_select_related = ("event", "customer")
    readonly_fields = ("event", "customer", "message", "created_at", "response", "responded_at", "responded_via",
                       "recorded_by", "attended")
    fields = readonly_fields
    actions = ["record_coming", "record_not_coming", "mark_attended", "mark_absent"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("engage.change_eventinvitation")

    @admin.action(description=_("Record the answer: coming (by phone)"), permissions=["change"])
    def record_coming(self, request, queryset):
        _respond(self, request, queryset, EventInvitation.Response.ACCEPTED)

    @admin.action(description=_("Record the answer: not coming (by phone)"), permissions=["change"])
    def record_not_coming(self, request, queryset):
        _respond(self, request, queryset, EventInvitation.Response.DECLINED)

    @admin.action(description=_("Mark attended"), permissions=["change"])
    def mark_attended(self, request, queryset):
        _attend(self, request, queryset, True)

    @admin.action(description=_("Mark absent"), permissions=["change"])
    def mark_absent(self, request, queryset):
        _attend(self, request, queryset, False)
