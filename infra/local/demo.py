"""`make demo`: 14 claims through the whole ladder on the embedded local AWS, in compressed time.

Everything goes over HTTP exactly as a merchant, a PSP and an operator would use it: claims are
handed over with the demo tenant's API key, payments arrive as signed sandbox-PSP webhooks or
through the merchant API, and progress is read from the claims API and the local outbox. Then
the merchant's systems take over (infra/local/demo_integrations.py): shop orders, a bank
statement, a Stripe refund, and the signed webhooks an ERP receives about all of it.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import requests

from chalicelib.domain.contact_policy import debtor_zone
from infra.local.contact_check import outside_the_window
from infra.local.demo_integrations import IntegrationsDemo
from infra.local.stack import LocalStack

DAY_SECONDS = float(os.environ.get("DEMO_DAY_SECONDS", "1.0"))
TIMEOUT_SECONDS = 150
OPEN_STATUSES = {"open", "dunning", "promised", "instalments", "disputed"}

# Why a message waited (message.deferred), as the demo's reader would say it.
_WAITED_FOR = {
    "quiet_hours": "for the debtor's contact window",
    "claim_changed": "to be written again after the claim changed (a payment) while it was written",
}


@dataclass(frozen=True)
class Scenario:
    external_id: str
    name: str
    email: str
    phone: str
    language: str
    kind: str
    country: str
    amount: int
    due_in_days: int  # relative to the virtual today; negative: overdue when handed over
    customer_since: str | None = None
    pay_after: str | None = None  # pay once this stage's message went out
    pay_share: float = 1.0  # 1.0 pays in full
    pay_via: str = "psp"  # "psp": signed sandbox webhook; "merchant": POST /v1/claims/{id}/payments
    cancel_after: str | None = None
    answer_after: str | None = None  # answer on the pay page once this stage's message went out
    answer: str = ""  # "promise": promises a date 5 days ahead and lets it pass; "dispute": the merchant upholds


SCENARIOS = (
    Scenario(
        "SO-1001",
        "Erika Mustermann",
        "erika@example.de",
        "+4915112345678",
        "de",
        "consumer",
        "DE",
        4999,
        5,
        pay_after="pre_due_reminder",
    ),
    Scenario(
        "SO-1002",
        "Jonas Becker",
        "jonas@example.de",
        "+4917612345678",
        "de",
        "consumer",
        "DE",
        12900,
        0,
        customer_since="2018-03-01",
        pay_after="reminder",
    ),
    Scenario(
        "SO-1003",
        "Emily Clarke",
        "emily@example.co.uk",
        "+447911123456",
        "en",
        "consumer",
        "GB",
        7450,
        0,
        customer_since="2016-09-12",
        pay_after="sms",
        pay_via="merchant",
    ),
    Scenario(
        "SO-1004",
        "Lukas Hoffmann",
        "lukas@example.de",
        "+4915223456789",
        "de",
        "consumer",
        "DE",
        25900,
        2,
        pay_after="sms",
        pay_share=0.4,
    ),
    Scenario(
        "SO-1005",
        "Oliver Brown",
        "oliver@example.co.uk",
        "+447700123456",
        "en",
        "consumer",
        "GB",
        3900,
        3,
        pay_after="call",
    ),
    Scenario(
        "SO-1006",
        "Müller Bau GmbH",
        "buchhaltung@mueller-bau.example",
        "+4930123456",
        "de",
        "business",
        "DE",
        189000,
        0,
        pay_after="final_notice",
    ),
    Scenario(
        "SO-1007",
        "Acme Supplies Ltd",
        "accounts@acme.example",
        "+442071234567",
        "en",
        "business",
        "GB",
        64000,
        0,
        pay_after="call",
        pay_via="merchant",
    ),
    Scenario("SO-1008", "Sophie Wagner", "sophie@example.de", "+4916012345678", "de", "consumer", "DE", 8990, -40),
    Scenario(
        "SO-1009",
        "Hannah Schulz",
        "hannah@example.de",
        "+4915901234567",
        "de",
        "consumer",
        "DE",
        15500,
        1,
        customer_since="2021-01-15",
        cancel_after="reminder",
    ),
    Scenario(
        "SO-1010",
        "James Wilson",
        "james@example.com",
        "+447800123456",
        "en",
        "consumer",
        "GB",
        21000,
        0,
        pay_after="final_notice",
        pay_share=1.1,
    ),
    Scenario(
        "SO-1011",
        "Fischer & Söhne KG",
        "rechnung@fischer.example",
        "+498912345678",
        "de",
        "business",
        "DE",
        98000,
        4,
        pay_after="reminder",
    ),
    Scenario("SO-1012", "Mia Weber", "mia@example.de", "+4917198765432", "de", "consumer", "DE", 6400, 0),
    Scenario(
        "SO-1013", "Lena Braun", "lena@example.de", "+4915711122233", "de", "consumer", "DE", 7900, 0,
        answer_after="reminder", answer="promise",
    ),
    Scenario(
        "SO-1014", "Noah Evans", "noah@example.co.uk", "+447700111222", "en", "consumer", "GB", 4500, 0,
        answer_after="reminder", answer="dispute", pay_after="notice:dispute_resolved",
    ),
)  # fmt: skip


class Demo:
    def __init__(self, stack: LocalStack) -> None:
        self.base = stack.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {stack.api_keys['demo']}"
        self.claims: dict[str, dict[str, Any]] = {}  # external id → claim
        self.acted: set[str] = set()
        self.answered: dict[str, date] = {}  # external id → virtual day of the pay-page answer
        self.ids: set[str] = set()
        self._countries: dict[str, str] = {}

    def today(self) -> date:
        return date.fromisoformat(self.session.get(f"{self.base}/_local/clock", timeout=10).json()["today"])

    def hand_over_claims(self) -> None:
        today = self.today()
        for s in SCENARIOS:
            debtor = {
                "name": s.name,
                "email": s.email,
                "phone": s.phone,
                "language": s.language,
                "kind": s.kind,
                "country": s.country,
                "customer_since": s.customer_since,
            }
            body = {
                "external_id": s.external_id,
                "debtor": {k: v for k, v in debtor.items() if v is not None},
                "amount": s.amount,
                "currency": "EUR",
                "due_date": (today + timedelta(days=s.due_in_days)).isoformat(),
                "description": f"Online order {s.external_id}",
            }
            response = self.session.post(f"{self.base}/v1/claims", json=body, timeout=10)
            response.raise_for_status()
            self.claims[s.external_id] = response.json()
            self.ids.add(response.json()["id"])
        print(f"Handed over {len(self.claims)} claims to Mahnwerk (virtual today {today}).\n")

    def run(self) -> None:
        started = time.monotonic()
        while time.monotonic() - started < TIMEOUT_SECONDS:
            outbox = self.session.get(f"{self.base}/_local/outbox", timeout=10).json()["items"]
            self.react(outbox)
            listed = self.session.get(f"{self.base}/v1/claims", params={"limit": 100}, timeout=10).json()["items"]
            statuses = [c["status"] for c in listed if c["id"] in self.ids]
            print(
                f"  t={time.monotonic() - started:5.1f}s  virtual {self.today()}  messages sent {len(outbox):3d}  "
                + "  ".join(f"{st} {statuses.count(st)}" for st in sorted(set(statuses))),
                flush=True,
            )
            if all(st not in OPEN_STATUSES for st in statuses):
                return
            time.sleep(1.0)
        raise SystemExit("the demo did not finish in time")

    def react(self, outbox: list[dict[str, Any]]) -> None:
        """Debtors pay or answer on the pay page (or merchants cancel) once the scenario's stage reached them."""
        reached = {(m["claim_id"], m["stage"]) for m in outbox}
        self.answer_on_the_pay_page(reached)
        for s in SCENARIOS:
            claim = self.claims[s.external_id]
            trigger = s.pay_after or s.cancel_after
            if s.external_id in self.acted or trigger is None or (claim["id"], trigger) not in reached:
                continue
            self.acted.add(s.external_id)
            if s.cancel_after:
                self.session.post(
                    f"{self.base}/v1/claims/{claim['id']}/cancel", json={"reason": "goods returned"}, timeout=10
                ).raise_for_status()
                print(f"  ↳ {s.external_id}: merchant cancelled after the {trigger} (goods returned)")
                continue
            amount = round(self.claim(claim["id"])["balance"] * s.pay_share)
            if s.pay_via == "psp":
                r = self.session.post(
                    f"{self.base}/_local/sandbox/payments", json={"claim_id": claim["id"], "amount": amount}, timeout=10
                )
            else:
                r = self.session.post(
                    f"{self.base}/v1/claims/{claim['id']}/payments",
                    json={"amount": amount, "reference": f"bank-{s.external_id}"},
                    timeout=10,
                )
            r.raise_for_status()
            print(f"  ↳ {s.external_id}: {s.name} paid {amount / 100:.2f} EUR after the {trigger} ({s.pay_via})")

    def answer_on_the_pay_page(self, reached: set[tuple[str, str]]) -> None:
        today = self.today()
        for s in SCENARIOS:
            claim = self.claims[s.external_id]
            token = str(claim["pay_url"]).rsplit("/", 1)[-1]
            if s.answer and s.external_id not in self.answered and (claim["id"], s.answer_after) in reached:
                self.answered[s.external_id] = today
                if s.answer == "promise":
                    body = {"date": (today + timedelta(days=5)).isoformat()}
                else:
                    body = {"reason": "wrong_amount", "message": "I was charged for two chairs but got one."}
                requests.post(f"{self.base}/v1/pay/{token}/{s.answer}", json=body, timeout=10).raise_for_status()
                print(f"  ↳ {s.external_id}: {s.name} answered on the pay page: {s.answer} {body}")
            opened = self.answered.get(s.external_id)
            if (
                s.answer == "dispute"
                and opened
                and today >= opened + timedelta(days=8)
                and s.external_id not in self.acted
            ):
                if self.claim(claim["id"])["status"] == "disputed":
                    path = f"{self.base}/v1/claims/{claim['id']}/dispute/resolution"
                    self.session.post(path, json={"outcome": "adjust", "amount": 2250}, timeout=10).raise_for_status()
                    print(f"  ↳ {s.external_id}: merchant checked the dispute and halved the claim to 22.50 EUR")

    def countries(self, outbox: list[dict[str, Any]]) -> dict[str, str]:
        """Each claim's debtor country, as the merchant API reports it (the shop orders' claims included)."""
        for claim_id in {m["claim_id"] for m in outbox} - self._countries.keys():
            self._countries[claim_id] = self.claim(claim_id).get("debtor", {}).get("country", "")
        return self._countries

    def report_contact_window(self) -> bool:
        """The last word: whether every message reached its debtor inside the contact window."""
        outbox = self.session.get(f"{self.base}/_local/outbox", timeout=10).json()["items"]
        outside = outside_the_window(outbox, self.countries(outbox))
        if outside:
            print(f"\n{len(outside)} of {len(outbox)} messages fell outside their debtor's contact window:")
            for line in outside:
                print(f"  {line}")
            return False
        print(
            f"\nEvery one of the {len(outbox)} messages reached its debtor inside the contact window: 08:00-20:00 in "
            "the debtor's time zone, on a working day (no Sunday, no public holiday of the debtor's country)."
        )
        return True

    def claim(self, claim_id: str) -> dict[str, Any]:
        return dict(self.session.get(f"{self.base}/v1/claims/{claim_id}", timeout=10).json())

    def report(self) -> None:
        print("\nClaims")
        header = (
            f"{'claim':8} {'debtor':20} {'segment':9} {'lang':4} {'stages reached':58} {'channels':26} "
            f"{'outcome':12} {'recovered':>22}"
        )
        print(header)
        print("-" * len(header))
        waited: Counter[str] = Counter()
        for ext, c in self.claims.items():
            view = self.claim(c["id"])
            waited.update(e["reason"] for e in view["timeline"] if e["type"] == "message.deferred")
            sent = [e for e in view["timeline"] if e["type"] == "message.sent" and ":" not in e["stage"]]
            stages = list(dict.fromkeys(e["stage"] for e in sent))
            if view["status"] == "handed_over":
                stages.append("agency")
            channels = list(dict.fromkeys(e["channel"] for e in sent))
            recovered = f"{view['paid'] / 100:,.2f} EUR" + (" (overpaid)" if view["overpaid"] else "")
            print(
                f"{ext:8} {view['debtor']['name'][:20]:20} {view['segment']:9} {view['debtor']['language']:4} "
                f"{' > '.join(stages)[:58]:58} {', '.join(channels)[:26]:26} {view['status']:12} {recovered:>22}"
            )
        outbox = self.session.get(f"{self.base}/_local/outbox", timeout=10).json()["items"]
        by_id = {c["id"]: ext for ext, c in self.claims.items()}
        countries = self.countries(outbox)
        print(f"\nOutbox ({len(outbox)} messages in the order they went, each at the debtor's local time)")
        for m in sorted(outbox, key=lambda m: datetime.fromisoformat(m["sent_at"])):
            local = datetime.fromisoformat(m["sent_at"]).astimezone(debtor_zone(countries[m["claim_id"]]))
            print(
                f"  {local:%a %d %b %H:%M} {local.tzname():5} {by_id.get(m['claim_id'], '?'):8} {m['stage']:17} "
                f"{m['channel']:6} {m['to'][:32]:32} {m['subject'][:60]}"
            )
        if waited:
            print(
                "  Held back at the moment of sending: "
                + ", ".join(f"{count} {_WAITED_FOR.get(reason, reason)}" for reason, count in sorted(waited.items()))
            )
        agency = self.session.get(f"{self.base}/_local/agency/claims", timeout=10).json()["items"]
        print(
            f"\nAgency sandbox received {len(agency)} claim(s): "
            + ", ".join(f"{p['claim']['external_id']} ({p['claim']['balance'] / 100:.2f} EUR)" for p in agency)
        )
        sample = next((m for m in outbox if m["stage"] == "final_notice" and m["channel"] == "email"), None)
        if sample:
            print(f"\nA final notice as the debtor reads it ({by_id.get(sample['claim_id'])}):\n")
            print("  " + sample["body"].replace("\n", "\n  "))


def main() -> int:
    print(f"Starting the embedded local AWS (one strategy day = {DAY_SECONDS} s) …")
    stack = LocalStack(port=0, day_seconds=DAY_SECONDS).start()
    print(f"API at {stack.url}, demo key {stack.api_keys['demo']}\n")
    demo = Demo(stack)
    integrations = IntegrationsDemo(stack, demo.session)
    integrations.register_endpoints()
    demo.hand_over_claims()
    demo.run()
    demo.report()
    integrations.run()
    integrations.report()
    inside = demo.report_contact_window()
    stack.stop()
    return 0 if inside else 1


if __name__ == "__main__":
    sys.exit(main())
