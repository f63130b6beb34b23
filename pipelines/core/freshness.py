"""Freshness: when a dataset is due again, from its declared frequency and its source's last
update, and whether it is overdue on a given day.

"Today" is never read from the clock inside a build step: `today()` takes it from the
`--today` option or the JENDELA_TODAY environment variable first, so tests and rebuilds can fix
the day. Only the overdue flags depend on it (the due dates do not): the dataset pages, the
overdue page and feed, and the date a new release is listed with in `rilis/index.json`.

A frequency without a period (`irregular`, `never`) has no due date and is never overdue.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
from dataclasses import dataclass

from .errors import JendelaError

TODAY_ENV = "JENDELA_TODAY"
# Months between two updates, per frequency key of metadata/frequencies.yaml.
PERIOD_MONTHS = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}


class TodayError(JendelaError):
    """--today or JENDELA_TODAY is not a date (exit code 2)."""


def today(value: str | None = None) -> dt.date:
    """The day a build or `status` treats as today: `value` (--today), else JENDELA_TODAY,
    else the system date."""
    text = value or os.environ.get(TODAY_ENV)
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise TodayError(
            f"--today/{TODAY_ENV}: {text!r} bukan tanggal TTTT-BB-HH / is not a date YYYY-MM-DD"
        ) from None


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months; the 31st becomes the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Freshness:
    """One dataset's state: last source change, when it is due again, and if it is late."""

    frequency: str | None
    last_change: str  # ISO date
    due: str | None  # ISO date, None when the frequency has no period
    overdue: bool
    days_late: int

    def as_dict(self) -> dict:
        return {
            "frequency": self.frequency,
            "last_change": self.last_change,
            "due": self.due,
            "overdue": self.overdue,
            "days_late": self.days_late,
        }


def freshness(frequency: str | None, last_change: str, on: dt.date) -> Freshness:
    """The state on day `on` of a dataset last changed at its source on `last_change`."""
    months = PERIOD_MONTHS.get(frequency or "")
    if months is None:
        return Freshness(frequency, last_change, None, False, 0)
    due = add_months(dt.date.fromisoformat(last_change), months)
    late = (on - due).days
    return Freshness(frequency, last_change, due.isoformat(), late > 0, max(late, 0))
