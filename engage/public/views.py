"""The public pages customers reach from a message's signed link (no login, CSRF-protected,
phone-first, no script): ``survey/<token>/`` answers a questionnaire once; ``rsvp/<token>/`` answers an
event invitation. A POST always ends in a redirect to the same page, which then says it is done."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from engage.errors import EngageError
from engage.models import EventInvitation
from engage.selectors import event_counts
from engage.services import event_invitation_from_token, event_respond, invitation_from_token, survey_answer


def _page(request, template, context=None, status=200):
    base = {"company_name": settings.COMPANY_NAME, "hotline": settings.COMPANY_HOTLINE}
    return render(request, f"engage/{template}", {**base, **(context or {})}, status=status)


def _posted_values(request, questions) -> dict[int, int]:
    values = {}
    for question in questions:
        raw = request.POST.get(f"q{question.pk}", "")
        if raw.isdigit():
            values[question.pk] = int(raw)
    return values


@csrf_protect
@require_http_methods(["GET", "POST"])
def survey_page(request, token: str):
    try:
        invitation = invitation_from_token(token)
    except EngageError as exc:
        return _page(request, "public_notice.html", {"notice": exc.message}, status=404)
    questionnaire = invitation.questionnaire
    questions = list(questionnaire.questions.all())
    if invitation.answered_at is not None:
        return _page(request, "survey_done.html", {"questionnaire": questionnaire})
    if invitation.expires_at <= timezone.now():
        return _page(request, "survey_expired.html", {"questionnaire": questionnaire}, status=410)
    values, error = {}, ""
    if request.method == "POST":
        values = _posted_values(request, questions)
        try:
            survey_answer(invitation_id=invitation.pk, values=values, comment=request.POST.get("comment", ""))
        except EngageError as exc:
            # A double tap: the other submission was recorded, so this one too ends on "done".
            error = "" if exc.code == "already_answered" else exc.message
        if not error:
            return redirect(request.path)
    rows = [{"question": q, "choices": _choices(q), "chosen": values.get(q.pk)} for q in questions]
    return _page(request, "survey_form.html", {"questionnaire": questionnaire, "rows": rows, "error": error,
                                               "comment": request.POST.get("comment", "")})


def _choices(question) -> list[tuple[int, str]]:
    from customers.models import Rating

    if question.scale == question.Scale.LIKERT:
        return [(value, str(label)) for value, label in reversed(Rating.choices)]
    return [(value, str(value)) for value in question.values]


@csrf_protect
@require_http_methods(["GET", "POST"])
def rsvp_page(request, token: str):
    """The event, the customer's current answer, and two buttons (coming / not coming); the answer may
    change until the event starts; a yes when the event is full is refused with a sorry."""
    try:
        invitation = event_invitation_from_token(token)
    except EngageError as exc:
        return _page(request, "public_notice.html", {"notice": exc.message}, status=404)
    error = ""
    if request.method == "POST":
        try:
            event_respond(invitation_id=invitation.pk, response=request.POST.get("response", ""))
        except EngageError as exc:
            error = exc.message
        else:
            return redirect(request.path)
    event = invitation.event
    return _page(request, "rsvp.html", {
        "invitation": invitation, "event": event, "error": error, "started": event.starts_at <= timezone.now(),
        "full": event_counts(event)["places_left"] == 0, "Response": EventInvitation.Response})
