"""One domain error type: every app's refusal is a ``core.errors.DomainError``, answered by the API
and shown by the admin from its attributes alone."""

import ast
import pathlib

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from care.adapters import BenefitError
from care.errors import CareError
from complaints.adapters import IntegrationError
from complaints.errors import ComplaintError
from complaints.errors import NotAllowed as ComplaintNotAllowed
from core.api_errors import exception_handler
from core.errors import DomainError, admin_message, form_add_error
from customers.errors import CustomerError, DuplicateCustomer, NotAllowed
from customers.services.orders import OrderError
from kpis.errors import KpiError
from loyalty.errors import InsufficientPoints, LoyaltyError

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("cls", [CustomerError, OrderError, LoyaltyError, KpiError, CareError, ComplaintError,
                                 IntegrationError, BenefitError])
def test_every_app_error_is_a_domain_error(cls):
    exc = cls("message")
    assert isinstance(exc, DomainError)
    assert exc.message == "message" and str(exc) == "message"


def test_complaint_error_keeps_its_constructor():
    exc = ComplaintError("bad", field="demand", code="too_short")
    assert (exc.message, exc.field, exc.code, exc.api_status) == ("bad", "demand", "too_short", 400)
    assert ComplaintNotAllowed("no").api_status == 403


@pytest.mark.parametrize(("exc", "status", "code"), [
    (CustomerError("bad", field="mobile"), 400, "invalid"),
    (NotAllowed("no"), 403, "not_allowed"),
    (DuplicateCustomer(object()), 409, "duplicate_customer"),
    (OrderError("done", code="not_completed", api_status=409), 409, "not_completed"),
    (InsufficientPoints("few"), 409, "insufficient_points"),
    (KpiError("future"), 400, "invalid"),
    (CareError("empty", field="body"), 400, "invalid"),
])
def test_api_answers_a_domain_error_with_its_status_code_and_field(exc, status, code):
    response = exception_handler(exc, {})
    assert response.status_code == status
    assert response.data["code"] == code
    if exc.field:
        assert response.data["errors"] == {exc.field: [str(exc.message)]}
    else:
        assert response.data["errors"] == {}


def test_admin_shows_a_domain_error_as_a_message_and_on_the_field():
    from django import forms

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    admin_message(request, CareError("Busy"), prefix="王先生")
    assert [m.message for m in get_messages(request)] == ["王先生: Busy"]

    class F(forms.Form):
        body = forms.CharField(required=False)

    form = F(data={})
    form.is_valid()
    form_add_error(form, CareError("Empty", field="body"))
    form_add_error(form, CareError("Elsewhere", field="not_a_field"))
    assert form.errors == {"body": ["Empty"], "__all__": ["Elsewhere"]}


def test_core_imports_no_app():
    apps = {"customers", "loyalty", "care", "complaints", "kpis", "platform_api"}
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in apps]
    assert offenders == []
