"""Unique ids per test, so tests never see each other's claims."""

from __future__ import annotations

import uuid


def external_id(prefix: str = "INV") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
