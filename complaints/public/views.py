"""The public complaint pages (/public/complaints/…, no login, CSRF-protected, phone-first):

- ``new/``: the form. Limited per client address and per mobile; a CAPTCHA after a few submissions
  from one address; a POST always ends in a redirect (refreshing files nothing twice).
- ``thanks/``: the number and when we will answer (the grade's real acknowledgement deadline).
- ``status/``: number + mobile → ``status/<number>/`` (that session only): the progress, a reply, and
  the satisfaction once resolved.
When the rate-limit cache is down every write refuses with "请稍后再试" (503): fail closed."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from complaints.errors import ComplaintError
from complaints.models import Complaint
from complaints.public import limits
from complaints.public.forms import ChallengeForm, FeedbackForm, PublicComplaintForm, ReplyForm, StatusLookupForm
from complaints.public.selectors import complaint_for_complainant, kept_complaints_for_complainant, public_progress
from complaints.public.services import complaint_customer_feedback, complaint_customer_reply, public_complaint_file
from core.errors import form_add_error
from core.ratelimit import RateLimitUnavailable

FILED_KEY = "public_complaint_filed"  # session: the number shown on the thank-you page
REPEAT_KEY = "public_complaint_repeat"  # session: that submission repeated one already filed
ACCESS_KEY = "public_complaint_access"  # session: numbers this visitor proved the mobile of
MAX_ACCESS = 10


def _page(request, template, context=None, status=200):
    base = {"company_name": settings.COMPANY_NAME, "hotline": settings.COMPANY_HOTLINE}
    return render(request, f"complaints/{template}", {**base, **(context or {})}, status=status)


def _try_later(request, status=503):
    return _page(request, "public_try_later.html", {"too_many": status == 429}, status=status)


def _grant(request, number: str) -> None:
    numbers = [n for n in request.session.get(ACCESS_KEY, []) if n != number]
    request.session[ACCESS_KEY] = [number, *numbers][:MAX_ACCESS]


@csrf_protect
@require_http_methods(["GET", "POST"])
def public_complaint_new(request):
    form, challenge = PublicComplaintForm(), None
    try:
        previous = attempts = limits.form_attempts(request)
        if request.method == "POST":
            if limits.address_over_limit(previous):
                return _try_later(request, status=429)
            attempts = limits.form_attempt(request)
            form = PublicComplaintForm(request.POST)
            challenge = ChallengeForm(request.POST) if limits.needs_challenge(previous) else None
            response = _submit(request, form, challenge)
            if response is not None:
                return response
    except RateLimitUnavailable:
        return _try_later(request)
    if challenge is None and limits.needs_challenge(attempts):
        challenge = ChallengeForm()  # from now on this address answers a CAPTCHA
    errors = form.errors or (challenge is not None and challenge.errors)
    return _page(request, "public_form.html", {"form": form, "challenge": challenge},
                 status=400 if errors else 200)


def _submit(request, form, challenge):
    """The POST: a redirect when done, or None to show the form (with its errors) again."""
    if form.is_bot():
        # Answer like a success so that the bot learns nothing; nothing is stored.
        request.session[FILED_KEY] = ""
        return redirect("complaints:public_thanks")
    if not form.is_valid() or (challenge is not None and not challenge.is_valid()):
        return None
    data = form.cleaned_data
    if limits.mobile_over_limit(data["mobile"]):
        return _try_later(request, status=429)
    try:
        filed = public_complaint_file(
            full_name=data["full_name"], mobile=data["mobile"], category=data["category"], content=data["content"],
            order_reference=data.get("order_reference") or "", occurred_at=data.get("occurred_at"),
            demand=data.get("demand") or "")
    except ComplaintError as exc:
        form_add_error(form, exc)
        return None
    number = filed.complaint.number if filed.complaint else ""
    request.session[FILED_KEY] = number
    request.session[REPEAT_KEY] = filed.repeat
    if number:
        _grant(request, number)
    return redirect("complaints:public_thanks")


@require_GET
def public_complaint_thanks(request):
    """Shown after the redirect; a refresh shows it again and files nothing."""
    if FILED_KEY not in request.session:
        return redirect("complaints:public_new")
    number = request.session[FILED_KEY]
    complaint = Complaint.objects.filter(number=number).only("number", "acknowledge_due_at").first() if number else None
    return _page(request, "public_thanks.html", {
        "number": number, "repeat": request.session.get(REPEAT_KEY, False),
        # The grade's real deadline (not a fixed "24 hours"): kept in the context for the template.
        "acknowledge_due_at": complaint.acknowledge_due_at if complaint else None,
    })


@csrf_protect
@require_http_methods(["GET", "POST"])
def public_status_lookup(request):
    form = StatusLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number, mobile = form.cleaned_data["number"], form.cleaned_data["mobile"]
        try:
            if limits.status_lookup_over_limit(request, number):
                return _try_later(request, status=429)
        except RateLimitUnavailable:
            return _try_later(request)
        complaint = complaint_for_complainant(number=number, mobile=mobile)
        if complaint is not None:
            _grant(request, complaint.number)
            for kept in kept_complaints_for_complainant(complaint, mobile=mobile):
                _grant(request, kept.number)  # merged as a duplicate: the complaint that stays is theirs too
            return redirect("complaints:public_status", number=complaint.number)
        # The same answer whether the number does not exist or the mobile is not its own.
        form.add_error(None, _("We found no complaint with this number for this mobile."))
    return _page(request, "public_status_lookup.html", {"form": form}, status=400 if form.errors else 200)


@csrf_protect
@require_http_methods(["GET", "POST"])
def public_status(request, number: str):
    if number not in request.session.get(ACCESS_KEY, []):
        return redirect("complaints:public_status_lookup")
    complaint = Complaint.objects.select_related("category", "duplicate_of").get(number=number)
    reply_form, feedback_form = ReplyForm(prefix="reply"), FeedbackForm(prefix="feedback")
    if request.method == "POST":
        try:
            if limits.status_write_over_limit(request):
                return _try_later(request, status=429)
        except RateLimitUnavailable:
            return _try_later(request)
        done, reply_form, feedback_form = _status_post(request, complaint)
        if done:
            return redirect("complaints:public_status", number=number)
    kept = complaint.duplicate_of if complaint.duplicate_of_id else None
    context = {
        "complaint": complaint, "progress": public_progress(complaint), "reply_form": reply_form,
        "kept": kept, "kept_visible": kept is not None and kept.number in request.session.get(ACCESS_KEY, []),
        "feedback_form": feedback_form if complaint.status in (Complaint.Status.RESOLVED,
                                                               Complaint.Status.FOLLOW_UP) else None,
        "status_url": reverse("complaints:public_status", args=[number]),
    }
    return _page(request, "public_status.html", context,
                 status=400 if reply_form.errors or feedback_form.errors else 200)


def _status_post(request, complaint):
    """Reply or feedback; returns (done, reply_form, feedback_form)."""
    if "feedback-satisfied" in request.POST:
        form = FeedbackForm(request.POST, prefix="feedback")
        if form.is_valid():
            try:
                complaint_customer_feedback(complaint=complaint, satisfied=form.cleaned_data["satisfied"],
                                            comment=form.cleaned_data["comment"])
                return True, ReplyForm(prefix="reply"), form
            except ComplaintError as exc:
                form.add_error(None, exc.message)
        return False, ReplyForm(prefix="reply"), form
    form = ReplyForm(request.POST, prefix="reply")
    if form.is_valid():
        try:
            complaint_customer_reply(complaint=complaint, text=form.cleaned_data["text"])
            return True, form, FeedbackForm(prefix="feedback")
        except ComplaintError as exc:
            form.add_error("text", exc.message)
    return False, form, FeedbackForm(prefix="feedback")
