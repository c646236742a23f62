"""The operator CLI creates a tenant whose key then works against the API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from chalicelib import cli

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration


def test_tenant_create_prints_a_key_once_that_authenticates(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["tenant", "create", "--id", "acme", "--name", "Acme GmbH", "--stage", "local"]) == 0
    created = json.loads(capsys.readouterr().out)

    response = harness.client.http.get("/v1/claims", headers={"Authorization": f"Bearer {created['api_key']}"})

    assert response.status_code == 200
    assert created["webhook_secrets"]["sandbox"].startswith("whsec_")
    assert cli.main(["tenant", "create", "--id", "acme", "--name", "Again", "--stage", "local"]) == 1


def test_tenant_create_refuses_an_invalid_id(harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["tenant", "create", "--id", "Not Valid!", "--name", "X", "--stage", "local"]) == 2
    assert "tenant_id" in capsys.readouterr().err


def test_tenant_create_validates_the_creditor_account(harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    bad = ["tenant", "create", "--id", "bad-iban", "--name", "X", "--stage", "local", "--iban", "DE00123"]
    good = ["tenant", "create", "--id", "good-iban", "--name", "Good GmbH", "--stage", "local"]

    assert cli.main(bad) == 2
    assert "iban" in capsys.readouterr().err
    assert cli.main([*good, "--iban", "de89 3704 0044 0532 0130 00"]) == 0
    assert harness.app.tenants.get("good-iban").bank_account["iban"] == "DE89370400440532013000"


def test_tenant_create_keeps_issued_secrets_and_shop_settings(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["tenant", "create", "--id", "shop-x", "--name", "Shop X", "--stage", "local"]
    settings = '{"shopify": {"invoice_gateways": ["Invoice"], "payment_days": 10}}'

    code = cli.main([*args, "--secret", "stripe=whsec_from_stripe", "--integrations", settings])

    created = json.loads(capsys.readouterr().out)
    assert code == 0
    assert created["webhook_secrets"]["stripe"] == "whsec_from_stripe"
    # a secret Mahnwerk chooses is in the Standard Webhooks format the generic shop webhook verifies with
    from standardwebhooks.webhooks import Webhook

    Webhook(created["webhook_secrets"]["generic"])
    tenant = harness.app.tenants.get("shop-x")
    assert tenant.integration("shopify") == {"invoice_gateways": ["Invoice"], "payment_days": 10}


def test_tenant_create_refuses_a_secret_for_an_unknown_provider(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(["tenant", "create", "--id", "shop-y", "--name", "Y", "--stage", "local", "--secret", "paypal=x"]) == 2
    )
    assert "--secret" in capsys.readouterr().err
