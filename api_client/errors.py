"""One exception hierarchy for everything that can go wrong talking to a diary server.

Callers catch the subclass they treat differently; every exception carries a message written
for a person, and the server's problem document when there was one.
"""

from __future__ import annotations

from typing import TypeVar

import msgspec

from api_client.models import PASSWORD_CHANGE_REQUIRED, Problem, decode, encode

T = TypeVar("T")


class DiaryError(Exception):
    """Base of every error raised by :class:`api_client.client.DiaryClient`."""

    def __init__(self, message: str, *, status: int | None = None, problem: Problem | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.problem = problem

    @property
    def field(self) -> str | None:
        """The part of the request the server said was wrong, if any."""
        return self.problem.field if self.problem else None


class Offline(DiaryError):
    """The server could not be reached: no connection, refused, or timed out."""


class AuthenticationError(DiaryError):
    """401: wrong login or password, or the session has ended and needs a new login."""


class PasswordChangeRequired(AuthenticationError):
    """403 of type ``PASSWORD_CHANGE_REQUIRED``: the account still has a one-time password,
    and nothing but choosing a new one is allowed. It is an authentication error (the session
    cannot be used as it is: writes wait, screens send the user to log in and choose one)."""


class PermissionDenied(DiaryError):
    """403: the user is known but may not do this."""


class NotFound(DiaryError):
    """404: there is no such thing, or it is not this user's to see."""


class Conflict(DiaryError):
    """409: the write was based on a stale version; ``problem.current`` holds the current value."""

    def current_as(self, type_: type[T]) -> T | None:
        """The current value the server sent, as ``type_`` (None when it sent none, or sent
        something else)."""
        current = self.problem.current if self.problem is not None else None
        if current is None:
            return None
        try:
            return decode(encode(current), type_)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None


class InvalidRequest(DiaryError):
    """400, 413, 422: the request was wrong; ``field`` names what."""


class RateLimited(DiaryError):
    """429: too many attempts; try again after ``retry_after`` seconds."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        problem: Problem | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message, status=status, problem=problem)
        self.retry_after = retry_after


class ServerError(DiaryError):
    """5xx: the server failed; the request may be retried later."""


class ProtocolError(DiaryError):
    """The server answered something this client cannot understand (wrong server or version)."""


def error_for_status(status: int, message: str, problem: Problem | None) -> DiaryError:
    """The exception for an error answer with ``status``."""
    if status == 401:
        return AuthenticationError(message, status=status, problem=problem)
    if status == 403 and problem is not None and problem.type == PASSWORD_CHANGE_REQUIRED:
        return PasswordChangeRequired(message, status=status, problem=problem)
    if status == 403:
        return PermissionDenied(message, status=status, problem=problem)
    if status == 404:
        return NotFound(message, status=status, problem=problem)
    if status == 409:
        return Conflict(message, status=status, problem=problem)
    if status == 429:
        retry = problem.retry_after if problem else None
        return RateLimited(message, status=status, problem=problem, retry_after=retry)
    if status >= 500:
        return ServerError(message, status=status, problem=problem)
    return InvalidRequest(message, status=status, problem=problem)
