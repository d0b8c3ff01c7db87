"""A page opened in headless Chromium, driven over the DevTools protocol, with no network.

`--dump-dom` shows what a page built but not what it failed to load; this opens the page at a
laptop's 1,280 px, records every request (a request to any host other than the disk is a failure:
the host resolver maps every name to nothing), runs JavaScript in it, and reports the images that
did not load and the elements that stick out of the window. Hand-written over `websockets` (a
dependency of Prefect, already installed) because no browser-automation library is a dependency.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

from websockets.sync.client import connect

WIDTH, HEIGHT = 1280, 900
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--allow-file-access-from-files", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--window-size={WIDTH},{HEIGHT}", "--remote-debugging-port=0"]

OVERFLOW_JS = """
(() => {
  const W = window.innerWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent && el.tagName !== 'BODY') continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 1) out.push(el.tagName + (el.id ? '#' + el.id : '') + ' right=' + Math.round(r.right));
    const cs = getComputedStyle(el);
    if ((cs.overflowX === 'hidden' || cs.textOverflow === 'ellipsis') && el.scrollWidth > el.clientWidth + 1)
      out.push(el.tagName + ' text cut: ' + el.textContent.slice(0, 40));
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: W, overflow: out.slice(0, 20)};
})()
"""
IMAGES_JS = ("Array.from(document.images).map(i => ({src: i.getAttribute('src'), "
             "ok: i.complete && i.naturalWidth > 0}))")
LINKS_JS = "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"


class Browser:
    def __init__(self, chromium: str, profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        pages = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        ws = next(p["webSocketDebuggerUrl"] for p in pages if p.get("type") == "page")
        self.ws = connect(ws, max_size=None, open_timeout=20)
        self._id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        self._id += 1
        me = self._id
        self.ws.send(json.dumps({"id": me, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if msg.get("id") == me:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def _drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.events.append(json.loads(self.ws.recv(timeout=max(0.05, deadline - time.monotonic()))))
            except TimeoutError:
                return

    def open(self, page: Path, settle_s: float = 1.5) -> "Opened":
        self.events.clear()
        self.send("Page.navigate", {"url": page.resolve().as_uri()})
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{page} did not finish loading")
            self._drain(0.2)
        self._drain(settle_s)  # scripts that draw after load (bootstrap-table)
        return Opened(self, page)

    def eval(self, expr: str):
        res = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expr[:60]}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Opened:
    def __init__(self, browser: Browser, page: Path) -> None:
        self.b, self.page = browser, page
        ev = browser.events
        self.requests = {e["params"]["requestId"]: e["params"]["request"]["url"]
                         for e in ev if e.get("method") == "Network.requestWillBeSent"}
        self.failed = [(self.requests.get(e["params"]["requestId"], "?"), e["params"].get("errorText"))
                       for e in ev if e.get("method") == "Network.loadingFailed"]
        self.errors = [e["params"] for e in ev if e.get("method") == "Runtime.exceptionThrown"]
        self.external = [u for u in self.requests.values() if urlsplit(u).scheme in ("http", "https", "ws", "wss")]

    def eval(self, expr: str):
        return self.b.eval(expr)

    def images(self) -> list[dict]:
        return self.eval(IMAGES_JS)

    def layout(self) -> dict:
        return self.eval(OVERFLOW_JS)

    def broken_links(self) -> list[str]:
        """file: links whose file is missing, or whose #fragment names no element of it."""
        bad = []
        for href in self.eval(LINKS_JS):
            parts = urlsplit(href)
            if parts.scheme != "file":
                continue
            target = Path(unquote(parts.path))
            if not target.exists():
                bad.append(href)
                continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == ".html" and not frag.startswith("page="):
                if target.resolve() == self.page.resolve():  # this page: its DOM (scripts may add ids)
                    if not self.eval(f"!!document.getElementById({json.dumps(frag)})"):
                        bad.append(href)
                    continue
                text = target.read_text(encoding="utf-8", errors="replace")
                if f'id="{frag}"' not in text and f"name=\"{frag}\"" not in text:
                    bad.append(href)
        return bad
