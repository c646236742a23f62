"""Translation between PynamoDB items and domain objects."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.models import ClaimModel, EventModel, TenantModel
from chalicelib.domain.agreement import agreement_from_dict
from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.ladder import Ladder, Stage
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.segmentation import Segment
from chalicelib.domain.tenant import Branding, Tenant

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action

# Written by the task token repository alone (adapters/dynamodb/task_tokens.py), and the version by PynamoDB.
_NOT_BUSINESS_STATE = frozenset({"claim_id", "task_token", "version"})


def debtor_to_dict(debtor: Debtor) -> dict[str, Any]:
    return {
        "name": debtor.name,
        "email": debtor.email,
        "phone": debtor.phone,
        "language": debtor.language,
        "kind": str(debtor.kind),
        "country": debtor.country,
        "customer_since": debtor.customer_since.isoformat() if debtor.customer_since else None,
        "opt_outs": sorted(debtor.opt_outs),
    }


def debtor_from_dict(data: dict[str, Any]) -> Debtor:
    since = data.get("customer_since")
    return Debtor(
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        language=data["language"],
        kind=DebtorKind(data["kind"]),
        country=data["country"],
        customer_since=date.fromisoformat(since) if since else None,
        opt_outs=frozenset(data.get("opt_outs", ())),
    )


def claim_to_model(claim: Claim) -> ClaimModel:
    item = ClaimModel(
        claim_id=claim.claim_id,
        tenant_id=claim.tenant_id,
        external_id=claim.external_id,
        status=str(claim.status),
        status_claim=keys.status_claim(claim.status, claim.claim_id),
        stage=claim.stage,
        next_stage_index=claim.next_stage_index,
        stage_completed_at=claim.stage_completed_at,
        default_since=claim.default_since.isoformat() if claim.default_since else None,
        invoice_date=claim.invoice_date.isoformat() if claim.invoice_date else None,
        charged_stages=sorted(claim.charged_stages),
        closed_at=claim.closed_at,
        agreement=claim.agreement.to_dict() if claim.agreement else {},
        tone_boost=claim.tone_boost,
        reopened=claim.reopened,
        segment=str(claim.segment),
        stages=[s.to_dict() for s in claim.stages],
        schedule_anchor=claim.schedule_anchor,
        debtor=debtor_to_dict(claim.debtor),
        currency=claim.ledger.currency,
        principal=claim.ledger.principal,
        fees=claim.ledger.fees,
        interest=claim.ledger.interest,
        paid=claim.ledger.paid,
        due_date=claim.due_date.isoformat(),
        payment_reference=claim.payment_reference,
        description=claim.description,
        execution_arn=claim.execution_arn,
        task_token=claim.task_token,
        created_at=claim.created_at,
    )
    if claim.version:
        item.version = claim.version
    return item


def claim_changes(item: ClaimModel) -> list[Action]:
    """Every attribute of the claim's business state as an update: all but the key, the version and the task token.

    A claim is written from a copy read earlier. A token stored since then belongs to a newer wait; writing the
    copy's token back would strand that wait with nobody able to resume it.
    """
    actions: list[Action] = []
    for name, attribute in ClaimModel.get_attributes().items():
        if name in _NOT_BUSINESS_STATE:
            continue
        value = getattr(item, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    return actions


def claim_from_model(item: ClaimModel) -> Claim:
    return Claim(
        claim_id=item.claim_id,
        tenant_id=item.tenant_id,
        external_id=item.external_id,
        debtor=debtor_from_dict(item.debtor),
        ledger=Ledger(
            currency=item.currency,
            principal=int(item.principal),
            fees=int(item.fees),
            interest=int(item.interest),
            paid=int(item.paid),
        ),
        due_date=date.fromisoformat(item.due_date),
        segment=Segment(item.segment),
        stages=tuple(Stage.from_dict(s) for s in item.stages),
        schedule_anchor=item.schedule_anchor,
        payment_reference=item.payment_reference,
        created_at=item.created_at,
        status=Status(item.status),
        stage=item.stage,
        next_stage_index=int(item.next_stage_index),
        stage_completed_at=item.stage_completed_at,
        default_since=date.fromisoformat(item.default_since) if item.default_since else None,
        invoice_date=date.fromisoformat(item.invoice_date) if item.invoice_date else None,
        charged_stages=frozenset(item.charged_stages or ()),
        closed_at=item.closed_at,
        agreement=agreement_from_dict(item.agreement),
        tone_boost=int(item.tone_boost or 0),
        reopened=int(item.reopened or 0),
        description=item.description,
        execution_arn=item.execution_arn,
        task_token=item.task_token,
        version=int(item.version or 0),
    )


def event_to_model(claim_id: str, tenant_id: str, event: Event, event_id: str) -> EventModel:
    return EventModel(
        claim_id=claim_id,
        event_id=event_id,
        tenant_id=tenant_id,
        type=str(event.type),
        at=event.at,
        data=event.data,
    )


def event_from_model(item: EventModel) -> Event:
    return Event(type=EventType(item.type), at=item.at, data=dict(item.data or {}), event_id=item.event_id)


def tenant_from_model(item: TenantModel) -> Tenant:
    profile = dict(item.profile or {})
    return Tenant(
        tenant_id=item.tenant_id,
        name=item.name,
        address=item.address,
        support_email=item.support_email,
        default_language=item.default_language,
        ladder=Ladder.from_list(item.ladder),
        webhook_secrets=dict(item.webhook_secrets.as_dict() if item.webhook_secrets else {}),
        branding=Branding.from_dict(profile.get("branding", {})),
        bank_account=dict(profile.get("bank_account", {})),
        agreement_rules=dict(profile.get("agreement_rules", {})),
        pay_link_days_after_close=int(profile.get("pay_link_days_after_close", 30)),
        integrations=dict(profile.get("integrations", {})),
    )


def tenant_to_model(tenant: Tenant) -> TenantModel:
    return TenantModel(
        tenant_id=tenant.tenant_id,
        name=tenant.name,
        address=tenant.address,
        support_email=tenant.support_email,
        default_language=tenant.default_language,
        ladder=tenant.ladder.to_list(),
        webhook_secrets=tenant.webhook_secrets,
        profile={
            "branding": tenant.branding.to_dict(),
            "bank_account": tenant.bank_account,
            "agreement_rules": tenant.agreement_rules,
            "pay_link_days_after_close": tenant.pay_link_days_after_close,
            "integrations": tenant.integrations,
        },
    )
