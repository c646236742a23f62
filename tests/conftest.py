"""Shared fixtures: fake AWS credentials, the local stage's environment, a fresh composition root."""

from __future__ import annotations

import os

# Before anything imports boto3 or the app: never reach real AWS from a test.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_REGION": "eu-central-1",
        "MAHNWERK_STAGE": "local",
        "CHANNEL_MODE": "local",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

from tests.harness import harness  # noqa: E402,F401 - the shared fixture of the moto-backed tiers
