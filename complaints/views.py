"""The public online complaint form (/public/complaints/new/): no login, CSRF-protected, limited
per client address, with a honeypot field instead of a captcha. It answers with the number."""

import logging

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from complaints.errors import ComplaintError
from complaints.forms import PublicComplaintForm
from complaints.models import Grade

log = logging.getLogger(__name__)
RATE_WINDOW_SECONDS = 3600


def _cache():
    return caches["api"] if "api" in settings.CACHES else caches["default"]


def _client_address(request) -> str:
    # Behind the TLS proxy the first X-Forwarded-For hop is the client (SECURE_PROXY_SSL_HEADER setup).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def _over_limit(request) -> bool:
    """Count submissions per client address in a fixed hourly window (fails open if the cache is down)."""
    key = f"complaints:public:{_client_address(request)}"
    try:
        cache = _cache()
        if cache.add(key, 1, RATE_WINDOW_SECONDS):
            return False
        return cache.incr(key) > settings.COMPLAINT_PUBLIC_FORM_PER_HOUR
    except Exception:  # noqa: BLE001 - a cache outage must not stop customers complaining
        log.warning("public complaint rate limit unavailable", exc_info=True)
        return False


def _promise(grade: Grade | None) -> dict:
    """The acknowledgement deadline the thank-you page promises: the complaint's grade's (a bot's
    fake success shows the lowest grade's, as a real minor complaint would)."""
    grade = grade or Grade.objects.order_by("rank").first()
    return {"acknowledge_hours": grade.acknowledge_hours if grade else None,
            "working_hours": bool(grade and grade.working_days)}


@csrf_protect
@require_http_methods(["GET", "POST"])
def public_complaint_new(request):
    form = PublicComplaintForm(request.POST or None)
    if request.method == "POST":
        if _over_limit(request):
            return render(request, "complaints/public_form.html",
                          {"form": form, "error": _("Too many complaints from this address; please call our "
                                                    "hotline or try again in an hour.")}, status=429)
        if form.is_bot():
            # Answer like a success so that the bot learns nothing; nothing is stored.
            return render(request, "complaints/public_thanks.html", {"number": None, **_promise(None)})
        if form.is_valid():
            try:
                complaint = form.submit()
            except ComplaintError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return render(request, "complaints/public_thanks.html",
                              {"number": complaint.number, **_promise(complaint.grade)})
    return render(request, "complaints/public_form.html", {"form": form}, status=400 if form.errors else 200)
