"""Parse each state machine definition and each JSONPath once, not at every execution and every state.

moto's ASL interpreter (a port of LocalStack's) runs ANTLR over the whole definition when an
execution starts, and jsonpath_ng builds a fresh PLY parser, tables included, for every path it
reads. At 200 claims these were 21 % and 12.5 % of the local stack's GIL samples. Both results are
immutable once built: the parsed program's components keep no per-execution state (everything an
execution changes lives in its Environment), and a JSONPath expression is a tree of plain values.
So both are cached by their text.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import json_path

DEFINITIONS = 32  # state machines kept parsed; the local stack has one
PATHS = 4096
_moto_parse_definition = AmazonStateLanguageParser.parse


@functools.lru_cache(maxsize=DEFINITIONS)
def _parse_definition(definition: str) -> tuple[Any, Any]:
    return _moto_parse_definition(definition)


def cache_parsing() -> None:
    """Install (idempotent)."""
    if getattr(json_path.parse, "cache_info", None) is None:
        json_path.parse = functools.lru_cache(maxsize=PATHS)(json_path.parse)
        result_path.parse = functools.lru_cache(maxsize=PATHS)(result_path.parse)
    AmazonStateLanguageParser.parse = staticmethod(_parse_definition)  # type: ignore[method-assign]
