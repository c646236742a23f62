"""Builders shared by the adapter tests: a message, a stubbed real client, a free local port."""

from __future__ import annotations

import socket
from dataclasses import replace
from typing import Any

import boto3
from botocore.stub import Stubber

from chalicelib.domain.ladder import Channel
from chalicelib.services.ports import OutboundMessage

REGION = "eu-central-1"
SENDER = "dunning@mahnwerk.example"
ORIGINATION = "+4915112345678"
AGENCY_SECRET = "agency-test-secret"
PDF = b"%PDF-1.7\n% a letter\n%%EOF\n"


def a_message(**changes: Any) -> OutboundMessage:
    message = OutboundMessage(
        claim_id="01JCLAIM0000000000000000AA",
        tenant_id="shop-1",
        stage="reminder",
        channel=Channel.EMAIL,
        to="debtor@example.com",
        subject="Erinnerung: Rechnung 4711",
        body="Hallo Frau Muster, Ihre Rechnung 4711 über 49,90 € ist noch offen.",
        language="de",
        html="<p>Hallo Frau Muster, Ihre Rechnung 4711 über 49,90 € ist noch offen.</p>",
        sender="Shop GmbH",
    )
    return replace(message, **changes)


def stubbed(service: str) -> tuple[Any, Stubber]:
    """A real client, so that Stubber validates every request against the service model."""
    client = boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
