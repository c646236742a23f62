"""Powertools logger, tracer and metrics: one instance each for the whole app (namespace Mahnwerk)."""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer, single_metric
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "mahnwerk"
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Mahnwerk")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", SERVICE)

# A task that sent nothing (e.g. a skipped contact) has no metric to flush; that is normal.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE, disabled=os.environ.get("MAHNWERK_STAGE", "local") == "local")
NAMESPACE = "Mahnwerk"
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

__all__ = ["MetricUnit", "count", "logger", "metrics", "tracer"]


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
