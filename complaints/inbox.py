"""The complaints' sections of the start page (registered with ``core.inbox`` in ``apps.py``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from complaints import selectors
from core.inbox import Item, Section


def complaint_sections(user, now) -> list[Section]:
    if not user.has_perm("complaints.view_complaint"):
        return []
    counts = selectors.inbox_counts(user, now=now)
    changelist = reverse("admin:complaints_complaint_changelist")
    sections = []
    if user.has_perm("complaints.transition_complaint"):
        mine = Section("complaints_mine", _("My complaints"), 20)
        nearest = counts["mine_next"]
        mine.items.append(Item(_("My open complaints"), counts["mine"], f"{changelist}?mine=me&overdue=open",
                               level="bad" if counts["mine_overdue"] else ""))
        if nearest:
            mine.items.append(Item(_("Next deadline: %(number)s") % {"number": nearest["number"]},
                                   url=reverse("admin:complaints_complaint_change", args=[nearest["pk"]]),
                                   due_at=nearest["next_due"]))
        mine.items.append(Item(_("Waiting in my role's queue (unassigned)"), counts["role_queue"],
                               f"{changelist}?mine=role&overdue=open&assignee__isnull=True"))
        sections.append(mine)
    if "overdue" in counts:
        queue = Section("complaints_supervision", _("Complaint deadlines and approvals"), 30)
        queue.items += [
            Item(_("Overdue complaints"), counts["overdue"], f"{changelist}?overdue=yes",
                 level="bad" if counts["overdue"] else ""),
            Item(_("Complaints near a deadline"), counts["near"], f"{changelist}?overdue=soon",
                 level="warn" if counts["near"] else ""),
            Item(_("Remedies waiting for my approval"), counts["remedies_waiting"],
                 f"{changelist}?overdue=approval", level="warn" if counts["remedies_waiting"] else ""),
        ]
        if counts["remedies_higher"]:
            queue.items.append(Item(_("Remedies above my approval limit (waiting for a higher role)"),
                                    counts["remedies_higher"], f"{changelist}?overdue=approval_higher"))
        sections.append(queue)
    if user.has_perm("complaints.view_analysis"):
        sections.append(Section("reports", _("Reports"), 50, [
            Item(_("Monthly complaint analysis"), url=reverse("admin:complaints_complaint_analysis")),
            Item(_("Complaint analysis as Excel"), url=reverse("admin:complaints_complaint_analysis_export")),
        ]))
    return sections
