"""One full demo world for the mirror's tests (about 3 s), generated once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SEED = 2015


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> Path:
    from mirror.generate import generate

    return generate(tmp_path_factory.mktemp("world") / "w", seed=SEED)


@pytest.fixture(scope="session")
def world_json(world) -> dict:
    return json.loads((world / "world.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def expected(world) -> dict:
    return json.loads((world / "expected_findings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def by_id(world_json) -> dict:
    return {c["company_id"]: c for c in world_json["companies"]}


@pytest.fixture(scope="session")
def listed(world_json) -> list[dict]:
    return sorted((c for c in world_json["companies"] if c["published_rank"]), key=lambda c: c["published_rank"])


@pytest.fixture(scope="session")
def world13(tmp_path_factory) -> Path:
    """The FY2013 world (the 2014 list) of the same seed: built from the FY2014 world."""
    from mirror.generate import generate

    return generate(tmp_path_factory.mktemp("world13") / "w", seed=SEED, year=2013)


@pytest.fixture(scope="session")
def world13_json(world13) -> dict:
    return json.loads((world13 / "world.json").read_text(encoding="utf-8"))
