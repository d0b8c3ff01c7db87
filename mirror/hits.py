"""What the mirror and its fault injector both know of a request: which public source a path
belongs to (``source_of``) and one request as the mirror's log keeps it (``Hit``).

Its own module so that mirror.server (which wraps its app in mirror.faults.FaultInjector) and
mirror.faults / mirror.faults_profile (which log and name sources) import it, not each other.
"""

from __future__ import annotations

from dataclasses import dataclass

# path prefix -> the settings.sources field that points at that host
SOURCE_PREFIXES = [
    ("/robots.txt", "robots"), ("/new/", "cninfo"), ("/finalpage/", "cninfo_static"),
    ("/ncms/", "hkex"), ("/search/", "hkex"), ("/listedco/", "hkex"),
    ("/files/", "sec_www"), ("/Archives/", "sec_www"), ("/submissions/", "sec_data"),
    ("/api/xbrl/", "sec_data"), ("/api/qt/", "quotes"), ("/ags/", "fx"),
]


def source_of(path: str) -> str:
    return next((s for prefix, s in SOURCE_PREFIXES if path.startswith(prefix)), "other")


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    query: str
    time: float  # time.monotonic()
    source: str
    status: int
    user_agent: str = ""
