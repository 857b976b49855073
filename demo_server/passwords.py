"""Passwords people choose, one-time passwords the IT staff hand out, and invite codes.

``check_strength`` (from :mod:`api_client.passwords`, which the app shares) gives the reasons
a password is too weak, in plain words (empty when it is strong enough). One-time passwords
and invite codes are read off a paper slip and typed by hand, so they avoid characters that
look alike (0/O, 1/l/I).
"""

from __future__ import annotations

import random
import re

from api_client.passwords import COMMON_PASSWORDS, MIN_LENGTH, check_strength

__all__ = [
    "COMMON_PASSWORDS",
    "INVITE_ALPHABET",
    "MIN_LENGTH",
    "check_strength",
    "generate_invite_code",
    "generate_one_time_password",
    "normalise_invite_code",
]

# Letters and digits that cannot be mistaken for one another on paper.
_OTP_CONSONANTS = "bcdfghjkmnprstvwxz"
_OTP_VOWELS = "aeiu"
_OTP_DIGITS = "23456789"
INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Upper-case letters and digits without 0, O, 1, I and L."""
INVITE_GROUPS = 2
INVITE_GROUP_LENGTH = 4


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
