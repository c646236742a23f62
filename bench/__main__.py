"""`make bench`: how much each step of a contact costs, relative to a baseline on this machine.

Absolute times vary with the machine; ratios are what to compare between commits:
- planning a step vs. deep-copying the claim (the planner must stay cheap: it runs every wake-up);
- rendering an email / a PDF letter vs. planning (the letter is the expensive one);
- creating a claim through the API on moto vs. one raw DynamoDB put (our overhead over storage);
- the embedded stack under load (bench.scale): POST latency of the last 100 against the first 100 of
  BENCH_CLAIMS stored claims (default 500; `python -m bench.scale --claims 2000` for the long run), and
  its RSS per 1,000 claims.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import timeit
from datetime import UTC, date, datetime, timedelta

os.environ.setdefault("MAHNWERK_STAGE", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"


def per_call(statement: object, number: int) -> float:
    return min(timeit.repeat(statement, number=number, repeat=3)) / number  # type: ignore[arg-type]


def domain_ratios() -> dict[str, float]:
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.domain.debtor import Debtor, DebtorKind
    from chalicelib.domain.decisions import plan_next_step
    from chalicelib.domain.ladder import DEFAULT_LADDER, Channel
    from chalicelib.domain.ledger import Ledger
    from chalicelib.domain.segmentation import Segment
    from chalicelib.domain.tenant import Tenant
    from chalicelib.messages.letter import render_letter_pdf
    from chalicelib.messages.render import render_message
    from chalicelib.services.contact import message_context
    from chalicelib.services.pay_tokens import ContactLinks

    now = datetime.now(UTC)
    debtor = Debtor("Erika Mustermann", "erika@example.com", "+4915112345678", "de", DebtorKind.CONSUMER, "DE")
    claim = Claim(
        claim_id="01BENCH",
        tenant_id="demo",
        external_id="INV-1",
        debtor=debtor,
        ledger=Ledger("EUR", 12345),
        due_date=date.today(),
        segment=Segment.NEW,
        stages=DEFAULT_LADDER.stages,
        schedule_anchor=now - timedelta(days=30),
        payment_reference="RF18K3J9X2ABCD",
        created_at=now,
        next_stage_index=4,
    )
    clock = VirtualClock(86400, now)
    stage = claim.stages[4]
    tenant = Tenant("demo", "Demo Shop GmbH", address="Musterstraße 1, Berlin")
    links = ContactLinks("http://127.0.0.1:8000", "secret")
    email = message_context(claim, tenant, stage, Channel.EMAIL, clock, links)
    letter = message_context(claim, tenant, stage, Channel.LETTER, clock, links)

    baseline = per_call(lambda: copy.deepcopy(claim), 2000)
    plan = per_call(lambda: plan_next_step(claim, now), 2000)
    return {
        "plan_next_step / deepcopy(claim)": plan / baseline,
        "render email / plan_next_step": per_call(lambda: render_message(email), 300) / plan,
        "render PDF letter / plan_next_step": per_call(lambda: render_letter_pdf(letter), 30) / plan,
    }


def api_ratio() -> dict[str, float]:
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    from bench.scale import claim_body
    from chalicelib import bootstrap
    from chalicelib.resources import Names
    from infra.local import lambdas
    from infra.local.provision import provision
    from infra.local.seed import seed

    with mock_aws():
        lambdas.install()
        app = bootstrap.reset()
        names = Names("local", "eu-central-1", "123456789012")
        provision(boto3.session.Session(region_name="eu-central-1"), names, app.settings.sender_email)
        seed(app.tenants)
        import app as chalice_app

        dynamodb = boto3.client("dynamodb")
        counter = iter(range(10**9))
        raw = per_call(
            lambda: dynamodb.put_item(
                TableName=names.table("lookups"), Item={"key": {"S": f"bench#{next(counter)}"}, "target": {"S": "x"}}
            ),
            50,
        )
        with Client(chalice_app.app, stage_name="local") as client:
            headers = {"Authorization": "Bearer local-demo-key", "Content-Type": "application/json"}

            def create() -> None:
                body = claim_body(next(counter))
                response = client.http.post("/v1/claims", headers=headers, body=json.dumps(body))
                assert response.status_code == 201, response.body

            api = per_call(create, 20)
    return {"POST /v1/claims / one DynamoDB put (moto)": api / raw}


def main() -> int:
    from bench import scale

    lines = {name: f"{ratio:8.1f}x" for name, ratio in {**domain_ratios(), **api_ratio()}.items()}
    lines |= scale.report(scale.measure(int(os.environ.get("BENCH_CLAIMS", "500"))))
    scale.print_lines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
