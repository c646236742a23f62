"""Optimistic concurrency: re-read and re-apply a change that lost a version race."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from chalicelib.domain.errors import ConflictError

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
ATTEMPTS = 5


def on_conflict(attempt: Callable[[], T]) -> T:
    for _ in range(ATTEMPTS - 1):
        try:
            return attempt()
        except ConflictError as exc:
            if type(exc) is not ConflictError:
                raise  # subclasses mean something definite (closed, done before): no retry helps
    return attempt()
