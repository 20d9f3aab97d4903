"""Where outbound calls may go: the one address check for every request we make to an address
someone else gave us (webhook endpoints, Greenhouse's callback URL), and the HTTP request pinned
to the address that was checked.

``url_problem`` judges a URL without DNS (when it is registered: a form or an API request);
``check_url`` also resolves the host and judges every address, right before each request, and
the request then connects to that checked address (DNS cannot swap it in between).
``WEBHOOKS_ALLOW_LOOPBACK`` lets 127.0.0.0/8 and ::1 through (development, tests with a local
receiver) and nothing else: private, link-local and metadata ranges stay refused.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Short timeouts: a slow receiver costs a worker slot of the ``webhooks`` queue for seconds,
# not minutes. Connecting gets CONNECT_TIMEOUT_SECONDS, then every send and read
# READ_TIMEOUT_SECONDS, and the whole request at most TIMEOUT_SECONDS.
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 10
TIMEOUT_SECONDS = 20
PUBLIC_ONLY = "We send only to public addresses."
# Names that never point to the public internet (RFC 6761, RFC 6762, common internal zones).
LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
RESPONSE_SNIPPET_BYTES = 500
# Cloud instance metadata (AWS, GCP, Azure; AWS over IPv6): never a webhook receiver.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


# -- addresses --------------------------------------------------------------------------------


class UnsafeURL(ValueError):
    """The URL is not one we send webhooks to; the message says why, for the admin."""


class UnresolvedHost(UnsafeURL):
    """The host name did not resolve: refused at registration, worth retrying at send time."""


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
            problem = address_problem(embedded)
            return None if problem is None else f"{problem} (it embeds {embedded})"
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
        raise UnresolvedHost(f"The host {host} could not be resolved ({exc}).") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 zone
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnresolvedHost(f"The host {host} could not be resolved.")
    return addresses


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _https_problem(scheme: str, addresses: list[IPAddress]) -> str | None:
    """``https_only`` callers accept plain http only to a loopback receiver that
    WEBHOOKS_ALLOW_LOOPBACK lets through (a test or development server)."""
    if scheme == "https":
        return None
    if settings.WEBHOOKS_ALLOW_LOOPBACK and addresses and all(a.is_loopback for a in addresses):
        return None
    return "Use an https:// URL."


def _parse(url: str, *, https_only: bool) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of ``url``, or UnsafeURL for what is wrong without DNS."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Use an https:// URL." if https_only else "Use an http:// or https:// URL.")
    if not parts.hostname:
        raise UnsafeURL("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("Leave the user name and password out of the URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("The URL's port is not a number between 1 and 65535.") from None
    host = parts.hostname
    literal = _literal(host)
    if literal is not None:
        problem = address_problem(literal)
        if problem is not None:
            raise UnsafeURL(f"Refused: {host} is {problem}. {PUBLIC_ONLY}")
        if https_only and (problem := _https_problem(parts.scheme, [literal])):
            raise UnsafeURL(problem)
    elif https_only and parts.scheme != "https" and not settings.WEBHOOKS_ALLOW_LOOPBACK:
        raise UnsafeURL("Use an https:// URL.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port, path


def url_problem(url: str, *, https_only: bool = False) -> str | None:
    """Why we must not call ``url``, judged without DNS (scheme, host, literal addresses and
    local names), or None. ``check_url`` repeats all but the local-name rule, and judges the
    resolved addresses instead."""
    try:
        _, host, _, _ = _parse(url, https_only=https_only)
    except UnsafeURL as exc:
        return str(exc)
    name = host.rstrip(".").lower()
    if _literal(name) is None and (name == "localhost" or name.endswith(LOCAL_NAME_SUFFIXES)):
        loopback_name = name == "localhost" or name.endswith(".localhost")
        if not (loopback_name and settings.WEBHOOKS_ALLOW_LOOPBACK):
            return f"Refused: {host} is a local name. {PUBLIC_ONLY}"
    return None


def check_url(url: str, *, https_only: bool = False) -> Target:
    """Parse ``url`` and resolve its host; raise UnsafeURL unless every address is allowed.

    Every address must pass, not just one: a name that also resolves to a private address is
    refused, since the connection could go to either. ``https_only``: plain http only to a
    loopback receiver that WEBHOOKS_ALLOW_LOOPBACK allows.
    """
    scheme, host, port, path = _parse(url, https_only=https_only)
    addresses = _resolve(host, port)
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            shown = host if _literal(host) == address else f"{host} resolves to {address}, which"
            raise UnsafeURL(f"Refused: {shown} is {problem}. {PUBLIC_ONLY}")
    if https_only and (problem := _https_problem(scheme, addresses)):
        raise UnsafeURL(problem)
    return Target(scheme, host, port, path, str(addresses[0]))


# -- HTTP -------------------------------------------------------------------------------------


def _connect(address: str, port: int) -> socket.socket:
    sock = socket.create_connection((address, port), min(CONNECT_TIMEOUT_SECONDS, TIMEOUT_SECONDS))
    sock.settimeout(min(READ_TIMEOUT_SECONDS, TIMEOUT_SECONDS))
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that passed ``check_url``, not to a fresh DNS answer."""

    def __init__(self, host: str, port: int, *, address: str):
        super().__init__(host, port, timeout=READ_TIMEOUT_SECONDS)
        self._address = address

    def connect(self) -> None:
        self.sock = _connect(self._address, self.port)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str):
        super().__init__(
            host, port, timeout=READ_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
        self._address = address

    def connect(self) -> None:
        # The certificate is checked against the URL's host name, as usual.
        self.sock = self._context.wrap_socket(
            _connect(self._address, self.port), server_hostname=self.host
        )


@dataclass(frozen=True)
class Response:
    status: int
    retry_after: str | None
    text: str


def http_request(
    target: Target, method: str, body: bytes | None, headers: dict[str, str]
) -> Response:
    """One request to the checked address, without following redirects; reads at most a
    snippet of the answer for the log. Connecting times out after CONNECT_TIMEOUT_SECONDS, each
    later network step after READ_TIMEOUT_SECONDS, the whole request after TIMEOUT_SECONDS
    (TimeoutError)."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, address=target.address)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        connection.request(method, target.path, body=body, headers=headers)
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        # Read in small steps so a receiver that trickles bytes meets the overall deadline.
        while size < RESPONSE_SNIPPET_BYTES:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no complete answer within {TIMEOUT_SECONDS} s")
            chunk = response.read1(RESPONSE_SNIPPET_BYTES - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        text = b"".join(chunks).decode("utf-8", "replace")
        return Response(response.status, response.getheader("retry-after"), text)
    finally:
        connection.close()


def http_post(target: Target, body: bytes, headers: dict[str, str]) -> Response:
    """A webhook's POST (see ``http_request``)."""
    return http_request(target, "POST", body, headers)
