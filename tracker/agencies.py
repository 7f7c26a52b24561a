"""Known inspected units: the 50 district offices plus the departments in data/departments.txt."""

from __future__ import annotations

from functools import cache

from tracker import DATA_DIR
from tracker.places import district_of, normalize_agency


@cache
def departments() -> frozenset[str]:
    lines = (DATA_DIR / "departments.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(normalize_agency(x) for x in lines if x.strip() and not x.startswith("#"))


def is_known_agency(name: str) -> bool:
    """A district office (any spelling district_of understands) or a listed department."""
    name = normalize_agency(name)
    return name in departments() or district_of(name) is not None
