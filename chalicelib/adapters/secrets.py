"""Secrets Manager references in the configuration, resolved once per cold start and cached."""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters

CACHE_SECONDS = 300  # a rotated secret reaches every Lambda within five minutes


def resolve(value: str) -> str:
    """The secret itself: an "arn:aws:secretsmanager:…" reference is fetched, anything else is the value."""
    if not value.startswith("arn:aws:secretsmanager:"):
        return value
    return str(parameters.get_secret(value, max_age=CACHE_SECONDS))
