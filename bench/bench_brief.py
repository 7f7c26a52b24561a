"""Benchmark the executive one-page brief (issue 17): figures, the two matplotlib charts (SVG)
and the WeasyPrint PDF, for all directives and for one zone of the bundled sample.

Run: ``.venv/bin/python bench/bench_brief.py [--repeat N]``. Target: the brief ≤ 5 s. Prints the
first (cold: matplotlib and Pango loaded, fonts read) and the median of N warm runs.
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

from tracker.metrics import directives as metrics  # noqa: E402
from tracker.metrics.targets import load_targets  # noqa: E402
from tracker.read.loader import load_paths  # noqa: E402

SAMPLE = ROOT / "sample_data" / "bma_followup_sample.xlsx"
TODAY = date(2024, 10, 15)
TARGET_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ds = load_paths([SAMPLE], sandbox=False).dataset
    targets = load_targets()

    def run(chosen: metrics.Filters) -> bytes:
        from tracker.present.brief import build_brief
        from tracker.present.brief_pdf import write_brief_pdf

        brief = build_brief(
            metrics.apply_filters(ds.directives, chosen),
            metrics.filter_units(ds.kpis, chosen),
            metrics.filter_units(ds.budget, chosen),
            targets,
            chosen,
            TODAY,
        )
        return write_brief_pdf(brief)

    print(f"{'filters':<24} {'cold s':>8} {'warm s':>8} {'pages':>6} {'target s':>9}")
    for label, chosen in (
        ("all", metrics.Filters()),
        ("zone กรุงเทพกลาง", metrics.Filters(zone=("กรุงเทพกลาง",))),
    ):
        t0 = time.perf_counter()
        pdf = run(chosen)
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            pdf = run(chosen)
            warm.append(time.perf_counter() - t0)
        pages = len(pdfium.PdfDocument(pdf))
        print(
            f"{label:<24} {cold:>8.2f} {statistics.median(warm):>8.2f} {pages:>6} {TARGET_S:>9.1f}"
        )


if __name__ == "__main__":
    main()
