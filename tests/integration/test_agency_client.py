"""The signed HTTPS hand-over to the collection agency, and Standard Webhooks signatures."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import requests
from standardwebhooks import Webhook

from chalicelib.adapters.agency.http_agency import HttpAgencyClient
from chalicelib.adapters.agency.signature import sign, verify
from chalicelib.domain.agency_updates import AgencyUpdate
from chalicelib.domain.errors import PermanentDeliveryError, SignatureError, TransientError
from tests.integration.adapters import AGENCY_SECRET, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.integration


# --- the collection agency: signed HTTPS hand-over -----------------------------------------------------------------


class _AgencyHandler(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    answer: ClassVar[tuple[int, dict[str, Any]]] = (201, {"reference": "AG-1"})
    delay: ClassVar[float] = 0.0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.delay)
        try:
            verify(AGENCY_SECRET, dict(self.headers.items()), body, now=time.time())
        except SignatureError as exc:
            self._answer(401, {"error": str(exc)})
            return
        self.received.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
        self._answer(*self.answer)

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt: str, *args: Any) -> None:
        pass


@pytest.fixture
def agency() -> Iterator[tuple[str, type[_AgencyHandler]]]:
    handler = type("AgencyHandler", (_AgencyHandler,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/claims", handler
    finally:
        server.shutdown()
        server.server_close()


def local_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # a proxy from the environment must not sit between us and 127.0.0.1
    return session


HANDOVER = {"handover_id": "ho_01JCLAIM", "claim": {"id": "01JCLAIM", "debtor": "Jörg Muster"}, "balance": 5240}


def test_agency_accepts_a_signed_hand_over_and_returns_its_reference(agency: tuple[str, Any]) -> None:
    url, handler = agency
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session())

    reference = client.hand_over(HANDOVER)

    assert reference == "AG-1"
    [request] = handler.received
    assert request["headers"]["webhook-id"] == "ho_01JCLAIM"
    assert (
        request["body"]
        == ('{"balance":5240,"claim":{"debtor":"Jörg Muster","id":"01JCLAIM"},"handover_id":"ho_01JCLAIM"}').encode()
    )
    assert request["headers"]["webhook-signature"].startswith("v1,")


def test_a_retried_hand_over_keeps_its_webhook_id_so_the_agency_can_deduplicate(agency: tuple[str, Any]) -> None:
    url, handler = agency
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session())

    client.hand_over(HANDOVER)
    client.hand_over(HANDOVER)

    assert [r["headers"]["webhook-id"] for r in handler.received] == ["ho_01JCLAIM", "ho_01JCLAIM"]


def test_without_a_reference_from_the_agency_the_webhook_id_is_the_reference(agency: tuple[str, Any]) -> None:
    url, handler = agency
    handler.answer = (200, {"status": "accepted"})
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session())

    reference = client.hand_over({"claim": {"id": "01JCLAIM"}})

    assert reference == handler.received[0]["headers"]["webhook-id"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [(503, TransientError), (500, TransientError), (429, TransientError), (400, PermanentDeliveryError)],
)
def test_agency_answers_split_into_retryable_and_permanent(
    agency: tuple[str, Any], status: int, expected: type[Exception]
) -> None:
    url, handler = agency
    handler.answer = (status, {"error": "nope"})

    with pytest.raises(expected, match=str(status)):
        HttpAgencyClient(url, AGENCY_SECRET, session=local_session()).hand_over(HANDOVER)


def test_hand_over_signed_with_the_wrong_secret_is_refused_for_good(agency: tuple[str, Any]) -> None:
    url, handler = agency

    with pytest.raises(PermanentDeliveryError, match="401"):
        HttpAgencyClient(url, "not-the-agency-secret", session=local_session()).hand_over(HANDOVER)
    assert handler.received == []


def test_agency_that_is_down_is_worth_a_retry() -> None:
    client = HttpAgencyClient(f"http://127.0.0.1:{free_port()}/claims", AGENCY_SECRET, session=local_session())

    with pytest.raises(TransientError, match="unreachable"):
        client.hand_over(HANDOVER)


def test_agency_that_answers_too_slowly_is_worth_a_retry(agency: tuple[str, Any]) -> None:
    url, handler = agency
    handler.delay = 1.0
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session(), timeout=0.2)

    with pytest.raises(TransientError, match="unreachable"):
        client.hand_over(HANDOVER)


UPDATE = AgencyUpdate(
    update_id="upd_01JEVENT",
    handover_id="tenant-a-01JCLAIM",
    claim_id="01JCLAIM",
    tenant_id="tenant-a",
    type="payment.received",
    occurred_at="2026-12-03T10:00:00+00:00",
    event={"id": "01JEVENT", "amount": 2000, "currency": "EUR"},
    claim={"id": "01JCLAIM", "balance": 3240, "version": 9},
    agency_reference="AG-7",
)


def test_an_update_is_posted_under_its_hand_over_signed_with_its_update_id(agency: tuple[str, Any]) -> None:
    url, handler = agency
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session())

    client.send_update(UPDATE)
    client.send_update(UPDATE)  # a retry

    first, retry = handler.received
    assert first["path"] == "/claims/tenant-a-01JCLAIM/updates"
    assert first["headers"]["webhook-id"] == retry["headers"]["webhook-id"] == "upd_01JEVENT"
    assert first["body"] == retry["body"]
    assert json.loads(first["body"]) == UPDATE.body()
    # the way docs/agency-interface.md tells the agency to check it: the secret's bytes are the key
    assert Webhook(AGENCY_SECRET.encode()).verify(first["body"], first["headers"]) == UPDATE.body()


@pytest.mark.parametrize(("status", "expected"), [(503, TransientError), (404, PermanentDeliveryError)])
def test_an_update_the_agency_cannot_take_now_is_retryable_one_it_refuses_is_not(
    agency: tuple[str, Any], status: int, expected: type[Exception]
) -> None:
    url, handler = agency
    handler.answer = (status, {"error": "nope"})

    with pytest.raises(expected, match=str(status)):
        HttpAgencyClient(url, AGENCY_SECRET, session=local_session()).send_update(UPDATE)


# --- Standard Webhooks signatures ----------------------------------------------------------------------------------


def signed_headers(secret: str, body: bytes, timestamp: int, msg_id: str = "msg_1") -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def test_signature_reproduces_the_standard_webhooks_reference_vector() -> None:
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_tampered_body_fails_verification() -> None:
    now = 1_767_225_600
    headers = signed_headers(AGENCY_SECRET, b'{"balance":5240}', now)

    with pytest.raises(SignatureError, match="no webhook-signature matches"):
        verify(AGENCY_SECRET, headers, b'{"balance":1}', now=now)


def test_an_old_timestamp_fails_verification_even_with_a_valid_signature() -> None:
    body = b'{"balance":5240}'
    headers = signed_headers(AGENCY_SECRET, body, 1_767_225_600)

    with pytest.raises(SignatureError, match="tolerance"):
        verify(AGENCY_SECRET, headers, body, now=1_767_225_600 + 301)


def test_missing_signature_headers_fail_verification() -> None:
    with pytest.raises(SignatureError, match="webhook-signature"):
        verify(AGENCY_SECRET, {"webhook-id": "msg_1", "webhook-timestamp": "1767225600"}, b"{}", now=1_767_225_600)


def test_any_matching_signature_verifies_while_a_secret_is_rotated_and_header_case_does_not_matter() -> None:
    body = b'{"balance":5240}'
    now = 1_767_225_600
    headers = signed_headers(AGENCY_SECRET, body, now)
    rotated = {
        "Webhook-Id": headers["webhook-id"],
        "Webhook-Timestamp": headers["webhook-timestamp"],
        "Webhook-Signature": f"v1,b2xkLXNlY3JldA== {headers['webhook-signature']}",
    }

    verify(AGENCY_SECRET, rotated, body, now=now + 10)
