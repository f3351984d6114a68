"""The 12-hour review clock in the supervisors' lists (customers.services.review_clock): a "time left"
column, red once late, and a filter for the requests flagged late."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.formats import countdown


def countdown_cell(due, waiting: bool):
    """“3 h 20 min left”, or in red “overdue 1 h 5 min”; a dash once decided."""
    if not waiting or due is None:
        return "—"
    late = due <= timezone.now()
    html = '<strong class="errornote">{}</strong>' if late else '<span class="review-countdown">{}</span>'
    return format_html(html, countdown(due))


class ReviewClockMixin:
    """For a request admin: ``waiting_status`` is the status that waits for the review."""

    waiting_status = ""

    @admin.display(description=_("time left"), ordering="review_due_at")
    def review_time_left(self, obj):
        return countdown_cell(obj.review_due_at, obj.status == self.waiting_status)


LATE_FILTER = ("review_late_at", admin.EmptyFieldListFilter)
