"""[ and ] step through the periods in order, then the whole year, and round again
(``screens.base.period_after``, shared by the child's screens and My class)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from api_client.models import PeriodRef
from screens.base import period_after


@dataclass
class Shown:
    period: PeriodRef | None
    periods: list[PeriodRef] = field(default_factory=list)


def term(n: int) -> PeriodRef:
    return PeriodRef(id=n, name=f"{n}", start=dt.date(2026, n, 1), end=dt.date(2026, n, 28))


def test_the_periods_then_the_year_and_round() -> None:
    terms = [term(1), term(2)]
    assert period_after(Shown(terms[0], terms), 1) == "2"
    assert period_after(Shown(terms[1], terms), 1) == "year"
    assert period_after(Shown(None, terms), 1) == "1"
    assert period_after(Shown(terms[0], terms), -1) == "year"
    assert period_after(Shown(None, terms), -1) == "2"
    assert period_after(Shown(term(9), terms), 1) == "1"  # a period no longer listed
    assert period_after(Shown(None, []), 1) == "year"
