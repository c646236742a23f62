"""The ASL files and the shared substitutions agree: every token has a value, every Lambda state a workflow function."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib.asl import PROJECT_ROOT, UnresolvedSubstitutionError, render_asl, tokens
from chalicelib.resources import ASL_FILE, WORKFLOW_FUNCTIONS, asl_substitutions

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.unit

ASL_FILES = sorted((PROJECT_ROOT / "statemachines").glob("*.asl.json"))
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
WHOLE_TOKEN = re.compile(r"^\$\{(\w+)\}$")


def fake_arn(function: str) -> str:
    return f"arn:aws:lambda:eu-central-1:123456789012:function:mahnwerk-test-{function}"


def all_states(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, including those inside Parallel branches and Map iterators."""
    for name, state in definition["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from all_states(branch)
        for nested in ("ItemProcessor", "Iterator"):
            if nested in state:
                yield from all_states(state[nested])


def lambda_states(path: Path) -> list[tuple[str, dict[str, Any]]]:
    definition = json.loads(path.read_text())
    return [
        (name, state) for name, state in all_states(definition) if state.get("Resource", "").startswith(LAMBDA_INVOKE)
    ]


def test_there_is_a_state_machine_to_check() -> None:
    assert PROJECT_ROOT / ASL_FILE in ASL_FILES


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda path: path.name)
def test_every_token_in_the_asl_has_a_shared_substitution(path: Path) -> None:
    missing = tokens(path.read_text()) - asl_substitutions(fake_arn).keys()

    assert not missing, f"{path.name} uses tokens without a value in chalicelib.resources: {sorted(missing)}"


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda path: path.name)
def test_rendered_asl_is_json_with_nothing_left_to_substitute(path: Path) -> None:
    rendered = render_asl(path, asl_substitutions(fake_arn))

    assert not tokens(rendered)
    assert json.loads(rendered)["States"]


def test_render_asl_refuses_a_token_without_a_value() -> None:
    # GIVEN the shared substitutions with one of them left out
    substitutions = asl_substitutions(fake_arn)
    del substitutions["SendSmsFunctionArn"]

    # WHEN / THEN
    with pytest.raises(UnresolvedSubstitutionError, match="SendSmsFunctionArn"):
        render_asl(ASL_FILE, substitutions)


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda path: path.name)
def test_every_lambda_state_calls_a_workflow_function(path: Path) -> None:
    states = lambda_states(path)

    assert states, f"{path.name} has no Lambda states"
    for name, state in states:
        arguments = state.get("Parameters") or state.get("Arguments") or {}
        reference = WHOLE_TOKEN.match(str(arguments.get("FunctionName", "")))
        assert reference, f"state {name!r} does not name its function with a ${{Token}}"
        assert reference.group(1) in WORKFLOW_FUNCTIONS, f"state {name!r} calls an unknown function"


def test_every_workflow_function_is_a_lambda_function_of_the_chalice_app() -> None:
    from app import app

    registered = {function.name for function in app.pure_lambda_functions}

    assert set(WORKFLOW_FUNCTIONS.values()) <= registered
