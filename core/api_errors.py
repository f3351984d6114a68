"""One JSON error shape for the whole REST API, in Chinese by default and English by ``Accept-Language``:

    {"code": "invalid", "message": "输入有误。", "errors": {"customer.mobile": ["…"], "fee": ["…"]}}

``code`` is stable for machines; ``message`` is for people; ``errors`` maps a field (nested fields
joined with ``.``, list items by index: ``orders.3.fee``) to its messages, and is ``{}`` when no field
is at fault. Every failure of an API request answers in this shape: validation, malformed JSON,
oversized bodies (413), unknown paths (404), wrong methods (405), throttling (429, with
``Retry-After``), domain errors of the apps, and even an unexpected exception (500, logged), so a
client never has to parse an HTML page.

Other apps raise ``ApiError`` (or ``Conflict`` / ``Unprocessable``) from their views, or let their
domain error (a ``core.errors.DomainError``) reach the handler, which answers its ``api_status``
with its ``code`` and, when it names one, its ``field``.
"""

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.response import Response

from core.errors import DomainError

log = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"


class ApiError(exceptions.APIException):
    """An error with an explicit status, stable code, message and optional field errors."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = _("The request could not be processed.")

    def __init__(self, message=None, *, code=None, errors=None, status_code=None):
        super().__init__(message if message is not None else self.default_detail, code or self.default_code)
        self.message = message if message is not None else self.default_detail
        self.code = code or self.default_code
        self.errors = errors or {}
        if status_code is not None:
            self.status_code = status_code


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The request conflicts with the current state of the resource.")


class Unprocessable(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"
    default_detail = _("The request cannot be processed as sent.")


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = _("The request body is too large.")


# Messages for DRF's own exceptions, in our words (DRF's defaults are kept for field messages).
_MESSAGES = {
    "invalid": _("The data sent is not valid: see the field errors."),
    "parse_error": _("The request body is not valid JSON."),
    "not_found": _("Not found."),
    "method_not_allowed": _("This method is not allowed here."),
    "not_authenticated": _("Authentication is required: send the header “Authorization: Api-Key <key>”."),
    "authentication_failed": _("The API key is not valid, has been revoked or has expired."),
    "permission_denied": _("You do not have permission to do this."),
    "throttled": _("Too many requests: slow down and retry after the number of seconds in Retry-After."),
    "unsupported_media_type": _("Send the request body as application/json."),
    "not_acceptable": _("This API answers only in application/json."),
    "server_error": _("An unexpected error occurred; it has been logged. Please retry later."),
    "integrity_error": _("The data conflicts with an existing record."),
    "database_unavailable": _("The database is unavailable for a moment and the request was not carried out; "
                              "retry after the number of seconds in Retry-After (with the same Idempotency-Key)."),
}


def max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", 2 * 1024 * 1024))


def check_body_size(request) -> None:
    """Raise 413 before reading a body larger than ``API_MAX_BODY_BYTES``."""
    meta = request.META
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        length = 0
    if length > max_body_bytes():
        raise PayloadTooLarge(
            _("The request body is too large (limit %(limit)s bytes).") % {"limit": max_body_bytes()},
            errors={},
        )


class LimitedJSONParser(JSONParser):
    """JSON parser that answers 413 for bodies over ``API_MAX_BODY_BYTES`` and 400 (``parse_error``)
    for anything that is not JSON, including invalid UTF-8 and bare non-object garbage."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            check_body_size(request)
        return super().parse(stream, media_type, parser_context)


class JSONRenderer(DRFJSONRenderer):
    """DRF's renderer (UTF-8, Chinese unescaped), falling back to ASCII escapes when a body holds
    text that UTF-8 cannot encode (lone surrogates echoed from a client's input)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            import json

            from rest_framework.utils.encoders import JSONEncoder

            return json.dumps(json_safe(data), cls=JSONEncoder, ensure_ascii=True).encode("ascii")


def _clean_text(value: str) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def json_safe(value):
    """A copy of JSON-like data that PostgreSQL's jsonb and UTF-8 accept: NUL characters removed,
    lone surrogates replaced, lazy strings and other scalars made plain."""
    if isinstance(value, dict):
        return {_clean_text(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, str):
        return _clean_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return _clean_text(force_str(value))


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """DRF's nested error detail → ``{"a.b.0.c": ["message", …]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in (NON_FIELD, "__all__"):
                name = prefix or NON_FIELD
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            if detail:
                out.setdefault(prefix or NON_FIELD, []).extend(force_str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if not item:
                    continue
                name = f"{prefix}.{index}" if prefix else str(index)
                for k, v in _flatten(item, name).items():
                    out.setdefault(k, []).extend(v)
    elif detail is not None and detail != "":
        out.setdefault(prefix or NON_FIELD, []).append(force_str(detail))
    return out


def flatten_errors(detail) -> dict[str, list[str]]:
    return _flatten(detail)


def error_body(*, code: str, message, errors=None) -> dict:
    return {"code": code, "message": force_str(message), "errors": errors or {}}


def _domain_error(exc: DomainError) -> ApiError:
    """An app's domain error as an ApiError: its status, code, and the field it names."""
    message = force_str(exc.message)
    return ApiError(message, code=exc.code, errors={exc.field: [message]} if exc.field else {},
                    status_code=exc.api_status)


def _database_unavailable(exc) -> ApiError:
    """A connection refused or cut (restart, failover, ``pg_terminate_backend``), or a transient
    server error: the request's transaction was rolled back, so the client may simply retry (503 with
    ``Retry-After``; the Idempotency-Key claim was released or lapses, see platform_api.idempotency)."""
    log.warning("database unavailable during an API request: %s", exc)
    error = ApiError(_MESSAGES["database_unavailable"], code="database_unavailable",
                     status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    error.wait = getattr(settings, "API_DATABASE_RETRY_AFTER_SECONDS", 5)
    return error


def _to_drf(exc):
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, OperationalError | InterfaceError):
        return _database_unavailable(exc)
    if isinstance(exc, IntegrityError):
        log.warning("integrity error reached the API handler", exc_info=exc)
        return ApiError(_MESSAGES["integrity_error"], code="conflict", status_code=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        return _domain_error(exc)
    return exc


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: every error as ``{"code", "message", "errors"}``."""
    exc = _to_drf(exc)
    # Imported here: rest_framework.views reads DEFAULT_RENDERER_CLASSES (this module) on import, so a
    # module-level import made "import core.api_errors" fail when it came first (e.g. in a worker).
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)  # keeps headers: WWW-Authenticate, Retry-After
    if response is None:
        log.error("unhandled exception in API view %s", context.get("view"), exc_info=exc)
        return Response(
            error_body(code="server_error", message=_MESSAGES["server_error"]),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, ApiError):
        body = error_body(code=exc.code, message=exc.message, errors=exc.errors)
    elif isinstance(exc, exceptions.ValidationError):
        body = error_body(code="invalid", message=_MESSAGES["invalid"], errors=flatten_errors(exc.detail))
    else:
        code = exc.default_code if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(exc, exceptions.Throttled):
            message = _MESSAGES["throttled"]
        elif isinstance(exc, exceptions.ParseError):
            message = _MESSAGES["parse_error"]
        elif isinstance(exc, exceptions.MethodNotAllowed | exceptions.UnsupportedMediaType):
            message = _MESSAGES.get(code, exc.detail)
        else:
            detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
            # A custom detail (e.g. “No such order.”) is kept; DRF's generic one gets our wording.
            is_default = isinstance(exc, exceptions.APIException) and force_str(detail) == force_str(
                exc.default_detail
            )
            message = _MESSAGES.get(code, detail) if is_default else detail
        body = error_body(code=code, message=message)
    response.data = body
    return response


def api_not_found(request, *args, **kwargs):
    """Catch-all for unknown paths under ``/api/``: a 404 in the API's shape, not an HTML page."""
    return JsonResponse(
        error_body(code="not_found", message=_("There is no API endpoint at this address.")), status=404,
        json_dumps_params={"ensure_ascii": False},
    )


def unsupported_media_type_response():
    """415 in the API's shape, for a body that is not JSON (``core.middleware.ApiJsonOnlyMiddleware``)."""
    return JsonResponse(
        error_body(code="unsupported_media_type", message=_MESSAGES["unsupported_media_type"]), status=415,
        json_dumps_params={"ensure_ascii": False},
    )
