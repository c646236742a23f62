"""Bank statements end to end: CAMT.053 and MT940 over HTTP and through the S3 bucket, matching, review, assignment."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from chalicelib.domain.errors import TransientError
from chalicelib.domain.payment_reference import pretty
from chalicelib.statement_tasks import import_statements
from infra.local.bank_files import statement_file
from tests.factories import claim_request
from tests.harness import wait_for, without_notices

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration

LATER = (date.today() + timedelta(days=60)).isoformat()  # due far ahead: no message and no fee during a test


def money_events(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The claim's timeline without what the ladder and the notices say to the debtor."""
    return [e for e in view["timeline"] if not e["type"].startswith(("message.", "contact.", "stage."))]


def upload(harness: Harness, content: bytes, tenant: str = "demo", content_type: str = "application/xml") -> Any:
    headers = {**harness.headers(tenant), "Content-Type": content_type}
    return harness.client.http.post("/v1/bank-statements", headers=headers, body=content)


def unmatched(harness: Harness, tenant: str = "demo") -> list[dict[str, Any]]:
    response = harness.get("/v1/payments/unmatched?limit=100", tenant)
    assert response.status_code == 200, response.body
    return list(response.json_body["items"])


def debtor(name: str) -> dict[str, str]:
    return {"name": name, "email": f"{uuid.uuid4().hex[:8]}@example.com"}


def test_a_camt_file_with_a_claims_reference_settles_it_and_stops_its_dunning(harness: Harness) -> None:
    # GIVEN a claim in dunning: its first reminder went out
    claim = harness.create_claim()
    wait_for(lambda: harness.outbox(claim["id"]), timeout=20)
    # WHEN the bank statement shows a transfer naming its reference, typed in lower case with spaces
    reference = pretty(claim["payment_reference"]).lower()
    response = upload(harness, statement_file("camt053_001_02.xml", REF1=reference, AMOUNT1=claim["balance"]))
    # THEN the claim is paid by the bank, and dunning ends without another message
    assert response.status_code == 201, response.body
    summary = response.json_body
    assert summary["format"] == "camt.053.001.02"
    assert summary["duplicate"] is False
    assert summary["entries"] == 5
    payment = next(p for p in summary["payments"] if p["claim_id"] == claim["id"])
    assert payment == payment | {
        "amount": claim["balance"],
        "method": "reference",
        "balance": 0,
        "claim_status": "paid",
    }
    sent = len(harness.outbox(claim["id"]))
    assert harness.wait_until_finished(claim["id"]) == "SUCCEEDED"
    after = harness.claim(claim["id"])
    assert after["status"] == "paid"
    assert after["balance"] == 0
    assert len(harness.outbox(claim["id"])) == sent
    received = [e for e in after["timeline"] if e["type"] == "payment.received"]
    assert [e["provider"] for e in received] == ["bank"]


def test_the_same_file_imported_again_changes_nothing(harness: Harness) -> None:
    # GIVEN a statement that paid one claim in part and left entries for review
    claim = harness.create_claim(due_date=LATER)
    content = statement_file("camt053_001_08.xml", REF1=claim["payment_reference"], AMOUNT1=5000)
    assert upload(harness, content).status_code == 201
    before, review_before = without_notices(harness.claim(claim["id"])), unmatched(harness)
    # WHEN the same file is uploaded again
    again = upload(harness, content)
    # THEN it is recognised, and balance, timeline and review list are as they were
    assert again.status_code == 200, again.body
    assert again.json_body["duplicate"] is True
    assert again.json_body["payments"] == []
    assert without_notices(harness.claim(claim["id"])) == before
    assert before["balance"] == claim["balance"] - 5000
    assert unmatched(harness) == review_before
    # AND a different file holding the same bookings (an overlapping statement) adds nothing either
    overlapping = upload(harness, content.replace(b"<MsgId>", b"<MsgId>OVERLAP-"))
    assert overlapping.status_code == 201
    assert overlapping.json_body["duplicates"] == overlapping.json_body["entries"]
    assert overlapping.json_body["payments"] == []
    assert without_notices(harness.claim(claim["id"])) == before


def test_an_unmatched_entry_is_listed_and_can_be_assigned_once(harness: Harness) -> None:
    # GIVEN a statement whose insurer refund (17.30) matches no claim
    claim = harness.create_claim(due_date=LATER)
    assert upload(harness, statement_file("camt053_001_02.xml")).status_code == 201
    listed = [e for e in unmatched(harness) if e["amount"] == 1730]
    assert len(listed) == 1
    entry = listed[0]
    assert entry == entry | {"currency": "EUR", "status": "review", "debtor_name": "Allianz Versicherungs-AG"}
    assert entry["debtor_iban"] == "DE39700800000221301600"
    assert entry["booking_date"] == "2026-03-03"
    assert "Erstattung Schaden" in entry["remittance"]
    # WHEN the merchant assigns it to the claim
    path = f"/v1/payments/unmatched/{entry['id']}/assign"
    response = harness.post(path, {"claim_id": claim["id"]})
    # THEN the claim's balance is lower and the entry has left the review list
    assert response.status_code == 200, response.body
    assert response.json_body["entry"]["status"] == "assigned"
    assert response.json_body["payments"] == [
        {
            "claim_id": claim["id"],
            "amount": 1730,
            "entry_id": entry["id"],
            "method": "manual",
            "balance": claim["balance"] - 1730,
            "claim_status": "open",
        }
    ]
    assert harness.claim(claim["id"])["balance"] == claim["balance"] - 1730
    assert entry["id"] not in {e["id"] for e in unmatched(harness)}
    # AND assigning it again is refused, without moving money twice
    assert harness.post(path, {"claim_id": claim["id"]}).status_code == 409
    assert harness.claim(claim["id"])["paid"] == 1730


def test_an_unmatched_entry_can_be_split_over_several_claims(harness: Harness) -> None:
    first, second = harness.create_claim(due_date=LATER), harness.create_claim(due_date=LATER)
    upload(harness, statement_file("camt053_001_02.xml"))
    entry = next(e for e in unmatched(harness) if e["amount"] == 1730)
    path = f"/v1/payments/unmatched/{entry['id']}/assign"
    # amounts that do not add up to the payment are refused and change nothing
    bad = harness.post(path, {"allocations": [{"claim_id": first["id"], "amount": 1000}]})
    assert bad.status_code == 400
    assert bad.json_body["errors"][0]["field"] == "allocations"
    split = [{"claim_id": first["id"], "amount": 1000}, {"claim_id": second["id"], "amount": 730}]
    assert harness.post(path, {"allocations": split}).status_code == 200
    assert harness.claim(first["id"])["paid"] == 1000
    assert harness.claim(second["id"])["paid"] == 730


def test_a_batch_booking_pays_in_part_and_pays_two_claims_of_one_debtor_keeping_the_excess(harness: Harness) -> None:
    # GIVEN one claim, and two claims of another debtor
    partial = harness.create_claim(due_date=LATER)
    older = harness.create_claim(due_date=LATER, debtor=debtor("Gartenbau Schmidt GmbH"), amount=3000)
    newer = harness.create_claim(
        due_date=(date.today() + timedelta(days=70)).isoformat(), debtor=debtor("Gartenbau Schmidt GmbH"), amount=4500
    )
    # WHEN a batch credit pays 50.00 on the first and 80.00 naming both of the others (5.00 too much)
    content = statement_file(
        "camt053_001_08.xml",
        REF2=partial["payment_reference"],
        AMOUNT2=5000,
        REF3=pretty(older["payment_reference"]),
        REF4=newer["payment_reference"].lower(),
        AMOUNT3=8000,
        NAME3="GARTENBAU SCHMIDT GMBH",
    )
    response = upload(harness, content, content_type="application/octet-stream")
    assert response.status_code == 201, response.body
    # THEN the first is paid in part and dunning goes on; the others are paid, the excess kept on the newer one
    after = harness.claim(partial["id"])
    assert (after["status"], after["balance"]) == ("open", partial["balance"] - 5000)
    assert harness.claim(older["id"])["status"] == "paid"
    newer_after = harness.claim(newer["id"])
    assert (newer_after["status"], newer_after["overpaid"]) == ("paid", 500)
    assert any(e["type"] == "payment.overpaid" for e in newer_after["timeline"])
    methods = {(p["claim_id"], p["amount"], p["method"]) for p in response.json_body["payments"]}
    assert methods >= {
        (partial["id"], 5000, "reference"),
        (older["id"], 3000, "reference"),
        (newer["id"], 5000, "reference"),
    }


def test_an_mt940_file_is_matched_by_reference_and_by_name_and_amount(harness: Harness) -> None:
    by_reference = harness.create_claim(due_date=LATER)
    by_name = harness.create_claim(due_date=LATER, debtor=debtor("Jürgen Weiß-Müller"), amount=9990)
    partial = harness.create_claim(due_date=LATER)
    content = statement_file(
        "mt940.sta",
        REF1=pretty(by_reference["payment_reference"]).lower(),
        AMOUNT1=by_reference["balance"],
        REF2=partial["payment_reference"],
        AMOUNT2=2345,
        NAME5="WEISS-MUELLER, JUERGEN",
        AMOUNT5=9990,
    )
    response = upload(harness, content, content_type="text/plain")
    assert response.status_code == 201, response.body
    summary = response.json_body
    assert (summary["format"], summary["entries"], summary["matched"], summary["unmatched"]) == ("mt940", 4, 3, 1)
    assert harness.claim(by_reference["id"])["status"] == "paid"
    assert harness.claim(by_name["id"])["status"] == "paid"
    assert harness.claim(partial["id"])["balance"] == partial["balance"] - 2345
    name_payment = next(p for p in summary["payments"] if p["claim_id"] == by_name["id"])
    assert name_payment["method"] == "name_amount"


def test_a_file_uploaded_to_the_statements_bucket_is_imported_for_the_tenant_of_its_folder(harness: Harness) -> None:
    claim = harness.create_claim(due_date=LATER)
    content = statement_file("camt053_001_02.xml", REF1=claim["payment_reference"], AMOUNT1=claim["balance"])
    names = harness.app.settings.names
    # WHEN the merchant uploads the file into its folder of the bucket
    boto3.client("s3").put_object(Bucket=names.statements_bucket, Key="demo/Kontoauszug März 2026.xml", Body=content)
    event = {"Records": receive_notifications(names.queue("statements"))}
    # THEN the queue's notification imports it
    assert import_statements(event, None) == {"batchItemFailures": []}
    assert harness.claim(claim["id"])["status"] == "paid"
    # AND a file of an unknown tenant is dropped without a retry, and a busy S3 is retried
    boto3.client("s3").put_object(Bucket=names.statements_bucket, Key="nobody/statement.xml", Body=content)
    assert import_statements({"Records": receive_notifications(names.queue("statements"))}, None) == {
        "batchItemFailures": []
    }
    harness.app.statement_store = BusyStore()
    boto3.client("s3").put_object(Bucket=names.statements_bucket, Key="demo/again.xml", Body=content)
    records = receive_notifications(names.queue("statements"))
    assert import_statements({"Records": records}, None) == {
        "batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]
    }


class BusyStore:
    def read(self, bucket: str, key: str) -> bytes:
        raise TransientError("S3 is busy: SlowDown")


def receive_notifications(queue_name: str) -> list[dict[str, Any]]:
    """The object-created notifications waiting in the queue, shaped as Lambda's SQS records."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    records = []
    for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if "Records" in json.loads(message["Body"]):  # S3's test event names no object
            records.append({"messageId": message["MessageId"], "body": message["Body"], "eventSource": "aws:sqs"})
    assert records, "S3 sent no notification"
    return records


def test_another_tenant_can_neither_see_nor_assign_the_entries(harness: Harness) -> None:
    claim = harness.create_claim(due_date=LATER)
    upload(harness, statement_file("camt053_001_02.xml"))
    entry = next(e for e in unmatched(harness) if e["amount"] == 1730)
    # the other tenant's review list does not show it, and it cannot assign it
    assert entry["id"] not in {e["id"] for e in unmatched(harness, "other")}
    path = f"/v1/payments/unmatched/{entry['id']}/assign"
    assert harness.post(path, {"claim_id": claim["id"]}, tenant="other").status_code == 404
    # the demo tenant cannot assign it to the other tenant's claim
    theirs = harness.post("/v1/claims", claim_request(due_date=LATER), tenant="other").json_body
    assert harness.post(path, {"claim_id": theirs["id"]}).status_code == 404
    assert harness.claim(theirs["id"], "other")["paid"] == 0
    assert entry["id"] in {e["id"] for e in unmatched(harness)}


def test_a_statement_for_the_other_tenant_never_touches_the_demo_tenants_claims(harness: Harness) -> None:
    claim = harness.create_claim(due_date=LATER)
    content = statement_file("camt053_001_02.xml", REF1=claim["payment_reference"], AMOUNT1=claim["balance"])
    response = upload(harness, content, tenant="other")
    assert response.status_code == 201
    assert response.json_body["payments"] == []
    assert harness.claim(claim["id"])["balance"] == claim["balance"]


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"Datum;Betrag\n03.03.2026;123,45\n", "text/plain", 400),
        (b"<Document/>", "application/xml", 400),
        (b'{"statement": "camt"}', "application/json", 415),
        (b"<" + b"x" * (5 * 1024 * 1024), "application/xml", 400),
    ],
)
def test_what_is_not_a_statement_file_is_refused_with_a_problem(
    harness: Harness, content: bytes, content_type: str, status: int
) -> None:
    response = upload(harness, content, content_type=content_type)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert unmatched(harness) == []


def test_the_review_list_pages_with_a_cursor_that_only_its_tenant_can_use(harness: Harness) -> None:
    upload(harness, statement_file("camt053_001_02.xml"))
    everything = {e["id"] for e in unmatched(harness)}
    assert len(everything) == 5  # nothing in the file matches a claim
    seen: list[str] = []
    path = "/v1/payments/unmatched?limit=2"
    while path:
        page = harness.get(path).json_body
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        path = f"/v1/payments/unmatched?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert sorted(seen) == sorted(everything)
    cursor = harness.get("/v1/payments/unmatched?limit=2").json_body["next_cursor"]
    assert harness.get(f"/v1/payments/unmatched?cursor={cursor}", "other").status_code == 400
    assert harness.get("/v1/payments/unmatched?limit=0").status_code == 400


def test_the_review_list_shows_the_oldest_booking_first(harness: Harness) -> None:
    march = statement_file("camt053_001_02.xml")
    february = statement_file("camt053_001_08.xml").replace(b"2026-03-03", b"2026-02-01")

    assert upload(harness, march).status_code == 201
    assert upload(harness, february).status_code == 201

    dates = [entry["booking_date"] for entry in unmatched(harness)]
    assert dates[0] == "2026-02-01"
    assert dates == sorted(dates)
    assert {"2026-02-01", "2026-03-03"} <= set(dates)


@pytest.mark.parametrize(
    ("paying", "reversing", "content_type"),
    [
        ("camt053_001_08.xml", "camt053_reversal.xml", "application/xml"),
        ("mt940.sta", "mt940_reversal.sta", "text/plain"),
    ],
)
def test_a_claim_paid_by_a_bank_credit_is_reopened_by_a_later_statements_reversal(
    harness: Harness, paying: str, reversing: str, content_type: str
) -> None:
    # GIVEN a claim paid in full by a transfer that carried an end-to-end id, its dunning ended
    claim = harness.create_claim(due_date=LATER)
    paid = upload(
        harness, statement_file(paying, REF2=claim["payment_reference"], AMOUNT2=claim["balance"]), "demo", content_type
    )
    assert paid.status_code == 201, paid.body
    assert harness.claim(claim["id"])["status"] == "paid"
    assert harness.wait_until_finished(claim["id"]) == "SUCCEEDED"
    # WHEN a later statement books the bank taking that credit back (same end-to-end id, no reference in its text)
    reversal = statement_file(reversing, AMOUNT1=claim["balance"], E2E1="E2E-20260303-000871", REF1="Ruecklastschrift")
    response = upload(harness, reversal, content_type=content_type)
    # THEN the money goes back out of the claim through record_reversal: it is due again (re-opened)
    assert response.status_code == 201, response.body
    [taken_back] = response.json_body["reversals"]
    assert taken_back == taken_back | {"claim_id": claim["id"], "amount": claim["balance"], "method": "reversed_credit"}
    assert (taken_back["balance"], taken_back["claim_status"]) == (claim["balance"], "open")
    after = harness.claim(claim["id"])
    assert (after["status"], after["balance"], after["paid"]) == ("open", claim["balance"], 0)
    types = [e["type"] for e in after["timeline"]]
    assert types.count("payment.reversed") == 1
    assert "claim.reopened" in types
    # AND the same reversal again changes nothing, nor waits for review
    again = upload(harness, reversal, content_type=content_type)
    assert again.status_code == 200
    # (the re-opened ladder may have written to the debtor meanwhile: the money is what must not move again)
    assert money_events(harness.claim(claim["id"])) == money_events(after)
    assert [e for e in unmatched(harness) if e["kind"] == "reversal"] == []


def test_a_reversal_the_import_cannot_tie_to_a_credit_waits_for_review_as_a_reversal(harness: Harness) -> None:
    claim = harness.create_claim(due_date=LATER)
    response = upload(harness, statement_file("camt053_reversal.xml", AMOUNT1=claim["balance"], E2E1="E2E-UNKNOWN"))
    assert response.status_code == 201, response.body
    assert response.json_body["reversals"] == []
    [waiting] = unmatched(harness)
    assert waiting == waiting | {"kind": "reversal", "amount": claim["balance"], "status": "review", "reverses": None}
    assert "no imported credit" in waiting["review_reason"]
    assert harness.claim(claim["id"])["paid"] == 0


HOSTILE_AMOUNTS = ["1E999999", "Infinity", "sNaN", "NaN", "1E30", "-12.50", "12,50", "1" * 19, "0.000001"]


@pytest.mark.parametrize("amount", HOSTILE_AMOUNTS)
def test_a_camt_amount_its_schema_does_not_allow_is_a_400_naming_it_and_stores_nothing(
    harness: Harness, amount: str
) -> None:
    claim = harness.create_claim(due_date=LATER)
    content = statement_file("camt053_001_02.xml", REF1=claim["payment_reference"], AMOUNT1=4711)
    content = content.replace(b'<Amt Ccy="EUR">47.11</Amt>', f'<Amt Ccy="EUR">{amount}</Amt>'.encode())
    response = upload(harness, content)
    assert response.status_code == 400, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    [error] = response.json_body["errors"]
    assert error["field"] == "body"
    assert "entry 1 of statement" in error["message"]
    assert unmatched(harness) == []
    assert harness.claim(claim["id"])["paid"] == 0
    # the file was not remembered as imported: once mended, it imports
    mended = upload(harness, content.replace(f'<Amt Ccy="EUR">{amount}</Amt>'.encode(), b'<Amt Ccy="EUR">47.11</Amt>'))
    assert mended.status_code == 201, mended.body


def test_a_camt_booking_of_zero_is_left_out_with_its_reason_and_never_reaches_the_review_list(harness: Harness) -> None:
    content = statement_file("camt053_001_02.xml", AMOUNT1=4711).replace(b">47.11<", b">0.00<")
    response = upload(harness, content)
    assert response.status_code == 201, response.body
    assert [(s["amount"], s["reason"]) for s in response.json_body["skipped"]] == [
        (0, "a booking of 0 carries no money")
    ]
    assert 0 not in {e["amount"] for e in unmatched(harness)}
    assert len(unmatched(harness)) == response.json_body["entries"] == 4
