"""Operator CLI: `python -m chalicelib.cli tenant create --id acme --name "Acme GmbH"`.

Works against real AWS (the stage's tables, default credentials) or the local stack
(`--endpoint-url` = the moto URL `make up` prints, `--stage local`). The API key and the
webhook secrets are printed once and never stored in clear.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import sys
from typing import TYPE_CHECKING

from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.tenant import Tenant
from chalicelib.services.psp_webhooks import PSP_PROVIDERS
from chalicelib.services.shop_webhooks import SHOP_SYSTEMS

if TYPE_CHECKING:
    from chalicelib.bootstrap import Container

# Secrets Mahnwerk may choose: entered in WooCommerce's webhook form, or used to sign the generic format
# (Standard Webhooks: "whsec_" + base64). Stripe, Adyen, Shopify and Shopware issue their own: pass them with --secret.
GENERATED_SECRETS = ("sandbox", "woocommerce", "generic")
PROVIDERS = (*PSP_PROVIDERS, *SHOP_SYSTEMS)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    app = container_for(args)
    from chalicelib.services.tenants import create_tenant

    try:
        account = _bank_account(args)
        webhook_secrets = _webhook_secrets(args.secret)
        integrations = _integrations(args.integrations)
    except InvalidInputError as exc:
        sys.stderr.write(f"{exc.field}: {exc.message}\n")
        return 2
    tenant = Tenant(
        tenant_id=args.id,
        name=args.name,
        address=args.address,
        support_email=args.support_email,
        default_language=args.language,
        webhook_secrets=webhook_secrets,
        bank_account=account,
        integrations=integrations,
    )
    if _exists(app, args.id):
        sys.stderr.write(f"tenant '{args.id}' exists already\n")
        return 1
    try:
        key = create_tenant(tenant, app.tenants)
    except InvalidInputError as exc:
        sys.stderr.write(f"{exc.field}: {exc.message}\n")
        return 2
    result = {"tenant_id": tenant.tenant_id, "api_key": key, "webhook_secrets": tenant.webhook_secrets}
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    sys.stderr.write("Store the API key and secrets now: they are not shown again.\n")
    return 0


def environment_arguments(parser: argparse.ArgumentParser) -> None:
    """Which stage's resources an operator command works on: the deployed stage's, or the local stack's."""
    parser.add_argument("--stage", default=os.environ.get("MAHNWERK_STAGE", "dev"), help="local, dev or prod")
    parser.add_argument("--endpoint-url", default=None, help="AWS endpoint, e.g. the local stack's moto URL")


def container_for(args: argparse.Namespace) -> Container:
    """The composition root for the stage the arguments name (environment_arguments)."""
    os.environ["MAHNWERK_STAGE"] = args.stage
    if args.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
    from chalicelib import bootstrap

    return bootstrap.reset()


def _webhook_secrets(given: list[str]) -> dict[str, str]:
    result = {p: "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode() for p in GENERATED_SECRETS}
    for item in given:
        provider, sep, value = item.partition("=")
        if not sep or provider not in PROVIDERS or not value:
            raise InvalidInputError("--secret", f"expected PROVIDER=SECRET, PROVIDER one of {', '.join(PROVIDERS)}")
        result[provider] = value
    return result


def _integrations(raw: str) -> dict[str, dict[str, object]]:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise InvalidInputError("--integrations", f"not JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise InvalidInputError("--integrations", 'a JSON object per shop system, e.g. {"shopify": {...}}')
    return value


def _bank_account(args: argparse.Namespace) -> dict[str, str]:
    """Validated here, once: the pay page and its GiroCode then trust it."""
    if not args.iban:
        return {}
    from chalicelib.domain.bank_account import CreditorAccount

    account = CreditorAccount.parse(args.holder or args.name, args.iban, args.bic)
    return {"holder": account.holder, "iban": account.iban, "bic": account.bic or ""}


def _exists(app: object, tenant_id: str) -> bool:
    from chalicelib.domain.errors import TenantNotFoundError

    try:
        app.tenants.get(tenant_id)  # type: ignore[attr-defined]
    except TenantNotFoundError:
        return False
    return True


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli", description="Mahnwerk operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    tenant = commands.add_parser("tenant", help="manage tenants").add_subparsers(dest="action", required=True)
    create = tenant.add_parser("create", help="create a tenant and print its API key once")
    create.add_argument("--id", required=True, help="tenant id: lower-case letters, digits, dashes")
    create.add_argument("--name", required=True, help="the merchant's name, shown to debtors")
    create.add_argument("--address", default="", help="legal address (imprint, agency hand-over)")
    create.add_argument("--support-email", default="", help="where debtors' questions go")
    create.add_argument("--language", default="de", help="default language of messages")
    create.add_argument("--iban", default="", help="creditor account for bank transfers and the GiroCode")
    create.add_argument("--bic", default=None, help="derived from the IBAN where possible")
    create.add_argument("--holder", default=None, help="account holder (default: --name)")
    create.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="PROVIDER=SECRET",
        help="a webhook signing secret issued by the PSP or shop (stripe, adyen, shopify, shopware); repeatable",
    )
    create.add_argument(
        "--integrations",
        default="{}",
        help='shop settings, e.g. {"shopify": {"invoice_gateways": ["Invoice"], "payment_days": 14}}',
    )
    environment_arguments(create)
    return parser


if __name__ == "__main__":
    sys.exit(main())
