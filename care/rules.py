"""Pure rules of customer care (no ORM): the care calendar, birthday dates, quiet hours, backoff,
callback periods. Tested without a database.

Lunar dates come from lunar-python (correct for 1900–2100). Conventions used here:

- A lunar occasion or birthday on the 30th of a month that has only 29 days this year falls on the 29th.
- A birthday in a leap month (闰月) is celebrated in the ordinary month of the same number.
- 29 February (solar) is celebrated on 28 February in non-leap years.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass

from django.utils.translation import gettext_noop
from lunar_python import LunarYear, Solar

SOLAR = "fixed"
LUNAR = "lunar"

MIN_LUNAR_YEAR = 1900
MAX_LUNAR_YEAR = 2100


@dataclass(frozen=True)
class OccasionSpec:
    """What the calendar needs of an occasion: its calendar (fixed/solar or lunar) and month/day."""

    name: str
    calendar: str  # SOLAR or LUNAR
    month: int
    day: int


# --- lunar helpers -------------------------------------------------------------------------
_JD_TO_ORDINAL = 1721425  # Julian day number of 0001-01-01 (proleptic Gregorian) is 1721426


@functools.lru_cache(maxsize=256)
def _lunar_year_months(year: int) -> dict[int, tuple[int, int]]:
    """{month: (ordinal of its first day, days)} of lunar ``year`` (negative month = leap month).
    Computing a lunar year costs lunar-python ~15 ms; the daily birthday job needs ~100 years,
    so they are cached per process."""
    return {
        m.getMonth(): (int(m.getFirstJulianDay()) - _JD_TO_ORDINAL, m.getDayCount())
        for m in LunarYear.fromYear(year).getMonths()
        if m.getYear() == year
    }


def lunar_month_days(year: int, month: int) -> int | None:
    """Days in lunar month ``month`` of lunar ``year`` (negative month = leap month), or None if that
    month does not exist in that year (a leap month that year does not have)."""
    found = _lunar_year_months(year).get(month)
    return found[1] if found else None


def lunar_to_solar(year: int, month: int, day: int) -> dt.date | None:
    """The solar date of lunar ``year-month-day``, clamping a missing 30th to the 29th. None if the
    (leap) month does not exist that year."""
    found = _lunar_year_months(year).get(month)
    if found is None:
        return None
    first, days = found
    return dt.date.fromordinal(first + min(day, days) - 1)


def solar_to_lunar(date: dt.date) -> tuple[int, int, int]:
    """(lunar year, lunar month, lunar day); the month is negative for a leap month."""
    lunar = Solar.fromYmd(date.year, date.month, date.day).getLunar()
    return lunar.getYear(), lunar.getMonth(), lunar.getDay()


def fixed_date(year: int, month: int, day: int) -> dt.date:
    """A fixed (solar) date in ``year``; 29 February falls on 28 February in a non-leap year."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    return dt.date(year, month, day)


def lunar_date_in_year(year: int, month: int, day: int) -> dt.date | None:
    """The solar date in solar ``year`` of the ordinary lunar month/day (the first if it occurs twice,
    None if it does not occur, e.g. outside the library's range). A 12th-month date of lunar year
    ``year - 1`` usually falls in January/February of ``year``, so both lunar years are checked."""
    found = []
    for lunar_year in (year - 1, year):
        if not MIN_LUNAR_YEAR <= lunar_year <= MAX_LUNAR_YEAR:
            continue
        date = lunar_to_solar(lunar_year, month, day)
        if date is not None and date.year == year:
            found.append(date)
    return min(found) if found else None


def occasion_date(spec: OccasionSpec, year: int) -> dt.date | None:
    if spec.calendar == LUNAR:
        return lunar_date_in_year(year, spec.month, spec.day)
    return fixed_date(year, spec.month, spec.day)


def occasion_occurrences(spec: OccasionSpec, around: dt.date) -> list[dt.date]:
    """The occasion's dates near ``around`` (the years before, of and after it), sorted. A lunar
    occasion is computed per *lunar* year: a late-winter lunar date can fall twice in one solar year
    (lunar 11/15 → 2026-01-03 and 2026-12-23) or not at all (none in 2025), and each is one occasion."""
    if spec.calendar == LUNAR:
        lunar_year = solar_to_lunar(around)[0]
        years = [y for y in (lunar_year - 1, lunar_year, lunar_year + 1) if MIN_LUNAR_YEAR <= y <= MAX_LUNAR_YEAR]
        return sorted(d for y in years if (d := lunar_to_solar(y, spec.month, spec.day)) is not None)
    return [fixed_date(y, spec.month, spec.day) for y in (around.year - 1, around.year, around.year + 1)]


def greeting_year(date: dt.date, *, lunar: bool) -> int:
    """The year a greeting for an occasion falling on ``date`` counts as ("once per occasion and
    year"): the lunar year for lunar birthdays and lunar festivals, the solar year otherwise. Keyed
    this way, a lunar date that falls twice in one solar year is greeted twice, and a lunar year whose
    date falls in the next solar year is greeted then, not skipped."""
    return solar_to_lunar(date)[0] if lunar else date.year


def care_calendar(specs: list[OccasionSpec], year: int) -> list[tuple[dt.date, str]]:
    """The year's occasions with their dates, sorted by date then name."""
    middle = dt.date(year, 7, 1)
    rows = [(d, s.name) for s in specs for d in occasion_occurrences(s, middle) if d.year == year]
    return sorted(rows)


def validate_month_day(calendar_kind: str, month: int, day: int) -> str | None:
    """An error message (English, marked for translation) if the month/day can never occur, else None."""
    if not 1 <= month <= 12:
        return gettext_noop("The month is from 1 to 12.")
    if calendar_kind == LUNAR:
        return None if 1 <= day <= 30 else gettext_noop("A lunar day is from 1 to 30.")
    if not 1 <= day <= calendar.monthrange(2024, month)[1]:  # 2024 is a leap year: allows 29 Feb
        return gettext_noop("This day does not exist in that month.")
    return None


# --- birthdays -----------------------------------------------------------------------------
def solar_birthday_keys(today: dt.date) -> list[tuple[int, int]]:
    """(month, day) pairs of solar birthdays greeted on ``today``: the date itself, plus 29 February
    on 28 February of a non-leap year."""
    keys = [(today.month, today.day)]
    if today.month == 2 and today.day == 28 and not calendar.isleap(today.year):
        keys.append((2, 29))
    return keys


def lunar_birthday_solar_dates(today: dt.date, *, earliest_birth_year: int = MIN_LUNAR_YEAR) -> list[dt.date]:
    """Every solar date of birth (from ``earliest_birth_year`` to ``today``) whose lunar birthday is
    celebrated on ``today``. The database then selects lunar-birthday customers born on one of these
    dates, through an index on the birth date, instead of converting every customer's birthday.

    Rules: the birthday month matches the ordinary month of ``today`` (a leap-month birth counts as
    the ordinary month); a 30th falls on the 29th when this year's month has 29 days; nothing is
    greeted on days of a leap month (those birthdays were greeted in the ordinary month)."""
    lunar_year, lunar_month, lunar_day = solar_to_lunar(today)
    if lunar_month < 0:
        return []
    birth_days = [lunar_day]
    if lunar_day == 29 and lunar_month_days(lunar_year, lunar_month) == 29:
        birth_days.append(30)
    dates = []
    for year in range(max(earliest_birth_year, MIN_LUNAR_YEAR), min(lunar_year, MAX_LUNAR_YEAR) + 1):
        for month in (lunar_month, -lunar_month):
            days_in_month = lunar_month_days(year, month)
            if days_in_month is None:
                continue
            for day in birth_days:
                if day <= days_in_month:
                    date = lunar_to_solar(year, month, day)
                    if date <= today:
                        dates.append(date)
    return sorted(set(dates))


def lunar_birthday_in_year(birth: dt.date, year: int) -> dt.date | None:
    """The solar date in lunar ``year`` on which a lunar birthday born on solar ``birth`` is greeted."""
    _y, month, day = solar_to_lunar(birth)
    return lunar_to_solar(year, abs(month), day)


# --- sending -------------------------------------------------------------------------------
def parse_hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def in_quiet_hours(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Quiet hours [start, end), possibly across midnight (21:00–09:00). start == end: none."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_hours_end(local_now: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
    """The first moment at or after ``local_now`` (aware, local) outside quiet hours."""
    if not in_quiet_hours(local_now.timetz().replace(tzinfo=None), start, end):
        return local_now
    candidate = local_now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local_now:
        candidate += dt.timedelta(days=1)
    return candidate


def retry_delay_seconds(attempts: int, *, base: int, cap: int) -> int:
    """Exponential backoff after ``attempts`` failed attempts: base, 2·base, 4·base … up to cap."""
    return min(cap, base * 2 ** max(attempts - 1, 0))


def callback_period_key(today: dt.date, interval_days: int) -> str:
    """The period a periodic callback belongs to: one callback per customer per period (its reason
    key). Month-like intervals use calendar periods ("2026-11", "2026-Q4", "2026-H2", "2026"), so
    the callback lands at the start of each month or quarter; others count fixed blocks of days
    ("14d-52345")."""
    if 28 <= interval_days <= 31:
        return f"{today.year}-{today.month:02d}"
    if 89 <= interval_days <= 92:
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    if 180 <= interval_days <= 184:
        return f"{today.year}-H{(today.month - 1) // 6 + 1}"
    if 360 <= interval_days <= 366:
        return f"{today.year}"
    return f"{interval_days}d-{today.toordinal() // interval_days}"


def script_for_reason(reason_key: str, prefixes: list[str]) -> str | None:
    """Of a purpose's callback scripts (their reason prefixes, blank = every callback), the one a
    callback with ``reason_key`` gets: the longest prefix the reason starts with; ``None`` when none
    matches (no blank script and no matching prefix)."""
    matching = [p for p in prefixes if (reason_key or "").startswith(p)]
    return max(matching, key=len) if matching else None
