import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """Database and broker reachability as JSON: 200 when both answer, 503 otherwise. A failure is
    answered as plain ``"error"``: the probe needs no login, so the exception's text (host names,
    ports, user names, driver versions) goes to the log only."""
    checks = {}
    healthy = True
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception:  # noqa: BLE001 - any failure means "unreachable" to a probe
            log.warning("healthz: %s check failed", name, exc_info=True)
            checks[name] = "error"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
