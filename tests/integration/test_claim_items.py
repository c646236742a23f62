"""The claim's DynamoDB items under moto: the task token is the token port's alone, PSP lookups are the tenant's."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.stub import Stubber
from pynamodb.connection import Connection

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.claims import DynamoClaimRepository
from chalicelib.adapters.dynamodb.models import LookupModel, bind
from chalicelib.adapters.dynamodb.payments import DynamoPaymentRepository
from chalicelib.adapters.dynamodb.task_tokens import DynamoTaskTokenRepository
from chalicelib.adapters.dynamodb.transactions import Transactions
from chalicelib.domain.claim import Status
from chalicelib.domain.errors import ClaimClosedError, ConflictError, PaymentTakenError
from chalicelib.domain.events import Event, EventType
from chalicelib.resources import TABLES, Names
from chalicelib.services.ports import PaymentRecord
from infra.local.provision import create_table
from tests.fakes import EPOCH
from tests.integration.adapters import REGION
from tests.unit.fake_world import new_claim, world

if TYPE_CHECKING:
    from collections.abc import Iterator

    from chalicelib.domain.claim import Claim

pytestmark = pytest.mark.integration


@pytest.fixture
def tables(moto_aws: None) -> Iterator[None]:
    names = Names("local", REGION)
    client = boto3.client("dynamodb", region_name=REGION)
    for table in TABLES:
        create_table(client, names.table(table.key), table)
    bind(names)
    yield


def stored_claim(tenant_id: str = "shop", amount: int = 10000) -> Claim:
    """A new claim, built by the one use case on fakes, then stored in DynamoDB."""
    from chalicelib.services.claims import create_claim
    from tests.unit.fake_world import PAY_SECRET, TENANT

    ports = world()
    claim = create_claim(
        new_claim(ports, amount),
        replace(TENANT, tenant_id=tenant_id),
        ports.claims,
        ports.workflow,
        ports.clock,
        PAY_SECRET,
    ).claim
    fresh = replace(claim, version=0, task_token=None)
    return DynamoClaimRepository().add(fresh, f"hash-{claim.claim_id}", None, Event(EventType.CLAIM_CREATED, EPOCH))


def payment(key: str, amount: int, psp_payment_id: str | None = None) -> PaymentRecord:
    return PaymentRecord(key, amount, "EUR", "sandbox", psp_payment_id=psp_payment_id)


def test_a_claim_written_from_an_older_read_keeps_the_token_stored_since(tables: None) -> None:
    claims, tokens = DynamoClaimRepository(), DynamoTaskTokenRepository()
    claim = stored_claim()
    tokens.set_task_token(claim.claim_id, "token-1")
    read = claims.get(claim.claim_id)
    # the execution moves on to a newer wait after the claim was read
    tokens.set_task_token(claim.claim_id, "token-2")

    written = claims.update(replace(read, stage="reminder"), [])

    assert written.task_token == "token-2"
    assert (claims.get(claim.claim_id).task_token, claims.get(claim.claim_id).stage) == ("token-2", "reminder")
    assert written.version == read.version + 1


def test_a_payment_from_an_older_read_keeps_the_token_and_a_stale_version_still_loses(tables: None) -> None:
    claims, payments, tokens = DynamoClaimRepository(), DynamoPaymentRepository(), DynamoTaskTokenRepository()
    claim = stored_claim()
    read = claims.get(claim.claim_id)
    tokens.set_task_token(claim.claim_id, "token-2")  # no version change: the read is still current

    paid = payments.apply_payment(replace(read, ledger=read.ledger.with_payment(3000)), payment("p1", 3000), [])

    assert paid.task_token == "token-2"
    assert claims.get(claim.claim_id).task_token == "token-2"
    with pytest.raises(ConflictError):
        payments.apply_payment(replace(read, ledger=read.ledger.with_payment(500)), payment("p2", 500), [])
    assert [p["payment_key"] for p in payments.payments(claim.claim_id)] == ["p1"]


def test_the_write_that_closes_the_claim_takes_its_token_and_no_wait_may_begin_after(tables: None) -> None:
    claims, payments, tokens = DynamoClaimRepository(), DynamoPaymentRepository(), DynamoTaskTokenRepository()
    claim = stored_claim(amount=3000)
    tokens.set_task_token(claim.claim_id, "token-1")
    read = claims.get(claim.claim_id)

    settled = replace(read, ledger=read.ledger.with_payment(3000)).transition(Status.PAID, EPOCH)
    paid = payments.apply_payment(settled, payment("p1", 3000), [])

    assert paid.task_token == "token-1"  # the caller resumes it
    assert claims.get(claim.claim_id).task_token is None
    with pytest.raises(ClaimClosedError):
        tokens.set_task_token(claim.claim_id, "token-late")


def test_a_wait_of_a_run_that_a_re_opening_replaced_is_refused(tables: None) -> None:
    claims, tokens = DynamoClaimRepository(), DynamoTaskTokenRepository()
    claim = stored_claim()
    claims.update(replace(claims.get(claim.claim_id), reopened=1), [])

    tokens.set_task_token(claim.claim_id, "run-1", run=1)
    with pytest.raises(ClaimClosedError):
        tokens.set_task_token(claim.claim_id, "run-0", run=0)

    assert claims.get(claim.claim_id).task_token == "run-1"
    tokens.clear_task_token(claim.claim_id)
    assert claims.get(claim.claim_id).task_token is None


def test_another_tenants_payment_naming_the_same_psp_id_takes_nothing_over(tables: None) -> None:
    claims, payments = DynamoClaimRepository(), DynamoPaymentRepository()
    ours, theirs = stored_claim("shop"), stored_claim("rival")

    for claim, key in ((ours, "ours"), (theirs, "theirs")):
        read = claims.get(claim.claim_id)
        payments.apply_payment(replace(read, ledger=read.ledger.with_payment(100)), payment(key, 100, "pi_1"), [])

    assert payments.find_by_provider_reference("shop", "sandbox", "pi_1") == ours.claim_id
    assert payments.find_by_provider_reference("rival", "sandbox", "pi_1") == theirs.claim_id


def test_a_psp_payment_of_one_claim_is_refused_for_another_claim_of_the_tenant_and_nothing_is_written(
    tables: None,
) -> None:
    claims, payments = DynamoClaimRepository(), DynamoPaymentRepository()
    first, second = stored_claim(), stored_claim()
    read = claims.get(first.claim_id)
    payments.apply_payment(replace(read, ledger=read.ledger.with_payment(100)), payment("a", 100, "pi_1"), [])
    again = claims.get(first.claim_id)
    payments.apply_payment(replace(again, ledger=again.ledger.with_payment(100)), payment("b", 100, "pi_1"), [])

    other = claims.get(second.claim_id)
    with pytest.raises(PaymentTakenError, match=first.claim_id):
        payments.apply_payment(replace(other, ledger=other.ledger.with_payment(100)), payment("c", 100, "pi_1"), [])

    assert payments.payments(second.claim_id) == []
    assert claims.get(second.claim_id).version == other.version
    assert claims.get(first.claim_id).ledger.paid == 200


def test_a_lookup_stored_before_tenants_had_their_own_is_read_by_its_tenant_only(tables: None) -> None:
    claim = stored_claim()
    LookupModel(keys.legacy_provider_payment("stripe", "pi_old"), target=claim.claim_id, tenant_id="shop").save()

    payments = DynamoPaymentRepository()

    assert payments.find_by_provider_reference("shop", "stripe", "pi_old") == claim.claim_id
    assert payments.find_by_provider_reference("rival", "stripe", "pi_old") is None


def test_a_write_whose_transaction_met_another_on_the_claim_lost_a_race_and_is_tried_again(tables: None) -> None:
    claim = stored_claim()
    connection = Connection(region=REGION)
    stubber = Stubber(connection.client)
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        service_message="Transaction cancelled",
        http_status_code=400,
        modeled_fields={"CancellationReasons": [{"Code": "TransactionConflict"}, {"Code": "None"}]},
    )
    claims = DynamoClaimRepository(Transactions(connection))
    read = claims.get(claim.claim_id)

    with stubber, pytest.raises(ConflictError) as raced:
        claims.update(replace(read, stage="reminder"), [Event(EventType.STAGE_ESCALATED, EPOCH)])

    assert type(raced.value) is ConflictError  # a plain lost race: services.retries tries it again
    assert "another transaction" in str(raced.value)
