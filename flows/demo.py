"""Demo mode: the same run against the local mirror of the public sources.

The real run and the demo run differ only in configuration: every source's base URL points at
the mirror, and the inbox is the generated world's. Nothing in the stages knows about demo mode.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from pydantic import SecretStr

from top100.config import Settings, Sources
from top100.year import YearContext


# What the demo applies, per source: the mirror on loopback is ours, so the Chinese and HKEX
# sources and the quotes go faster than crawl.rate_limits allows their real hosts; SEC is not
# listed, so its real caps apply (crawl.rate_limits of www.sec.gov / data.sec.gov, at most 8/s
# together: spiders.config.SEC_SAFE_RPS), in the demo as in a real run.
DEMO_RATE_LIMITS = {"cninfo": 10.0, "cninfo_static": 20.0, "hkex": 10.0, "quotes": 20.0, "fx": 10.0}


def ensure_world(settings: Settings, fiscal_year: int, *, seed: int | None = None, force: bool = False) -> Path:
    """The generated world of ``fiscal_year`` and the seed, generated once and reused. Each fiscal
    year has its own folder (``settings.world_dir_of``: ``<demo.world_dir>/<year>``), so the
    years of one out folder never replace each other's world; a world of another year, seed or
    size found there is generated again, never reused."""
    from mirror.generate import generate

    covered(fiscal_year)
    seed = settings.demo.seed if seed is None else seed
    world = settings.world_dir_of(fiscal_year)
    if force or _world_of(world / "world.json") != (seed, fiscal_year, settings.demo.candidates):
        try:
            generate(world, seed=seed, year=fiscal_year, candidates=settings.demo.candidates)
        except ValueError as exc:  # a year (or size) the demo world does not cover: a usage error
            from top100.errors import ConfigError

            raise ConfigError(f"--demo: {exc}") from exc
    return world


def covered(year: int) -> None:
    """Refuse (ConfigError, a usage error) a fiscal year the demo world generator does not cover."""
    from mirror.generate import YEARS

    if year not in YEARS:
        from top100.errors import ConfigError

        raise ConfigError(f"--demo: the demo world covers fiscal years {' and '.join(map(str, sorted(YEARS)))} "
                          f"(the {' and '.join(str(y + 1) for y in sorted(YEARS))} lists), not {year}")


def _world_of(world_json: Path) -> tuple[int, int, int] | None:
    """(seed, fiscal year, candidates) of a generated world, or None when there is none."""
    import json

    try:
        w = json.loads(world_json.read_text("utf-8"))
        return int(w["seed"]), int(w["fiscal_year"]), len(w["companies"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def world_cache_dir(settings: Settings, world: Path, fiscal_year: int) -> Path:
    """The crawls' HTTP cache of one generated world: ``<out_dir>/httpcache/demo-<year>-<digest of
    its world.json>``. A mirror answers stock lists, searches and quotes as they stood for its
    world; cached for an hour, a day or for ever (spiders.cache), they would otherwise answer for
    another year's world, or another seed's, in the same out folder."""
    import hashlib

    marker = world / "world.json"
    digest = hashlib.sha256(marker.read_bytes()).hexdigest()[:12] if marker.is_file() else "unmarked"
    return settings.out_dir / "httpcache" / f"demo-{fiscal_year}-{digest}"


def demo_settings(settings: Settings, base_url: str, world: Path, fiscal_year: int | None = None) -> Settings:
    """The settings with every source at the mirror and the world's inbox (``fiscal_year``: the
    world's year, default the configured one: it names the world's HTTP cache)."""
    fiscal_year = settings.year if fiscal_year is None else fiscal_year
    sources = Sources(**{name: base_url for name in Sources.model_fields})
    crawl = settings.crawl.model_copy(update={
        "hkex_enabled": True,  # the mirror is ours; HKEX's terms concern its own hosts
        "contact": settings.crawl.contact if settings.crawl.contact.get_secret_value()
        else SecretStr("demo@example.invalid"),
        # the real hosts' caps protect the real hosts; the mirror on loopback takes more, but
        # still a capped rate per source (the spiders key caps by source name first)
        "rate_limits": {**settings.crawl.rate_limits, **DEMO_RATE_LIMITS},
    })
    crawl = crawl.model_copy(update={"http_cache_dir": world_cache_dir(settings, world, fiscal_year)})
    return settings.model_copy(update={"sources": sources, "inbox_dir": world / "inbox", "crawl": crawl})


@contextlib.contextmanager
def mirrored(settings: Settings, ctx: YearContext, *, faults: str | None = None) -> Iterator[Settings]:
    """Generate (once) and serve the demo world of the year ``ctx``; yield the settings that point
    at it."""
    from mirror.server import running

    world = ensure_world(settings, ctx.fiscal_year)
    kwargs = {"faults": faults} if faults else {}
    with running(world, **kwargs) as base_url:
        yield demo_settings(settings, base_url, world, ctx.fiscal_year)
