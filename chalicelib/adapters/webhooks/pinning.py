"""Connecting to the address that was checked, not to whatever DNS answers a moment later (DNS rebinding).

The poster resolves a webhook host and checks every address before each attempt. If requests then resolved
the name again, an attacker's DNS server could answer a public address to the check and 127.0.0.1 or the
metadata service to the connection. So the request goes to the vetted IP address itself, and the name stays
where it belongs: in the Host header, in TLS SNI and in the certificate check, which are all made against
the host name, as if requests had resolved it to that address.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from requests.adapters import HTTPAdapter

if TYPE_CHECKING:
    from requests.adapters import _HostParams, _PoolKwargs
    from requests.models import PreparedRequest


def to_address(url: str, address: str) -> tuple[str, str]:
    """The URL with its host replaced by `address`, and the Host header that keeps naming the host."""
    parts = urlsplit(url)
    literal = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    netloc = f"{literal}:{parts.port}" if parts.port is not None else literal
    return urlunsplit(parts._replace(netloc=netloc)), parts.netloc


def preferred(addresses: list[str]) -> str:
    """IPv4 first: a Lambda function outside a dual-stack VPC has no IPv6 route. Otherwise the resolver's order."""
    return sorted(addresses, key=lambda a: ipaddress.ip_address(a).version)[0]


class PinnedHostAdapter(HTTPAdapter):
    """HTTPS to an address, verified as the host the Host header names (SNI and certificate both use the name)."""

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: bool | str, cert: str | tuple[str, str] | None = None
    ) -> tuple[_HostParams, _PoolKwargs]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name = urlsplit(f"//{request.headers.get('Host', '')}").hostname
        if host_params.get("scheme") != "https" or not name or _is_ip(name):
            return host_params, pool_kwargs
        # Both are part of urllib3's pool key: a connection verified for one name is never reused for another.
        pinned: dict[str, Any] = {**pool_kwargs, "server_hostname": name, "assert_hostname": name}
        return host_params, cast("_PoolKwargs", pinned)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
