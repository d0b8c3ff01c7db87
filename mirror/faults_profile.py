"""Fault profiles of the mirror: which faults, at what rates, from which seed (issue 10).

A profile decides, for one attempt of one request, whether it is served clean or with a fault.
The decision is a pure function of (seed, method, path, sorted query and form parameters, the
attempt number of that same request), so a failure seen in a run can be replayed exactly:
same seed, same requests, same faults.

- transient faults: a request drawn for fault kind K (with the kind's rate) fails its attempts
  1..k with K, k drawn from the seed in 1..max_failures; attempt k+1 is served clean, so a
  client that retries recovers;
- permanent faults: chosen paths fail on every attempt (a document that is never delivered);
- drift: a JSON field of one endpoint is renamed on every answer (the response shape changed).

Profiles are the named ones below, or a TOML file with the fields of ``FaultProfile``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mirror.hits import SOURCE_PREFIXES, source_of


class FaultKind(StrEnum):
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    HTTP_404 = "http_404"            # permanent faults only: the document is gone
    HTTP_429 = "http_429"            # with Retry-After
    RATELIMIT_403 = "ratelimit_403"  # SEC's "Request Rate Threshold Exceeded" page
    BLOCK_PAGE = "block_page"        # 200 with CloudWAF's HTML "访问被拦截" instead of JSON or a PDF
    RESET = "reset"                  # the connection is closed before any response
    STALL = "stall"                  # half the body, a pause of stall_s, then the rest
    TRUNCATE = "truncate"            # half the body with a matching Content-Length (a complete, cut file)
    SHORT_BODY = "short_body"        # the full Content-Length, half the body, then the connection closes
    WRONG_TYPE = "wrong_type"        # the real body under another Content-Type


# Kinds that answer instead of the mirror; the others change the mirror's real answer.
ANSWERING = frozenset({FaultKind.HTTP_500, FaultKind.HTTP_502, FaultKind.HTTP_503, FaultKind.HTTP_404,
                       FaultKind.HTTP_429, FaultKind.RATELIMIT_403, FaultKind.BLOCK_PAGE, FaultKind.RESET})
# The fixed order in which rates are laid out on [0, 1): part of what makes a seed replayable.
ORDER = tuple(FaultKind)


class Permanent(BaseModel):
    """A path that fails on every attempt: given as ``path``, or picked from the world by rule
    (``pick = "cninfo_annual_report"``: the ``index``-th full annual report, newest revision per
    company, in sorted URL order)."""
    model_config = ConfigDict(extra="forbid")
    path: str | None = None
    pick: str | None = None
    index: int = Field(0, ge=0)
    kind: FaultKind = FaultKind.HTTP_404

    @model_validator(mode="after")
    def _one_target(self) -> Permanent:
        if (self.path is None) == (self.pick is None):
            raise ValueError("a permanent fault needs exactly one of 'path' and 'pick'")
        if self.pick is not None and self.pick not in PICKS:
            raise ValueError(f"unknown pick {self.pick!r}; one of {', '.join(PICKS)}")
        if self.path is not None and not self.path.startswith("/"):
            raise ValueError(f"permanent path {self.path!r} must start with '/'")
        return self


class Drift(BaseModel):
    """Rename ``field`` (dotted for nested objects, e.g. ``data.klines``) to ``rename_to`` in every
    JSON answer of ``path``."""
    model_config = ConfigDict(extra="forbid")
    path: str
    field: str
    rename_to: str


class FaultProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = "custom"
    seed: int = 2015
    rates: dict[FaultKind, float] = Field(default_factory=dict)  # share of distinct requests
    max_failures: int = Field(2, ge=1, le=10)  # a transient fault fails attempts 1..k, k <= this
    retry_after_s: int = Field(1, ge=0)  # the Retry-After of 429 answers
    stall_s: float = Field(1.0, ge=0)  # keep below the client's download timeout
    # mirror sources (mirror.server.SOURCE_PREFIXES) open to transient faults; None: all
    sources: list[str] | None = None
    only: dict[FaultKind, list[str]] = Field(default_factory=dict)  # a kind limited to some sources
    exclude_paths: list[str] = Field(default_factory=lambda: ["/robots.txt"])
    permanent: list[Permanent] = Field(default_factory=list)
    drift: list[Drift] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rates(self) -> FaultProfile:
        for kind, rate in self.rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"rate of {kind.value} is {rate}; rates are shares in [0, 1]")
        if FaultKind.HTTP_404 in self.rates and self.rates[FaultKind.HTTP_404] > 0:
            raise ValueError("http_404 is not transient (a retry would not change it); use 'permanent'")
        known = {name for _, name in SOURCE_PREFIXES}
        named = (self.sources or []) + [s for names in self.only.values() for s in names]
        unknown = sorted(set(named) - known)
        if unknown:
            raise ValueError(f"unknown source(s) {', '.join(unknown)}; one of {', '.join(sorted(known))}")
        total = sum(self.rates.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"the rates add up to {total:.3f}; at most 1")
        return self

    # --- the decision -------------------------------------------------------------------------
    def decide(self, method: str, path: str, params: list[tuple[str, str]], attempt: int,
               permanent: dict[str, FaultKind] | None = None) -> FaultKind | None:
        """The fault of this attempt (1-based) of this request, or None: served clean (drift
        aside). ``permanent`` maps resolved paths to their kind (see ``resolve_permanent``)."""
        if path in self.exclude_paths:
            return None
        if permanent is None:
            if any(p.pick is not None for p in self.permanent):
                raise ValueError(f"{self.name}: permanent picks need the world; pass resolve_permanent(...)")
            permanent = self.fixed_paths()
        fixed = permanent.get(path)
        if fixed is not None:
            return fixed
        key = request_key(method, path, params)
        kind = self._kind(key, source_of(path))
        if kind is None:
            return None
        k = 1 + int(unit(self.seed, "failures", key) * self.max_failures)
        return kind if attempt <= k else None

    def _kind(self, key: str, source: str) -> FaultKind | None:
        if self.sources is not None and source not in self.sources:
            return None
        u, edge = unit(self.seed, "kind", key), 0.0
        for kind in ORDER:
            rate = self.rates.get(kind, 0.0)
            edge += rate
            if u < edge:
                allowed = self.only.get(kind)
                return kind if allowed is None or source in allowed else None
        return None

    def drifts_for(self, path: str) -> list[Drift]:
        return [d for d in self.drift if d.path == path]

    def fixed_paths(self) -> dict[str, FaultKind]:
        """The permanent faults given by path (picks need the world: resolve_permanent)."""
        return {p.path: p.kind for p in self.permanent if p.path is not None}

    def describe(self) -> str:
        rates = ", ".join(f"{k.value} {v:g}" + (f" ({'/'.join(self.only[k])} only)" if k in self.only else "")
                          for k, v in self.rates.items() if v) or "no transient faults"
        extra = [f"{len(self.permanent)} permanent"] if self.permanent else []
        extra += [f"drift {d.path}: {d.field} -> {d.rename_to}" for d in self.drift]
        return f"fault profile {self.name!r} seed {self.seed}: " + "; ".join([rates, *extra])


def request_key(method: str, path: str, params: list[tuple[str, str]]) -> str:
    """The identity of a request: method, path, its query and form parameters in sorted order."""
    return f"{method.upper()} {path}?{urlencode(sorted(params))}"


def unit(seed: int, *parts: Any) -> float:
    """A number in [0, 1) that depends only on the seed and the parts (not on Python's hash
    randomisation, so it is the same in every process)."""
    text = "\x1f".join(str(p) for p in (seed, *parts))
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") / 2 ** 64


# --- permanent targets picked from the world ----------------------------------------------------
_ANNUAL = re.compile(r"年度报告|年报")
_NOT_FULL = re.compile(r"摘要|英文|取消|补充|更正|半年度|季度")


def _cninfo_annual_reports(sources: Path) -> list[str]:
    """Full annual reports on CNINFO, the newest announcement per company, as mirror paths."""
    announcements = sources / "cninfo" / "announcements.json"
    if not announcements.is_file():
        return []
    newest: dict[str, dict[str, Any]] = {}
    for row in json.loads(announcements.read_text(encoding="utf-8")):
        title = str(row.get("announcementTitle") or "")
        if not _ANNUAL.search(title) or _NOT_FULL.search(title) or not row.get("adjunctUrl"):
            continue
        code = str(row.get("secCode"))
        if code not in newest or row["announcementTime"] > newest[code]["announcementTime"]:
            newest[code] = row
    return sorted("/" + str(r["adjunctUrl"]).lstrip("/") for r in newest.values())


PICKS = {"cninfo_annual_report": _cninfo_annual_reports}


def resolve_permanent(profile: FaultProfile, sources: Path | None) -> dict[str, FaultKind]:
    """Path -> kind of every permanent fault; ``sources`` is the world's ``sources/`` folder."""
    out = profile.fixed_paths()
    for p in profile.permanent:
        if p.pick is None:
            continue
        if sources is None:
            raise ValueError(f"{profile.name}: permanent pick {p.pick!r} needs the world (app.state.world)")
        found = PICKS[p.pick](Path(sources))
        if p.index >= len(found):
            raise ValueError(f"{profile.name}: permanent pick {p.pick!r} index {p.index} but the world "
                             f"{sources} has {len(found)} such documents")
        out[found[p.index]] = p.kind
    return out


# --- named profiles ---------------------------------------------------------------------------
_TRANSIENT_RATES = {k: 0.03 for k in ORDER if k is not FaultKind.HTTP_404}

PROFILES: dict[str, dict[str, Any]] = {
    "none": {"name": "none"},
    "transient": {
        "name": "transient", "rates": _TRANSIENT_RATES,
        # SEC is the host that answers over-rate clients with this 403 page
        "only": {FaultKind.RATELIMIT_403: ["sec_www", "sec_data"]},
    },
    "permanent": {"name": "permanent",
                  "permanent": [{"pick": "cninfo_annual_report", "kind": "http_404"}]},
    "drift": {"name": "drift", "drift": [{"path": "/new/hisAnnouncement/query", "field": "announcements",
                                          "rename_to": "announcementList"}]},
}


_SEEDED = re.compile(r"^.+:\d+$")


def load_profile(name_or_path: str | Path | FaultProfile, seed: int | None = None) -> FaultProfile:
    """A named profile (none, transient, permanent, drift) or a TOML file of FaultProfile fields;
    ``seed`` replaces the profile's seed, as does a ``:<seed>`` suffix (``transient:7``), so that
    a failure seen under one seed can be replayed from the command line."""
    if isinstance(name_or_path, str) and _SEEDED.match(name_or_path):
        name_or_path, _, suffix = name_or_path.rpartition(":")
        seed = int(suffix) if seed is None else seed
    if isinstance(name_or_path, FaultProfile):
        data: dict[str, Any] = name_or_path.model_dump()
    elif str(name_or_path) in PROFILES:
        data = dict(PROFILES[str(name_or_path)])
    else:
        path = Path(name_or_path)
        if path.suffix.lower() != ".toml" or not path.is_file():
            raise ValueError(f"fault profile {str(name_or_path)!r} is neither a named profile "
                             f"({', '.join(PROFILES)}) nor a .toml file")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"fault profile {path}: not valid TOML: {exc}") from exc
        data.setdefault("name", path.stem)
    if seed is not None:
        data["seed"] = seed
    try:
        return FaultProfile.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"fault profile {str(name_or_path)!r}: {exc}") from exc
