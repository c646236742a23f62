"""Ports: what the services need from the outside world, one module per area. Adapters implement them.

Every port is importable from here; the modules only keep each area readable. No port has more than
eight methods (tests/unit/test_architecture.py): a repository that grows past that holds two roles.
"""

from chalicelib.services.ports.agency import AgencyClient, AgencyFileRepository, AgencyUpdateQueue
from chalicelib.services.ports.bank import BankEntryRepository, EntryPage, StatementParser, StatementStore
from chalicelib.services.ports.claims import ClaimRepository, Page, TimelineRepository
from chalicelib.services.ports.limits import RateLimiter
from chalicelib.services.ports.messaging import (
    MessageDeliveryRepository,
    MessageSender,
    NoticeQueue,
    OutboundMessage,
    QueuedNotice,
)
from chalicelib.services.ports.payments import (
    CheckoutProvider,
    CheckoutRequest,
    PaymentEvent,
    PaymentEventReader,
    PaymentRecord,
    PaymentRepository,
)
from chalicelib.services.ports.shops import ShopEventReader
from chalicelib.services.ports.tenants import TenantRepository
from chalicelib.services.ports.webhooks import (
    DeliveryPage,
    DeliveryQueue,
    DeliveryRepository,
    EndpointRepository,
    PostOutcome,
    WebhookPoster,
)
from chalicelib.services.ports.workflow import REOPENED_RUN, TaskTokenRepository, WorkflowClient, execution_name

__all__ = [
    "REOPENED_RUN",
    "AgencyClient",
    "AgencyFileRepository",
    "AgencyUpdateQueue",
    "BankEntryRepository",
    "CheckoutProvider",
    "CheckoutRequest",
    "ClaimRepository",
    "DeliveryPage",
    "DeliveryQueue",
    "DeliveryRepository",
    "EndpointRepository",
    "EntryPage",
    "MessageDeliveryRepository",
    "MessageSender",
    "NoticeQueue",
    "OutboundMessage",
    "Page",
    "PaymentEvent",
    "PaymentEventReader",
    "PaymentRecord",
    "PaymentRepository",
    "PostOutcome",
    "QueuedNotice",
    "RateLimiter",
    "ShopEventReader",
    "StatementParser",
    "StatementStore",
    "TaskTokenRepository",
    "TenantRepository",
    "TimelineRepository",
    "WebhookPoster",
    "WorkflowClient",
    "execution_name",
]
