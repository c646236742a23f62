"""Powertools logger, tracer and metrics: one instance each for the whole app (namespace Mahnwerk)."""

from __future__ import annotations

import functools
import os
import warnings
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer, single_metric
from aws_lambda_powertools.metrics import MetricUnit

if TYPE_CHECKING:
    from collections.abc import Callable

SERVICE = "mahnwerk"
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Mahnwerk")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", SERVICE)

# A task that sent nothing (e.g. a skipped contact) has no metric to flush; that is normal.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE, disabled=os.environ.get("MAHNWERK_STAGE", "local") == "local")
NAMESPACE = "Mahnwerk"
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

__all__ = ["MetricUnit", "count", "fresh_log_context", "logger", "metrics", "new_invocation", "tracer"]
R = TypeVar("R")


def new_invocation(**keys: object) -> None:
    """Start an invocation's log context afresh, with only `keys`.

    A warm Lambda keeps the logger between invocations, and with it every key an earlier one appended
    (the local stack runs every function in one process): without this, a line about one claim carries
    another claim's claim_id or tenant_id. Every entry point calls it first: the workflow tasks with their
    claim's ids, the queue and stream handlers, and the API's middleware.
    """
    logger.clear_state()
    if keys:
        logger.append_keys(**keys)


def fresh_log_context(handler: Callable[[dict[str, Any], Any], R]) -> Callable[[dict[str, Any], Any], R]:
    """A Lambda handler whose invocation starts with a clean log context."""

    @functools.wraps(handler)
    def wrapper(event: dict[str, Any], context: Any) -> R:
        new_invocation()
        return handler(event, context)

    return wrapper


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Add one EMF metric; dimensions go on a single-metric entry so they do not leak to others."""
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        return  # the local stage: EMF lines on stdout would only clutter the console
    if dimensions:
        with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE) as metric:
            for key, dim in dimensions.items():
                metric.add_dimension(name=key, value=dim)
    else:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
