"""Complaint factories (complaints-specific; the shared ones are in tests/factories.py)."""

import importlib

import factory
from django.utils import timezone

from complaints.models import Category, Channel, Complaint, Grade
from complaints.services import complaint_create
from tests.factories import CustomerFactory


def ensure_reference_rows() -> None:
    """The grades and categories of migration 0002. A transactional test elsewhere flushes the tables
    (pytest-django runs those last), so put them back when they are gone."""
    if not Grade.objects.exists():
        from django.apps import apps

        seed = importlib.import_module("complaints.migrations.0002_seed_grades_categories").seed
        seed(apps, None)
    from complaints.models import RoutingRule

    if not RoutingRule.objects.exists():
        from django.apps import apps

        importlib.import_module("complaints.migrations.0009_seed_routing_rules_macros").seed(apps, None)


def grade(code: str) -> Grade:
    ensure_reference_rows()
    return Grade.objects.get(code=code)


def category(code: str = "driver_attitude") -> Category:
    ensure_reference_rows()
    return Category.objects.get(code=code)


def make_complaint(**kwargs) -> Complaint:
    """A complaint taken through the intake service (numbered, graded, with deadlines)."""
    if "customer" not in kwargs and "order" not in kwargs and "complainant_mobile" not in kwargs:
        kwargs["customer"] = CustomerFactory()
    kwargs.setdefault("channel", Channel.HOTLINE)
    kwargs.setdefault("category", category())
    kwargs.setdefault("content", "司机态度恶劣,拒绝按导航路线行驶。")
    return complaint_create(**kwargs)


class ComplaintFactory(factory.Factory):
    """``ComplaintFactory(category=category("unsafe_driving"), received_at=…)`` through the service."""

    class Meta:
        model = Complaint

    channel = Channel.HOTLINE
    content = "司机迟到半小时,未提前告知。"
    received_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return make_complaint(**kwargs)

    _build = _create
