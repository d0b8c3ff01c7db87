"""PDFium is not thread-safe: with `--runner thread` (or a Dask worker with several threads) the
extractors and the audit's page images run side by side in one process. Every PDFium call goes
through top100.pdfium.PDFIUM; without it this crashed the process ("free(): invalid pointer").

The threads run in a child process, so a crash is a failed test, not a dead test worker."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys, tempfile
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path
    import extractors
    from extractors.provenance import render_box

    pdfs = sorted(Path(sys.argv[1]).glob("*.pdf"))
    out = Path(tempfile.mkdtemp())

    def facts(p):
        return sorted((f.metric, f.fiscal_year, f.value, f.page) for f in extractors.read("annual_report", p).facts)

    def draw(job):
        i, p = job
        return render_box(p, 1 + i % 3, [50, 50, 200, 80], out / f"{i}.png", resolution=40).stat().st_size

    serial = {p.name: facts(p) for p in pdfs}
    with ThreadPoolExecutor(4) as pool:
        jobs = [pool.submit(facts, p) for p in pdfs * 3] + [pool.submit(draw, j) for j in enumerate(pdfs * 2)]
        results = [j.result() for j in jobs]
    threaded = results[:len(pdfs) * 3]
    same = all(threaded[i] == serial[p.name] for i, p in enumerate(pdfs * 3))
    print(json.dumps({"documents": len(pdfs), "same": same, "images": sum(1 for r in results[len(pdfs) * 3:] if r > 0),
                      "facts": sum(len(v) for v in serial.values())}))
""")


def test_extraction_and_page_images_in_four_threads_equal_the_serial_run(real):
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(real / "pdf" / "cn_annual")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["documents"] >= 3 and got["facts"] > 50
    assert got["same"], "facts differ when extracted in threads"
    assert got["images"] == 2 * got["documents"]
