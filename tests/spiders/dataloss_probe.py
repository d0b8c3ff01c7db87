"""A crawl process that asks a raw-socket server for bodies cut in different ways, with the
project's Scrapy settings (spiders.settings: DOWNLOAD_FAIL_ON_DATALOSS, the downloader
middlewares), and prints what each request ended in as JSON (tests/spiders/test_spider_units.py)."""

from __future__ import annotations

import json
import socket
import threading

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

BODY = b"%PDF-1.4 " + b"x" * 1000 + b"\n%%EOF\n"
ANSWERS = {
    # the full Content-Length declared, half the body sent, then the connection closes
    "/short-body": b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY)
                   + BODY[: len(BODY) // 2],
    # half the body under a Content-Length that matches it (a complete, cut file)
    "/cut-matching-length": b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (len(BODY) // 2)
                            + BODY[: len(BODY) // 2],
    "/whole": b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY) + BODY,
}


def serve(listener: socket.socket) -> None:
    while True:
        connection, _ = listener.accept()
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(4096)
        connection.sendall(ANSWERS[request.split(b" ")[1].decode()])
        connection.close()


class Probe(scrapy.Spider):
    name = "dataloss_probe"
    outcomes: dict[str, str] = {}

    def __init__(self, port: int, **kwargs):
        super().__init__(**kwargs)
        self.port = port

    async def start(self):
        for path in ANSWERS:
            yield scrapy.Request(f"http://127.0.0.1:{self.port}{path}", callback=self.received, errback=self.failed,
                                 meta={"path": path, "expect": "pdf"}, dont_filter=True)

    def received(self, response):
        self.outcomes[response.meta["path"]] = f"response of {len(response.body)} bytes"

    def failed(self, failure):
        self.outcomes[failure.request.meta["path"]] = type(failure.value).__name__


def main() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    threading.Thread(target=serve, args=(listener,), daemon=True).start()
    settings = get_project_settings()
    settings.setdict({"RETRY_TIMES": 0, "ROBOTSTXT_OBEY": False, "HTTPCACHE_ENABLED": False, "LOG_LEVEL": "ERROR",
                      "ITEM_PIPELINES": {}}, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(Probe, port=listener.getsockname()[1])
    process.start()
    print(json.dumps(Probe.outcomes, sort_keys=True))


if __name__ == "__main__":
    main()
