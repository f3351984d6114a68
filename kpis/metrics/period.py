import datetime as dt
from dataclasses import dataclass

from core.dates import month_bounds
from kpis.rules import add_months


@dataclass(frozen=True)
class Period:
    """Month M as aware [start, end) bounds in Asia/Shanghai, with M−1's start."""

    month: dt.date
    start: dt.datetime
    end: dt.datetime
    prev_start: dt.datetime

    @classmethod
    def of(cls, month: dt.date) -> "Period":
        start, end = month_bounds(month.year, month.month)
        prev = add_months(month, -1)
        prev_start, _prev_end = month_bounds(prev.year, prev.month)
        return cls(month=month.replace(day=1), start=start, end=end, prev_start=prev_start)
