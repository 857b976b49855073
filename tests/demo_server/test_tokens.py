"""Access tokens: compact, signed, and refused with a clear reason when anything is off."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from demo_server.security import (
    MAX_ACCESS_TOKEN,
    AccessClaims,
    BadToken,
    read_access_token,
    sign_access_token,
)

SECRET = b"s" * 32
NOW = 1_795_000_000.0
CLAIMS = AccessClaims(session_id=1, user_id=63, expires_at=int(NOW) + 300)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize(
    ("session_id", "user_id", "longest"),
    [(1, 63, 32), (200, 5000, 36), (2**32 - 1, 2**32 - 1, 43)],
)
def test_a_token_round_trips_and_is_short(session_id: int, user_id: int, longest: int) -> None:
    claims = AccessClaims(session_id, user_id, int(NOW) + 300)
    token = sign_access_token(SECRET, claims)
    assert len(token) <= longest
    assert token.isascii() and all(c.isalnum() or c in "-_" for c in token)
    assert read_access_token(SECRET, token, NOW) == claims


def test_every_changed_bit_is_refused() -> None:
    raw = unb64(sign_access_token(SECRET, CLAIMS))
    for index in range(len(raw)):
        for bit in (0x01, 0x80):
            forged = bytearray(raw)
            forged[index] ^= bit
            with pytest.raises(BadToken, match="not valid"):
                read_access_token(SECRET, b64(bytes(forged)), NOW)


def test_a_tag_moved_to_other_claims_is_refused() -> None:
    raw = unb64(sign_access_token(SECRET, CLAIMS))
    other = unb64(sign_access_token(SECRET, AccessClaims(2, 63, CLAIMS.expires_at)))
    with pytest.raises(BadToken, match="not valid"):
        read_access_token(SECRET, b64(other[:-16] + raw[-16:]), NOW)


def test_another_secret_is_refused() -> None:
    token = sign_access_token(b"another server's secret", CLAIMS)
    with pytest.raises(BadToken, match="not valid"):
        read_access_token(SECRET, token, NOW)


def test_an_expired_token_says_so() -> None:
    token = sign_access_token(SECRET, CLAIMS)
    assert read_access_token(SECRET, token, CLAIMS.expires_at - 1) == CLAIMS
    with pytest.raises(BadToken, match="expired"):
        read_access_token(SECRET, token, CLAIMS.expires_at)


def test_a_token_of_the_older_json_kind_is_not_valid() -> None:
    """``base64url(JSON).base64url(HMAC-SHA256)``, as earlier versions issued them, correctly
    signed: refused as not valid (a client then refreshes it), not read."""
    payload = json.dumps([1, 63, CLAIMS.expires_at]).encode()
    signature = hmac.new(SECRET, payload, hashlib.sha256).digest()
    with pytest.raises(BadToken, match=r"not valid.*older kind"):
        read_access_token(SECRET, f"{b64(payload)}.{b64(signature)}", NOW)


def test_a_payload_that_is_not_three_numbers_is_not_valid() -> None:
    """Even correctly signed (the secret leaked into a test, say), a wrong shape is refused."""
    from demo_server.security import _access_tag

    for payload in (b"\x92\x01\x02", b"\x93\x01\x02\xa1x", b"\xc0"):
        token = b64(payload + _access_tag(SECRET, payload))
        with pytest.raises(BadToken, match="not valid"):
            read_access_token(SECRET, token, NOW)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",  # decodes to fewer bytes than a tag
        "a" * 22,  # exactly a tag, no payload
        "a" * 33,  # a length base64 cannot have
        "kwE_zmsK6RgtbXVgkOQyldB2WbDUJQck==",  # padding
        "kwE_zmsK6RgtbXVgkOQy+dB2WbDUJQck",  # the other base64 alphabet
        "kwE_zmsK6RgtbXVgkOQy ldB2WbDUJQck",
        "x" * (MAX_ACCESS_TOKEN + 1),
    ],
)
def test_malformed_tokens_say_so(token: str) -> None:
    with pytest.raises(BadToken, match="malformed"):
        read_access_token(SECRET, token, NOW)


def test_a_second_spelling_of_the_same_bytes_is_malformed() -> None:
    """Base64 leaves spare bits in the last character; only our own spelling is read."""
    token = sign_access_token(SECRET, CLAIMS)  # 24 bytes: no spare bits, so add a byte
    longer = b64(unb64(token) + b"\x00")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    respelled = longer[:-1] + alphabet[alphabet.index(longer[-1]) + 1]
    assert unb64(respelled) == unb64(longer)
    with pytest.raises(BadToken, match="malformed"):
        read_access_token(SECRET, respelled, NOW)
