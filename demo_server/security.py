"""Passwords, access tokens and refresh tokens.

- Passwords are argon2id hashes (argon2-cffi); verification runs in a thread so that the
  event loop keeps serving other requests.
- An access token is ``base64url(payload).base64url(HMAC-SHA256(secret, payload))`` where the
  payload is the JSON array ``[session_id, user_id, expires_at_unix]``. It is short-lived; every
  request also checks in the database that its session is not revoked.
- A refresh token is a random string; only its SHA-256 is stored.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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


def sign_access_token(secret: bytes, claims: AccessClaims) -> str:
    payload = msgspec.json.encode([claims.session_id, claims.user_id, claims.expires_at])
    signature = hmac.new(secret, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


_CLAIMS = msgspec.json.Decoder(tuple[int, int, int])


def read_access_token(secret: bytes, token: str, now: float) -> AccessClaims:
    """The claims of a valid token; :class:`BadToken` for anything else."""
    payload_text, dot, signature_text = token.partition(".")
    if not dot or not payload_text or not signature_text or len(token) > 512:
        raise BadToken("the access token is malformed")
    try:
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
    except (binascii.Error, ValueError) as exc:
        raise BadToken("the access token is malformed") from exc
    expected = hmac.new(secret, payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise BadToken("the access token is not valid")
    try:
        session_id, user_id, expires_at = _CLAIMS.decode(payload)
    except msgspec.DecodeError as exc:  # signed by us, so this means a format change
        raise BadToken("the access token is not valid") from exc
    if expires_at <= now:
        raise BadToken("the access token has expired")
    return AccessClaims(session_id, user_id, expires_at)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a refresh token or invite code is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
