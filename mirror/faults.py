"""Fault injection in the mirror (issue 10): ``FaultInjector`` wraps the whole mirror app.

It is a pure ASGI middleware and the outermost layer (outside Starlette's own middleware), so it
can do what a handler cannot: close the connection without a response, stall halfway through a
body, send less than the declared Content-Length, cut a body, change its Content-Type and
rename a field of the real JSON answer. What to do is decided by a ``FaultProfile``
(mirror.faults_profile) from the seed, the request and the attempt number of that same request;
every decision is kept in ``injector.events`` so a failure can be traced and replayed.

    app = mirror.server.make_faulty_app(world_dir, "transient")   # or FaultInjector(make_app(w), profile)
    with mirror.server.running(world_dir, app=app) as base_url: ...
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from mirror.faults_profile import (
    ANSWERING, PROFILES, Drift, FaultKind, FaultProfile, load_profile, request_key, resolve_permanent, unit,
)
from mirror.hits import Hit, source_of

__all__ = ["FaultInjector", "FaultEvent", "FaultKind", "FaultProfile", "PROFILES", "load_profile",
           "block_page", "truncate_body", "rename_field"]

log = logging.getLogger("mirror.faults")
Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]

BLOCK_PAGE = (  # CloudWAF's page, as CNINFO serves it to clients it takes for attackers (NOTES.md)
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>访问被拦截！</title></head><body>"
    "<div class=\"main\"><h1>访问被拦截！</h1><p>您的请求疑似攻击行为！</p>"
    "<p>拦截编号：{ref}</p></div></body></html>")
RATE_LIMIT_PAGE = (  # SEC's answer to clients over 10 requests per second
    "<!DOCTYPE html><html><head><title>SEC.gov | Request Rate Threshold Exceeded</title></head><body>"
    "<h1>Your Request Originates from an Undeclared Automated Tool</h1>"
    "<p>Request Rate Threshold Exceeded. Your request has been identified as part of a network of "
    "automated tools outside of the acceptable policy and will be managed until action is taken to "
    "declare your traffic.</p><p>Reference ID: {ref}</p></body></html>")
_ANSWERS: dict[FaultKind, tuple[int, str]] = {
    FaultKind.HTTP_500: (500, "<html><body><h1>500 Internal Server Error</h1></body></html>"),
    FaultKind.HTTP_502: (502, "<html><head><title>502 Bad Gateway</title></head><body><center>"
                              "<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"),
    FaultKind.HTTP_503: (503, "<html><body><h1>503 Service Unavailable</h1></body></html>"),
    FaultKind.HTTP_404: (404, "404 Not Found"),
    FaultKind.HTTP_429: (429, "<html><body><h1>429 Too Many Requests</h1></body></html>"),
    FaultKind.RATELIMIT_403: (403, RATE_LIMIT_PAGE),
    FaultKind.BLOCK_PAGE: (200, BLOCK_PAGE),
}
_OTHER_TYPES = ("text/html; charset=utf-8", "application/octet-stream", "text/plain; charset=utf-8")


@dataclass(frozen=True)
class FaultEvent:
    """One request as the injector saw it. ``kind`` None: served clean; ``applied`` False: the
    fault needed a 200 answer with a body and the mirror gave none, so it was served as is."""
    time: float
    method: str
    path: str
    key: str  # mirror.faults_profile.request_key
    attempt: int
    kind: FaultKind | None
    drift: bool = False
    applied: bool = True


class FaultInjector:
    """ASGI middleware: ``FaultInjector(app, profile)``. Put it outermost (around the Starlette
    app itself): a connection reset needs the server's own ``send``."""

    def __init__(self, app: Any, profile: FaultProfile | str) -> None:
        self.app = app
        self.profile = profile if isinstance(profile, FaultProfile) else load_profile(profile)
        world = getattr(getattr(app, "state", None), "world", None)
        self.permanent = resolve_permanent(self.profile, getattr(world, "root", None))
        self.events: list[FaultEvent] = []
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def state(self) -> Any:
        """The wrapped app's state (its request log is ``state.log``)."""
        return self.app.state

    def attempt_of(self, key: str) -> int:
        with self._lock:
            self._attempts[key] = n = self._attempts.get(key, 0) + 1
        return n

    async def __call__(self, scope: Message, receive: Callable, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, receive = await _buffer_request(receive)
        method, path = scope["method"], scope["path"]
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if _is_form(scope):
            params += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        key = request_key(method, path, params)
        attempt = self.attempt_of(key)
        kind = self.profile.decide(method, path, params, attempt, self.permanent)
        drifts = self.profile.drifts_for(path)
        event = FaultEvent(time.monotonic(), method, path, key, attempt, kind, drift=bool(drifts))
        if kind is not None:
            log.info("%s attempt %d: %s (%s)", key, attempt, kind.value, self.profile.describe())
        if kind in ANSWERING:
            self._record(event, scope, 0 if kind is FaultKind.RESET else _ANSWERS[kind][0])
            if kind is FaultKind.RESET:
                await reset_connection(send)
            else:
                await self._answer(kind, key, attempt, send)
            return
        if kind is None and not drifts:
            self._record(event, None, 0)
            await self.app(scope, receive, send)
            return
        status, headers, content = await _capture(self.app, scope, receive)
        if drifts and status == 200:
            content, headers = _drift(content, headers, drifts)
        if kind is not None and (status != 200 or not content):
            event = FaultEvent(event.time, method, path, key, attempt, kind, drift=bool(drifts), applied=False)
            kind = None
        self._record(event, None, 0)
        await self._deliver(kind, key, status, headers, content, send)

    def _record(self, event: FaultEvent, scope: Message | None, status: int) -> None:
        """Keep the event; an answer the mirror never saw also goes into its request log."""
        with self._lock:
            self.events.append(event)
        if scope is None:
            return
        target = getattr(getattr(self.app, "state", None), "log", None)
        if target is not None:
            target.append(Hit(event.method, event.path, scope.get("query_string", b"").decode("latin-1"),
                              event.time, source_of(event.path), status))

    async def _answer(self, kind: FaultKind, key: str, attempt: int, send: Send) -> None:
        status, text = _ANSWERS[kind]
        ref = f"{int(unit(self.profile.seed, 'ref', key, attempt) * 1e12):012d}"
        payload = text.format(ref=ref).encode("utf-8")
        ctype = b"text/plain; charset=utf-8" if kind is FaultKind.HTTP_404 else b"text/html; charset=utf-8"
        headers = [(b"content-type", ctype), (b"content-length", str(len(payload)).encode())]
        if kind is FaultKind.HTTP_429:
            headers.append((b"retry-after", str(self.profile.retry_after_s).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload, "more_body": False})

    async def _deliver(self, kind: FaultKind | None, key: str, status: int, headers: list[tuple[bytes, bytes]],
                       content: bytes, send: Send) -> None:
        half = len(content) // 2
        if kind is FaultKind.TRUNCATE:
            content = truncate_body(content, _ctype(headers))
        elif kind is FaultKind.WRONG_TYPE:
            options = [t for t in _OTHER_TYPES if t.split(";")[0] != _ctype(headers)]
            headers = _set(headers, b"content-type", options[int(unit(self.profile.seed, "type", key) * len(options))])
        if kind is not FaultKind.SHORT_BODY:
            headers = _set(headers, b"content-length", str(len(content)))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if kind is FaultKind.SHORT_BODY:
            await send({"type": "http.response.body", "body": content[:half], "more_body": True})
            await reset_connection(send)
            return
        if kind is FaultKind.STALL:
            await send({"type": "http.response.body", "body": content[:half], "more_body": True})
            await asyncio.sleep(self.profile.stall_s)
            content = content[half:]
        await send({"type": "http.response.body", "body": content, "more_body": False})


# --- body transformations (pure) ---------------------------------------------------------------
def truncate_body(content: bytes, ctype: str | None = None) -> bytes:
    """About half of ``content``: a PDF loses its %%EOF trailer; JSON is cut inside a string."""
    half = len(content) // 2
    if ctype and "json" in ctype:
        cut = _inside_string(content, half)
        if cut is not None:
            return content[:cut]
    while 0 < half < len(content) and 0x80 <= content[half] < 0xC0:
        half -= 1  # not inside a UTF-8 character: the cut is in the data, not the encoding
    return content[:half]


def _inside_string(content: bytes, start: int) -> int | None:
    """The first offset at or after ``start`` that is inside a JSON string, past its first
    character and at the start of a UTF-8 character: cutting there leaves the string open."""
    in_string = escaped = False
    opened = -1
    for i, b in enumerate(content):
        if in_string:
            if i >= start and i > opened + 1 and not escaped and not 0x80 <= b < 0xC0 and b != 0x22:
                return i
            if escaped:
                escaped = False
            elif b == 0x5C:
                escaped = True
            elif b == 0x22:
                in_string = False
        elif b == 0x22:
            in_string, opened = True, i
    return None


def rename_field(data: Any, dotted: str, new_name: str) -> bool:
    """Rename ``dotted`` (``a.b.c``) to ``new_name`` in place, keeping the key order; False if absent."""
    *parents, last = dotted.split(".")
    for part in parents:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    if not isinstance(data, dict) or last not in data:
        return False
    items = [(new_name if k == last else k, v) for k, v in data.items()]
    data.clear()
    data.update(items)
    return True


def block_page(ref: str = "000000000000") -> str:
    return BLOCK_PAGE.format(ref=ref)


# --- ASGI plumbing -----------------------------------------------------------------------------
async def reset_connection(send: Send) -> None:
    """Close the client's connection at once (RST): uvicorn's ``send`` is a bound method of its
    request cycle, which holds the transport. Elsewhere, raising makes the server drop it."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("fault injection: connection reset")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:  # linger 0: the close sends RST, as a reset by a middlebox looks
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()
    # let connection_lost mark the cycle disconnected, so the server adds no 500 of its own
    for _ in range(3):
        await asyncio.sleep(0)


async def _buffer_request(receive: Callable) -> tuple[bytes, Callable]:
    """Read the whole request body (the form is part of the request's identity), then hand it
    to the app again as one message."""
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body, given = b"".join(chunks), False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return body, replay


def _is_form(scope: Message) -> bool:
    ctype = dict(scope.get("headers", [])).get(b"content-type", b"")
    return ctype.split(b";")[0].strip().lower() == b"application/x-www-form-urlencoded"


async def _capture(app: Any, scope: Message, receive: Callable) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    start: Message = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
    await app(scope, receive, keep)
    return int(start.get("status", 500)), list(start.get("headers", [])), b"".join(chunks)


def _ctype(headers: list[tuple[bytes, bytes]]) -> str | None:
    for k, v in headers:
        if k.lower() == b"content-type":
            return v.decode("latin-1").split(";")[0].strip().lower()
    return None


def _set(headers: list[tuple[bytes, bytes]], name: bytes, value: str) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() != name] + [(name, value.encode("latin-1"))]


def _drift(content: bytes, headers: list[tuple[bytes, bytes]], drifts: list[Drift]
           ) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The answer with the drift's fields renamed; JSONP and non-JSON answers are left alone."""
    try:
        data = json.loads(content)
    except ValueError:
        return content, headers
    changed = [rename_field(data, d.field, d.rename_to) for d in drifts]
    if not any(changed):
        return content, headers
    # Starlette's JSONResponse rendering, so that only the field name differs
    out = json.dumps(data, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")
    return out, _set(headers, b"content-length", str(len(out)))
