"""What the local API servers share: a loopback HTTP server that can cut its connections, a
quiet request handler with Nagle's algorithm off, and fault switches a test flips.

These servers stand in for the real APIs in tests and in ``sotong demo``; they listen on
127.0.0.1 only, on a port the system picks.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


def stable_hex(*parts: str) -> str:
    """Sixteen hex digits that depend only on ``parts``: a demo id that stays the same from
    start to start, so a store kept from an earlier start fetches nothing twice."""
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:16]  # noqa: S324 - an id


class LocalHandler(BaseHTTPRequestHandler):
    """A keep-alive request handler that logs at debug level only."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes: without this, Nagle's algorithm holds the
        # body until the client's delayed ACK (about 40 ms per keep-alive request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("local api server: " + format, *args)


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 that can cut its open connections."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("local api server: connection error from %s", client_address, exc_info=True)

    def drop_connections(self) -> None:
        """Cut every open keep-alive connection, as a server that vanishes would."""
        with self._open_lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._open.clear()


Reply = tuple[int, dict[str, str], bytes]


# -- fault switches -------------------------------------------------------------------------


@dataclass
class Fault:
    kind: str
    remaining: int
    status: int = 500
    seconds: float = 0.0
    path: str = ""


class Faults:
    """Misbehaviour for the next N requests, flipped by a test; thread-safe.

    Each switch applies to requests whose path contains ``path`` (all by default); a request
    meets at most one fault, the first one set that matches.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self.stopping = threading.Event()

    def _add(self, fault: Fault) -> None:
        with self._lock:
            self._queue.append(fault)

    def fail(self, n: int = 1, status: int = 500, path: str = "") -> None:
        """Answer ``status`` (a 5xx by default) without doing anything."""
        self._add(Fault("error", n, status=status, path=path))

    def rate_limit(self, n: int = 1, retry_after: int = 30, path: str = "") -> None:
        """Answer 429 with the API's rate-limit headers or parameters."""
        self._add(Fault("rate_limit", n, status=429, seconds=retry_after, path=path))

    def slow(self, n: int = 1, seconds: float = 2.0, path: str = "") -> None:
        """Do the work, then wait ``seconds`` before answering."""
        self._add(Fault("slow", n, seconds=seconds, path=path))

    def drop(self, n: int = 1, path: str = "") -> None:
        """Do the work, then close the socket without answering."""
        self._add(Fault("drop", n, path=path))

    def malformed(self, n: int = 1, path: str = "") -> None:
        """Do the work, then answer 200 with a body that is not JSON."""
        self._add(Fault("malformed", n, path=path))

    def clear(self) -> None:
        """Remove every pending fault."""
        with self._lock:
            self._queue.clear()

    def take(self, path: str) -> Fault | None:
        """The fault for a request to ``path``, if any (used by the servers)."""
        with self._lock:
            for fault in self._queue:
                if fault.remaining > 0 and fault.path in path:
                    fault.remaining -= 1
                    return fault
        return None


class FaultyHandler(LocalHandler):
    """Request handler that applies :class:`Faults` around the real work of ``route``."""

    faults: Faults

    def route(self, method: str, body: bytes) -> Reply:  # pragma: no cover - overridden
        """Do the request's work and build its answer."""
        raise NotImplementedError

    def error_reply(self, fault: Fault) -> Reply:  # pragma: no cover - overridden
        """The answer for an ``error`` or ``rate_limit`` fault."""
        raise NotImplementedError

    def _body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(min(length, 8 * 1024 * 1024)) if length > 0 else b""

    def _serve(self, method: str) -> None:
        body = self._body()
        fault = self.faults.take(urlsplit(self.path).path)
        if fault is not None and fault.kind in ("error", "rate_limit"):
            self._write(self.error_reply(fault))
            return
        reply = self.route(method, body)
        if fault is not None and fault.kind == "slow":
            self.faults.stopping.wait(fault.seconds)
        elif fault is not None and fault.kind == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        elif fault is not None and fault.kind == "malformed":
            reply = (200, {"Content-Type": "application/json"}, b'{"data": [{"id": "1", ')
        self._write(reply)

    def _write(self, reply: Reply) -> None:
        status, headers, payload = reply
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (a timeout test)
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")
