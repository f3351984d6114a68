"""Staff edits outside the workflow: the details form, notes, attachments."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.errors import ComplaintError, NotAllowed
from complaints.models import Attachment, Complaint, TimelineEntry
from complaints.models.complaint import validate_attachment
from complaints.services.assignment import complaint_assign
from complaints.services.common import _lock, _timeline, _user_has

DETAIL_FIELDS = ("demand", "cause_category", "cause", "responsibility", "responsible_staff", "resolution_measures",
                 "expected_completion_at", "customer_informed_by")


@transaction.atomic
def complaint_update_details(*, complaint: Complaint, actor, changes: dict) -> Complaint:
    """Staff edits of the details form. A new assignee goes through ``complaint_assign`` (its checks,
    its timeline entry); the other fields (``DETAIL_FIELDS`` only) are saved with a note naming them."""
    changes = dict(changes)
    if unknown := set(changes) - {"assignee", *DETAIL_FIELDS}:
        raise ComplaintError(_("These fields change only through the workflow: %(fields)s.")
                             % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    if not _user_has(actor, "complaints.change_complaint"):
        raise NotAllowed(_("You are not allowed to change complaints."))
    complaint = _lock(complaint)  # the stored row: the caller's instance may already carry the edits
    if "assignee" in changes:
        assignee = changes.pop("assignee")
        if getattr(assignee, "pk", None) != complaint.assignee_id:
            complaint = complaint_assign(complaint=complaint, assignee=assignee, actor=actor)
    if not changes:
        return complaint
    for name, value in changes.items():
        setattr(complaint, name, value)
    complaint.save(update_fields=[*changes, "updated_at"])
    complaint_add_note(complaint=complaint, actor=actor, note=_("Details updated: %(fields)s") % {
        "fields": ", ".join(str(Complaint._meta.get_field(name).verbose_name) for name in changes)})
    return complaint


def complaint_add_note(*, complaint: Complaint, actor, note: str, public: bool = False) -> TimelineEntry:
    note = (note or "").strip()
    if not note:
        raise ComplaintError(_("Write the note."), field="note")
    return _timeline(complaint, TimelineEntry.Kind.NOTE if not public else TimelineEntry.Kind.MESSAGE,
                     actor=actor, note=note, public=public)


@transaction.atomic
def attachment_add(*, complaint: Complaint, file, actor=None, description: str = "") -> Attachment:
    """Attach a photo, recording or document: size and type (by content) checked, stored under a random
    name; the name it was uploaded with is kept for display and as the download's file name."""
    from complaints.filetypes import read_head, sniff

    try:
        validate_attachment(file)
    except ValidationError as exc:
        raise ComplaintError(exc.messages[0], field="file", code="attachment_rejected") from None
    original = (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    attachment = Attachment.objects.create(complaint=complaint, file=file, description=description,
                                           size=file.size, uploaded_by=actor, original_name=original,
                                           content_type=sniff(read_head(file)).mime)
    _timeline(complaint, TimelineEntry.Kind.ATTACHMENT, actor=actor, note=original)
    return attachment
