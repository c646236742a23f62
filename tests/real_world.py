"""Other projects' files in ../shared/real-world/, read in place (never copied into this repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL_WORLD = Path(__file__).resolve().parents[1].parent / "shared" / "real-world"
SOURCES = REAL_WORLD / "SOURCES.md"  # where each file comes from, how it was changed, how it is signed
BANK = REAL_WORLD / "bank"
SHOPS = REAL_WORLD / "shops"
PSP = REAL_WORLD / "psp"

needs_real_world = pytest.mark.skipif(not REAL_WORLD.is_dir(), reason="../shared/real-world/ is not beside this clone")
