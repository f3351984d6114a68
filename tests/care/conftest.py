import datetime as dt

import pytest
from django.utils import timezone

from care.channels.sms import LoggingSmsBackend
from care.models import Occasion


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def sms_log():
    LoggingSmsBackend.sent.clear()
    return LoggingSmsBackend.sent


@pytest.fixture
def birthday_occasion(db):
    return Occasion.objects.get(code="birthday")


@pytest.fixture
def spring_festival(db):
    return Occasion.objects.get(code="spring_festival")
