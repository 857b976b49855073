"""Passwords, access tokens and refresh tokens.

- Passwords are argon2id hashes (argon2-cffi); verification runs in a thread so that the
  event loop keeps serving other requests.
- An access token is ``base64url(payload + tag)``: the payload is the MessagePack array
  ``[session_id, user_id, expires_at_unix]`` (8 bytes for small ids) and the tag the first 128
  bits of ``HMAC-SHA256(secret, label + payload)``. It rides on every request, so it is kept
  short: 32 characters where a JSON payload and a whole HMAC took 67. A 128-bit tag leaves a
  forger one chance in 2**128 a try (truncation is allowed down to far less: NIST SP 800-107,
  RFC 2104 section 5). The label separates this MAC from any other use of the secret and names
  the format: a token of an older format fails the check, and the client refreshes it. The
  token is short-lived; every request also checks in the database that its session is not
  revoked.
- A refresh token is a random string; only its SHA-256 is stored.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from api_client.i18n import N_

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters

# A hash of a random password: verifying against it when the login is unknown makes a wrong
# login cost the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _hasher.hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; ``None`` (no such user) never matches
    but takes as long as a real check."""
    return await asyncio.to_thread(_verify, password_hash, password)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class AccessClaims:
    session_id: int
    user_id: int
    expires_at: int
    """Unix time."""


class BadToken(Exception):
    """The access token is garbled, forged or expired; the message says which."""


#: The longest access token read at all (a real one has 32 to 43 characters).
MAX_ACCESS_TOKEN = 512
#: The bytes of the HMAC-SHA256 kept in a token: 128 bits.
TAG_SIZE = 16
#: What the tag covers before the payload: the kind and format of the token.
_ACCESS_LABEL = b"diary access token, msgpack v2\n"
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]+")
_CLAIMS = msgspec.msgpack.Decoder(tuple[int, int, int])


def _access_tag(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _ACCESS_LABEL + payload, hashlib.sha256).digest()[:TAG_SIZE]


def sign_access_token(secret: bytes, claims: AccessClaims) -> str:
    payload = msgspec.msgpack.encode((claims.session_id, claims.user_id, claims.expires_at))
    return _b64(payload + _access_tag(secret, payload))


def read_access_token(secret: bytes, token: str, now: float) -> AccessClaims:
    """The claims of a valid token; :class:`BadToken` for anything else."""
    if len(token) > MAX_ACCESS_TOKEN:
        raise BadToken(N_("the access token is malformed"))
    if "." in token:  # ``payload.signature``: the JSON tokens of earlier versions
        raise BadToken(N_("the access token is not valid: it is of an older kind, refresh it"))
    if not _TOKEN_CHARS.fullmatch(token):
        raise BadToken(N_("the access token is malformed"))
    try:
        raw = _unb64(token)
    except (binascii.Error, ValueError) as exc:
        raise BadToken(N_("the access token is malformed")) from exc
    if len(raw) <= TAG_SIZE or _b64(raw) != token:  # no payload, or not how we encode
        raise BadToken(N_("the access token is malformed"))
    payload, tag = raw[:-TAG_SIZE], raw[-TAG_SIZE:]
    if not hmac.compare_digest(_access_tag(secret, payload), tag):
        raise BadToken(N_("the access token is not valid"))
    try:
        session_id, user_id, expires_at = _CLAIMS.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:  # signed by us: a format change
        raise BadToken(N_("the access token is not valid")) from exc
    if expires_at <= now:
        raise BadToken(N_("the access token has expired"))
    return AccessClaims(session_id, user_id, expires_at)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a refresh token or invite code is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
