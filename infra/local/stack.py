"""LocalStack-in-a-process: moto server, resources, demo tenants and the Chalice API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import requests
from moto.server import ThreadedMotoServer

from chalicelib.asl import PROJECT_ROOT
from chalicelib.resources import APP_NAME, Names
from infra.local import lambdas
from infra.local.event_sources import EventSources
from infra.local.malloc_arenas import cap_malloc_arenas
from infra.local.moto_fixes import install_moto_fixes, stream_retention_seconds
from infra.local.provision import provision
from infra.local.seed import seed

if TYPE_CHECKING:
    from collections.abc import Callable

REGION = "eu-central-1"
ACCOUNT = "123456789012"  # moto's default account
# Connections the API's socket queues before accepting them. socketserver's default of 5 reset the 6th of
# twenty clients connecting at once; the kernel caps this at net.core.somaxconn.
LISTEN_BACKLOG = 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chalice_stage_environment(stage: str = "local") -> dict[str, str]:
    """Chalice's local server ignores .chalice/config.json's variables; apply them from there (one source)."""
    config = json.loads((PROJECT_ROOT / ".chalice" / "config.json").read_text())
    return {**config.get("environment_variables", {}), **config["stages"][stage].get("environment_variables", {})}


class LocalStack:
    def __init__(
        self, port: int = 8000, day_seconds: float = 86400.0, host: str = "127.0.0.1", moto_port: int = 0
    ) -> None:
        self.host = host
        self.port = port or free_port()
        self.moto_port = moto_port or free_port()
        self.day_seconds = day_seconds
        self.api_keys: dict[str, str] = {}
        self._moto: ThreadedMotoServer | None = None
        self._api_thread: threading.Thread | None = None
        self._event_sources: EventSources | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    def environment(self) -> dict[str, str]:
        return {
            **chalice_stage_environment("local"),
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.moto_url,
            "MOTO_PORT": str(self.moto_port),  # moto's ASL interpreter calls Lambda and DynamoDB here
            "MAHNWERK_ACCOUNT": ACCOUNT,
            "DAY_SECONDS": str(self.day_seconds),
            "CLOCK_EPOCH": datetime.now(UTC).isoformat(),
            "PUBLIC_BASE_URL": self.url,
            "AGENCY_URL": f"{self.url}/_local/agency/claims",
        }

    def start(self) -> LocalStack:
        cap_malloc_arenas()  # before the first thread: every arena made after this counts
        os.environ.update(self.environment())
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self._moto.start()
        requests.post(
            f"{self.moto_url}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}},
            timeout=10,
        ).raise_for_status()
        lambdas.install()
        install_moto_fixes(stream_retention_seconds(self.day_seconds))
        from chalicelib import bootstrap

        app = bootstrap.reset()
        provision(boto3.session.Session(region_name=REGION), Names("local", REGION, ACCOUNT), app.settings.sender_email)
        self.api_keys = seed(app.tenants)
        # The events stream and the queues feed their Lambda functions, as event source mappings do on AWS.
        self._event_sources = EventSources(app.settings.names).start()
        self._serve_api()
        return self

    def _serve_api(self) -> None:
        from chalice.config import Config
        from chalice.local import ChaliceRequestHandler

        import app as chalice_app

        config = Config.create(
            chalice_stage="local", app_name=APP_NAME, chalice_app=chalice_app.app, project_dir=str(PROJECT_ROOT)
        )
        server = local_server(chalice_app.app, config, self.host, self.port)
        # One line per request on stderr drowns the demo's progress; the API's own logs remain.
        ChaliceRequestHandler.log_message = lambda *_args, **_kwargs: None
        # The handler writes status line, headers and body in separate sends: with Nagle's algorithm the body
        # waits for the client's delayed ACK, 40 ms on Linux, which made every GET cost 40-80 ms.
        ChaliceRequestHandler.disable_nagle_algorithm = True
        server.server.handle_error = _quiet_disconnects(server.server.handle_error)
        self._api_thread = threading.Thread(target=server.serve_forever, name="chalice-local", daemon=True)
        self._api_thread.start()

    def stop(self) -> None:
        if self._event_sources is not None:
            self._event_sources.stop()
        if self._moto is not None:
            self._moto.stop()

    def wait(self) -> None:
        if self._api_thread is not None:
            self._api_thread.join()

    def summary(self) -> dict[str, Any]:
        return {"api": self.url, "moto": self.moto_url, "api_keys": self.api_keys, "day_seconds": self.day_seconds}


def local_server(chalice_app: Any, config: Any, host: str, port: int) -> Any:
    """chalice.local.create_local_server, with a listen backlog for many clients connecting at once."""
    from chalice.local import CustomLocalChalice, LocalChalice, LocalDevServer, ThreadedHTTPServer

    class BackloggedServer(ThreadedHTTPServer):
        request_queue_size = LISTEN_BACKLOG

    # What create_local_server does before it builds the server: local mode for the app's routes.
    CustomLocalChalice.__bases__ = (LocalChalice, chalice_app.__class__)
    chalice_app.__class__ = CustomLocalChalice
    return LocalDevServer(chalice_app, config, host, port, server_cls=BackloggedServer)


def _quiet_disconnects(handle_error: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """A client that drops its idle keep-alive connection is not an error worth a traceback on stderr."""

    def handle(request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        handle_error(request, client_address)

    return handle
