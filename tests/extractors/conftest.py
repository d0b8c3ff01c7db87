"""Fixtures of the extractor tests: each real document extracted once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

_CACHE: dict[tuple[str, str], object] = {}


def truth_files(real: Path) -> list[Path]:
    return sorted((real / "truth").glob("*.json"))


def document_path(real: Path, truth: dict) -> Path:
    hits = list((real / "pdf").rglob(truth["document"]))
    assert len(hits) == 1, f"{truth['document']} not found once under {real / 'pdf'}"
    return hits[0]


@pytest.fixture(scope="session")
def extracted(real):
    """extract(document name, engine) -> ExtractResult, computed once per session."""
    import extractors
    from extractors import cn_annual, hk_annual

    def get(document: str, engine: str = "pdfium"):
        key = (document, engine)
        if key not in _CACHE:
            truth = json.loads((real / "truth" / (Path(document).stem + ".json")).read_text(encoding="utf-8"))
            path = document_path(real, truth)
            if engine == "pdfium":
                _CACHE[key] = extractors.read(None, path, company_id="C0001", sha256=None)
            else:
                mod = hk_annual if "hkex" in path.parts else cn_annual
                settings = (hk_annual.HkAnnualSettings if mod is hk_annual else cn_annual.CnAnnualSettings)(engine=engine)
                _CACHE[key] = mod.extract(path, company_id="C0001", settings=settings)
        return _CACHE[key]

    return get
