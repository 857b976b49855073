"""The pure parts of the grades screen: compact marks, running averages, charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api_client.grading import weighted_average
from api_client.models import GradeMark, MarkScale, SubjectGrades, SubjectRef
from screens.grades import average_cell, compact_marks, running_averages, subject_detail
from screens.grades_chart import column_chart, sparkline

SCALE = MarkScale(min=1, max=5)


def marks(*pairs: tuple[int, int]) -> list[GradeMark]:
    day = dt.date(2026, 11, 2)
    return [
        GradeMark(id=i, date=day + dt.timedelta(days=i), value=v, weight=w, author="Смирнова А. П.")
        for i, (v, w) in enumerate(pairs, 1)
    ]


def test_compact_marks_show_weights_and_what_if() -> None:
    text = compact_marks(marks((5, 1), (4, 2)), [(3, 1)], 40, SCALE).plain
    assert text == "5 4×2 3?"


def test_compact_marks_keep_the_latest_when_cut() -> None:
    many = marks(*[(2, 1)] * 10, (5, 3))
    text = compact_marks(many, [], 10, SCALE).plain
    assert text.startswith("…") and text.endswith("5×3") and len(text) <= 10


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=30))
def test_running_average_ends_at_the_average(pairs: list[tuple[int, int]]) -> None:
    averages = running_averages(pairs)
    assert len(averages) == len(pairs)
    assert averages[-1] == weighted_average(pairs)
    assert averages[0] == Decimal(pairs[0][0]).quantize(Decimal("0.01"))


def test_average_cell_marks_what_if_with_a_sign() -> None:
    subject = SubjectGrades(
        subject=SubjectRef(id=1, name="Математика"), marks=marks((3, 1)), average="3.00"
    )
    assert average_cell(subject, []).plain == "3.00"
    assert average_cell(subject, [(5, 1)]).plain == "≈4.00"


def test_subject_detail_is_plain_text_from_the_server() -> None:
    subject = SubjectGrades(
        subject=SubjectRef(id=1, name="[red]Физика[/]"),
        marks=[GradeMark(id=1, date=dt.date(2026, 11, 2), value=4, comment="[b]молодец")],
        average="4.00",
    )
    text = subject_detail(subject, [(5, 2)], SCALE, 60).plain
    assert "[red]Физика[/]" in text and "“[b]молодец”" in text
    assert "what if  5×2?" in text and "≈4.67" in text


def test_column_chart_height_and_labels() -> None:
    chart = column_chart([3, 4, 5], low=1, high=5, height=4, width=30, labels=["", "", "?"])
    lines = chart.plain.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("5┤") and lines[-1].startswith("1└")
    assert "?" in lines[-1]
    assert lines[0].count("█") == 2  # only the 5 reaches the top row
    with pytest.raises(ValueError):
        column_chart([1], low=5, high=1, height=4, width=30)


def test_sparkline_uses_the_fixed_scale() -> None:
    assert sparkline([5, 5, 5], low=1, high=5, width=8).plain == "███"
    assert sparkline([1.0], low=1, high=5, width=8).plain == "▁"
    assert len(sparkline([float(v) for v in range(1, 40)], low=1, high=5, width=8).plain) == 8
