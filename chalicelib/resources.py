"""The one description of Mahnwerk's AWS resources, shared by infra/cdk, infra/local and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

APP_NAME = "mahnwerk"
STAGES = ("local", "dev", "prod")
STATE_MACHINE = "dunning"
ASL_FILE = "statemachines/dunning.asl.json"


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str | None = None


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: every key is a string attribute; on-demand capacity."""

    key: str
    hash_key: str
    range_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    stream: bool = False

    def attribute_names(self) -> list[str]:
        names = [self.hash_key, self.range_key]
        for index in self.indexes:
            names += [index.hash_key, index.range_key]
        return list(dict.fromkeys(n for n in names if n))


TABLES: tuple[Table, ...] = (
    Table("tenants", hash_key="tenant_id"),
    # Unique keys that point at something: API-key hashes, external ids, payment references,
    # pay-token hashes, Idempotency-Keys. Each is claimed with a conditional put.
    Table("lookups", hash_key="key", ttl_attribute="expires_at"),
    Table(
        "claims",
        hash_key="claim_id",
        indexes=(
            Index("by_tenant", "tenant_id", "claim_id"),
            Index("by_tenant_status", "tenant_id", "status_claim"),
        ),
        ttl_attribute="expires_at",
    ),
    Table("events", hash_key="claim_id", range_key="event_id", stream=True),
    Table("payments", hash_key="claim_id", range_key="payment_key"),
    Table("messages", hash_key="claim_id", range_key="delivery_key"),
    # Outbound webhooks: the tenant's endpoints (with their signing secrets) and every delivery with its attempts.
    Table("webhook_endpoints", hash_key="tenant_id", range_key="endpoint_id"),
    Table("webhook_deliveries", hash_key="tenant_id", range_key="delivery_id", ttl_attribute="expires_at"),
    # Credit entries of imported bank statements. Only entries waiting for review carry `review_tenant` and
    # `review_key` (booking date, entry id), so the sparse index by_review is the review list, oldest first.
    Table(
        "bank_entries",
        hash_key="tenant_id",
        range_key="entry_id",
        indexes=(Index("by_review", "review_tenant", "review_key"),),
    ),
    # Where each claim's hand-over to the collection agency stands (started, filed, failed): the agency
    # updates (services.agency_updates) go only to an agency that holds the claim.
    Table("agency_handovers", hash_key="claim_id"),
    # Rate-limit counters, one item per counted key and fixed window: "<what is counted>#<window start>", e.g.
    # "pay:contact:token:<token hash>:3600#1767225600" (domain.pay_limits names what is counted). Each
    # expires after its window; `hits` counts the requests in it.
    Table("rate_limits", hash_key="key", ttl_attribute="expires_at"),
)


@dataclass(frozen=True)
class Queue:
    """An SQS queue with its dead-letter queue, consumed by one Lambda function."""

    key: str
    consumer: str  # the Chalice function name that the event source mapping invokes
    visibility_timeout: int = 120  # seconds; above the consumer's timeout
    max_receive_count: int = 5  # crashes of the consumer before a message is parked in the DLQ
    batch_size: int = 10
    fifo: bool = False  # first in, first out per message group; the names end in ".fifo"


QUEUES: tuple[Queue, ...] = (
    # One message per (event, endpoint); back-off re-enqueues with a delay, the last failure parks it in the DLQ.
    Queue("webhooks", consumer="deliver_webhooks", batch_size=5),  # 10 s per attempt: 50 s, below the timeout
    # S3 "object created" notifications of the statements bucket: each uploaded file is imported once.
    Queue("statements", consumer="import_statements", batch_size=1, visibility_timeout=300),
    # Updates of handed-over claims for the collection agency, in order per claim (message group = claim id).
    # One at a time: a failed update waits out its back-off while the claim's later updates wait behind it. The
    # consumer parks an update itself after its last attempt; the redrive is for consumers that crash.
    Queue("agency", consumer="deliver_agency_updates", batch_size=1, max_receive_count=12, fifo=True),
    # Notices to debtors that may not go now (outside the contact window, provider down): re-enqueued in hops of
    # at most 15 minutes until their moment, then sent once (the notice's key).
    Queue("notices", consumer="send_notices"),
)


@dataclass(frozen=True)
class StreamConsumer:
    """A Lambda function reading a table's DynamoDB stream, each from its own position."""

    table: str
    consumer: str


STREAM_CONSUMERS: tuple[StreamConsumer, ...] = (
    # The transactional outbox of the events table: the merchant's webhooks, and the agency's updates.
    StreamConsumer("events", "publish_events"),
    StreamConsumer("events", "forward_agency_updates"),
)
# Lambda functions fed by queues, streams and buckets rather than by the state machine.
EVENT_FUNCTIONS: tuple[str, ...] = (
    "publish_events",
    "deliver_webhooks",
    "import_statements",
    "forward_agency_updates",
    "deliver_agency_updates",
    "send_notices",
)
_FIFO_QUEUES = frozenset(queue.key for queue in QUEUES if queue.fifo)

# Lambda functions called by the state machine, and the ASL substitution naming each one.
WORKFLOW_FUNCTIONS: dict[str, str] = {
    "PlanNextStepFunctionArn": "plan_next_step",
    "AwaitEventFunctionArn": "await_event",
    "SendEmailFunctionArn": "send_email",
    "SendSmsFunctionArn": "send_sms",
    "PlaceCallFunctionArn": "place_call",
    "SendLetterFunctionArn": "send_letter",
    "CompleteStageFunctionArn": "complete_stage",
    "HandOverFunctionArn": "hand_over",
    "ReviewAgreementFunctionArn": "review_agreement",
}


@dataclass(frozen=True)
class Throttling:
    rate: float  # requests per second, on average
    burst: int  # requests at once


# API Gateway's stage throttling, for all clients together, in front of the pay page's limits per link
# (domain.pay_limits). Beyond it API Gateway answers 429 before any Lambda runs; override per stage in CDK context.
API_THROTTLING = Throttling(rate=50.0, burst=100)


@dataclass(frozen=True)
class Names:
    """Physical resource names for one stage."""

    stage: str
    region: str = "eu-central-1"
    account: str = "123456789012"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return f"{APP_NAME}-{self.stage}"

    def table(self, key: str) -> str:
        return f"{self.prefix}-{key}"

    def function(self, name: str) -> str:
        # Chalice names deployed functions "<app>-<stage>-<function>".
        return f"{self.prefix}-{name}"

    def function_arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function(name)}"

    @property
    def state_machine(self) -> str:
        return f"{self.prefix}-{STATE_MACHINE}"

    @property
    def state_machine_arn(self) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{self.state_machine}"

    @property
    def letters_bucket(self) -> str:
        return f"{self.prefix}-letters-{self.account}"

    @property
    def statements_bucket(self) -> str:
        """Merchants upload CAMT.053 / MT940 files here under `<tenant_id>/`; each upload is imported."""
        return f"{self.prefix}-statements-{self.account}"

    def queue(self, key: str) -> str:
        return f"{self.prefix}-{key}{_fifo_suffix(key)}"

    def dead_letter_queue(self, key: str) -> str:
        """A FIFO queue's dead-letter queue is FIFO too (SQS requires it)."""
        return f"{self.prefix}-{key}-dlq{_fifo_suffix(key)}"


def _fifo_suffix(key: str) -> str:
    return ".fifo" if key in _FIFO_QUEUES else ""


def asl_substitutions(function_arn: Callable[[str], str]) -> dict[str, str]:
    """Map every ${Token} of the ASL to a value; `function_arn` resolves a Chalice function name."""
    return {token: function_arn(function) for token, function in WORKFLOW_FUNCTIONS.items()}
