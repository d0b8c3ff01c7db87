"""Scrapy settings of the top100 spiders (``scrapy.cfg``: ``default = spiders.settings``).

Only what does not depend on the configuration is here; the rest (User-Agent, rate caps, retry
count, timeouts, cache folder) comes from the top100 Settings and is applied by
``spiders.base.SourceSpider.update_settings`` (see ``spiders.config.scrapy_settings``).
"""

BOT_NAME = "top100"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
CONCURRENT_REQUESTS = 8
DOWNLOAD_DELAY = 0
DOWNLOAD_DELAY_JITTER = 0  # the hard caps are exact intervals: no random shortening
# a body shorter than its Content-Length is an error (ResponseDataLossError, which Scrapy's retry
# list retries); Scrapy's own guard, no middleware of ours beside it
DOWNLOAD_FAIL_ON_DATALOSS = True

# AutoThrottle slows a slot down for a slow server; the per-source hard caps (crawl.rate_limits)
# are kept apart from it, across every crawl process, by spiders.budget.SharedBudgetMiddleware.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0

RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
TOP100_BACKOFF_BASE = 1.0  # seconds; doubled per attempt
TOP100_BACKOFF_MAX = 120.0
TOP100_RATE_LIMIT_PAUSE = 600.0  # SEC's 403 "Request Rate Threshold Exceeded": minutes, not seconds

# Response order (process_response runs from the highest number down): decompression first,
# then the content check and retry policy, then the cache stores only what passed. Request order
# (process_request from the lowest number up): a cached answer first, then the retry pauses, then
# the shared budget claims a send time last.
DOWNLOADER_MIDDLEWARES = {
    "spiders.budget.SharedBudgetMiddleware": 950,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 930,
    "spiders.middlewares.PoliteRetryMiddleware": 920,
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": 900,
}
ITEM_PIPELINES = {"spiders.pipelines.OutputPipeline": 800}

REQUEST_FINGERPRINTER_CLASS = "spiders.cache.HostlessFingerprinter"
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "spiders.cache.LifetimePolicy"
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
HTTPCACHE_EXPIRATION_SECS = 0  # lifetimes are per endpoint (request.meta["cache_lifetime"])
HTTPCACHE_GZIP = True
