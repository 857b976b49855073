"""Marks arithmetic shared by the server and the client, so both always agree.

The weighted average is the sum of mark x weight over the sum of weights, rounded half up to
two decimals. It is computed in exact decimal arithmetic: a float would make 4.445 round to
4.44 on one side and 4.45 on the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from api_client.i18n import N_

AVERAGE_RULE = N_("average = sum of (mark × weight) ÷ sum of weights, to two decimals")
"""The rule in English; shown as ``_(AVERAGE_RULE)`` (the server sends it in the request's
language)."""

_CENT = Decimal("0.01")


def weighted_average(marks: Iterable[tuple[int, int]]) -> Decimal | None:
    """The weighted average of ``(value, weight)`` pairs, or None when there is no weight.

    Pairs with a weight of zero or less do not count.
    """
    total = 0
    weights = 0
    for value, weight in marks:
        if weight <= 0:
            continue
        total += value * weight
        weights += weight
    if weights == 0:
        return None
    return (Decimal(total) / Decimal(weights)).quantize(_CENT, rounding=ROUND_HALF_UP)


def suggested_period_mark(average: Decimal | None, lowest: int = 1, highest: int = 5) -> int | None:
    """The period mark the average suggests: rounded half up (4.50 gives 5), within the scale."""
    if average is None:
        return None
    rounded = int(average.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(lowest, min(highest, rounded))


def format_average(average: Decimal | None) -> str:
    return "—" if average is None else f"{average:.2f}"
