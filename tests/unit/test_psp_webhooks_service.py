"""PSP webhooks on in-memory ports, with readers injected: refunds find their claim through the payment they undo."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from chalicelib.domain.claim import Status
from chalicelib.domain.errors import PaymentTakenError, SignatureError
from chalicelib.services.claims import create_claim
from chalicelib.services.payments import record_payment
from chalicelib.services.ports import PaymentEvent, PaymentRecord
from chalicelib.services.psp_webhooks import UnknownPaymentProviderError, handle_psp_webhook
from tests.unit.fake_world import PAY_SECRET, TENANT, hand_over, new_claim, world

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.domain.claim import Claim
    from chalicelib.services.ports import PaymentEventReader
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit


class Reader:
    """A provider whose signature always checks out and whose body says these events."""

    def __init__(self, *events: PaymentEvent) -> None:
        self.events = list(events)
        self.secrets: list[str] = []

    def __call__(self, body: bytes, headers: Mapping[str, str], secret: str) -> list[PaymentEvent]:
        self.secrets.append(secret)
        return self.events


def readers(reader: Reader) -> Mapping[str, PaymentEventReader]:
    return {"sandbox": reader}


def test_a_refund_that_names_only_its_payment_is_applied_to_the_claim_that_payment_paid() -> None:
    # GIVEN a claim paid through the PSP as payment pi_1
    ports = world()
    claim = hand_over(ports, amount=5240)
    payment = PaymentRecord("sandbox#evt_pay", 5240, "EUR", "sandbox", psp_payment_id="pi_1")
    record_payment(claim.claim_id, "shop", payment, ports.money())
    # WHEN a refund arrives that names no claim, only pi_1
    refund = PaymentEvent("evt_refund", None, -2000, "EUR", "refund", "re_1", original_payment="pi_1")
    [applied] = handle_psp_webhook(TENANT, "sandbox", {}, b"{}", readers(Reader(refund)), ports.money())
    # THEN that claim is due again with what was refunded (it had reached no stage yet: it is open again)
    assert applied.outcome is not None
    reopened = applied.outcome.claim
    assert (reopened.claim_id, reopened.ledger.balance, reopened.status) == (claim.claim_id, 2000, Status.OPEN)


def test_a_refund_of_a_payment_that_is_no_claims_is_ignored_and_changes_nothing() -> None:
    ports = world()
    claim = hand_over(ports, amount=5240)
    refund = PaymentEvent("evt_refund", None, -2000, "EUR", "refund", "re_1", original_payment="pi_shop_order")

    applied = handle_psp_webhook(TENANT, "sandbox", {}, b"{}", readers(Reader(refund)), ports.money())

    assert applied == []
    assert ports.payments.ledger(claim.claim_id) == []


def test_the_tenants_own_secret_for_the_provider_verifies_the_delivery() -> None:
    ports = world()
    claim = hand_over(ports, amount=5240)
    reader = Reader(PaymentEvent("evt_pay", claim.claim_id, 5240, "EUR", "payment", "pi_2"))

    [applied] = handle_psp_webhook(TENANT, "sandbox", {}, b"{}", readers(reader), ports.money())

    assert reader.secrets == ["sandbox-secret"]
    assert applied.outcome is not None and applied.outcome.claim.status == Status.PAID
    assert ports.payments.find_by_provider_reference("shop", "sandbox", "pi_2") == claim.claim_id


def test_a_provider_the_tenant_has_no_secret_for_is_refused_before_its_body_is_read() -> None:
    reader = Reader()

    with pytest.raises(SignatureError):
        handle_psp_webhook(TENANT, "stripe", {}, b"{}", {"stripe": reader}, world().money())

    assert reader.secrets == []


def test_a_provider_without_a_reader_is_not_found() -> None:
    with pytest.raises(UnknownPaymentProviderError):
        handle_psp_webhook(TENANT, "paypal", {}, b"{}", readers(Reader()), world().money())


RIVAL = replace(TENANT, tenant_id="rival", name="Rival GmbH", webhook_secrets={"sandbox": "rival-secret"})


def rival_claim(ports: InMemoryPorts, amount: int) -> Claim:
    ports.tenants.save(RIVAL)
    created = create_claim(new_claim(ports, amount), RIVAL, ports.claims, ports.workflow, ports.clock, PAY_SECRET)
    return created.claim


def test_another_tenant_paying_with_the_same_psp_payment_id_cannot_make_a_refund_vanish() -> None:
    # GIVEN the shop's claim paid through the PSP as payment pi_1
    ports = world()
    claim = hand_over(ports, amount=5240)
    paid = PaymentEvent("evt_pay", claim.claim_id, 5240, "EUR", "payment", "pi_1")
    handle_psp_webhook(TENANT, "sandbox", {}, b"{}", readers(Reader(paid)), ports.money())
    # AND another tenant posts a payment of its own claim naming the same pi_1
    theirs = rival_claim(ports, amount=100)
    forged = PaymentEvent("evt_forged", theirs.claim_id, 100, "EUR", "payment", "pi_1")
    handle_psp_webhook(RIVAL, "sandbox", {}, b"{}", readers(Reader(forged)), ports.money())
    # WHEN the shop's PSP refunds pi_1, naming only the payment
    refund = PaymentEvent("evt_refund", None, -2000, "EUR", "refund", "re_1", original_payment="pi_1")
    [applied] = handle_psp_webhook(TENANT, "sandbox", {}, b"{}", readers(Reader(refund)), ports.money())
    # THEN the refund lands on the shop's claim, and the other tenant's claim is untouched
    assert applied.outcome is not None
    assert (applied.outcome.claim.claim_id, applied.outcome.claim.ledger.balance) == (claim.claim_id, 2000)
    assert ports.claims.get(theirs.claim_id).ledger.paid == 100


def test_a_psp_payment_that_paid_one_claim_is_refused_for_another_claim_of_the_tenant() -> None:
    ports = world()
    first, second = hand_over(ports, amount=5240), hand_over(ports, amount=5240)
    handle_psp_webhook(
        TENANT,
        "sandbox",
        {},
        b"{}",
        readers(Reader(PaymentEvent("e1", first.claim_id, 2000, "EUR", "payment", "pi_1"))),
        ports.money(),
    )

    again = PaymentEvent("e2", first.claim_id, 1000, "EUR", "payment", "pi_1")
    other = PaymentEvent("e3", second.claim_id, 1000, "EUR", "payment", "pi_1")
    handle_psp_webhook(TENANT, "sandbox", {}, b"{}", readers(Reader(again)), ports.money())
    with pytest.raises(PaymentTakenError):
        handle_psp_webhook(TENANT, "sandbox", {}, b"{}", readers(Reader(other)), ports.money())

    # the same claim paid again through pi_1 is fine; the other claim got nothing
    assert ports.claims.get(first.claim_id).ledger.paid == 3000
    assert ports.payments.ledger(second.claim_id) == []
    assert ports.payments.find_by_provider_reference("shop", "sandbox", "pi_1") == first.claim_id
