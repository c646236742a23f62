"""Rendering of ASL files: substitutions are applied once and nothing may stay unresolved."""

from __future__ import annotations

import json
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r"\$\{(\w+)\}")


class UnresolvedSubstitutionError(ValueError):
    pass


def tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(text))


def render_asl(path: str | Path, substitutions: dict[str, str]) -> str:
    """Return the ASL text with every ${Token} replaced; fail loudly on one without a value."""
    text = (PROJECT_ROOT / path).read_text()
    missing = tokens(text) - substitutions.keys()
    if missing:
        raise UnresolvedSubstitutionError(f"no value for {sorted(missing)} in {path}")
    rendered = _TOKEN.sub(lambda m: substitutions[m.group(1)], text)
    json.loads(rendered)  # a broken definition fails here, not at deploy time
    return rendered
