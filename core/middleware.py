from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware


class StaffLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Everything needs a login except the health probe, the API (which authenticates platforms with
    its own keys) and public pages; see ``LOGIN_EXEMPT_PREFIXES``."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(settings.LOGIN_EXEMPT_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type (``application/problem+json``), any parameters."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class ApiJsonOnlyMiddleware:
    """The API under ``/api/`` reads JSON only: a request that carries a body of any other type, or a
    body with no Content-Type at all, is answered 415 ``unsupported_media_type`` in the API's error
    shape before any view, authentication or parser sees it. (DRF alone would parse a form body with
    the form parsers, and treat a body without Content-Type as empty data.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in _BODY_METHODS and request.path_info.startswith("/api/") and _has_body(request):
            if not is_json_media_type(request.META.get("CONTENT_TYPE", "")):
                from core.api_errors import unsupported_media_type_response

                return unsupported_media_type_response()
        return self.get_response(request)


def _has_body(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return True  # an unreadable length is not a JSON request either
    return length > 0 or "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
