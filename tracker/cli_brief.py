"""`python -m tracker report --brief [--zone …] [--agency …] [--fiscal-year …] (--current |
FILES…) OUT.pdf`: the executive one-page brief for those filters. Exit 0 written, 2 when the
data is unreadable or a filter names no known zone."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from tracker.dataset import Dataset
from tracker.metrics import directives as metrics
from tracker.metrics.targets import load_targets
from tracker.places import zones

EXIT_OK, EXIT_UNREADABLE = 0, 2


def _say(message_th: str, message_en: str) -> None:
    sys.stderr.write(f"{message_th}\n{message_en}\n")


def _zones(names: list[str]) -> tuple[str, ...] | None:
    """Zones as the data names them (Thai), from Thai or English names; None if one is unknown."""
    by_name: dict[str, str] = {}
    for zone_th, zone_en in zones():
        by_name[zone_th] = zone_th
        by_name[zone_en.casefold()] = zone_th
    out = []
    for name in names:
        th = by_name.get(name.strip()) or by_name.get(name.strip().casefold())
        if th is None:
            known = ", ".join(z for z, _ in zones())
            _say(f"ไม่รู้จักกลุ่มเขต {name} (มี: {known})", f"Unknown zone {name} (known: {known})")
            return None
        out.append(th)
    return tuple(out)


def cmd_brief(args: argparse.Namespace, ds: Dataset | None, out: str, today: date) -> int:
    if ds is None:
        return EXIT_UNREADABLE
    if Path(out).suffix.lower() != ".pdf":
        _say("ไฟล์สรุปผู้บริหารต้องลงท้ายด้วย .pdf", "The brief is a PDF: OUT must end in .pdf.")
        return EXIT_UNREADABLE
    zone = _zones(args.zone)
    if zone is None:
        return EXIT_UNREADABLE
    chosen = metrics.Filters(
        fiscal_year=(args.fiscal_year,) if args.fiscal_year else (),
        zone=zone,
        agency=tuple(args.agency),
    )
    from tracker.present.brief import build_brief
    from tracker.present.brief_pdf import write_brief_pdf

    brief = build_brief(
        metrics.apply_filters(ds.directives, chosen),
        metrics.filter_units(ds.kpis, chosen),
        metrics.filter_units(ds.budget, chosen),
        load_targets(),
        chosen,
        today,
    )
    Path(out).write_bytes(write_brief_pdf(brief))
    print(f"wrote {out}")
    return EXIT_OK


__all__ = ["cmd_brief"]
