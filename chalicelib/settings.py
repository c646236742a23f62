"""Configuration from the environment, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from chalicelib.resources import Names

PRODUCTION_DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    account: str
    day_seconds: float
    clock_epoch: datetime
    public_base_url: str
    sender_email: str
    sms_origination: str
    agency_url: str
    agency_secret: str
    pay_token_secret: str
    stripe_api_key: str  # empty: the sandbox PSP takes payments (local stage)
    # A Standard execution lives at most a year and 25,000 history events: a claim's execution hands
    # over to a fresh one after this many planning steps or real days (agreements can run long).
    max_steps_per_execution: int
    max_execution_days: float
    # How long a movement of money keeps retrying the races it loses for one claim (services.retries): below API
    # Gateway's 29 s when deployed; the local stack's moto copies whole tables per transaction, so it takes longer.
    race_budget_seconds: float
    channel_mode: str  # "aws": real providers; "local": moto where it has the service, the outbox otherwise
    state_machine_arn: str
    letters_bucket: str

    @classmethod
    def from_env(cls) -> Settings:
        stage = os.environ.get("MAHNWERK_STAGE", "dev")  # never "local" by accident
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-central-1"
        account = os.environ.get("MAHNWERK_ACCOUNT", "123456789012")
        names = Names(stage, region, account)
        epoch = os.environ.get("CLOCK_EPOCH")
        return cls(
            stage=stage,
            region=region,
            account=account,
            day_seconds=float(os.environ.get("DAY_SECONDS", PRODUCTION_DAY_SECONDS)),
            clock_epoch=datetime.fromisoformat(epoch) if epoch else datetime(2026, 1, 1, tzinfo=UTC),
            public_base_url=os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            sender_email=os.environ.get("SENDER_EMAIL", "dunning@mahnwerk.example"),
            sms_origination=os.environ.get("SMS_ORIGINATION_IDENTITY", "Mahnwerk"),
            agency_url=os.environ.get("AGENCY_URL", "http://127.0.0.1:8000/_local/agency/claims"),
            agency_secret=_secret("AGENCY_SECRET", stage),
            pay_token_secret=_secret("PAY_TOKEN_SECRET", stage),
            stripe_api_key=os.environ.get("STRIPE_API_KEY") or os.environ.get("STRIPE_API_KEY_ARN", ""),
            max_steps_per_execution=int(os.environ.get("MAX_STEPS_PER_EXECUTION", "400")),
            max_execution_days=float(os.environ.get("MAX_EXECUTION_DAYS", "300")),
            race_budget_seconds=float(os.environ.get("RACE_BUDGET_SECONDS", "90" if stage == "local" else "20")),
            channel_mode=os.environ.get("CHANNEL_MODE", "local" if stage == "local" else "aws"),
            state_machine_arn=os.environ.get("STATE_MACHINE_ARN", names.state_machine_arn),
            letters_bucket=os.environ.get("LETTERS_BUCKET", names.letters_bucket),
        )

    @cached_property
    def names(self) -> Names:
        return Names(self.stage, self.region, self.account)

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


def _secret(name: str, stage: str) -> str:
    """A secret's value, or a reference to it: "arn:…" (Secrets Manager) is resolved at first use.

    Deployed stages pass `<NAME>_ARN` so no secret appears in the template or the Lambda
    configuration; only the local stage has built-in defaults, and a deployed stage without
    the secret refuses to start.
    """
    value = os.environ.get(name) or os.environ.get(f"{name}_ARN")
    if value:
        return value
    if stage == "local":
        return f"local-{name.lower().replace('_', '-')}"
    raise RuntimeError(f"{name} (or {name}_ARN) is not set for stage {stage}")
