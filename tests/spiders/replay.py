"""A replay of recorded real responses: one loopback HTTP server per real host, answering ONLY
what was recorded (../shared/fixtures/real/endpoints/, SOURCES.md there), at the real path and
for the real method and parameters; anything else is a 404 "not recorded". Every request is
logged with its host role, method, path, parameters (query and form) and headers.

Where a recording's own request is unknown (a CNINFO search saved without its form), the
recording answers every request that names its security; the spiders' own filters are what
select from it, as they would from the live answer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

EP = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real" / "endpoints"


@dataclass(frozen=True)
class Recording:
    method: str
    path: str
    file: str  # relative to EP
    match: Callable[[dict[str, str]], bool] = lambda params: True
    media: str = "application/json"


@dataclass
class Hit:
    host: str
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int


@dataclass
class Replay:
    recordings: dict[str, list[Recording]]  # host role -> what it answers
    log: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self, host: str) -> Starlette:
        async def handle(request: Request) -> Response:
            params = {k: v for k, v in request.query_params.items()}
            if request.method == "POST":
                body = (await request.body()).decode("utf-8", "replace")
                params.update({k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})
            path = request.url.path
            rec = next((r for r in self.recordings.get(host, []) if r.method == request.method and r.path == path
                        and r.match(params)), None)
            if rec is None:
                resp: Response = Response("not recorded", status_code=404, media_type="text/plain")
            else:
                resp = Response((EP / rec.file).read_bytes(), media_type=rec.media)
            with self.lock:
                self.log.append(Hit(host, request.method, path, params, dict(request.headers), resp.status_code))
            return resp
        return Starlette(routes=[Route("/{rest:path}", handle, methods=["GET", "POST"])])

    def hits(self, host: str | None = None, path: str | None = None) -> list[Hit]:
        return [h for h in self.log if (host is None or h.host == host) and (path is None or h.path == path)]


def stock(code: str) -> Callable[[dict[str, Any]], bool]:
    return lambda params: str(params.get("stock", "")).split(",")[0] == code
