"""Password strength, one-time passwords and invite codes."""

from __future__ import annotations

import random
import re

import pytest

from demo_server.passwords import (
    INVITE_ALPHABET,
    check_strength,
    generate_invite_code,
    generate_one_time_password,
    normalise_invite_code,
)

LOOKALIKES = set("0O1lI")


@pytest.mark.parametrize(
    "password",
    ["Kettle-Blue-91", "ракета на луне", "x7#pQ2!mZ", "correct horse battery staple"],
)
def test_strong_passwords_pass(password: str) -> None:
    assert check_strength(password, login="ivanova.a", names=["Анна", "Иванова"]) == []


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("", "at least 8"),
        ("a1b2c3", "at least 8"),
        ("1234567890", "only digits"),
        ("88005553535", "only digits"),
        ("qwerty123", "most common"),
        ("QWERTY123", "most common"),
        ("йцукен", "most common"),
        ("йцукен2024", "most common"),
        ("Пароль!!", "most common"),
        ("password1", "most common"),
        ("aaaaaaaaaa", "repeated"),
        ("ivanova.a-secret", "login"),
        ("IVANOVA.A-SECRET", "login"),
        ("my-name-is-anna", "name"),
        ("ИВАНОВАбольше", "name"),
        ("Алёна-forever", "name"),
    ],
)
def test_weak_passwords_get_a_reason(password: str, words: str) -> None:
    reasons = check_strength(password, login="ivanova.a", names=["Иванова Анна", "Алена"])
    assert reasons, password
    assert any(words in reason for reason in reasons), reasons


def test_short_login_and_names_do_not_make_everything_weak() -> None:
    # A two-letter name or login is a part of many good passwords: not a reason to refuse.
    assert check_strength("Yo-river-stone-88", login="yo", names=["Li", "Yo"]) == []


def test_several_reasons_at_once() -> None:
    reasons = check_strength("123456", login="x", names=[])
    assert len(reasons) == 3  # too short, only digits, common


def test_one_time_password_is_readable_and_varied() -> None:
    rng = random.Random(7)
    passwords = [generate_one_time_password(rng) for _ in range(500)]
    for password in passwords:
        assert re.fullmatch(r"[a-z]{4}-[2-9]{4}-[a-z]{4}", password), password
        assert not LOOKALIKES & set(password)
        assert check_strength(password) == [], password
    assert len(set(passwords)) == len(passwords)
    assert generate_one_time_password(random.Random(7)) == passwords[0]


def test_invite_code_alphabet_and_shape() -> None:
    assert not LOOKALIKES & set(INVITE_ALPHABET)
    rng = random.Random(3)
    codes = [generate_invite_code(rng) for _ in range(500)]
    for code in codes:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
        assert set(code) - {"-"} <= set(INVITE_ALPHABET)
        assert normalise_invite_code(code) == code
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize(
    "typed",
    [
        "XK7M-4QPD",
        "xk7m-4qpd",
        " xk7m 4qpd ",
        "XK7M4QPD",
        "xk7m--4qpd",
        "ХК7М-4QРD",
        "x k 7 m _4qpd",
    ],
)
def test_normalise_invite_code(typed: str) -> None:
    assert normalise_invite_code(typed) == "XK7M-4QPD"


def test_normalise_keeps_a_wrong_code_wrong() -> None:
    assert normalise_invite_code("XK7M-4QP") == "XK7M4QP"
    assert normalise_invite_code("XK7M-4QP0") != "XK7M-4QPD"
    assert normalise_invite_code("") == ""
