"""In-memory fakes of every port, shared by the tiers: the unit tests run the services on them, the others swap
single ones in at the composition root (bootstrap.reset({...})).

The fakes keep the adapters' rules, because the services rely on them: a claim is written only at the version
it was read (ConflictError), a closed claim (or a superseded run) takes no task token and an uncontactable one no
reservation (ClaimClosedError), one reservation per stage and channel and one payment per payment key
(AlreadyDoneError), one claim per PSP payment id of a tenant (PaymentTakenError). A claim write leaves the stored
task token alone and returns the claim with the token stored then; a write that closes the claim takes it along.
The claim's fakes share one InMemoryTables, as the DynamoDB repositories share the tables: a payment written
through the payments port is the claim the claims port reads. Every fake is safe to call from many threads.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ulid import ULID

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.claim import CLOSED, CONTACTABLE, Claim
from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.errors import (
    AlreadyDoneError,
    ClaimClosedError,
    ClaimNotFoundError,
    ConflictError,
    DuplicateClaimError,
    InvalidInputError,
    PaymentTakenError,
    PermanentDeliveryError,
    TenantNotFoundError,
    TransientError,
)
from chalicelib.domain.ladder import Channel
from chalicelib.services.agency_updates import AgencyUpdates
from chalicelib.services.handover import HandoverPorts
from chalicelib.services.notices import Notices
from chalicelib.services.payments import MoneyPorts
from chalicelib.services.ports import Page, PaymentRecord, QueuedNotice
from tests.fake_agency import FakeAgency, FakeAgencyQueue, InMemoryAgencyFiles

if TYPE_CHECKING:
    from chalicelib.domain.events import Event
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.pay_tokens import ContactLinks
    from chalicelib.services.payments import ThankYou
    from chalicelib.services.ports import OutboundMessage

EPOCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning in Berlin's contact window


class InMemoryTables:
    """The claim's tables (claims, lookups, events, payments, messages) behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.claims: dict[str, Claim] = {}
        self.lookups: dict[str, tuple[str, str]] = {}  # unique key → (claim id, Idempotency-Key fingerprint)
        self.events: defaultdict[str, list[Event]] = defaultdict(list)
        self.payments: defaultdict[str, dict[str, PaymentRecord]] = defaultdict(dict)
        self.messages: dict[tuple[str, str], dict[str, str]] = {}  # (claim id, "stage#channel") → state

    def stored(self, claim_id: str) -> Claim:
        with self.lock:
            return self.claims[claim_id]

    def write(self, claim: Claim, events: list[Event]) -> Claim:
        """The claim at the version it was read, one version on; ConflictError when someone wrote it meanwhile.

        As DynamoDB's update of every attribute but the token: the token stored now stays, and is what the caller
        gets back to resume; a write that closes the claim takes it off.
        """
        current = self.claims.get(claim.claim_id)
        if current is None or current.version != claim.version:
            raise ConflictError(f"claim {claim.claim_id} changed meanwhile")
        written = replace(claim, version=claim.version + 1, task_token=current.task_token)
        self.claims[claim.claim_id] = replace(written, task_token=None) if written.closed else written
        self.append(claim.claim_id, events)
        return written

    def append(self, claim_id: str, events: list[Event]) -> None:
        """Each event gets its id when stored, a ULID, as the events table gives it."""
        self.events[claim_id].extend(e if e.event_id else replace(e, event_id=str(ULID())) for e in events)


class InMemoryClaimRepository:
    def __init__(self, tables: InMemoryTables) -> None:
        self.tables = tables

    def add(self, claim: Claim, pay_token_hash: str, idempotency: tuple[str, str] | None, event: Event) -> Claim:
        unique = {
            keys.external_id(claim.tenant_id, claim.external_id): "",
            keys.payment_reference(claim.payment_reference): "",
            keys.pay_token(pay_token_hash): "",
        }
        if idempotency:
            unique[keys.idempotency(claim.tenant_id, idempotency[0])] = idempotency[1]
        with self.tables.lock:
            for key in unique:
                if key in self.tables.lookups:
                    raise DuplicateClaimError(self.tables.lookups[key][0], key)
            if claim.claim_id in self.tables.claims:
                raise ConflictError(f"claim {claim.claim_id} could not be stored")
            for key, fingerprint in unique.items():
                self.tables.lookups[key] = (claim.claim_id, fingerprint)
            stored = replace(claim, version=1)
            self.tables.claims[claim.claim_id] = stored
            self.tables.append(claim.claim_id, [event])
            return stored

    def get(self, claim_id: str, tenant_id: str | None = None) -> Claim:
        with self.tables.lock:
            claim = self.tables.claims.get(claim_id)
        if claim is None or (tenant_id is not None and claim.tenant_id != tenant_id):
            raise ClaimNotFoundError(f"no claim {claim_id}")
        return claim

    def update(self, claim: Claim, events: list[Event]) -> Claim:
        with self.tables.lock:
            return self.tables.write(claim, events)

    def page(self, tenant_id: str, status: str | None, cursor: str | None, limit: int) -> Page:
        """Newest first (claim ids are ULIDs); the cursor is the last id of the page before."""
        with self.tables.lock:
            found = [
                c
                for c in self.tables.claims.values()
                if c.tenant_id == tenant_id and (status is None or c.status == status)
            ]
        found.sort(key=lambda c: c.claim_id, reverse=True)
        if cursor is not None:
            if not any(c.claim_id == cursor for c in found):
                raise InvalidInputError("cursor", "not a cursor of this listing")
            found = [c for c in found if c.claim_id < cursor]
        items = found[:limit]
        return Page(items, items[-1].claim_id if len(found) > limit else None)

    def find_by_external_id(self, tenant_id: str, external_id: str) -> str | None:
        return self._target(keys.external_id(tenant_id, external_id))

    def find_by_idempotency_key(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        with self.tables.lock:
            return self.tables.lookups.get(keys.idempotency(tenant_id, key))

    def find_by_pay_token(self, token_hash: str) -> str | None:
        return self._target(keys.pay_token(token_hash))

    def find_by_payment_reference(self, reference: str) -> str | None:
        return self._target(keys.payment_reference(reference))

    def _target(self, key: str) -> str | None:
        with self.tables.lock:
            found = self.tables.lookups.get(key)
        return found[0] if found else None


class InMemoryTimelineRepository:
    def __init__(self, tables: InMemoryTables) -> None:
        self.tables = tables

    def events(self, claim_id: str) -> list[Event]:
        with self.tables.lock:
            return list(self.tables.events.get(claim_id, []))

    def append(self, claim_id: str, tenant_id: str, event: Event) -> None:
        with self.tables.lock:
            self.tables.append(claim_id, [event])

    def types(self, claim_id: str) -> list[str]:
        """The timeline as the merchant reads it: event types, oldest first."""
        return [str(e.type) for e in self.events(claim_id)]


class InMemoryMessageDeliveryRepository:
    def __init__(self, tables: InMemoryTables) -> None:
        self.tables = tables

    def reserve_delivery(self, claim_id: str, stage: str, channel: str) -> None:
        with self.tables.lock:
            claim = self.tables.claims.get(claim_id)
            if claim is None or claim.status not in CONTACTABLE:
                raise ClaimClosedError(claim_id)
            self._reserve(claim_id, keys.delivery(stage, channel), f"{stage}/{channel} of {claim_id} was sent before")

    def reserve_notice(self, claim_id: str, key: str) -> None:
        with self.tables.lock:
            self._reserve(claim_id, keys.delivery("notice", key), f"notice {key} of {claim_id} was sent before")

    def complete_delivery(
        self, claim_id: str, tenant_id: str, stage: str, channel: str, provider_id: str, event: Event
    ) -> None:
        with self.tables.lock:
            self.tables.messages[(claim_id, keys.delivery(stage, channel))] = {
                "state": "sent",
                "provider_id": provider_id,
            }
            self.tables.append(claim_id, [event])

    def release_delivery(self, claim_id: str, tenant_id: str, stage: str, channel: str, event: Event) -> None:
        with self.tables.lock:
            self.tables.messages.pop((claim_id, keys.delivery(stage, channel)), None)
            self.tables.append(claim_id, [event])

    def state(self, claim_id: str, stage: str, channel: str) -> str | None:
        with self.tables.lock:
            found = self.tables.messages.get((claim_id, keys.delivery(stage, channel)))
        return found["state"] if found else None

    def _reserve(self, claim_id: str, key: str, repeated: str) -> None:
        if (claim_id, key) in self.tables.messages:
            raise AlreadyDoneError(repeated)
        self.tables.messages[(claim_id, key)] = {"state": "reserved"}


class InMemoryPaymentRepository:
    def __init__(self, tables: InMemoryTables) -> None:
        self.tables = tables

    def apply_payment(self, claim: Claim, payment: PaymentRecord, events: list[Event]) -> Claim:
        with self.tables.lock:
            if payment.payment_key in self.tables.payments[claim.claim_id]:
                raise AlreadyDoneError(f"payment {payment.payment_key} was applied before")
            key = None
            if payment.psp_payment_id:
                key = keys.provider_payment(claim.tenant_id, payment.provider, payment.psp_payment_id)
                owner = self.tables.lookups.get(key, (claim.claim_id, ""))[0]
                if owner != claim.claim_id:
                    raise PaymentTakenError(f"{payment.psp_payment_id} paid claim {owner} already")
            written = self.tables.write(claim, events)
            self.tables.payments[claim.claim_id][payment.payment_key] = payment
            if key is not None:
                self.tables.lookups[key] = (claim.claim_id, "")
            return written

    def payments(self, claim_id: str) -> list[dict[str, Any]]:
        with self.tables.lock:
            records = sorted(self.tables.payments.get(claim_id, {}).values(), key=lambda p: p.payment_key)
        return [
            {"payment_key": p.payment_key, "amount": p.amount, "provider": p.provider, "paid_at": p.paid_at}
            for p in records
        ]

    def find_by_provider_reference(self, tenant_id: str, provider: str, reference: str) -> str | None:
        with self.tables.lock:
            found = self.tables.lookups.get(keys.provider_payment(tenant_id, provider, reference))
        return found[0] if found else None

    def ledger(self, claim_id: str) -> list[PaymentRecord]:
        """Every movement recorded for the claim, in the order of its keys."""
        with self.tables.lock:
            return sorted(self.tables.payments.get(claim_id, {}).values(), key=lambda p: p.payment_key)


class InMemoryTaskTokenRepository:
    def __init__(self, tables: InMemoryTables) -> None:
        self.tables = tables

    def set_task_token(self, claim_id: str, token: str, run: int | None = None) -> None:
        # As in DynamoDB: the token is plumbing, not business state, so the version stays.
        with self.tables.lock:
            claim = self.tables.claims.get(claim_id)
            if claim is None or claim.status in CLOSED or (run is not None and claim.reopened != run):
                raise ClaimClosedError(claim_id)
            self.tables.claims[claim_id] = replace(claim, task_token=token)

    def clear_task_token(self, claim_id: str) -> None:
        with self.tables.lock:
            claim = self.tables.claims.get(claim_id)
            if claim is not None:
                self.tables.claims[claim_id] = replace(claim, task_token=None)


class InMemoryTenantRepository:
    def __init__(self, *tenants: Tenant) -> None:
        self._lock = threading.Lock()
        self._tenants = {t.tenant_id: t for t in tenants}
        self._keys: dict[str, str] = {}

    def get(self, tenant_id: str) -> Tenant:
        with self._lock:
            tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise TenantNotFoundError(f"no tenant {tenant_id}")
        return tenant

    def by_api_key_hash(self, key_hash: str) -> Tenant | None:
        with self._lock:
            tenant_id = self._keys.get(key_hash)
            return self._tenants.get(tenant_id) if tenant_id else None

    def save(self, tenant: Tenant) -> None:
        with self._lock:
            self._tenants[tenant.tenant_id] = tenant

    def ids(self) -> list[str]:
        with self._lock:
            return sorted(self._tenants)

    def add_api_key(self, tenant_id: str, key_hash: str) -> None:
        with self._lock:
            self._keys[key_hash] = tenant_id


class FakeWorkflow:
    """Records the executions started and the events sent to waiting ones; a token resumes one wait only.

    An execution started runs until a test ends it (`end`) or it is stopped; starting one again changes nothing,
    as Step Functions refuses a name twice.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.starts: list[tuple[str, str, int]] = []  # (claim id, tenant id, generation)
        self.notified: list[tuple[str, dict[str, Any]]] = []  # (task token, event), also those nobody waited on
        self.executions: dict[tuple[str, int], str] = {}  # (claim id, generation) → status
        self._used: set[str] = set()

    def start(self, claim_id: str, tenant_id: str, generation: int = 0) -> str:
        with self._lock:
            self.starts.append((claim_id, tenant_id, generation))
            self.executions.setdefault((claim_id, generation), "RUNNING")
        return f"{claim_id}#{generation}"

    def status(self, claim_id: str, generation: int = 0) -> str | None:
        with self._lock:
            return self.executions.get((claim_id, generation))

    def stop(self, claim_id: str, generation: int, cause: str) -> None:
        with self._lock:
            if self.executions.get((claim_id, generation)) == "RUNNING":
                self.executions[(claim_id, generation)] = "ABORTED"

    def end(self, claim_id: str, generation: int = 0, status: str = "SUCCEEDED") -> None:
        with self._lock:
            self.executions[(claim_id, generation)] = status

    def notify(self, task_token: str, event: dict[str, Any]) -> bool:
        with self._lock:
            self.notified.append((task_token, event))
            waiting = task_token not in self._used
            self._used.add(task_token)
            return waiting

    def events_for(self, task_token: str) -> list[str]:
        with self._lock:
            return [str(event["type"]) for token, event in self.notified if token == task_token]


class FakeSender:
    """Records what it sends; can be told to fail the next sends, transiently or for good."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.sent: list[OutboundMessage] = []
        self.failures: list[Exception] = []
        self._lock = threading.Lock()

    def send(self, message: OutboundMessage) -> str:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append(message)
            return f"{self.channel}-{len(self.sent)}"

    def fail_transiently(self, times: int = 1) -> None:
        with self._lock:
            self.failures.extend(TransientError(f"{self.channel} provider busy") for _ in range(times))

    def fail_permanently(self, times: int = 1) -> None:
        with self._lock:
            self.failures.extend(PermanentDeliveryError(f"{self.channel} address refused") for _ in range(times))


class FakeNoticeQueue:
    """The `notices` queue: holds what was queued, with its delay, until a test hands it back (`take`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.queued: list[tuple[QueuedNotice, int]] = []
        self.failures: list[Exception] = []

    def enqueue(self, message: QueuedNotice, delay_seconds: int) -> None:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            self.queued.append((message, delay_seconds))

    def take(self) -> list[QueuedNotice]:
        """Everything queued so far, in order, as the consumer receives it; the queue is then empty."""
        with self._lock:
            taken = [message for message, _delay in self.queued]
            self.queued.clear()
            return taken

    def refuse(self, times: int = 1) -> None:
        with self._lock:
            self.failures.extend(TransientError("SQS unavailable") for _ in range(times))


class InMemoryRateLimiter:
    """Fixed-window counters, as the DynamoDB limiter keeps them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: defaultdict[str, int] = defaultdict(int)

    def hit(self, key: str, window_seconds: int, now: float) -> int:
        with self._lock:
            window = keys.rate_window(key, window_seconds, int(now // window_seconds) * window_seconds)
            self.counts[window] += 1
            return self.counts[window]


class ManualTime:
    """Real time that moves only when told: a VirtualClock on it at 86400 s per day runs 1:1 and never drifts."""

    def __init__(self, start: datetime = EPOCH) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def sleep(self, seconds: float) -> None:
        """A step that waits out a fraction of a second moves this time on, as a real sleep would."""
        self.advance(seconds=seconds)

    def clock(self) -> VirtualClock:
        return VirtualClock(86400.0, self.now, real_now=self, sleep=self.sleep)


@dataclass
class InMemoryPorts:
    """Every port a service may need, over one set of tables: what bootstrap.Container is to the deployed code."""

    tables: InMemoryTables = field(default_factory=InMemoryTables)
    time: ManualTime = field(default_factory=ManualTime)
    tenants: InMemoryTenantRepository = field(default_factory=InMemoryTenantRepository)
    workflow: FakeWorkflow = field(default_factory=FakeWorkflow)
    agency: FakeAgency = field(default_factory=FakeAgency)
    agency_files: InMemoryAgencyFiles = field(default_factory=InMemoryAgencyFiles)
    agency_queue: FakeAgencyQueue = field(default_factory=FakeAgencyQueue)
    rate_limiter: InMemoryRateLimiter = field(default_factory=InMemoryRateLimiter)
    senders: dict[Channel, FakeSender] = field(
        default_factory=lambda: {c: FakeSender(c) for c in (Channel.EMAIL, Channel.SMS, Channel.CALL, Channel.LETTER)}
    )
    notice_queue: FakeNoticeQueue = field(default_factory=FakeNoticeQueue)

    def __post_init__(self) -> None:
        self.claims = InMemoryClaimRepository(self.tables)
        self.timeline = InMemoryTimelineRepository(self.tables)
        self.deliveries = InMemoryMessageDeliveryRepository(self.tables)
        self.payments = InMemoryPaymentRepository(self.tables)
        self.task_tokens = InMemoryTaskTokenRepository(self.tables)
        self.clock = self.time.clock()

    def given(self, claim: Claim) -> Claim:
        """Store a claim as it stands (with its unique keys), as if earlier steps had put it there."""
        with self.tables.lock:
            stored = replace(claim, version=max(claim.version, 1))
            self.tables.claims[claim.claim_id] = stored
            self.tables.lookups[keys.external_id(claim.tenant_id, claim.external_id)] = (claim.claim_id, "")
            self.tables.lookups[keys.payment_reference(claim.payment_reference)] = (claim.claim_id, "")
            return stored

    def notices(self, links: ContactLinks) -> Notices:
        return Notices(self.deliveries, self.timeline, self.senders, self.clock, links, self.notice_queue)

    def money(self, thank: ThankYou | None = None) -> MoneyPorts:
        return MoneyPorts(self.claims, self.payments, self.workflow, self.clock, thank)

    def handover(self) -> HandoverPorts:
        return HandoverPorts(
            self.claims, self.timeline, self.payments, self.tenants, self.agency, self.agency_files, self.clock
        )

    def agency_updates(self) -> AgencyUpdates:
        return AgencyUpdates(self.agency_files, self.claims, self.agency_queue, self.agency, self.clock)

    def sent(self, channel: Channel = Channel.EMAIL) -> list[OutboundMessage]:
        return list(self.senders[channel].sent)
