"""Outbound webhooks connect to the address that was checked: DNS rebinding cannot turn a public host into loopback.

Real sockets on 127.0.0.1 only. The "public" address the resolver answers is never dialled for real: a guard in
front of urllib3's connect records each destination and refuses public ones, as a network without a route would.
"""

from __future__ import annotations

import http.server
import ipaddress
import socket
import ssl
import threading
from typing import TYPE_CHECKING, Any

import pytest
import requests
import trustme
import urllib3.util.connection

from chalicelib.adapters.webhooks.http_poster import HttpWebhookPoster
from chalicelib.adapters.webhooks.pinning import PinnedHostAdapter, preferred, to_address
from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.integration

PUBLIC = "93.184.216.34"
SECRET = "whsec_" + "dGVzdC1zZWNyZXQtZm9yLXBpbm5pbmctdGVzdHM="


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections that reach it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port = int(self.sock.getsockname()[1])

    def connections(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1


@pytest.fixture
def listener() -> Iterator[Listener]:
    port = Listener()
    yield port
    port.sock.close()


@pytest.fixture
def dialled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (host, port) urllib3 connects to; public IP addresses are refused instead of dialled."""
    destinations: list[tuple[str, int]] = []
    connect = urllib3.util.connection.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        destinations.append(address)
        try:
            is_public = ipaddress.ip_address(address[0]).is_global
        except ValueError:
            is_public = False  # a name: resolved by socket.getaddrinfo, as urllib3 always does
        if is_public:
            raise OSError("tests have no route to the internet")
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", guarded)
    return destinations


def rebinding_dns(monkeypatch: pytest.MonkeyPatch, name: str, first: str, then: str) -> list[str]:
    """socket.getaddrinfo answers `first` for `name` once, `then` ever after: a rebinding DNS server."""
    asked: list[str] = []
    resolve = socket.getaddrinfo

    def answer(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != name:
            return resolve(host, port, *args, **kwargs)
        asked.append(host)
        address = first if len(asked) == 1 else then
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", answer)
    return asked


def test_a_host_that_rebinds_to_loopback_after_the_check_is_never_connected_to(
    monkeypatch: pytest.MonkeyPatch, listener: Listener, dialled: list[tuple[str, int]]
) -> None:
    # GIVEN a name whose DNS answers a public address to the check, then 127.0.0.1 where our listener waits
    asked = rebinding_dns(monkeypatch, "rebind.example", PUBLIC, "127.0.0.1")
    poster = HttpWebhookPoster(local=False)

    # WHEN a delivery is attempted
    outcome = poster.post(f"https://rebind.example:{listener.port}/hook", SECRET, "msg_rebind", "{}")

    # THEN the poster dialled the address it checked, asked DNS once, and nothing reached loopback
    assert dialled == [(PUBLIC, listener.port)]
    assert asked == ["rebind.example"]
    assert listener.connections() == 0
    assert outcome.status_code is None


def test_a_host_with_any_private_address_among_its_answers_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {"mixed.example": [PUBLIC, "127.0.0.1"], "nat64.example": ["64:ff9b::a9fe:a9fe"]}
    poster = HttpWebhookPoster(local=False, resolver=lambda host, _port: answers[host])

    for host in answers:
        with pytest.raises(InvalidInputError) as refused:
            poster.vet(f"https://{host}/hook")
        assert "non-public" in refused.value.message


def test_the_local_stage_still_delivers_only_to_this_machine(listener: Listener) -> None:
    poster = HttpWebhookPoster(local=True)

    with pytest.raises(InvalidInputError):
        poster.vet("https://shop.example.com/hook")
    poster.vet(f"http://127.0.0.1:{listener.port}/hook")
    poster.vet(f"http://localhost:{listener.port}/hook")


def test_ipv4_is_preferred_and_ipv6_literals_are_bracketed() -> None:
    assert preferred(["2606:2800:220:1::1", PUBLIC]) == PUBLIC
    assert to_address("https://shop.example:8443/h?x=1", "2606:2800:220:1::1") == (
        "https://[2606:2800:220:1::1]:8443/h?x=1",
        "shop.example:8443",
    )
    assert to_address("https://shop.example/h", PUBLIC) == (f"https://{PUBLIC}/h", "shop.example")


# --- TLS: the connection goes to the address, the name is what is verified ------------------------------------


class TlsServer:
    """HTTPS on 127.0.0.1 with a certificate for `name` from a test CA; records the SNI and Host it was sent."""

    def __init__(self, ca: trustme.CA, name: str) -> None:
        self.sni: list[str | None] = []
        self.hosts: list[str | None] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                server.hosts.append(self.headers.get("Host"))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(name).configure_cert(context)
        context.sni_callback = lambda _sock, sni, _ctx: self.sni.append(sni)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def shop(ca: trustme.CA) -> Iterator[TlsServer]:
    server = TlsServer(ca, "shop.example")
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def pinned_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.mount("https://", PinnedHostAdapter())
    return session


def test_a_pinned_https_request_sends_sni_and_host_for_the_name_and_verifies_its_certificate(
    ca: trustme.CA, shop: TlsServer
) -> None:
    url, host = to_address(f"https://shop.example:{shop.port}/hook", "127.0.0.1")

    with ca.cert_pem.tempfile() as bundle:
        response = pinned_session().post(url, headers={"Host": host}, data=b"{}", verify=bundle, timeout=5)

    assert response.status_code == 204
    assert shop.sni == ["shop.example"]
    assert shop.hosts == [f"shop.example:{shop.port}"]


def test_a_certificate_for_another_name_is_refused(ca: trustme.CA, shop: TlsServer) -> None:
    url, _ = to_address(f"https://other.example:{shop.port}/hook", "127.0.0.1")

    with ca.cert_pem.tempfile() as bundle, pytest.raises(requests.exceptions.SSLError):
        pinned_session().post(url, headers={"Host": f"other.example:{shop.port}"}, verify=bundle, timeout=5)
    assert shop.hosts == []
