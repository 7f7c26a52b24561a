"""Shared fixtures: the two store databases (SQLite file, PostgreSQL schema) and test data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from tracker.store.diff import canonical_frame

# CI's PostgreSQL; override with TRACKER_TEST_PG_URL. Unreachable → the PostgreSQL tests fail.
PG_URL = os.environ.get("TRACKER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An engine on the test PostgreSQL; fails (never skips) when it cannot be reached."""
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL is required for the store tests but is not reachable at {PG_URL} "
            f"({type(exc).__name__}: {str(exc).splitlines()[0]}). Start it (CI: service at "
            "127.0.0.1:5432, user postgres, database test) or set TRACKER_TEST_PG_URL.",
            pytrace=False,
        )
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a SQLite file in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.sqlite'}"
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    schema = f"tracker_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:  # end leftovers (e.g. a killed child's backend), then drop
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :app AND pid <> pg_backend_pid()"
            ),
            {"app": schema},
        )
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(db_url: str):
    """A migrated, empty Store on each backend."""
    from tracker.store import Store

    s = Store(db_url)
    s.upgrade()
    yield s
    s.dispose()


def synthetic_frames(n: int, *, prefix: str = "D", seed: int = 0) -> dict[str, pd.DataFrame]:
    """Canonical frames with ``n`` synthetic directives (ids ``{prefix}-000001``…) + a few others."""
    rng = np.random.default_rng(seed)
    statuses = np.array(["done", "in_progress", "cannot", "not_reported"])
    directives = pd.DataFrame(
        {
            "directive_id": [f"{prefix}-{i:06d}" for i in range(1, n + 1)],
            "fiscal_year": 2567,
            "round": rng.integers(1, 3, n),
            "issued_by": "ปลัดกรุงเทพมหานคร",
            "issued_date": pd.Timestamp("2023-11-23")
            + pd.to_timedelta(rng.integers(0, 180, n), unit="D"),
            "due_date": pd.Timestamp("2024-09-30"),
            "agency": [f"สำนักงานเขต{i % 50:02d}" for i in range(n)],
            "district_code": [f"10{i % 50:02d}" for i in range(n)],
            "text": [f"ข้อสั่งการที่ {i} ให้หน่วยงานเร่งดำเนินการ" for i in range(n)],
            "group": "การบริหารจัดการและการวางแผน",
            "f_budget": rng.random(n) < 0.3,
            "f_law": rng.random(n) < 0.2,
            "status": statuses[rng.integers(0, 4, n)],
            "obstacle": "-",
            "reported_at": pd.Timestamp("2024-03-31 14:05:22"),
            "source": f"{prefix}.xlsx",
            "sheet": "ข้อสั่งการ",
            "row": np.arange(n) + 2,
        }
    )
    budget = pd.DataFrame(
        {
            "unit": "กองงานผู้ตรวจราชการ",
            "fiscal_year": 2567,
            "as_of": pd.Timestamp("2024-03-31"),
            "budget_type": ["operating", "other", "central"],
            "allocated": [12203500.00, 1041200.00, 258369.00],
            "disbursed": [4094769.47, 266500.00, 0.00],
            "rate_pct": [33.55, 25.60, 0.00],
        }
    )
    kpis = pd.DataFrame(
        {
            "unit": "กองงานผู้ตรวจราชการ",
            "fiscal_year": 2567,
            "period": "Q2",
            "kpi_code": ["1.1-1", "1.2"],
            "kpi": ["ตัวชี้วัดที่ 1.1-1", "ตัวชี้วัดที่ 1.2"],
            "measure": "level",
            "target": [5.0, 5.0],
            "actual": [1.0, 1.0],
        }
    )
    return {
        "directives": canonical_frame(directives, "directives"),
        "responses": canonical_frame(pd.DataFrame(), "responses"),
        "kpis": canonical_frame(kpis, "kpis"),
        "budget": canonical_frame(budget, "budget"),
    }


def memory_hungry_workbook(rows: int = 600_000) -> bytes:
    """A small .xlsx (~8 MB) whose one sheet holds ``rows`` × 2 cells (Thai text and a number):
    parsing it needs well over 100 MB, more than a sandbox child capped at 64 MB of address
    space can find in the heap it inherits (a tiny workbook parses within that heap)."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "ทะเบียน"
    book.active["A1"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    cells = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>ข้อสั่งการที่ {i}</t></is></c>'
        f'<c r="B{i}"><v>{i}</v></c></row>'
        for i in range(1, rows + 1)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{cells}</sheetData></worksheet>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = info.filename
            target.writestr(
                part, sheet if part == "xl/worksheets/sheet1.xml" else source.read(part)
            )
    return out.getvalue()
