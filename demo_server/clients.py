"""Who is on the other end of a request: the client address rate limits count by.

The address is the ASGI peer (the TCP connection's far end). Only when that peer is a proxy
the deployment named (``diary-server serve --forwarded-allow-ips``, none by default) does
``X-Forwarded-For`` count: then the client is the rightmost address in it that is not itself
a trusted proxy (each proxy appends the address it saw, so what a client wrote itself is
further left and is never believed). A client that talks to the server directly cannot
choose its address by sending the header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"

ENV_FORWARDED_ALLOW_IPS = "DIARY_FORWARDED_ALLOW_IPS"
"""Comma-separated trusted proxies, passed by ``diary-server serve`` to its workers."""


class BadProxyList(ValueError):
    """A ``--forwarded-allow-ips`` entry that is not an address or a network."""


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The networks of ``entries`` (addresses like 10.0.0.5 or networks like 10.0.0.0/24)."""
    networks: list[Network] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise BadProxyList(
                f"{text!r} is not an IP address or network (like 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[Network]
) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[Network]
) -> str:
    """The client's address: ``peer`` itself unless it is one of ``proxies``; then the
    rightmost address of ``forwarded_for`` (the X-Forwarded-For headers, in order) that is not
    a trusted proxy."""
    if not peer:
        return UNKNOWN
    address = _address(peer)
    if address is None or not proxies or not _trusted(address, proxies):
        return str(address) if address is not None else peer
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        forwarded = _address(hop)
        if forwarded is None:
            break  # a proxy wrote something that is not an address: trust no further
        if not _trusted(forwarded, proxies):
            return str(forwarded)
        address = forwarded
    return str(address)


def request_client(request: Request[Any, Any, Any], proxies: Sequence[Network]) -> str:
    """:func:`client_address` of a request."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getall("x-forwarded-for", []), proxies)


def rate_key(address: str) -> str:
    """What failures from ``address`` are counted under: the address itself, or for IPv6 its
    /64 network (one subscriber's, whose every address the subscriber can choose)."""
    parsed = _address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed) if parsed is not None else address[:64]
