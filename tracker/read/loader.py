"""Read files or RawTables into one Dataset: detect each sheet's table, normalise, merge, check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd

import settings
from data_sources.base import RawTable, UnreadableFile
from messages.problems import Bilingual
from tracker.agencies import is_known_agency
from tracker.checks.validate import Issue, check_directives, check_storable, make_issue
from tracker.dataset import Dataset, conform, empty_frame
from tracker.dataset import _sorted_categorical as canonical_categorical
from tracker.read import mapping as column_mapping
from tracker.read import normalize
from tracker.read.body import body_of, sections_supply
from tracker.read.headers import detect_tables
from tracker.schema import TABLE_FRAME

T = TypeVar("T")


@dataclass
class LoadResult:
    dataset: Dataset
    unreadable: list[UnreadableFile] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        return self.dataset.issues


def _normalise(
    raw: RawTable, kind: str, match, fiscal_year: int | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    if kind in ("kpis", "innovation", "kpi_text"):  # kpi.normalize reads each KPI table kind
        from tracker.read import kpi_form as kpi

        return kpi.normalize(raw, match)
    if kind == "budget":
        from tracker.read import budget_form as budget

        return budget.normalize(raw, match)
    body, issues = body_of(raw, match)
    if kind == "directives":
        frame, more = normalize.directives(body, fiscal_year)
    else:
        frame, more = normalize.responses(body)
    return frame, issues + more


def merge_responses(
    directives: pd.DataFrame,
    responses: pd.DataFrame,
    id_columns: dict[tuple[str, str], dict[str, str]] | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """A directive's status is its latest response by timestamp (any arrival order).

    ``id_columns``: where each (file, sheet) of responses has its id column (header text and
    letter, as ``HeaderMatch.column_of`` gives), for the messages about unknown ids.
    """
    issues: list[Issue] = []
    if responses.empty:
        return directives, issues
    known = responses["directive_id"].isin(directives["directive_id"])
    seen: set[str] = set()
    for i in (~known & responses["directive_id"].notna()).to_numpy().nonzero()[0]:
        did = responses["directive_id"].iat[i]
        if did in seen:
            continue
        seen.add(did)
        file, sheet = responses["source"].iat[i] or "", responses["sheet"].iat[i] or ""
        where_id = (id_columns or {}).get((file, sheet), {"column_key": "directive_id"})
        issues.append(
            make_issue(
                "warning",
                "unknown_directive",
                file=file,
                sheet=sheet,
                row=int(responses["row"].iat[i]),
                **where_id,
                value=did,
            )
        )
    valid = responses[known & responses["status"].notna() & responses["submitted_at"].notna()]
    latest = valid.sort_values(["submitted_at", "row"], kind="stable").drop_duplicates(
        "directive_id", keep="last"
    )
    # each directive's row in ``latest`` (-1: no response): one hash lookup per directive
    where = pd.Index(latest["directive_id"]).get_indexer(directives["directive_id"])
    hit = where >= 0
    if not hit.any():
        return conform(directives, "directives"), issues
    taken = where[hit]
    out = directives.copy()
    status = out["status"].to_numpy(dtype=object, copy=True)
    status[hit] = latest["status"].to_numpy(dtype=object)[taken]
    out["status"] = canonical_categorical(pd.Series(status, dtype=object))  # as conform()
    for column in ("detail", "obstacle"):
        values = out[column].to_numpy(dtype=object, copy=True)
        values[hit] = latest[column].to_numpy(dtype=object)[taken]
        values[pd.isna(values)] = None
        out[column] = pd.Series(values, index=out.index, dtype=object)
    when = out["reported_at"].to_numpy(dtype="datetime64[ns]", copy=True)
    when[hit] = latest["submitted_at"].to_numpy(dtype="datetime64[ns]")[taken]
    out["reported_at"] = when
    return out, issues


def _combine(parts: list[pd.DataFrame], kind: str) -> pd.DataFrame:
    """One canonical frame from the normalised parts (already conformed one by one)."""
    if not parts:
        return empty_frame(kind)
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    return conform(pd.concat(parts, ignore_index=True), kind)


def build_dataset(
    tables: Iterable[RawTable],
    unreadable: Iterable[UnreadableFile] = (),
    *,
    fiscal_year: int | None = None,
    mapping: dict[str, str] | None = None,
) -> Dataset:
    """Normalise every table found in ``tables`` and run the cross-table checks in one pass.

    Every problem is reported at once: a register that lacks a required column is still
    checked cell by cell (its rows are not kept). ``fiscal_year`` is used for a register
    whose fiscal year nothing else gives (the CLI's ``--fiscal-year``).
    """
    frames: dict[str, list[pd.DataFrame]] = {
        "directives": [],
        "responses": [],
        "kpis": [],
        "budget": [],
    }
    issues: list[Issue] = [
        make_issue(
            "error",
            "unreadable_file",
            file=u.source,
            value=u.reason_en,
            reason=Bilingual(u.reason_th, u.reason_en),
        )
        for u in unreadable
    ]
    by_file: dict[str, int] = {}
    unmatched: list[column_mapping.UnmatchedTable] = []
    id_columns: dict[tuple[str, str], dict[str, str]] = {}  # responses' id column, per sheet
    for raw in tables:
        by_file.setdefault(raw.source, 0)
        if raw.frame.empty or raw.frame.isna().all().all():
            issues.append(make_issue("warning", "empty_sheet", file=raw.source, sheet=raw.sheet))
            continue
        found_tables = detect_tables(raw, mapping)
        if not found_tables:
            issues.append(make_issue("warning", "no_table", file=raw.source, sheet=raw.sheet))
            continue
        complete = any(not m.missing for _, m in found_tables)
        for part, match in found_tables:
            if match.missing and match.kind == "directives":
                match = sections_supply(part, match)  # unit names alone in section rows
                complete = complete or not match.missing
            if match.missing and complete:
                # a side table of a report sheet (e.g. notes) lacking required columns
                row = raw.first_row + match.header_rows[0]
                issues.append(
                    make_issue(
                        "warning",
                        "table_skipped",
                        file=raw.source,
                        sheet=raw.sheet,
                        row=row,
                        value=", ".join(match.missing),
                    )
                )
                continue
            by_file[raw.source] += 1
            if match.missing:
                unmatched.append(column_mapping.unmatched(part, match))
                issues += normalize.missing_column_issues(part, match)
                if match.kind == "directives":  # the bad values too, in the same report
                    issues += _normalise(part, match.kind, match, fiscal_year)[1]
                continue
            frame, found = _normalise(part, match.kind, match, fiscal_year)
            if match.kind == "responses":
                id_columns[(part.source, part.sheet)] = match.column_of("directive_id", part)
            issues += found
            frames[TABLE_FRAME.get(match.kind, match.kind)].append(frame)
        # let the sheet go before the next is read: with ``consumed`` tables, its cells (a
        # shared-memory mapping per sheet) go back to the system now (issue 20)
        del raw, found_tables, part
    for source, n in by_file.items():
        if n == 0:
            issues.append(make_issue("error", "no_table_in_file", file=source))
    ds = Dataset(issues=issues, unmatched=unmatched)
    for kind, parts in frames.items():
        parts = [p for p in parts if not p.empty]
        setattr(
            ds,
            kind,
            _combine(parts, kind),
        )
    agencies = ds.directives["agency"]
    known = agencies.map({a: is_known_agency(a) for a in agencies.dropna().unique()})
    if isinstance(known.dtype, pd.CategoricalDtype):  # no agency at all: no categories
        known = known.astype(object)
    ds.issues += check_directives(ds.directives, known.fillna(True).astype(bool))
    ds.directives, more = merge_responses(ds.directives, ds.responses, id_columns)
    ds.issues += more
    for kind, frame in ds.frames().items():  # what a database would refuse
        ds.issues += check_storable(kind, frame)
    return ds


def consumed(items: list[T]) -> Iterator[T]:
    """The items of ``items`` first to last, each removed from the list as it is handed
    out: what the caller passes to ``build_dataset`` this way is freed sheet by sheet."""
    items.reverse()
    while items:
        yield items.pop()


def read_paths(
    paths: Iterable[str | Path], *, sandbox: bool = True, max_bytes: int | None = None
) -> tuple[list[RawTable], list[UnreadableFile]]:
    from data_sources.files import read_file

    cap = max_bytes or settings.max_file_bytes()
    tables: list[RawTable] = []
    bad: list[UnreadableFile] = []
    for p in paths:
        try:
            tables += read_file(Path(p), name=Path(p).name, sandbox=sandbox, max_bytes=cap)
        except UnreadableFile as exc:
            bad.append(exc)
    return tables, bad


def load_paths(
    paths: Iterable[str | Path], *, sandbox: bool = True, max_bytes: int | None = None
) -> LoadResult:
    tables, bad = read_paths(paths, sandbox=sandbox, max_bytes=max_bytes)
    return LoadResult(build_dataset(consumed(tables), bad), bad)
