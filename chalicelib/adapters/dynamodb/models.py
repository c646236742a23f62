"""PynamoDB models, one per table in chalicelib.resources.TABLES; bound to physical names at start.

Access patterns:
- tenants: get by tenant_id.
- lookups: get by unique key (API-key hash, external id, payment reference, pay token, Idempotency-Key);
  each is created with attribute_not_exists so the first writer wins.
- claims: get by claim_id; by_tenant (tenant_id, claim_id) lists a tenant's claims newest first;
  by_tenant_status (tenant_id, "status#claim_id") lists them by status. Optimistic locking by version.
- events: the claim's timeline, query by claim_id in ULID order. Stream feeds outbound webhooks.
- payments: one item per provider payment (claim_id, payment_key): applying a payment twice fails.
- messages: one item per (claim_id, "stage#channel"): a message is reserved before it is sent.
- webhook_endpoints: a tenant's outbound webhook endpoints, query by tenant_id (at most 10).
- webhook_deliveries: one item per (event, endpoint), query by tenant_id newest first (delivery ids start with
  the event's ULID); created with attribute_not_exists, changed under optimistic locking; TTL after 30 days.
- bank_entries: one item per (tenant_id, entry_id) of an imported statement, created with attribute_not_exists;
  the sparse by_review (review_tenant, review_key) lists the entries waiting for review, oldest booking first.
- agency_handovers: get by claim_id (consistent): where the claim's hand-over to the agency stands; opened with a
  condition (absent, or refused before), then filed or refused.
- rate_limits: one counter per key (keys.rate_window), added to atomically; TTL at the end of its window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.attributes import (
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

if TYPE_CHECKING:
    from chalicelib.resources import Names


class _Meta:
    table_name = "unbound"
    billing_mode = "PAY_PER_REQUEST"


class TenantModel(Model):
    class Meta(_Meta):
        pass

    tenant_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    address = UnicodeAttribute(default="")
    support_email = UnicodeAttribute(default="")
    default_language = UnicodeAttribute(default="de")
    ladder = JSONAttribute()
    webhook_secrets: MapAttribute[str, Any] = MapAttribute(default=dict)
    profile = JSONAttribute(default=dict)  # branding, bank account, agreement rules, pay-link expiry


class LookupModel(Model):
    class Meta(_Meta):
        pass

    key = UnicodeAttribute(hash_key=True)
    target = UnicodeAttribute()  # the id the key points at
    tenant_id = UnicodeAttribute(null=True)
    fingerprint = UnicodeAttribute(null=True)  # Idempotency-Key: hash of the request it answered
    expires_at = TTLAttribute(null=True)


class ByTenant(GlobalSecondaryIndex["ClaimModel"]):
    class Meta:
        index_name = "by_tenant"
        projection = AllProjection()

    tenant_id = UnicodeAttribute(hash_key=True)
    claim_id = UnicodeAttribute(range_key=True)


class ByTenantStatus(GlobalSecondaryIndex["ClaimModel"]):
    class Meta:
        index_name = "by_tenant_status"
        projection = AllProjection()

    tenant_id = UnicodeAttribute(hash_key=True)
    status_claim = UnicodeAttribute(range_key=True)


class ClaimModel(Model):
    class Meta(_Meta):
        pass

    claim_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    external_id = UnicodeAttribute()
    status = UnicodeAttribute()
    status_claim = UnicodeAttribute()
    stage = UnicodeAttribute(null=True)
    next_stage_index = NumberAttribute(default=0)
    stage_completed_at = UTCDateTimeAttribute(null=True)
    default_since = UnicodeAttribute(null=True)
    invoice_date = UnicodeAttribute(null=True)
    charged_stages = JSONAttribute(default=list)
    closed_at = UTCDateTimeAttribute(null=True)
    agreement = JSONAttribute(default=dict)
    tone_boost = NumberAttribute(default=0)
    reopened = NumberAttribute(default=0)
    segment = UnicodeAttribute()
    stages = JSONAttribute()
    schedule_anchor = UTCDateTimeAttribute()
    debtor = JSONAttribute()
    currency = UnicodeAttribute()
    principal = NumberAttribute()
    fees = NumberAttribute(default=0)
    interest = NumberAttribute(default=0)
    paid = NumberAttribute(default=0)
    due_date = UnicodeAttribute()
    payment_reference = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    execution_arn = UnicodeAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()
    expires_at = TTLAttribute(null=True)

    by_tenant = ByTenant()
    by_tenant_status = ByTenantStatus()


class EventModel(Model):
    class Meta(_Meta):
        pass

    claim_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)
    tenant_id = UnicodeAttribute()
    type = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    data = JSONAttribute(default=dict)


class PaymentModel(Model):
    class Meta(_Meta):
        pass

    claim_id = UnicodeAttribute(hash_key=True)
    payment_key = UnicodeAttribute(range_key=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    provider = UnicodeAttribute()
    reference = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    data = JSONAttribute(default=dict)


class DeliveryModel(Model):
    class Meta(_Meta):
        pass

    claim_id = UnicodeAttribute(hash_key=True)
    delivery_key = UnicodeAttribute(range_key=True)
    state = UnicodeAttribute()  # reserved → sent; a reservation whose outcome is unknown is never resent
    provider_id = UnicodeAttribute(null=True)


class WebhookEndpointModel(Model):
    class Meta(_Meta):
        pass

    tenant_id = UnicodeAttribute(hash_key=True)
    endpoint_id = UnicodeAttribute(range_key=True)
    url = UnicodeAttribute()
    events = JSONAttribute()  # event types, or ["*"]
    secret = UnicodeAttribute()  # "whsec_…": the Standard Webhooks signing key
    description = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class WebhookDeliveryModel(Model):
    class Meta(_Meta):
        pass

    tenant_id = UnicodeAttribute(hash_key=True)
    delivery_id = UnicodeAttribute(range_key=True)
    endpoint_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    claim_id = UnicodeAttribute()
    payload = UnicodeAttribute()  # the exact body that is signed and sent
    status = UnicodeAttribute()
    attempts = JSONAttribute(default=list)
    run = NumberAttribute(default=0)
    queued = NumberAttribute(default=-1)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()
    expires_at = TTLAttribute(null=True)


class ByReview(GlobalSecondaryIndex["BankEntryModel"]):
    class Meta:
        index_name = "by_review"
        projection = AllProjection()

    review_tenant = UnicodeAttribute(hash_key=True)
    review_key = UnicodeAttribute(range_key=True)


class BankEntryModel(Model):
    """A credit or reversal entry of an imported bank statement (bank_entries: tenant_id, entry_id).

    The item exists once per entry, so an entry imported again is seen; `review_tenant` is set only
    while the entry waits for review, so the sparse index by_review is the tenant's review list.
    """

    class Meta(_Meta):
        pass

    tenant_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    review_tenant = UnicodeAttribute(null=True)
    review_key = UnicodeAttribute(null=True)  # keys.review: the review list is sorted by booking date
    statement_id = UnicodeAttribute()
    status = UnicodeAttribute()  # applying → matched | assigned; review → applying (assigned)
    account = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    booking_date = UnicodeAttribute()
    value_date = UnicodeAttribute(null=True)
    remittance = UnicodeAttribute(default="")
    debtor_name = UnicodeAttribute(null=True)
    debtor_iban = UnicodeAttribute(null=True)
    bank_reference = UnicodeAttribute(null=True)
    end_to_end_id = UnicodeAttribute(null=True)
    allocations = JSONAttribute(default=list)  # [[claim_id, amount], …]
    method = UnicodeAttribute(null=True)
    confidence = NumberAttribute(null=True)
    imported_at = UTCDateTimeAttribute()
    kind = UnicodeAttribute(null=True)  # EntryKind; absent on entries stored before reversals were read: credit
    review_reason = UnicodeAttribute(null=True)
    reverses = UnicodeAttribute(null=True)  # a reversal: the entry id of the credit it takes back

    by_review = ByReview()


class AgencyHandoverModel(Model):
    class Meta(_Meta):
        pass

    claim_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    handover_id = UnicodeAttribute()
    state = UnicodeAttribute()  # domain.agency_updates.FileState
    reference = UnicodeAttribute(null=True)  # the agency's, once filed
    covered = JSONAttribute(default=list)  # ids of the money events the hand-over's document showed
    opened_at = UTCDateTimeAttribute()  # real time


class RateCounterModel(Model):
    class Meta(_Meta):
        pass

    key = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)


MODELS: dict[str, type[Model]] = {
    "tenants": TenantModel,
    "lookups": LookupModel,
    "claims": ClaimModel,
    "events": EventModel,
    "payments": PaymentModel,
    "messages": DeliveryModel,
    "webhook_endpoints": WebhookEndpointModel,
    "webhook_deliveries": WebhookDeliveryModel,
    "bank_entries": BankEntryModel,
    "agency_handovers": AgencyHandoverModel,
    "rate_limits": RateCounterModel,
}


def bind(names: Names) -> None:
    """Point every model at its stage's physical table (names come from chalicelib.resources)."""
    for key, model in MODELS.items():
        model.Meta.table_name = names.table(key)
        model.Meta.region = names.region
