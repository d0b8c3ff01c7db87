"""Every item of a crawl: journalled as it comes (so that an interrupted crawl can resume), and
written whole as the crawl's part files when it ends (spiders.output).

Not Scrapy's JOBDIR: it keeps the pending requests and the fingerprints of the seen ones, not the
items already scraped, and its disk queue writes where it stands only when the crawl stops cleanly
(queuelib saves ``info.json`` on close), so a crawl killed with -9 cannot resume from it. The
journal keeps the items, flushed one by one; a crawl started again skips every document whose
bytes are stored (spiders.output.known_documents) and asks again only for the rest."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from spiders.output import KIND_OF, KINDS, journal_path, write_part
from top100.records import DocumentRow


class OutputPipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OutputPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.items: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        self.seen_docs: set[tuple[str | None, str]] = set()
        self.started = datetime.now(timezone.utc).isoformat()
        path = journal_path(spider.paths, spider.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.journal = path.open("a", encoding="utf-8")

    def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        kind = KIND_OF.get(type(item))
        if kind is None:
            raise TypeError(f"{spider.name} yielded a {type(item).__name__}, not a top100 record")
        if isinstance(item, DocumentRow):
            key = (item.company_id, item.url)
            if key in self.seen_docs:
                return item
            self.seen_docs.add(key)
        self.items[kind].append(item)
        self.journal.write(json.dumps({"kind": kind, "row": item.to_dict()}, ensure_ascii=False) + "\n")
        self.journal.flush()
        return item

    def close_spider(self) -> None:
        spider = self.crawler.spider
        self.journal.close()
        stats = spider.crawler.stats
        summary = {
            "spider": spider.name, "year": spider.year, "started": self.started,
            "finished": datetime.now(timezone.utc).isoformat(),
            "documents": len(self.items["documents"]), "quotes": len(self.items["quotes"]),
            "fx": len(self.items["fx"]), "errors": len(self.items["errors"]),
            "downloaded": stats.get_value("top100/documents_downloaded", 0),
            "already_stored": stats.get_value("top100/documents_known", 0),
            "new_in_store": stats.get_value("top100/documents_new_in_store", 0),
            "requests": stats.get_value("downloader/request_count", 0),
            "cache_hits": stats.get_value("httpcache/hit", 0),
            "companies": len(getattr(spider, "companies", [])),
        }
        write_part(spider.paths, spider.name, self.items, summary)
        journal_path(spider.paths, spider.name).unlink(missing_ok=True)
