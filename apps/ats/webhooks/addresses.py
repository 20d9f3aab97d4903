"""Where webhooks may go: address checks at registration and before every request, and
the HTTP POST pinned to the address that was checked."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
TIMEOUT_SECONDS = 15
RESPONSE_SNIPPET_BYTES = 500
# Cloud instance metadata (AWS, GCP, Azure; AWS over IPv6): never a webhook receiver.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


# -- addresses --------------------------------------------------------------------------------


class UnsafeURL(ValueError):
    """The URL is not one we send webhooks to; the message says why, for the admin."""


@dataclass(frozen=True)
class Target:
    """Where a request goes: the URL's parts and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def address_problem(address: IPAddress) -> str | None:
    """Why we refuse to send to ``address`` (a phrase such as "a private address"), or None.

    Only public addresses are allowed; ``WEBHOOKS_ALLOW_LOOPBACK`` also allows 127.0.0.0/8 and
    ::1, for development and tests that run a receiver on this machine.
    """
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address written as IPv6 (::ffff:10.0.0.1, 6to4) is judged as that address.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return address_problem(embedded)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return None if settings.WEBHOOKS_ALLOW_LOOPBACK else "a loopback address"
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "not a public address"),
    )
    return next((reason for refused, reason in checks if refused), None)


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURL(f"The host {host} could not be resolved ({exc}).") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 zone
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURL(f"The host {host} could not be resolved.")
    return addresses


def _is_literal(host: str, address: IPAddress) -> bool:
    try:
        return ipaddress.ip_address(host) == address
    except ValueError:
        return False


def check_url(url: str) -> Target:
    """Parse ``url`` and resolve its host; raise UnsafeURL unless every address is allowed.

    Every address must pass, not just one: a name that also resolves to a private address is
    refused, since the connection could go to either.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Use an http:// or https:// URL.")
    if not parts.hostname:
        raise UnsafeURL("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(
            "Leave the user name and password out of the URL: receivers check the signature."
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("The URL's port is not a number between 1 and 65535.") from None
    host = parts.hostname
    addresses = _resolve(host, port)
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            shown = host if _is_literal(host, address) else f"{host} resolves to {address}, which"
            raise UnsafeURL(
                f"Refused: {shown} is {problem}. Webhooks are sent only to public addresses."
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, str(addresses[0]))


# -- HTTP -------------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that passed ``check_url``, not to a fresh DNS answer."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the URL's host name, as usual.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int
    retry_after: str | None
    text: str


def http_post(target: Target, body: bytes, headers: dict[str, str]) -> Response:
    """POST without following redirects; reads at most a snippet of the answer for the log.
    Each network step (connect, send, each read) times out after TIMEOUT_SECONDS."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        target.host, target.port, address=target.address, timeout=TIMEOUT_SECONDS
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(RESPONSE_SNIPPET_BYTES).decode("utf-8", "replace")
        return Response(response.status, response.getheader("retry-after"), text)
    finally:
        connection.close()
