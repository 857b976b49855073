"""Passwords people choose, one-time passwords the IT staff hand out, and invite codes.

``check_strength`` gives the reasons a password is too weak, in plain words (empty when it is
strong enough). One-time passwords and invite codes are read off a paper slip and typed by
hand, so they avoid characters that look alike (0/O, 1/l/I).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from demo_server.demo_data import transliterate

MIN_LENGTH = 8

# The most common passwords, and those typed along a Russian or an English keyboard row.
# Compared after lower-casing; a password that is one of these followed or preceded by digits
# or punctuation counts as common too.
_COMMON_PASSWORDS_TEXT = """
    123456 1234567 12345678 123456789 1234567890 0987654321 111111 11111111 000000 00000000
    123123 123321 654321 666666 121212 112233 7777777 159753 147258369 1q2w3e 1q2w3e4r
    1q2w3e4r5t qwerty qwerty123 qwertyuiop qwe123 asdfgh asdfghjkl zxcvbn zxcvbnm qazwsx
    password password1 passw0rd letmein welcome iloveyou admin administrator monkey dragon
    master football baseball sunshine princess shadow superman michael abc123 abcdef
    abcd1234 trustno1 starwars whatever school student teacher diary parol parol123 privet
    natasha marina svetlana andrey dmitriy maksim zaq12wsx 1qaz2wsx 1qazxsw2
    йцукен йцукенг йцукенгшщз йцукенгшщзхъ фывапр фывапролдж ячсмит ячсмитьбю пароль
    пароль123 привет любовь солнышко наташа марина светлана школа дневник учитель ученик
    мама папа котик зайка
"""
COMMON_PASSWORDS: frozenset[str] = frozenset(_COMMON_PASSWORDS_TEXT.split())

_DIGITS_AND_PUNCTUATION = "0123456789!@#$%^&*()_-+=.,;:?~ "

# Letters and digits that cannot be mistaken for one another on paper.
_OTP_CONSONANTS = "bcdfghjkmnprstvwxz"
_OTP_VOWELS = "aeiu"
_OTP_DIGITS = "23456789"
INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Upper-case letters and digits without 0, O, 1, I and L."""
INVITE_GROUPS = 2
INVITE_GROUP_LENGTH = 4


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def _is_common(folded: str) -> bool:
    if folded in COMMON_PASSWORDS:
        return True
    core = folded.strip(_DIGITS_AND_PUNCTUATION)
    return bool(core) and core in COMMON_PASSWORDS


def check_strength(password: str, *, login: str = "", names: Sequence[str] = ()) -> list[str]:
    """The reasons ``password`` is too weak, in plain words; an empty list when it is fine.

    ``login`` and ``names`` (the person's first name, surname, ...) must not appear in it.
    """
    reasons: list[str] = []
    folded = _fold(password)
    if len(password) < MIN_LENGTH:
        reasons.append(f"it must be at least {MIN_LENGTH} characters long")
    if password and password.isdigit():
        reasons.append("it must not be only digits")
    elif password and len(set(folded)) == 1:
        reasons.append("it must not be one character repeated")
    if password and _is_common(folded):
        reasons.append("it is one of the most common passwords")
    login_folded = _fold(login.strip())
    if len(login_folded) >= 3 and login_folded in folded:
        reasons.append("it must not contain your login")
    # A name written in either alphabet: "Анна" is also "anna".
    parts = {part for name in names for part in re.split(r"[\s\-.]+", _fold(name))}
    parts |= {transliterate(part) for part in parts}
    if any(len(part) >= 3 and part in folded for part in parts):
        reasons.append("it must not contain your name")
    return reasons


def generate_one_time_password(rng: random.Random) -> str:
    """A readable one-time password such as ``kefu-7392-mapo`` (about 46 bits)."""

    def syllables() -> str:
        return "".join(rng.choice(_OTP_CONSONANTS) + rng.choice(_OTP_VOWELS) for _ in range(2))

    digits = "".join(rng.choice(_OTP_DIGITS) for _ in range(4))
    return f"{syllables()}-{digits}-{syllables()}"


def generate_invite_code(rng: random.Random) -> str:
    """An invite code such as ``XK7M-4QPD`` from an alphabet without look-alike characters."""
    groups = (
        "".join(rng.choice(INVITE_ALPHABET) for _ in range(INVITE_GROUP_LENGTH))
        for _ in range(INVITE_GROUPS)
    )
    return "-".join(groups)


# Cyrillic letters that look like Latin ones, typed on a Russian keyboard layout.
_INVITE_LOOKALIKES = str.maketrans("АВСЕНКМРТХУ", "ABCEHKMPTXY")


def normalise_invite_code(text: str) -> str:
    """The canonical form of a typed invite code: ``" xk7m 4qpd"`` -> ``"XK7M-4QPD"``.

    Case, spaces, dashes and Cyrillic look-alike letters do not matter. Characters outside
    the code alphabet are kept (upper-cased), so a wrong code stays wrong.
    """
    compact = re.sub(r"[\s\-_]+", "", text).upper().translate(_INVITE_LOOKALIKES)
    total = INVITE_GROUPS * INVITE_GROUP_LENGTH
    if len(compact) != total:
        return compact
    return "-".join(
        compact[i : i + INVITE_GROUP_LENGTH] for i in range(0, total, INVITE_GROUP_LENGTH)
    )
