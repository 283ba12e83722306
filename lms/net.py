"""Addresses the server itself connects to, given by someone else (a browser's push service, an
LTI platform's endpoints): on the internet, never this server's own network (loopback, private
ranges, link-local, cloud metadata), so that nobody can make the server call its neighbours."""

from __future__ import annotations

import ipaddress
import socket


def all_public(host: str, port: int = 443) -> bool | None:
    """Whether every address ``host`` resolves to is a global one: ``True``, ``False`` (one is
    not: loopback, private, link-local...), or ``None`` when it does not resolve now."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError):
        return None
    if not addresses:
        return None
    return all(ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses)
