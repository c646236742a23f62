"""Configuration: deployed stages never fall back to built-in secrets."""

from __future__ import annotations

import pytest

from chalicelib.adapters.secrets import resolve
from chalicelib.settings import Settings

pytestmark = pytest.mark.unit


def test_a_deployed_stage_without_its_secrets_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAHNWERK_STAGE", "prod")
    monkeypatch.delenv("AGENCY_SECRET", raising=False)
    monkeypatch.delenv("AGENCY_SECRET_ARN", raising=False)

    with pytest.raises(RuntimeError, match="AGENCY_SECRET"):
        Settings.from_env()


def test_a_deployed_stage_takes_secret_references(monkeypatch: pytest.MonkeyPatch) -> None:
    arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:agency-AbCdEf"
    monkeypatch.setenv("MAHNWERK_STAGE", "prod")
    monkeypatch.setenv("AGENCY_SECRET_ARN", arn)
    monkeypatch.setenv("PAY_TOKEN_SECRET_ARN", arn)

    assert Settings.from_env().agency_secret == arn


def test_the_local_stage_has_its_own_defaults_and_plain_values_pass_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAHNWERK_STAGE", "local")
    monkeypatch.delenv("AGENCY_SECRET", raising=False)
    monkeypatch.delenv("AGENCY_SECRET_ARN", raising=False)

    assert Settings.from_env().agency_secret == "local-agency-secret"
    assert resolve("plain-value") == "plain-value"


def test_the_default_stage_is_never_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAHNWERK_STAGE", raising=False)
    monkeypatch.setenv("AGENCY_SECRET", "x")
    monkeypatch.setenv("PAY_TOKEN_SECRET", "y")

    assert Settings.from_env().stage == "dev"


def test_the_local_stack_retries_lost_races_longer_than_a_deployed_stage_may(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RACE_BUDGET_SECONDS", raising=False)
    monkeypatch.setenv("MAHNWERK_STAGE", "local")
    local = Settings.from_env().race_budget_seconds
    monkeypatch.setenv("MAHNWERK_STAGE", "prod")
    monkeypatch.setenv("AGENCY_SECRET", "a")
    monkeypatch.setenv("PAY_TOKEN_SECRET", "p")
    deployed = Settings.from_env().race_budget_seconds

    assert deployed < 29 < local  # API Gateway answers 504 after 29 s; moto is slower than DynamoDB
