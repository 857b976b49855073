"""The weighted average: one function, checked against a plain reference computation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from api_client.grading import format_average, suggested_period_mark, weighted_average

marks = st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=60)


def reference(pairs: list[tuple[int, int]]) -> Fraction | None:
    weights = sum(w for _, w in pairs)
    if not weights:
        return None
    return Fraction(sum(v * w for v, w in pairs), weights)


@given(marks)
def test_matches_the_exact_reference_to_the_cent(pairs: list[tuple[int, int]]) -> None:
    exact = reference(pairs)
    got = weighted_average(pairs)
    if exact is None:
        assert got is None
        return
    assert got is not None
    # Within half a cent of the exact value, and rounded half up.
    assert abs(Fraction(got) - exact) <= Fraction(1, 200)
    scaled = exact * 100
    expected = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    assert got == Decimal(expected) / 100


@given(marks)
def test_lies_between_the_lowest_and_highest_mark(pairs: list[tuple[int, int]]) -> None:
    got = weighted_average(pairs)
    if pairs:
        assert got is not None
        assert min(v for v, _ in pairs) <= got <= max(v for v, _ in pairs)


@given(marks, st.permutations(range(60)))
def test_order_does_not_matter(pairs: list[tuple[int, int]], order: list[int]) -> None:
    shuffled = [pairs[i] for i in order if i < len(pairs)]
    assert weighted_average(shuffled) == weighted_average(pairs)


def test_examples() -> None:
    assert weighted_average([]) is None
    assert weighted_average([(5, 0)]) is None
    assert weighted_average([(5, 1), (4, 2)]) == Decimal("4.33")
    assert weighted_average([(5, 1), (4, 1), (4, 1), (4, 1)]) == Decimal("4.25")
    # 4.445 must round up, which a float would not do.
    assert weighted_average([(4, 111), (5, 89)]) == Decimal("4.45")
    assert suggested_period_mark(Decimal("4.50")) == 5
    assert suggested_period_mark(Decimal("4.49")) == 4
    assert suggested_period_mark(None) is None
    assert format_average(Decimal("4.5")) == "4.50"
    assert format_average(None) == "—"
