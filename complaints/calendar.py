"""Official working days in mainland China (public holidays and 调休 make-up working days) from the
maintained ``chinesecalendar`` package, which is re-released each November for the next year.

When a year is not covered yet the package cannot know its holidays: ``is_official_workday`` raises
``CalendarNotCovered`` naming the year, and the caller decides what to do (the complaint services
fall back to Monday-Friday and say so in the complaint's timeline and the log)."""

import datetime as dt

import chinese_calendar


class CalendarNotCovered(Exception):
    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"The official holiday calendar (chinesecalendar {getattr(chinese_calendar, '__version__', '?')}) "
            f"does not cover {year} yet; upgrade the chinesecalendar package."
        )


def is_official_workday(day: dt.date) -> bool:
    """True on working days: weekdays that are not public holidays, and weekend make-up days (调休)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarNotCovered(day.year) from exc


def is_weekday(day: dt.date) -> bool:
    """The fallback when the official calendar does not cover a year: Monday to Friday."""
    return day.weekday() < 5
