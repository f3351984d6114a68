"""Pure care rules (no database): calendar, birthdays, quiet hours, backoff, callback periods."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from care import rules

SPRING = rules.OccasionSpec("春节", rules.LUNAR, 1, 1)
MID_AUTUMN = rules.OccasionSpec("中秋节", rules.LUNAR, 8, 15)
NATIONAL = rules.OccasionSpec("国庆节", rules.SOLAR, 10, 1)


@pytest.mark.parametrize(("spec", "year", "expected"), [
    (SPRING, 2027, dt.date(2027, 2, 6)),
    (MID_AUTUMN, 2027, dt.date(2027, 9, 15)),
    (MID_AUTUMN, 2031, dt.date(2031, 10, 1)),
    (SPRING, 2026, dt.date(2026, 2, 17)),
    (MID_AUTUMN, 2026, dt.date(2026, 9, 25)),
    (SPRING, 1950, dt.date(1950, 2, 17)),
    (SPRING, 2100, dt.date(2100, 2, 9)),
    (NATIONAL, 2027, dt.date(2027, 10, 1)),
])
def test_occasion_dates_are_computed_from_the_lunar_calendar(spec, year, expected):
    assert rules.occasion_date(spec, year) == expected


def test_calendar_lists_occasions_sorted_by_date_and_keeps_both_on_a_shared_day():
    # given Mid-Autumn and National Day fall on the same day in 2031
    rows = rules.care_calendar([NATIONAL, MID_AUTUMN, SPRING], 2031)
    # then both are listed, sorted by date
    assert rows == [(dt.date(2031, 1, 23), "春节"), (dt.date(2031, 10, 1), "中秋节"), (dt.date(2031, 10, 1), "国庆节")]


def test_lunar_new_years_eve_on_the_30th_falls_on_the_29th_when_the_month_is_short():
    # 除夕 2027 (lunar 2026-12) : the 12th month of lunar 2026 has 29 days
    assert rules.lunar_month_days(2026, 12) == 29
    assert rules.lunar_date_in_year(2027, 12, 30) == dt.date(2027, 2, 5)  # the day before Spring Festival


def test_fixed_29_february_occasion_falls_on_28_february_in_other_years():
    assert rules.fixed_date(2027, 2, 29) == dt.date(2027, 2, 28)
    assert rules.fixed_date(2028, 2, 29) == dt.date(2028, 2, 29)


def test_solar_birthday_keys_add_29_february_on_28_february_of_a_non_leap_year():
    assert rules.solar_birthday_keys(dt.date(2027, 2, 28)) == [(2, 28), (2, 29)]
    assert rules.solar_birthday_keys(dt.date(2028, 2, 28)) == [(2, 28)]
    assert rules.solar_birthday_keys(dt.date(2028, 2, 29)) == [(2, 29)]


def test_lunar_birthday_dates_include_every_birth_year_with_the_same_lunar_day():
    # given someone born on solar 1960-03-02 = lunar 1960-02-05
    assert rules.solar_to_lunar(dt.date(1960, 3, 2)) == (1960, 2, 5)
    # when today is lunar 2027-02-05
    today = rules.lunar_to_solar(2027, 2, 5)
    dates = rules.lunar_birthday_solar_dates(today)
    # then the birth date is among the dates selected, and all of them are lunar 2nd month 5th
    assert dt.date(1960, 3, 2) in dates
    assert all(rules.solar_to_lunar(d)[1:] in {(2, 5), (-2, 5)} for d in dates)
    assert max(dates) <= today


def test_lunar_birthday_on_a_missing_30th_is_greeted_on_the_29th():
    # given a birth on lunar 30th of the 12th month (1990: 12th month has 30 days)
    assert rules.lunar_month_days(1989, 12) == 30
    birth = rules.lunar_to_solar(1989, 12, 30)
    # when in lunar 2026 the 12th month has only 29 days
    greet_day = rules.lunar_to_solar(2026, 12, 29)
    # then the 29th selects the birth on the 30th
    assert birth in rules.lunar_birthday_solar_dates(greet_day)
    assert rules.lunar_birthday_in_year(birth, 2026) == greet_day


def test_lunar_leap_month_birthday_is_greeted_in_the_ordinary_month():
    # given a birth in leap 6th month of 2025 (闰六月初三)
    birth = rules.lunar_to_solar(2025, -6, 3)
    assert rules.solar_to_lunar(birth) == (2025, -6, 3)
    # when a later year's ordinary 6th month, 3rd day arrives
    greet_day = rules.lunar_to_solar(2026, 6, 3)
    # then the leap-month birthday is selected
    assert birth in rules.lunar_birthday_solar_dates(greet_day)
    # and nothing is greeted on a day of a leap month itself
    assert rules.lunar_birthday_solar_dates(rules.lunar_to_solar(2025, -6, 10)) == []


@pytest.mark.parametrize(("hhmm", "quiet"), [("20:59", False), ("21:00", True), ("23:30", True), ("03:00", True),
                                             ("08:59", True), ("09:00", False), ("12:00", False)])
def test_quiet_hours_span_midnight(hhmm, quiet):
    assert rules.in_quiet_hours(rules.parse_hhmm(hhmm), dt.time(21), dt.time(9)) is quiet


def test_quiet_hours_end_is_the_next_morning_when_it_is_late_evening():
    tz = ZoneInfo("Asia/Shanghai")
    evening = dt.datetime(2027, 2, 5, 22, 15, tzinfo=tz)
    assert rules.quiet_hours_end(evening, dt.time(21), dt.time(9)) == dt.datetime(2027, 2, 6, 9, 0, tzinfo=tz)
    early = dt.datetime(2027, 2, 6, 6, 0, tzinfo=tz)
    assert rules.quiet_hours_end(early, dt.time(21), dt.time(9)) == dt.datetime(2027, 2, 6, 9, 0, tzinfo=tz)
    noon = dt.datetime(2027, 2, 6, 12, 0, tzinfo=tz)
    assert rules.quiet_hours_end(noon, dt.time(21), dt.time(9)) == noon


def test_retry_delay_doubles_up_to_the_cap():
    assert [rules.retry_delay_seconds(n, base=60, cap=600) for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 480, 600]


@pytest.mark.parametrize(("days", "expected"), [(30, "2026-11"), (90, "2026-Q4"), (182, "2026-H2"), (365, "2026"),
                                                (14, f"14d-{dt.date(2026, 11, 23).toordinal() // 14}")])
def test_callback_period_key_by_interval(days, expected):
    assert rules.callback_period_key(dt.date(2026, 11, 23), days) == expected


def test_month_day_validation():
    assert rules.validate_month_day(rules.SOLAR, 2, 29) is None
    assert rules.validate_month_day(rules.SOLAR, 2, 30) is not None
    assert rules.validate_month_day(rules.LUNAR, 12, 30) is None
    assert rules.validate_month_day(rules.LUNAR, 1, 31) is not None
    assert rules.validate_month_day(rules.SOLAR, 13, 1) is not None
