"""The same seed gives byte-identical files; another seed gives another world whose known
answers hold too."""

from __future__ import annotations

import hashlib
import json

from mirror.generate import build, generate


def digests(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path, world):
    again = generate(tmp_path / "again", seed=2015, max_pdfs=6)
    a, b = digests(world), digests(again)
    pdfs = [k for k in b if k.endswith((".pdf", ".PDF"))]
    assert len(pdfs) == 6
    for k, v in b.items():  # the small world's files are the full world's files, byte for byte
        assert a[k] == v, k
    assert any(k.endswith(".xlsx") for k in b) and "world.json" in b


def test_another_seed_another_world(world_json):
    companies, facts = build(7)
    other = {c.company_id: c for c in companies}
    ranking = [c.company_id for c in sorted((c for c in companies if c.rank), key=lambda c: c.rank)]
    assert ranking != world_json["expected_ranking"]
    assert facts["calibration"]["ordered"] and facts["calibration"]["min_gap"] > 0.05
    mine = {c["company_id"]: c for c in world_json["companies"]}
    differ = sum(json.dumps(mine[k]["truth"], sort_keys=True, default=str) !=
                 json.dumps({kk: vv for kk, vv in other[k].truth.items()}, sort_keys=True, default=str) for k in mine)
    assert differ > 250


def test_never_replaces_a_folder_that_is_not_a_world(tmp_path):
    import pytest

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a generated world"):
        generate(tmp_path, seed=1)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_too_few_candidates_is_refused():
    import pytest

    with pytest.raises(ValueError, match="at least 300"):
        build(1, candidates=250)
