"""The local stack caps glibc's malloc arenas, unless the operator chose a number."""

from __future__ import annotations

import ctypes.util
import platform

import pytest

from infra.local.malloc_arenas import cap_malloc_arenas

pytestmark = pytest.mark.integration


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's arena cap is glibc's")
def test_glibc_takes_the_arena_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert ctypes.util.find_library("c")

    assert cap_malloc_arenas() is True


def test_an_explicit_malloc_arena_max_is_left_to_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")

    assert cap_malloc_arenas() is False
