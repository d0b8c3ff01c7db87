"""The mirror: an offline stand-in for the public sources, serving a demo world (docs/CONTRACTS.md,
"The demo world") at the real paths, with the real methods, parameters and envelopes, on one host.

It runs on uvicorn + Starlette rather than the stdlib ThreadingHTTPServer: a real HTTP/1.1
server with keep-alive, correct Content-Length and concurrent requests, so that the spiders
meet the transport they meet in production; both libraries are already installed with Prefect.

Every request is recorded (method, path, time, source, status, User-Agent) in ``app.state.log`` so that tests
can count requests per second per source. ``faults`` is the hook for fault injection: a
callable ``(method, path, params) -> starlette Response | None`` consulted before routing.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mirror import server_cn, server_market
from mirror.faults import FaultInjector
from mirror.faults_profile import FaultProfile, load_profile
from mirror.hits import SOURCE_PREFIXES, Hit, source_of  # noqa: F401  (the log's row and the sources, re-exported)

Faults = Callable[[str, str, dict[str, str]], Response | None]

_TYPES = {".pdf": "application/pdf", ".json": "application/json", ".htm": "text/html",
          ".html": "text/html", ".txt": "text/plain", ".xml": "application/xml"}


class World:
    """The world's ``sources/`` folder, read lazily; JSON files are parsed once."""

    def __init__(self, world_dir: Path) -> None:
        self.root = Path(world_dir).resolve() / "sources"
        self._json: dict[str, Any] = {}
        self._lock = threading.Lock()

    def file(self, rel: str) -> Path | None:
        """A file under sources/, or None (never anything outside it)."""
        if not rel or "\\" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
            return None
        found = (self.root / rel).resolve()
        return found if found.is_file() and found.is_relative_to(self.root) else None

    def json(self, rel: str, default: Any) -> Any:
        with self._lock:
            if rel not in self._json:
                found = self.file(rel)
                self._json[rel] = json.loads(found.read_text(encoding="utf-8")) if found else None
            value = self._json[rel]
        return default if value is None else value

    def cninfo_orgs(self) -> dict[str, str]:
        rows = self.json("cninfo/szse_stock.json", {}).get("stockList", [])
        return {str(r["code"]): str(r["orgId"]) for r in rows}


def _file(world: World, rel: str) -> Response:
    found = world.file(rel)
    if found is None:
        return PlainTextResponse("404 Not Found", status_code=404)
    return FileResponse(found, media_type=_TYPES.get(found.suffix.lower(), "application/octet-stream"))


async def _params(request: Request) -> dict[str, str]:
    """Query and (urlencoded) form parameters together, as the real servlets accept both."""
    params = dict(request.query_params)
    if request.method == "POST":
        body = (await request.body()).decode("utf-8", "replace")
        params.update(parse_qsl(body, keep_blank_values=True))
    return params


def make_app(world_dir: Path, faults: Faults | Any | None = None) -> Any:
    """The mirror app of ``world_dir``. ``faults``: a callable hook (see the module docstring),
    or a fault profile (a mirror.faults_profile.FaultProfile, a profile name or a TOML file),
    which wraps the app in mirror.faults.FaultInjector."""
    if faults is not None and not callable(faults):
        return FaultInjector(make_app(world_dir), load_profile(faults))
    world = World(world_dir)

    def files(prefix: str, under: str) -> Callable:
        async def handler(request: Request) -> Response:
            return _file(world, under + request.url.path[len(prefix):])
        return handler

    def api(fn: Callable[[World, dict[str, str]], Any]) -> Callable:
        async def handler(request: Request) -> Response:
            params = await _params(request)
            body = fn(world, params)
            cb = params.get("cb") or params.get("callback")
            if cb and cb.replace("_", "").isalnum():  # JSONP, as EastMoney answers with cb=
                return Response(f"{cb}({json.dumps(body, ensure_ascii=False)});", media_type="text/javascript")
            return JSONResponse(body)
        return handler

    async def robots(request: Request) -> Response:
        return PlainTextResponse("User-agent: *\nAllow: /\n")

    routes = [
        Route("/robots.txt", robots),
        Route("/new/data/szse_stock.json", files("/new/data/", "cninfo/")),
        Route("/new/hisAnnouncement/query", api(server_cn.cninfo_query), methods=["POST"]),
        Route("/finalpage/{rest:path}", files("/", "cninfo_static/")),
        Route("/ncms/script/eds/activestock_sehk_e.json", files("/ncms/script/eds/", "hkex/")),
        Route("/search/titleSearchServlet.do", api(server_cn.hkex_search), methods=["GET"]),
        Route("/listedco/{rest:path}", files("/", "hkex/files/")),
        Route("/files/company_tickers.json", files("/files/", "sec/")),
        Route("/submissions/{rest:path}", files("/", "sec/")),
        Route("/api/xbrl/companyfacts/{rest:path}", files("/api/xbrl/", "sec/")),
        Route("/Archives/{rest:path}", files("/", "sec/")),
        Route("/api/qt/stock/kline/get", api(server_market.kline)),
        Route("/api/qt/stock/get", api(server_market.stock)),
        Route("/ags/ms/cm-u-bk-ccpr/CcprHisNew", api(server_market.ccpr), methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.log = []
    app.state.world = world
    app.add_middleware(_Recorder, log=app.state.log, faults=faults)
    return app


def make_faulty_app(world_dir: Path, profile: FaultProfile | str, seed: int | None = None) -> FaultInjector:
    """The mirror app of ``world_dir`` wrapped in a FaultInjector (``profile``: a FaultProfile, a
    profile name or a TOML file; ``seed`` replaces its seed)."""
    return FaultInjector(make_app(Path(world_dir)), load_profile(profile, seed))


class _Recorder:
    """ASGI middleware: consults the fault hook, then records the request and its status."""

    def __init__(self, app: Any, log: list[Hit], faults: Faults | None) -> None:
        self.app, self.log, self.faults = app, log, faults
        self.lock = threading.Lock()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t = time.monotonic()
        request = Request(scope)
        status = [0]

        async def recording_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        response = None
        if self.faults is not None:
            response = self.faults(request.method, request.url.path, dict(request.query_params))
        if response is not None:
            await response(scope, receive, recording_send)
        else:
            await self.app(scope, receive, recording_send)
        with self.lock:
            self.log.append(Hit(request.method, request.url.path, request.url.query, t,
                                source_of(request.url.path), status[0], request.headers.get("user-agent", "")))


def _server(app: Starlette) -> tuple[Any, socket.socket]:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    return uvicorn.Server(config), socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def serve(world_dir: Path, host: str = "127.0.0.1", port: int = 0, faults: Faults | Any | None = None) -> None:
    """Serve the world until interrupted; prints the base URL (port 0: a free port)."""
    server, sock = _server(make_app(world_dir, faults))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    print(f"mirror serving {world_dir} at http://{host}:{sock.getsockname()[1]}", flush=True)
    server.run(sockets=[sock])


@contextmanager
def running(world_dir: Path, *, faults: Faults | None = None, app: Starlette | None = None
            ) -> Iterator[str]:
    """Run the mirror on a free loopback port in a background thread; yield its base URL.

    Pass ``app`` (from make_app) to read its request log afterwards."""
    app = app if app is not None else make_app(world_dir, faults)
    server, sock = _server(app)
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="top100-mirror")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mirror did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
