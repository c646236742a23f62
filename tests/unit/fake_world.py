"""A tenant, its claims and the services' ports on the in-memory fakes: the setting of the service unit tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.tenant import Tenant
from chalicelib.services.claims import NewClaim, create_claim
from chalicelib.services.pay_tokens import ContactLinks
from chalicelib.services.workflow import complete_stage
from tests.fakes import InMemoryPorts, InMemoryTenantRepository
from tests.random_refs import external_id

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim

TENANT = Tenant(
    "shop",
    "Shop GmbH",
    address="Musterstraße 1, 10115 Berlin",
    support_email="support@shop.example",
    webhook_secrets={"sandbox": "sandbox-secret"},
)
PAY_SECRET = "pay-token-secret"
LINKS = ContactLinks("https://pay.shop.example", PAY_SECRET)


def world() -> InMemoryPorts:
    return InMemoryPorts(tenants=InMemoryTenantRepository(TENANT))


def debtor(**overrides: Any) -> Debtor:
    base = Debtor("Erika Mustermann", "erika@example.com", "+4915112345678", "de", DebtorKind.CONSUMER, "DE")
    return replace(base, **overrides)


def new_claim(ports: InMemoryPorts, amount: int = 10000, due_in_days: int = 0, **changes: Any) -> NewClaim:
    due = ports.clock.today() + timedelta(days=due_in_days)
    command = NewClaim(external_id(), debtor(), amount, "EUR", due, date(2026, 2, 1), "Garden chairs")
    return replace(command, **changes)


def hand_over(ports: InMemoryPorts, amount: int = 10000, due_in_days: int = 0, **changes: Any) -> Claim:
    """A claim the merchant handed over through the one use case, with its execution started."""
    return create_claim(
        new_claim(ports, amount, due_in_days, **changes), TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET
    ).claim


def at_stage(ports: InMemoryPorts, claim: Claim, name: str) -> Claim:
    """The claim with every stage before `name` completed, as the workflow would leave it."""
    while claim.stages[claim.next_stage_index].name != name:
        complete_stage(claim.claim_id, claim.tenant_id, claim.next_stage_index, ports.claims, ports.clock)
        claim = ports.claims.get(claim.claim_id)
    return claim


def waiting(ports: InMemoryPorts, claim: Claim, token: str = "token-1") -> Claim:
    """The claim's execution waits on `token`, as AwaitEvent stores it."""
    ports.task_tokens.set_task_token(claim.claim_id, token)
    return ports.claims.get(claim.claim_id)
