"""Lambda functions the dunning state machine calls, one per state; names from chalicelib.resources."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.ladder import Channel
from chalicelib.observability import metrics, new_invocation, tracer
from chalicelib.services import workflow

if TYPE_CHECKING:
    from collections.abc import Callable

bp = Blueprint(__name__)


def task(handler: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any], Any], Any]:
    """Logging with the claim's ids on every line, tracing and metrics flushing for one task."""

    @functools.wraps(handler)
    @metrics.log_metrics
    @tracer.capture_lambda_handler(capture_response=False)
    def wrapper(event: dict[str, Any], context: Any) -> Any:
        new_invocation(claim_id=event.get("claim_id"), tenant_id=event.get("tenant_id"), task=handler.__name__)
        return handler(event)

    return wrapper


@bp.lambda_function(name="plan_next_step")
@task
def plan_next_step(event: dict[str, Any]) -> dict[str, Any]:
    app = container()
    lifetime = workflow.Lifetime(
        generation=int(event.get("generation") or 0),
        steps=int(event.get("steps") or 0),
        started=datetime.fromisoformat(event["started"]) if event.get("started") else app.clock.real_now(),
        max_steps=app.settings.max_steps_per_execution,
        max_days=app.settings.max_execution_days,
    )
    return workflow.plan(
        event["claim_id"], event["tenant_id"], app.claims, app.clock, lifetime, app.workflow, app.task_tokens
    )


@bp.lambda_function(name="await_event")
@task
def await_event(event: dict[str, Any]) -> dict[str, str]:
    app = container()
    workflow.register_wait(
        event["claim_id"],
        event["tenant_id"],
        event["task_token"],
        event.get("planned", "contact"),
        app.claims,
        app.task_tokens,
        app.workflow,
        app.clock,
        int(event["generation"]) if event.get("generation") is not None else None,
    )
    return {"status": "waiting"}


def _send(event: dict[str, Any], channel: Channel) -> dict[str, str]:
    from chalicelib.services.contact import send_contact  # templates load in the sending Lambdas only

    app = container()
    send_at = event.get("send_at")
    status = send_contact(
        event["claim_id"],
        event["tenant_id"],
        int(event["stage_index"]),
        channel,
        app.claims,
        app.timeline,
        app.message_deliveries,
        app.tenants,
        app.senders,
        app.clock,
        app.links,
        datetime.fromisoformat(send_at) if send_at else None,
    )
    return {"channel": str(channel), "status": status}


@bp.lambda_function(name="send_email")
@task
def send_email(event: dict[str, Any]) -> dict[str, str]:
    return _send(event, Channel.EMAIL)


@bp.lambda_function(name="send_sms")
@task
def send_sms(event: dict[str, Any]) -> dict[str, str]:
    return _send(event, Channel.SMS)


@bp.lambda_function(name="place_call")
@task
def place_call(event: dict[str, Any]) -> dict[str, str]:
    return _send(event, Channel.CALL)


@bp.lambda_function(name="send_letter")
@task
def send_letter(event: dict[str, Any]) -> dict[str, str]:
    return _send(event, Channel.LETTER)


@bp.lambda_function(name="complete_stage")
@task
def complete_stage(event: dict[str, Any]) -> dict[str, str]:
    app = container()
    status = workflow.complete_stage(
        event["claim_id"], event["tenant_id"], int(event["stage_index"]), app.claims, app.clock
    )
    return {"status": status}


@bp.lambda_function(name="review_agreement")
@task
def review_agreement(event: dict[str, Any]) -> dict[str, str]:
    from chalicelib.services.agreement_review import review_agreement as review

    app = container()
    outcome = review(event["claim_id"], event["tenant_id"], app.claims, app.tenants, app.notices, app.clock)
    return {"outcome": outcome}


@bp.lambda_function(name="hand_over")
@task
def hand_over(event: dict[str, Any]) -> dict[str, str]:
    from chalicelib.services.handover import hand_over as hand_over_claim

    status = hand_over_claim(event["claim_id"], event["tenant_id"], container().handover)
    return {"status": status}
