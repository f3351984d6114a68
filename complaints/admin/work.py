"""The complaint page's work buttons beyond the status moves: take and hand back, internal notes and
messages to the customer (canned replies), a decision on each remedy, and merging duplicates (an
admin action with a confirmation page). Every one is a POST calling a service in
complaints.casework / complaints.services; a refusal is a message; back through core.http.safe_next."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints import casework, services
from complaints.errors import ComplaintError
from complaints.models import Complaint, Macro, Remedy
from core.http import redirect_next


def back(request, pk):
    return redirect_next(request, reverse("admin:complaints_complaint_change", args=[pk]))


def _run(request, action, success: str):
    try:
        action()
    except ComplaintError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)


def take_view(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    _run(request, lambda: casework.complaint_take(complaint=complaint, actor=request.user),
         gettext("%(number)s is now yours.") % {"number": complaint.number})
    return back(request, pk)


def hand_back_view(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    _run(request, lambda: casework.complaint_hand_back(complaint=complaint, actor=request.user,
                                                        note=request.POST.get("note", "")),
         gettext("%(number)s is back in its role's queue.") % {"number": complaint.number})
    return back(request, pk)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("text"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    macro = forms.ModelChoiceField(label=_("canned reply"), queryset=Macro.objects.none(), required=False)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["macro"].queryset = casework.macros_for(complaint)


def note_view(request, pk):
    """The note box: "internal note" (never shown to the complainant, status unchanged) or "message to
    the customer" (public, sent by SMS), the text typed or a canned reply filled for this complaint."""
    complaint = get_object_or_404(Complaint.objects.select_related("category", "grade", "customer"), pk=pk)
    form = NoteForm(request.POST, complaint=complaint)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return back(request, pk)
    data = dict(complaint=complaint, actor=request.user, text=form.cleaned_data["text"],
                macro=form.cleaned_data["macro"])
    if request.POST.get("kind") == "message":
        _run(request, lambda: casework.complaint_message_customer(**data), gettext("Message sent to the customer."))
    else:
        _run(request, lambda: casework.complaint_note(**data), gettext("Internal note added."))
    return back(request, pk)


def remedy_decide_view(request, pk, remedy_id, decision):
    """Approve or reject one remedy (the approval service checks authority over the complaint's total)."""
    if decision not in ("approve", "reject"):
        raise Http404
    remedy = get_object_or_404(Remedy, pk=remedy_id, complaint_id=pk)
    note = request.POST.get("note", "")
    if decision == "approve":
        _run(request, lambda: services.remedy_approve(remedy=remedy, actor=request.user, note=note),
             gettext("Remedy approved."))
    else:
        _run(request, lambda: services.remedy_reject(remedy=remedy, actor=request.user, note=note),
             gettext("Remedy rejected."))
    return back(request, pk)


# --- merging duplicates ----------------------------------------------------------------------
@admin.action(description=_("Merge duplicate complaints"), permissions=["merge"])
def merge_duplicates(modeladmin, request, queryset):
    """Two complaints selected → a confirmation page choosing the one that stays → the merge."""
    chosen = list(queryset.select_related("customer", "category", "grade").order_by("received_at", "pk")[:3])
    if len(chosen) != 2:
        modeladmin.message_user(request, gettext("Select exactly two complaints to merge."), messages.ERROR)
        return None
    if request.POST.get("confirm") == "yes":
        by_pk = {str(c.pk): c for c in chosen}
        survivor = by_pk.get(request.POST.get("survivor", ""))
        if survivor is None:
            modeladmin.message_user(request, gettext("Choose the complaint that stays."), messages.ERROR)
            return None
        duplicate = next(c for c in chosen if c.pk != survivor.pk)
        try:
            casework.complaint_merge(survivor=survivor, duplicate=duplicate, actor=request.user,
                                     note=request.POST.get("note", ""))
        except ComplaintError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
            return None
        modeladmin.message_user(request, gettext("%(duplicate)s merged into %(survivor)s.") % {
            "duplicate": duplicate.number, "survivor": survivor.number}, messages.SUCCESS)
        return None
    context = {**modeladmin.admin_site.each_context(request), "title": gettext("Merge duplicate complaints"),
               "complaints": chosen, "opts": modeladmin.model._meta,
               "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
    return TemplateResponse(request, "admin/complaints/complaint/merge_confirm.html", context)
