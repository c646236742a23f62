"""`make demo`, the merchant's systems: a shop hands over orders, a PSP and a bank statement pay, an ERP hears back.

Every request is signed the way the real sender signs it (Shopify's HMAC, Stripe-Signature, Standard
Webhooks), with the demo tenant's secrets from infra/local/seed.py.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import TYPE_CHECKING, Any

import requests
from standardwebhooks.webhooks import Webhook

from chalicelib.asl import PROJECT_ROOT
from chalicelib.domain.payment_reference import pretty
from infra.local.bank_files import statement_file
from infra.local.psp_signing import stripe_signature_header
from infra.local.seed import SECRETS
from infra.local.shop_signing import shopify_headers, woocommerce_headers

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

EVENTS = PROJECT_ROOT / "tests" / "events"
ERP = "erp"  # receives every event
CRM = "failing-crm"  # answers 503 to everything: its deliveries are retried, then parked in the DLQ


class IntegrationsDemo:
    def __init__(self, stack: LocalStack, session: requests.Session) -> None:
        self.base = stack.url
        self.session = session
        self.secrets: dict[str, str] = {}  # receiver → signing secret
        self.last_claim_id = ""  # the claim of the act's last event: once the ERP has it, it has every earlier one

    def register_endpoints(self) -> None:
        """Before the first claim, so that the ERP hears about every claim of the demo."""
        for name, events in ((ERP, ["*"]), (CRM, ["claim.paid"])):
            response = self.session.post(
                f"{self.base}/v1/webhook-endpoints",
                json={"url": f"{self.base}/_local/receivers/{name}", "events": events, "description": name},
                timeout=10,
            )
            response.raise_for_status()
            self.secrets[name] = response.json()["secret"]
        print(f"Registered webhook endpoints: {ERP} (every event) and {CRM} (claim.paid; it is down).\n")

    def run(self) -> None:
        print("\nMerchant integrations")
        shop_claim = self.shopify_order()
        woo_claim = self.woocommerce_order()
        refunded = self.stripe_payment_and_refund()
        self.bank_statement(woo_claim, refunded)
        self.shopify_paid(shop_claim)
        self.last_claim_id = shop_claim["id"]

    def shopify_order(self) -> dict[str, Any]:
        order = json.loads((EVENTS / "shopify" / "orders_create.json").read_text())
        order["id"] = random.randrange(10**17, 10**18)
        body = json.dumps(order).encode()
        headers = shopify_headers(body, SECRETS["shopify"], "orders/create", str(uuid.uuid4()))
        answer = self._post("/v1/webhooks/demo/shopify", body, headers)
        forged = shopify_headers(body, "guessed-secret", "orders/create", str(uuid.uuid4()))
        refused = requests.post(f"{self.base}/v1/webhooks/demo/shopify", data=body, headers=forged, timeout=10)
        claim = self.claim(answer["claim_id"])
        print(
            f"  Shopify orders/create {order['name']} (gateway {order['payment_gateway_names'][0]}): "
            f"{answer['action']} {claim['external_id']}, {claim['amount'] / 100:.2f} {claim['currency']}, "
            f"due {claim['due_date']}; the same order with a forged signature: {refused.status_code}"
        )
        return claim

    def shopify_paid(self, claim: dict[str, Any]) -> None:
        """The customer paid the shop directly; Shopify's orders/paid settles the claim."""
        order = json.loads((EVENTS / "shopify" / "orders_paid.json").read_text())
        order["id"] = int(str(claim["external_id"]).removeprefix("shopify:"))
        body = json.dumps(order).encode()
        answer = self._post(
            "/v1/webhooks/demo/shopify",
            body,
            shopify_headers(body, SECRETS["shopify"], "orders/paid", str(uuid.uuid4())),
        )
        print(
            f"  Shopify orders/paid {order['name']}: {answer['action']}, {claim['external_id']} is {answer['status']}"
        )

    def woocommerce_order(self) -> dict[str, Any]:
        order = json.loads((EVENTS / "woocommerce" / "order_created.json").read_text())
        order["id"] = random.randrange(10**5, 10**6)
        body = json.dumps(order).encode()
        headers = woocommerce_headers(body, SECRETS["woocommerce"], "order.created", str(uuid.uuid4()))
        answer = self._post("/v1/webhooks/demo/woocommerce", body, headers)
        claim = self.claim(answer["claim_id"])
        print(
            f"  WooCommerce order.created #{order['number']} ({order['payment_method']}): {answer['action']} "
            f"{claim['external_id']}, {claim['amount'] / 100:.2f} {claim['currency']}"
        )
        return claim

    def bank_statement(self, paid_in_full: dict[str, Any], paid_by_someone_else: dict[str, Any]) -> None:
        """One transfer names the WooCommerce claim's reference; another pays the refunded rest without one."""
        payer = "Hausverwaltung Sonnenschein"
        statement = statement_file(
            "camt053_001_08.xml",
            REF1=f"Rechnung {pretty(paid_in_full['payment_reference']).lower()} danke",
            AMOUNT1=paid_in_full["balance"],
            NAME1=paid_in_full["debtor"]["name"],
            NAME5=payer,
            AMOUNT5=paid_by_someone_else["balance"],
        )
        headers = {"Content-Type": "application/xml"}
        first = self.session.post(f"{self.base}/v1/bank-statements", data=statement, headers=headers, timeout=30)
        first.raise_for_status()
        again = self.session.post(f"{self.base}/v1/bank-statements", data=statement, headers=headers, timeout=30)
        summary = first.json()
        print(
            f"  CAMT.053 upload: {summary['entries']} credits, {summary['matched']} matched, "
            f"{summary['unmatched']} for review; {paid_in_full['external_id']} is now "
            f"{self.claim(paid_in_full['id'])['status']}. "
            f"The same file again: {again.status_code}, duplicate={again.json()['duplicate']}"
        )
        review = self.session.get(f"{self.base}/v1/payments/unmatched", params={"limit": 100}, timeout=10).json()
        entry = next(e for e in review["items"] if e["debtor_name"] == payer)
        self.session.post(
            f"{self.base}/v1/payments/unmatched/{entry['id']}/assign",
            json={"claim_id": paid_by_someone_else["id"]},
            timeout=10,
        ).raise_for_status()
        print(
            f"  Review list: {len(review['items'])} entries; the operator assigns {entry['amount'] / 100:.2f} EUR "
            f"from {payer} to {paid_by_someone_else['external_id']}: "
            f"{self.claim(paid_by_someone_else['id'])['status']}"
        )

    def stripe_payment_and_refund(self) -> dict[str, Any]:
        claim = self._new_claim("SO-2001", 5240)
        intent = f"pi_{uuid.uuid4().hex[:24]}"
        paid = self._stripe("checkout_session_completed", claim["id"], payment_intent=intent)
        refunded = self._stripe("charge_refunded", claim["id"], payment_intent=intent, amount_refunded=2000)
        view = self.claim(claim["id"])
        print(
            f"  Stripe checkout.session.completed for SO-2001: {paid['status']}; charge.refunded 20.00 EUR: "
            f"{refunded['kind']}, the claim is {view['status']} again with {view['balance'] / 100:.2f} EUR open"
        )
        return view

    def report(self) -> None:
        """What the ERP and the failing CRM saw, once the last deliveries and retries are through."""
        received = self._settled(ERP)
        verified = sum(1 for r in received if Webhook(self.secrets[ERP]).verify(r["body"], r["headers"]))
        types: dict[str, int] = {}
        for r in received:
            kind = json.loads(r["body"])["type"]
            types[kind] = types.get(kind, 0) + 1
        print(
            f"\nWebhooks out: the ERP received {len(received)} signed events, {verified} verified with standardwebhooks"
        )
        print("  " + ", ".join(f"{kind} {n}" for kind, n in sorted(types.items())))
        failed = self.session.get(
            f"{self.base}/v1/webhooks/deliveries", params={"status": "failed", "limit": "100"}, timeout=10
        ).json()["items"]
        attempts = [len(d["attempts"]) for d in failed]
        print(
            f"  The CRM was down: {len(self._received(CRM))} attempts reached it; {len(failed)} deliveries gave up "
            f"after {max(attempts, default=0)} attempts each and wait in the DLQ for a replay."
        )

    def claim(self, claim_id: str) -> dict[str, Any]:
        return dict(self.session.get(f"{self.base}/v1/claims/{claim_id}", timeout=10).json())

    def _new_claim(self, external_id: str, amount: int) -> dict[str, Any]:
        today = self.session.get(f"{self.base}/_local/clock", timeout=10).json()["today"]
        body = {
            "external_id": external_id,
            "debtor": {
                "name": "Clara Schmidt",
                "email": "clara@example.de",
                "phone": "+4915112340000",
                "language": "de",
                "kind": "consumer",
                "country": "DE",
            },
            "amount": amount,
            "currency": "EUR",
            "due_date": today,
        }
        response = self.session.post(f"{self.base}/v1/claims", json=body, timeout=10)
        response.raise_for_status()
        return dict(response.json())

    def _stripe(self, name: str, claim_id: str, **changes: Any) -> dict[str, Any]:
        event = json.loads((EVENTS / "stripe" / f"{name}.json").read_text())
        event["id"] = f"evt_{uuid.uuid4().hex}"
        obj = event["data"]["object"]
        obj["metadata"] = {"claim_id": claim_id} if "client_reference_id" in obj else {}
        if "client_reference_id" in obj:
            obj["client_reference_id"] = claim_id
        obj.update(changes)
        body = json.dumps(event).encode()
        return self._post("/v1/webhooks/demo/stripe", body, stripe_signature_header(body, SECRETS["stripe"]))

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        response = requests.post(
            f"{self.base}{path}", data=body, headers={"Content-Type": "application/json", **headers}, timeout=10
        )
        response.raise_for_status()
        return dict(response.json())

    def _settled(self, name: str, timeout: float = 90.0) -> list[dict[str, Any]]:
        """What reached the receiver once the act's last event arrived and no delivery is pending.

        The events stream is read in order, so the last event's arrival means every earlier one was sent.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = self._received(name)
            last_arrived = any(
                json.loads(r["body"])["type"] == "claim.paid" and self.last_claim_id in r["body"] for r in received
            )
            pending = self.session.get(
                f"{self.base}/v1/webhooks/deliveries", params={"status": "pending", "limit": "1"}, timeout=10
            ).json()["items"]
            if last_arrived and not pending:
                return received
            time.sleep(0.5)
        return self._received(name)

    def _received(self, name: str) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.base}/_local/receivers/{name}", timeout=10).json()["items"])
