"""Benchmark the progress report (issue 17): build, DOCX and PDF of one unit, and every unit of
the bundled sample one after another.

Run: ``.venv/bin/python bench/bench_report.py [--repeat N]``. Target: the report of one unit
≤ 3 s (PDF included). Prints the median of N runs (after one warm-up run that loads Pango and
the fonts) per unit and format.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from tracker.present import report as rp  # noqa: E402
from tracker.present.report_docx import write_docx  # noqa: E402
from tracker.present.report_pdf import first_page_png, write_pdf  # noqa: E402
from tracker.read.loader import load_paths  # noqa: E402

SAMPLE = ROOT / "sample_data" / "bma_followup_sample.xlsx"
TODAY = date(2024, 10, 15)


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ds = load_paths([SAMPLE], sandbox=False).dataset
    units = [u for u in rp.available(ds.kpis, ds.budget) if (ds.kpis["unit"] == u).any()]

    def build(unit: str) -> rp.Report:
        return rp.build_report(ds.kpis, ds.budget, ds.directives, unit, 2567, "H1", TODAY)

    write_pdf(build(units[0]))  # warm-up: Pango, fontconfig, the fonts
    print(f"{'unit':<28} {'model':>8} {'docx':>8} {'pdf':>8} {'preview':>8} {'pages':>6}")
    total = 0.0
    for unit in units:
        t_model, report = _timed(lambda u=unit: build(u), args.repeat)
        t_docx, _ = _timed(lambda r=report: write_docx(r), args.repeat)
        t_pdf, pdf = _timed(lambda r=report: write_pdf(r), args.repeat)
        t_png, _ = _timed(lambda p=pdf: first_page_png(p), args.repeat)
        pages = len(pdfium.PdfDocument(pdf))
        total += t_model + t_docx + t_pdf
        print(f"{unit:<28} {t_model:8.3f} {t_docx:8.3f} {t_pdf:8.3f} {t_png:8.3f} {pages:>6}")
    print(f"all {len(units)} units (model + DOCX + PDF): {total:.2f} s")
    from tracker.present.report_zip import reports_zip

    t_zip, (_, written, _) = _timed(lambda: reports_zip(ds, 2567, "H1", TODAY), 1)
    per_unit = t_zip / max(len(written), 1)
    print(
        f"ZIP of {len(written)} units' PDFs: {t_zip:.2f} s ({per_unit:.2f} s per unit; "
        f"31 units ≈ {31 * per_unit:.0f} s, extrapolated; target ≤ 60 s)"
    )


if __name__ == "__main__":
    main()
