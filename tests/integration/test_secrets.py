"""Secret references resolved from Secrets Manager."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.secrets import resolve

pytestmark = pytest.mark.integration


def test_a_secret_reference_is_resolved_from_secrets_manager() -> None:
    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="eu-central-1").create_secret(
            Name="mahnwerk-agency", SecretString="s3cr3t"
        )["ARN"]
        assert resolve(arn) == "s3cr3t"
