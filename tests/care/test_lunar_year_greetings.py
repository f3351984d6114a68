"""Lunar birthdays and lunar festivals are greeted once per *lunar* year (issue 17, item 1).

Lunar 11/15 falls on 2024-12-15, 2026-01-03, 2026-12-23 and 2027-12-12: twice in solar 2026 and not at
all in solar 2025. Keyed on the solar year, the second 2026 date was refused as "already greeted"."""

import datetime as dt

import pytest

from care import rules
from care.models import CampaignRun, Message, Occasion, OccasionTemplate
from care.services import birthday_greetings_enqueue, holiday_greetings_enqueue
from tests.care.conftest import local
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LUNAR_11_15_DATES = [dt.date(2026, 1, 3), dt.date(2026, 12, 23), dt.date(2027, 12, 12)]


def _days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def test_a_lunar_birthday_falling_twice_in_one_solar_year_is_greeted_both_times(birthday_occasion):
    # given a customer born on lunar 1990-11-15 (solar 1990-12-31) who celebrates the lunar birthday
    customer = CustomerFactory(birthday=dt.date(1990, 12, 31), birthday_is_lunar=True, marketing_consent=True)
    # when the birthday job runs every day of 2025, 2026 and 2027
    for day in _days(dt.date(2025, 1, 1), dt.date(2027, 12, 31)):
        birthday_greetings_enqueue(today=day, now=local(day.year, day.month, day.day, 9), dispatch=False)
    # then the greeting went out on each lunar birthday: both 2026 dates, none on a solar 12-31
    greetings = list(Message.objects.filter(customer=customer).order_by("occasion_date")
                     .values_list("occasion_date", "year"))
    # lunar year 2025's birthday falls in solar 2026: it is greeted then, not skipped
    assert greetings == [(dt.date(2026, 1, 3), 2025), (dt.date(2026, 12, 23), 2026), (dt.date(2027, 12, 12), 2027)]


def test_a_lunar_birthday_run_twice_on_the_day_is_still_greeted_once(birthday_occasion):
    CustomerFactory(birthday=dt.date(1990, 12, 31), birthday_is_lunar=True, marketing_consent=True)
    for hour in (9, 15):
        birthday_greetings_enqueue(today=dt.date(2026, 12, 23), now=local(2026, 12, 23, hour), dispatch=False)
    assert Message.objects.count() == 1


def test_solar_birthdays_stay_keyed_on_the_solar_year(birthday_occasion):
    customer = CustomerFactory(birthday=dt.date(1990, 12, 31), birthday_is_lunar=False, marketing_consent=True)
    birthday_greetings_enqueue(today=dt.date(2026, 12, 31), now=local(2026, 12, 31, 9), dispatch=False)
    assert Message.objects.get(customer=customer).year == 2026


@pytest.fixture
def lunar_11_15(db):
    occasion = Occasion.objects.create(code="winter_15", name="冬月十五", kind=Occasion.Kind.LUNAR, month=11, day=15,
                                       send_offset_days=0)
    OccasionTemplate.objects.create(occasion=occasion, body="{{ name }}，冬月十五快乐")
    return occasion


def test_a_lunar_festival_falling_twice_in_one_solar_year_is_greeted_both_times(lunar_11_15):
    # given a consenting customer and a lunar festival on 11/15
    customer = CustomerFactory(marketing_consent=True)
    # when the holiday job runs every day of 2025–2027
    for day in _days(dt.date(2025, 1, 1), dt.date(2027, 12, 31)):
        holiday_greetings_enqueue(today=day, now=local(day.year, day.month, day.day, 9))
    # then each lunar year's festival was greeted on its date, twice in 2026 and none in 2025
    greetings = list(Message.objects.filter(customer=customer, occasion=lunar_11_15).order_by("occasion_date")
                     .values_list("occasion_date", "year"))
    assert greetings == list(zip(LUNAR_11_15_DATES, (2025, 2026, 2027), strict=True))
    assert list(CampaignRun.objects.filter(occasion=lunar_11_15).order_by("year").values_list("year", flat=True)) \
        == [2025, 2026, 2027]


def test_the_care_calendar_lists_both_dates_of_a_lunar_occasion_in_one_solar_year():
    spec = rules.OccasionSpec(name="冬月十五", calendar=rules.LUNAR, month=11, day=15)
    assert [d for d, _n in rules.care_calendar([spec], 2026)] == [dt.date(2026, 1, 3), dt.date(2026, 12, 23)]
    assert rules.care_calendar([spec], 2025) == []


def test_the_migration_rekeys_lunar_greetings_written_under_the_solar_year(birthday_occasion, lunar_11_15):
    import importlib

    from django.apps import apps

    # given greetings written before the fix: lunar birthday and lunar festival keyed on the solar year
    lunar = CustomerFactory(birthday=dt.date(1990, 12, 31), birthday_is_lunar=True)
    solar = CustomerFactory(birthday=dt.date(1990, 1, 3))
    jan_3 = dt.date(2026, 1, 3)
    rows = [(lunar, birthday_occasion, 2026, jan_3), (solar, birthday_occasion, 2026, jan_3),
            (lunar, lunar_11_15, 2026, jan_3)]
    for customer, occasion, year, date in rows:
        Message.objects.create(customer=customer, occasion=occasion, year=year, occasion_date=date, body="x",
                               send_after=local(2026, 1, 3, 9))
    CampaignRun.objects.create(occasion=lunar_11_15, year=2026, occasion_date=dt.date(2026, 1, 3))
    # when the data migration runs
    importlib.import_module("care.migrations.0005_lunar_greetings_keyed_on_lunar_year").forwards(apps, None)
    # then the lunar ones count for lunar 2025, so 2026-12-23 can still be greeted; the solar one stays
    assert Message.objects.get(customer=lunar, occasion=birthday_occasion).year == 2025
    assert Message.objects.get(customer=lunar, occasion=lunar_11_15).year == 2025
    assert Message.objects.get(customer=solar).year == 2026
    assert CampaignRun.objects.get(occasion=lunar_11_15).year == 2025
    birthday_greetings_enqueue(today=dt.date(2026, 12, 23), now=local(2026, 12, 23, 9), dispatch=False)
    assert Message.objects.filter(customer=lunar, occasion=birthday_occasion, year=2026).exists()
