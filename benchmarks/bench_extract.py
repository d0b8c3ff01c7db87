"""Extraction speed on the real reports: ours vs a naive pdfplumber pass over every page.

    .venv/bin/python benchmarks/bench_extract.py [PDF_DIR ...] [--repeat N] [--skip-naive]

Default: the shared real reports and tests/corpus/pdf (issue 14's corpus) when present.

Prints, per report and in total, the seconds of `top100 extract` (extractors.read,
default pdfium careful pass, and the pdfplumber careful pass), the seconds of a naive pdfplumber
pass (extract_text + extract_tables on every page) and the ratio, all measured in one run, and
how many facts were corroborated by a second reading, read once, or in conflict. Targets: >= 30x
faster than the naive pass (every fact read from every place that prints it, and still no
pdfplumber pass over every page), < 1 s for a 250-page report on one core. Figures only.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DIR = ROOT.parent / "shared" / "fixtures" / "real" / "pdf"
CORPUS_DIR = ROOT / "tests" / "corpus" / "pdf"
_COUNTS = {"facts": 0, "corroborated": 0, "single_source": 0, "conflict": 0}


def ours(path: Path, engine: str) -> tuple[float, int]:
    from extractors import read
    from extractors import cn_annual, hk_annual

    t = time.perf_counter()
    if engine == "pdfium":
        result = read(None, path)
        _COUNTS["last"] = result
    else:
        hk = "hkex" in path.parts
        mod = hk_annual if hk else cn_annual
        settings = (hk_annual.HkAnnualSettings if hk else cn_annual.CnAnnualSettings)(engine=engine)
        result = mod.extract(path, settings=settings)
    return time.perf_counter() - t, len(result.facts)


def naive(path: Path) -> tuple[float, int]:
    import pdfplumber

    t = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        n = len(pdf.pages)
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
            page.close()
    return time.perf_counter() - t, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pdf_dir", nargs="*", type=Path,
                    default=[d for d in (DEFAULT_DIR, CORPUS_DIR) if d.is_dir()])
    ap.add_argument("--repeat", type=int, default=3, help="runs of ours per report (the best is shown)")
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args(argv)
    pdfs = [p for d in args.pdf_dir for p in sorted(d.rglob("*.pdf"))]
    if not pdfs:
        print(f"no PDFs under {', '.join(map(str, args.pdf_dir))}")
        return 1
    print(f"{'report':<58} {'pages':>5} {'facts':>5} {'ours s':>7} {'plumb s':>8} {'naive s':>8} {'ratio':>7}")
    tot_ours = tot_plumb = tot_naive = 0.0
    for p in pdfs:
        gc.collect()
        best, facts = min(ours(p, "pdfium") for _ in range(args.repeat))
        for f in _COUNTS["last"].facts:
            _COUNTS["facts"] += 1
            _COUNTS["corroborated"] += bool(f.corroborations)
            _COUNTS["single_source"] += f.single_source
            _COUNTS["conflict"] += f.conflict
        plumb, _ = min(ours(p, "pdfplumber") for _ in range(max(1, args.repeat // 2)))
        nv, pages = naive(p) if not args.skip_naive else (float("nan"), 0)
        tot_ours, tot_plumb, tot_naive = tot_ours + best, tot_plumb + plumb, tot_naive + nv
        print(f"{p.name[:58]:<58} {pages:>5} {facts:>5} {best:>7.3f} {plumb:>8.3f} {nv:>8.2f} {nv / best:>6.0f}x")
    print(f"{'total':<58} {'':>5} {'':>5} {tot_ours:>7.3f} {tot_plumb:>8.3f} {tot_naive:>8.2f} {tot_naive / tot_ours:>6.0f}x")
    print(f"facts {_COUNTS['facts']}: corroborated by a second reading {_COUNTS['corroborated']}, "
          f"read once {_COUNTS['single_source']}, in conflict {_COUNTS['conflict']}")
    print("ours = extractors.read (pdfium text pass + pdfium words on the found pages); plumb = the same with "
          "pdfplumber on the found pages; naive = pdfplumber extract_text + extract_tables on every page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
