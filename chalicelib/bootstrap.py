"""The composition root: builds the concrete adapters once, lazily; tests and the local stack swap them here."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.ladder import Channel
from chalicelib.services.pay_tokens import ContactLinks
from chalicelib.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from chalicelib.adapters.dynamodb.transactions import Transactions
    from chalicelib.adapters.messaging.outbox import LocalOutbox
    from chalicelib.adapters.payments.sandbox_checkout import SandboxCheckout
    from chalicelib.domain.claim import Claim
    from chalicelib.services.agency_updates import AgencyUpdates
    from chalicelib.services.handover import HandoverPorts
    from chalicelib.services.notices import Notices
    from chalicelib.services.outbound_webhooks import OutboundWebhooks
    from chalicelib.services.payments import MoneyPorts
    from chalicelib.services.ports import (
        AgencyClient,
        AgencyFileRepository,
        BankEntryRepository,
        CheckoutProvider,
        ClaimRepository,
        MessageDeliveryRepository,
        MessageSender,
        NoticeQueue,
        PaymentEventReader,
        PaymentRecord,
        PaymentRepository,
        RateLimiter,
        ShopEventReader,
        StatementParser,
        StatementStore,
        TaskTokenRepository,
        TenantRepository,
        TimelineRepository,
        WorkflowClient,
    )
    from chalicelib.services.self_service import SelfServicePorts


@dataclass
class Container:
    settings: Settings
    overrides: dict[str, Any] = field(default_factory=dict)

    def _override(self, name: str) -> Any:
        return self.overrides.get(name)

    @cached_property
    def clock(self) -> VirtualClock:
        return self._override("clock") or VirtualClock(self.settings.day_seconds, self.settings.clock_epoch)

    def _bind_tables(self) -> None:
        """Point the PynamoDB models at this stage's tables before any repository uses them."""
        from chalicelib.adapters.dynamodb.models import bind

        bind(self.settings.names)

    @cached_property
    def _transactions(self) -> Transactions:
        """The one connection shared by the repositories whose writes commit together (claim, events, payments)."""
        from chalicelib.adapters.dynamodb.transactions import Transactions

        self._bind_tables()
        return Transactions()

    @cached_property
    def claims(self) -> ClaimRepository:
        from chalicelib.adapters.dynamodb.claims import DynamoClaimRepository

        return self._override("claims") or DynamoClaimRepository(self._transactions)

    @cached_property
    def timeline(self) -> TimelineRepository:
        from chalicelib.adapters.dynamodb.timeline import DynamoTimelineRepository

        self._bind_tables()
        return self._override("timeline") or DynamoTimelineRepository()

    @cached_property
    def message_deliveries(self) -> MessageDeliveryRepository:
        from chalicelib.adapters.dynamodb.message_deliveries import DynamoMessageDeliveryRepository

        return self._override("message_deliveries") or DynamoMessageDeliveryRepository(self._transactions)

    @cached_property
    def payments(self) -> PaymentRepository:
        from chalicelib.adapters.dynamodb.payments import DynamoPaymentRepository

        return self._override("payments") or DynamoPaymentRepository(self._transactions)

    @cached_property
    def task_tokens(self) -> TaskTokenRepository:
        from chalicelib.adapters.dynamodb.task_tokens import DynamoTaskTokenRepository

        self._bind_tables()
        return self._override("task_tokens") or DynamoTaskTokenRepository()

    @cached_property
    def tenants(self) -> TenantRepository:
        from chalicelib.adapters.dynamodb.tenants import DynamoTenantRepository

        self._bind_tables()
        return self._override("tenants") or DynamoTenantRepository()

    @cached_property
    def money(self) -> MoneyPorts:
        """What every movement of a claim's money needs (services.payments), with the debtor's thank-you."""
        from chalicelib.services.payments import MoneyPorts

        return MoneyPorts(
            self.claims, self.payments, self.workflow, self.clock, self.thank_you, self.settings.race_budget_seconds
        )

    @cached_property
    def payment_readers(self) -> Mapping[str, PaymentEventReader]:
        """Which reader reads each payment provider's webhooks (services.psp_webhooks)."""
        from chalicelib.adapters.payments.readers import READERS

        return self._override("payment_readers") or dict(READERS)

    @cached_property
    def shop_readers(self) -> Mapping[str, ShopEventReader]:
        """Which reader reads each shop system's webhooks (services.shop_webhooks)."""
        from chalicelib.adapters.shops import READERS

        return self._override("shop_readers") or dict(READERS)

    @cached_property
    def workflow(self) -> WorkflowClient:
        from chalicelib.adapters.workflow.sfn import SfnWorkflowClient

        return self._override("workflow") or SfnWorkflowClient(self.settings.state_machine_arn)

    @cached_property
    def outbox(self) -> LocalOutbox:
        from chalicelib.adapters.messaging.outbox import LocalOutbox

        return LocalOutbox()

    @cached_property
    def senders(self) -> dict[Channel, MessageSender]:
        if self._override("senders"):
            return dict(self._override("senders"))
        from chalicelib.adapters.messaging.outbox import OutboxSender, RecordingSender
        from chalicelib.adapters.messaging.s3_letters import S3LetterStore
        from chalicelib.adapters.messaging.ses_email import SesEmailSender
        from chalicelib.adapters.messaging.sms_voice import SmsSender, VoiceCaller

        s = self.settings
        email = SesEmailSender(s.sender_email)
        letter = S3LetterStore(s.letters_bucket)
        if s.channel_mode != "local":
            return {
                Channel.EMAIL: email,
                Channel.SMS: SmsSender(s.sms_origination),
                Channel.CALL: VoiceCaller(s.sms_origination),
                Channel.LETTER: letter,
            }
        # Locally, SES and S3 are moto; End User Messaging SMS and Voice has no moto: the outbox stands in.
        return {
            Channel.EMAIL: RecordingSender(email, self.outbox, self.clock.now),
            Channel.SMS: OutboxSender(self.outbox, self.clock.now),
            Channel.CALL: OutboxSender(self.outbox, self.clock.now),
            Channel.LETTER: RecordingSender(letter, self.outbox, self.clock.now),
        }

    @cached_property
    def agency(self) -> AgencyClient:
        from chalicelib.adapters.agency.http_agency import HttpAgencyClient
        from chalicelib.adapters.secrets import resolve

        return self._override("agency") or HttpAgencyClient(
            self.settings.agency_url, resolve(self.settings.agency_secret)
        )

    @cached_property
    def agency_files(self) -> AgencyFileRepository:
        from chalicelib.adapters.dynamodb.agency_files import DynamoAgencyFileRepository

        self._bind_tables()
        return self._override("agency_files") or DynamoAgencyFileRepository()

    @cached_property
    def handover(self) -> HandoverPorts:
        """What the hand-over to the agency needs (services.handover)."""
        from chalicelib.services.handover import HandoverPorts

        return HandoverPorts(
            self.claims, self.timeline, self.payments, self.tenants, self.agency, self.agency_files, self.clock
        )

    @cached_property
    def agency_updates(self) -> AgencyUpdates:
        """Updates of handed-over claims: queued from the events stream, delivered through the `agency` FIFO queue."""
        from chalicelib.adapters.agency.sqs_updates import SqsAgencyUpdateQueue
        from chalicelib.services.agency_updates import AgencyUpdates

        names = self.settings.names
        queue = self._override("agency_queue") or SqsAgencyUpdateQueue(
            names.queue("agency"), names.dead_letter_queue("agency")
        )
        return AgencyUpdates(self.agency_files, self.claims, queue, self.agency, self.clock)

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        """Counters of the pay page's actions per link and claim (services.pay_limits)."""
        from chalicelib.adapters.dynamodb.rate_limits import DynamoRateLimiter

        self._bind_tables()
        return self._override("rate_limiter") or DynamoRateLimiter()

    @cached_property
    def pay_token_secret(self) -> str:
        from chalicelib.adapters.secrets import resolve

        return resolve(self.settings.pay_token_secret)

    @cached_property
    def checkout_sandbox(self) -> SandboxCheckout:
        from chalicelib.adapters.payments.sandbox_checkout import SandboxCheckout

        return SandboxCheckout(self.settings.public_base_url)

    @cached_property
    def checkout(self) -> CheckoutProvider | None:
        """Stripe where the stage has a key, the sandbox PSP on the local stack, otherwise no card payment."""
        if self._override("checkout"):
            return self._override("checkout")
        if self.settings.stripe_api_key:
            from chalicelib.adapters.payments.stripe_checkout import StripeCheckout
            from chalicelib.adapters.secrets import resolve

            return StripeCheckout(resolve(self.settings.stripe_api_key))
        return self.checkout_sandbox if self.settings.is_local else None

    @cached_property
    def notice_queue(self) -> NoticeQueue:
        """Where notices wait for the debtor's contact window, or for their provider to come back."""
        from chalicelib.adapters.webhooks.sqs_queue import SqsDeliveryQueue

        names = self.settings.names
        return self._override("notice_queue") or SqsDeliveryQueue(
            names.queue("notices"), names.dead_letter_queue("notices")
        )

    @cached_property
    def notices(self) -> Notices:
        from chalicelib.services.notices import Notices

        return Notices(self.message_deliveries, self.timeline, self.senders, self.clock, self.links, self.notice_queue)

    @cached_property
    def self_service(self) -> SelfServicePorts:
        """What the debtor's actions on the pay page need (services.self_service)."""
        from chalicelib.services.self_service import SelfServicePorts

        return SelfServicePorts(
            self.claims,
            self.timeline,
            self.workflow,
            self.notices,
            self.clock,
            self.checkout,
            self.settings.public_base_url,
        )

    @cached_property
    def thank_you(self) -> Callable[[Claim, PaymentRecord], None]:
        from chalicelib.services.notices import thank_you

        return thank_you(self.notices, self.tenants)

    @cached_property
    def links(self) -> ContactLinks:
        return ContactLinks(self.settings.public_base_url, self.pay_token_secret)

    @cached_property
    def outbound_webhooks(self) -> OutboundWebhooks:
        """Endpoints and deliveries in DynamoDB, attempts through the `webhooks` queue, signed HTTP POSTs."""
        from chalicelib.adapters.webhooks.dynamodb_endpoints import DynamoDeliveryRepository, DynamoEndpointRepository
        from chalicelib.adapters.webhooks.http_poster import HttpWebhookPoster
        from chalicelib.adapters.webhooks.sqs_queue import SqsDeliveryQueue
        from chalicelib.services.outbound_webhooks import OutboundWebhooks

        if self._override("outbound_webhooks"):
            return self._override("outbound_webhooks")
        self._bind_tables()
        names, local = self.settings.names, self.settings.is_local
        return OutboundWebhooks(
            DynamoEndpointRepository(),
            DynamoDeliveryRepository(),
            SqsDeliveryQueue(names.queue("webhooks"), names.dead_letter_queue("webhooks")),
            self._override("webhook_poster") or HttpWebhookPoster(local),
            self.clock,
            local,
        )

    @cached_property
    def bank_entries(self) -> BankEntryRepository:
        from chalicelib.adapters.dynamodb.bank_entries import DynamoBankEntryRepository

        self._bind_tables()
        return self._override("bank_entries") or DynamoBankEntryRepository()

    @cached_property
    def statement_parser(self) -> StatementParser:
        """Reads CAMT.053 and MT940 files; loaded only where statements are imported (lxml and mt-940 are heavy)."""
        from chalicelib.adapters.bank.statements import parse_statement

        return self._override("statement_parser") or parse_statement

    @cached_property
    def statement_store(self) -> StatementStore:
        """Reads the bank statement files merchants upload to the statements bucket."""
        from chalicelib.adapters.bank.s3_statements import S3StatementStore

        return self._override("statement_store") or S3StatementStore()


_container: Container | None = None


def container() -> Container:
    global _container  # noqa: PLW0603 - the one cached composition root of this process
    if _container is None:
        _container = Container(Settings.from_env())
    return _container


def reset(overrides: dict[str, Any] | None = None) -> Container:
    """Rebuild from the current environment; tests and the local stack call this after setting it."""
    global _container  # noqa: PLW0603
    _container = Container(Settings.from_env(), overrides or {})
    return _container
