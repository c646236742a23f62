"""Mahnwerk's Chalice app: every entry point, each a few lines calling one service."""

from __future__ import annotations

import os

from chalice import Chalice

from chalicelib import agency_tasks, notice_tasks, statement_tasks, webhook_tasks, workflow_tasks
from chalicelib.api import bank, claims, docs, pay, webhook_endpoints, webhooks
from chalicelib.api.page_security import TRANSPORT_SECURITY
from chalicelib.observability import metrics, new_invocation
from chalicelib.resources import APP_NAME

app = Chalice(app_name=APP_NAME)
app.register_blueprint(claims.bp)
app.register_blueprint(webhooks.bp)
app.register_blueprint(pay.bp)
app.register_blueprint(bank.bp)
app.register_blueprint(webhook_endpoints.bp)
app.register_blueprint(docs.bp)
app.register_blueprint(workflow_tasks.bp)
app.register_blueprint(webhook_tasks.bp)
app.register_blueprint(statement_tasks.bp)
app.register_blueprint(agency_tasks.bp)
app.register_blueprint(notice_tasks.bp)

# Outbox, clock, sandbox PSP and agency exist only on the embedded local AWS, never when deployed.
if os.environ.get("MAHNWERK_STAGE") == "local":
    from chalicelib.api import local

    app.register_blueprint(local.bp)


@app.middleware("http")
def each_request(event, get_response):
    """A fresh log context, HSTS on the answer, and the EMF metrics flushed: API requests have no handler decorator."""
    new_invocation()
    try:
        response = get_response(event)
        response.headers = {**response.headers, **TRANSPORT_SECURITY}
        return response
    finally:
        metrics.flush_metrics()
