"""Password strength: the one check the server enforces and the app shows while typing.

``check_strength`` gives the reasons a password is too weak, in plain words (empty when it is
strong enough). ``transliterate`` writes a Russian name in Latin letters (``Анна`` -> ``anna``),
so that a name is caught in either alphabet; the server also makes logins with it.
Standard library only: the client imports it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from api_client.i18n import _, ngettext

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

_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}


def transliterate(text: str) -> str:
    """Lowercase ASCII letters for a Russian or English name (other characters dropped)."""
    out = []
    for char in text.lower():
        if char in _TRANSLIT:
            out.append(_TRANSLIT[char])
        elif "a" <= char <= "z":
            out.append(char)
    return "".join(out)


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
        reasons.append(
            ngettext(
                "it must be at least {n} character long",
                "it must be at least {n} characters long",
                MIN_LENGTH,
            ).format(n=MIN_LENGTH)
        )
    if password and password.isdigit():
        reasons.append(_("it must not be only digits"))
    elif password and len(set(folded)) == 1:
        reasons.append(_("it must not be one character repeated"))
    if password and _is_common(folded):
        reasons.append(_("it is one of the most common passwords"))
    login_folded = _fold(login.strip())
    if len(login_folded) >= 3 and login_folded in folded:
        reasons.append(_("it must not contain your login"))
    # A name written in either alphabet: "Анна" is also "anna".
    parts = {part for name in names for part in re.split(r"[\s\-.]+", _fold(name))}
    parts |= {transliterate(part) for part in parts}
    if any(len(part) >= 3 and part in folded for part in parts):
        reasons.append(_("it must not contain your name"))
    return reasons
