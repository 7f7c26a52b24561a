"""RawTable -> typed canonical DataFrame (+ Issues), vectorised over unique cell values."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources.base import RawTable, column_letter
from messages.i18n import t
from tracker import thai
from tracker.checks.validate import Issue, listed, make_issue
from tracker.dataset import conform_columns, repeated, text_objects
from tracker.parallel import in_background
from tracker.places import district_codes, normalize_agency, zone_of_code
from tracker.read.body import Body
from tracker.read.headers import HeaderMatch, arrow_strings
from tracker.schema import (
    DEFAULT_GROUPS_EN,
    DEFAULT_GROUPS_TH,
    FACTOR_EN,
    FACTOR_SHORT_TH,
    FACTOR_TH,
    FACTORS,
    STATUS_ALIASES,
    TABLE_HEADERS,
    header_key,
)


def _map_uniques_categorical(series: pd.Series, fn: Callable[[str], str | None]) -> pd.Series:
    """``_map_uniques`` as a categorical with sorted categories, built from the codes of one
    factorize (conform() keeps it as it is: no second pass over 100,000 strings)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = [fn(u) for u in uniques]
    categories = sorted({m for m in mapped if m is not None})
    position = {c: i for i, c in enumerate(categories)}
    lookup = np.array([position.get(m, -1) if m is not None else -1 for m in mapped] + [-1])
    values = pd.Categorical.from_codes(lookup[codes], categories=pd.Index(categories, dtype=object))
    return pd.Series(values, index=series.index)


def _map_uniques(series: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """Apply ``fn`` once per distinct value and spread the results back (object dtype)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = None  # code -1: missing cell
    return pd.Series(mapped[codes], index=series.index, dtype=object)


# Cells that clean_text / collapse_spaces would change; all others are already clean (body rows
# are trimmed), so only these go through Python: same result, a fraction of the time.
_INVISIBLE_OR_SPACE = (
    r"\x{200b}\x{200c}\x{200d}\x{2060}\x{feff}\x{ad}\x{a0}\x{2000}-\x{200a}\x{202f}\x{205f}"
    r"\x{3000}\x{2028}\x{2029}"
)
_NEEDS_CLEAN = rf"[{_INVISIBLE_OR_SPACE}\r\t\n]|_x000D_|  |\x{{e4d}}\x{{e32}}|เเ"
_NEEDS_ID_CLEAN = rf"[{_INVISIBLE_OR_SPACE}\s๐-๙]|\x{{e4d}}\x{{e32}}|เเ"


def _clean_column(series: pd.Series, fn: Callable[[str], str], needs: str) -> pd.Series:
    """``fn`` applied only where the regex ``needs`` matches; "" becomes None (object dtype)."""
    return _finish_clean(series, fn, _flag_cells(series, needs))


@dataclass
class _Flagged:
    arr: pa.Array  # the column's cells, "" as missing
    flagged: np.ndarray  # positions of the cells ``fn`` must see


def _flag_cells(series: pd.Series, needs: str) -> _Flagged:
    """The Arrow half of cleaning (no GIL: columns can be flagged in parallel threads)."""
    arr = arrow_strings(series)
    blank = pc.equal(arr, "")
    if pc.any(blank).as_py():
        arr = pc.if_else(blank, None, arr)
    flagged = pc.fill_null(pc.match_substring_regex(arr, needs), False)
    return _Flagged(arr, np.flatnonzero(flagged.to_numpy(zero_copy_only=False)))


def _finish_clean(series: pd.Series, fn: Callable[[str], str], cells: _Flagged) -> pd.Series:
    values = text_objects(cells.arr)  # missing cells are None; equal cells share one str
    for i in cells.flagged:
        values[i] = fn(values[i]) or None
    return pd.Series(values, index=series.index, dtype=object)


def _flag_text_columns(body: Body, keys: tuple[str, ...]) -> Callable[[], dict[str, _Flagged]]:
    """Start flagging the cells of every free-text column present, in background threads;
    returns the function that waits for the flags (the caller works on other columns meanwhile).
    """
    present = [(k, body.col(k)) for k in keys if body.col(k) is not None]
    pending = in_background(lambda kc: _flag_cells(kc[1], _NEEDS_CLEAN), present)
    return lambda: {k: f for (k, _), f in zip(present, pending(), strict=True)}


def _text(series: pd.Series | None, n: int, flagged: _Flagged | None = None) -> pd.Series:
    if series is None:
        return pd.Series([None] * n, dtype=object)
    if flagged is None:
        return _clean_column(series, thai.clean_text, _NEEDS_CLEAN)
    return _finish_clean(series, thai.clean_text, flagged)


def _none_if_dash(series: pd.Series) -> pd.Series:
    return series.where(~series.isin(["-", "–", "—"]), None)


def _status_of(value: str) -> str | None:
    # A clerk's full stop, dash or ฯ at the end ("ดำเนินการแล้ว.", "อยู่ระหว่างดำเนินการฯ") and a
    # bullet in front ("- ดำเนินการแล้ว") are not part of the status.
    key = thai.collapse_spaces(value).lower().rstrip(" .。,;:!-–—ฯ").lstrip(" -–—•·*")
    return STATUS_ALIASES.get(key) or STATUS_ALIASES.get(key.replace(" ", ""))


def _factor_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for i, key in enumerate(FACTORS, start=1):
        for name in (
            FACTOR_TH[key],
            FACTOR_SHORT_TH[key],
            FACTOR_EN[key],
            key,
            str(i),
            f"2.{i}",
            f"ด้าน{FACTOR_SHORT_TH[key]}",
        ):
            table[header_key(name)] = key
    return table


FACTOR_LOOKUP = _factor_lookup()


def parse_factors(value: str) -> tuple[frozenset[str], list[str]]:
    """Factors from a Forms checkbox cell ("ด้านงบประมาณของหน่วยงาน, ด้านเทคโนโลยี…")."""
    found: set[str] = set()
    unknown: list[str] = []
    for part in thai.to_arabic_digits(value).replace(";", ",").replace("\n", ",").split(","):
        token = part.strip()
        if not token or thai.is_missing(token):
            continue
        key = FACTOR_LOOKUP.get(header_key(token))
        if key is None:
            key = next((k for k in FACTORS if FACTOR_SHORT_TH[k] in token), None)
        if key is None:
            unknown.append(token)
        else:
            found.add(key)
    return frozenset(found), unknown


# A factor's own column is ticked with ✓ ✔ ☑ / 1 มี yes, left as x ✗ 0 ไม่มี - no or blank.
_FLAG_MARKS: dict[str, bool] = {
    **dict.fromkeys(("✓", "✔", "☑", "✅", "/", "1", "มี", "ใช่", "yes", "y", "true"), True),
    **dict.fromkeys(("x", "✗", "✘", "☒", "☐", "0", "ไม่มี", "ไม่ใช่", "no", "n", "false"), False),
}


def _flag_of(value: str) -> bool | None:
    """True / False for a mark in a factor's own column; None when it is not a mark."""
    key = thai.to_arabic_digits(thai.collapse_spaces(str(value))).strip().lower()
    if not key or thai.is_missing(key):
        return False
    if key.endswith(".0"):  # 1.0 / 0.0 from a number cell
        key = key[:-2]
    return _FLAG_MARKS.get(key)


def _group_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for i, (th, en) in enumerate(zip(DEFAULT_GROUPS_TH, DEFAULT_GROUPS_EN, strict=True), start=1):
        for name in (th, en, str(i), f"{i}.{th}", f"{i}{th}"):
            table[header_key(name)] = th
    return table


GROUP_LOOKUP = _group_lookup()


def _group_of(value: str) -> str | None:
    return GROUP_LOOKUP.get(header_key(thai.to_arabic_digits(value)))


def _invalid_issues(
    body: Body, key: str, raw: pd.Series, invalid: pd.Series, code: str, severity: str = "error"
) -> list[Issue]:
    shown, more = listed(np.flatnonzero(invalid.to_numpy()))
    return [body.issue(severity, code, i, key, raw.iloc[i]) for i in shown] + body.more(
        severity, code, more, key
    )


def _ids(series: pd.Series) -> pd.Series:
    return _clean_column(
        series, lambda v: thai.collapse_spaces(thai.to_arabic_digits(v)), _NEEDS_ID_CLEAN
    )


def _required_present(body: Body, key: str, values: pd.Series) -> list[Issue]:
    if key not in body.match.colmap:  # the whole column is missing: one missing_column error
        return []
    shown, more = listed(np.flatnonzero(values.isna().to_numpy()))
    return [body.issue("error", "missing_value", i, key, "") for i in shown] + body.more(
        "error", "missing_value", more, key
    )


def _provenance(body: Body) -> dict[str, object]:
    n = len(body.rows)
    return {
        "source": pd.Series(repeated(body.raw.source, n), dtype=object),
        "sheet": pd.Series(repeated(body.raw.sheet, n), dtype=object),
        "row": body.rows,
    }


# Columns that normalisers build as object arrays with None for missing: conform() can
# take them as they are (checking 100,000 scattered string objects again costs ~10 ms each).
_READY_TEXT = frozenset(
    {"directive_id", "text", "issued_by", "detail", "obstacle", "reporter", "source", "sheet"}
)


def directives(body: Body, fiscal_year: int | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """The register (one sheet with a status column, or the register of the Forms shape).

    Registers kept by hand often lack an id or a fiscal-year column: the fiscal year is then
    inferred (dates, title lines, sheet or file name, else ``fiscal_year`` given by the user),
    and a running number (ลำดับ) is made into an id unique by fiscal year and round; each
    with a warning saying so (docs/domain.md §1).
    """
    n = len(body.frame)
    issues: list[Issue] = []
    out: dict[str, object] = {}
    flags = _flag_text_columns(body, ("text", "issued_by", "detail", "obstacle"))

    rnd_raw = body.col("round")
    if rnd_raw is not None:
        rnd, bad = thai.parse_int_series(rnd_raw)
        bad = bad | (rnd.notna() & ~rnd.isin([1, 2]))
        issues += _invalid_issues(body, "round", rnd_raw, bad, "invalid_round")
        out["round"] = rnd.where(~bad).astype("Int64")
    elif "round" in body.context:  # section rows "รอบที่ ๒" above the rows
        out["round"] = body.context["round"].astype("Int64")

    for key in ("issued_date", "due_date"):
        raw = body.col(key)
        if raw is None:
            continue
        parsed, bad = thai.parse_date_series(raw)
        issues += _invalid_issues(body, key, raw, bad, "invalid_date")
        out[key] = parsed

    fy_raw = body.col("fiscal_year")
    if fy_raw is not None:
        fy, bad = thai.parse_int_series(fy_raw)
        years = {v: thai.normalize_fiscal_year(int(v)) for v in fy.dropna().unique()}
        if years and any(k != v for k, v in years.items()):
            fy = fy.map(years)
        issues += _invalid_issues(body, "fiscal_year", fy_raw, bad, "invalid_fiscal_year")
        issues += _required_present(body, "fiscal_year", fy.where(~bad, 0))
        out["fiscal_year"] = fy.astype("Int64")
    else:
        fy_inferred, more = _infer_fiscal_year(body, out, n, fiscal_year)
        issues += more
        out["fiscal_year"] = fy_inferred

    ids, more = _directive_ids(body, out, n)
    issues += more
    out["directive_id"] = ids

    agency_raw = body.col("agency")
    if agency_raw is None and "agency" in body.context:  # unit names alone in section rows
        agency_raw = body.context["agency"]
    if agency_raw is None:  # reported once as a missing column; the other checks still run
        agency_raw = pd.Series([None] * n, dtype=object)
    agency = _map_uniques_categorical(agency_raw, lambda v: normalize_agency(v) or None)
    issues += _required_present(body, "agency", agency)
    out["agency"] = agency
    district_raw = body.col("district")
    codes = district_codes(agency)  # one lookup per category
    if "zone" in body.context:  # "กลุ่มกรุงเทพใต้" above: no zone column, a check of the units
        issues += _zone_issues(body, agency, codes, body.context["zone"])
    if district_raw is not None:
        typed = district_codes(district_raw.fillna(""))
        codes = typed.where(typed.notna(), codes)
    out["district_code"] = codes

    flagged = flags()
    text = _text(body.col("text"), n, flagged.get("text"))
    issues += _required_present(body, "text", text)
    out["text"] = text
    out["issued_by"] = _text(body.col("issued_by"), n, flagged.get("issued_by"))

    group_raw = body.col("group")
    if group_raw is not None:
        group = _map_uniques_categorical(group_raw, _group_of)
        unknown = group_raw.notna() & group.isna()
        issues += _invalid_issues(body, "group", group_raw, unknown, "unknown_group", "warning")
        if unknown.any():  # unknown groups are kept as typed (cleaned)
            group = group.astype(object).where(group.notna(), _text(group_raw, n))
        out["group"] = group

    factor_raw = body.col("factors")
    if factor_raw is not None:
        codes, uniques = pd.factorize(factor_raw, use_na_sentinel=True)
        parsed = [parse_factors(u) for u in uniques]
        bad = [u for u, (_, unknown) in enumerate(parsed) if unknown]
        shown, beyond = listed(np.flatnonzero(np.isin(codes, bad)))
        for i in shown:
            for token in parsed[codes[i]][1]:
                issues.append(body.issue("error", "unknown_factor", i, "factors", token))
        issues += body.more("error", "unknown_factor", beyond, "factors")
        for key in FACTORS:
            has = np.array([key in found for found, _ in parsed] + [False], dtype=bool)
            out[f"f_{key}"] = has[codes]
    for key in FACTORS:  # one ✓/x column per factor (a factor named in "factors" stays set)
        flag_raw = body.col(f"f_{key}")
        if flag_raw is None:
            continue
        flag = _map_uniques(flag_raw, _flag_of)
        unknown = flag_raw.notna() & flag.isna()
        issues += _invalid_issues(body, f"f_{key}", flag_raw, unknown, "unknown_factor_mark")
        ticked = flag.eq(True).to_numpy(dtype=bool)
        before = out.get(f"f_{key}")
        out[f"f_{key}"] = ticked if before is None else np.asarray(before, dtype=bool) | ticked

    status_raw = body.col("status")
    if status_raw is not None:
        status = _map_uniques(status_raw, _status_of)
        unknown = status_raw.notna() & status.isna()
        issues += _invalid_issues(body, "status", status_raw, unknown, "unknown_status")
        out["status"] = status.fillna("not_reported")
    else:
        out["status"] = "not_reported"

    out["detail"] = _none_if_dash(_text(body.col("detail"), n, flagged.get("detail")))
    out["obstacle"] = _none_if_dash(_text(body.col("obstacle"), n, flagged.get("obstacle")))
    rep_raw = body.col("reported_at")
    if rep_raw is not None:
        parsed, bad = thai.parse_datetime_series(rep_raw)
        issues += _invalid_issues(body, "reported_at", rep_raw, bad, "invalid_date")
        out["reported_at"] = parsed

    columns = {k: _values(v) for k, v in out.items()} | _provenance(body)
    return conform_columns(columns, "directives", n, ready=_READY_TEXT), issues


def _zone_issues(body: Body, agency: pd.Series, codes: pd.Series, zone: pd.Series) -> list[Issue]:
    """A warning per district office listed under a section row of another district group.

    The directives frame has no zone: a unit's group follows from its district
    (places.zone_of_code), so a zone section row only checks it; departments have none.
    """
    group = codes.map(lambda c: (zone_of_code(c) or (None,))[0] if isinstance(c, str) else None)
    z = zone.reset_index(drop=True)
    g = pd.Series(group.to_numpy(dtype=object))
    wrong = (z.notna() & g.notna() & (z != g)).to_numpy(dtype=bool)
    shown, more = listed(np.flatnonzero(wrong))
    return [
        body.issue("warning", "agency_outside_zone", i, "agency", agency.iloc[i], zone=z.iloc[i])
        for i in shown
    ] + body.more("warning", "agency_outside_zone", more, "agency")


def _infer_fiscal_year(
    body: Body, out: dict[str, object], n: int, given: int | None
) -> tuple[pd.Series, list[Issue]]:
    """The fiscal year of a register without that column, and the warning saying from what:
    the rows' own dates (issued, else due), the title lines above the header, the sheet or
    file name, else the year the user gave; an error when nothing gives it."""
    where = {"file": body.raw.source, "sheet": body.raw.sheet}
    header_row = body.raw.first_row + body.match.header_rows[0]
    fy = pd.Series(pd.NA, index=range(n), dtype="Int64")
    source_key = ""
    for key in ("issued_date", "due_date"):
        dates = out.get(key)
        if isinstance(dates, pd.Series) and dates.notna().any():
            from_dates = thai.fiscal_year_series(dates.reset_index(drop=True)).astype("Int64")
            fy = fy.fillna(from_dates)
            source_key = source_key or key
    fallback, how, shown = None, "", ""
    for i in range(body.match.header_rows[0]):
        for cell in body.raw.frame.iloc[i].tolist():
            if cell is None or pd.isna(cell):
                continue
            text = str(cell)
            year = thai.fiscal_year_from_text(text)
            if year is None:
                found = thai.find_date_in_text(thai.collapse_spaces(text))
                year = thai.fiscal_year(found) if found else None
            if year is not None and fallback is None:
                fallback, how, shown = year, "title", thai.shorten(text)
    for name in (body.raw.sheet, body.raw.source):
        if fallback is None and name:
            year = thai.fiscal_year_from_text(name)
            digits = re.search(r"(?<![0-9])(25[0-9]{2})(?![0-9])", thai.to_arabic_digits(name))
            year = year or (int(digits.group(1)) if digits else None)
            if year is not None:
                fallback, how, shown = year, "name", thai.shorten(name)
    if fallback is None and given is not None:
        fallback, how, shown = int(given), "given", str(given)
    issues: list[Issue] = []
    if source_key:
        issues.append(
            make_issue(
                "warning",
                "fiscal_year_from_dates",
                **where,
                row=header_row,
                **body.column(source_key),
                value=", ".join(str(int(v)) for v in sorted(fy.dropna().unique())[:5]),
            )
        )
    known = sorted(int(v) for v in fy.dropna().unique())
    if fy.isna().any():
        if fallback is not None:
            fy = fy.fillna(fallback)
            issues.append(
                make_issue(
                    "warning", f"fiscal_year_from_{how}", **where, row=header_row, value=shown
                )
            )
        elif len(known) == 1:
            # a row whose dates are empty or unreadable (each its own error) in a register
            # whose other dates all fall in one fiscal year: that year, as the warning says
            fy = fy.fillna(known[0])
        elif known:  # the dates span years: the rows without one are named, not the header
            unknown = np.flatnonzero(fy.isna().to_numpy())
            shown_rows, more = listed(unknown)
            years = ", ".join(str(v) for v in known[:5])
            issues += [
                body.issue("error", "fiscal_year_unknown_row", i, source_key, years)
                for i in shown_rows
            ] + body.more("error", "fiscal_year_unknown_row", more, source_key)
        else:
            issues.append(
                make_issue("error", "register_without_fiscal_year", **where, row=header_row)
            )
    return fy.astype("Int64"), issues


def _directive_ids(body: Body, out: dict[str, object], n: int) -> tuple[pd.Series, list[Issue]]:
    """Ids as typed; else a running number (ลำดับ) made unique by fiscal year and round
    ("2567-2-14"); else sheet and row ("ทะเบียน-12"). A warning says which was used."""
    where = {"file": body.raw.source, "sheet": body.raw.sheet}
    header_row = body.raw.first_row + body.match.header_rows[-1]
    raw = body.col("directive_id")
    if raw is not None:
        ids = _ids(raw)
        return ids, _required_present(body, "directive_id", ids)
    fy = out.get("fiscal_year")
    rnd = out.get("round")
    fy_text = (
        fy.astype("string").fillna("?").to_numpy(dtype=object)
        if isinstance(fy, pd.Series)
        else repeated("?", n)
    )
    round_text = (
        rnd.reset_index(drop=True).astype("string").to_numpy(dtype=object)
        if isinstance(rnd, pd.Series)
        else np.full(n, None, dtype=object)
    )
    seq_raw = body.col("seq_no")
    if seq_raw is not None:
        seq, bad = thai.parse_int_series(seq_raw)
        issues = _invalid_issues(body, "seq_no", seq_raw, bad | seq.isna(), "missing_value")
        numbers = seq.astype("string").to_numpy(dtype=object)
        ids = [
            None
            if num is None or num is pd.NA
            else "-".join(str(p) for p in (y, r, num) if p is not None and p is not pd.NA)
            for y, r, num in zip(fy_text, round_text, numbers, strict=True)
        ]
        issues.append(
            make_issue(
                "warning",
                "id_from_running_number",
                **where,
                row=header_row,
                **body.column("seq_no"),
            )
        )
        return pd.Series(ids, dtype=object), issues
    label = body.raw.sheet or body.raw.source
    ids = [f"{label}-{int(r)}" for r in body.rows]
    warning = make_issue("warning", "id_from_row", **where, row=header_row, value=label)
    return pd.Series(ids, dtype=object), [warning]


def _values(v: object) -> object:
    """Column data without index; object columns stay object (no str inference and back)."""
    if isinstance(v, pd.Series):
        if v.dtype == object:
            return pd.Series(v.to_numpy(), dtype=object)
        return pd.Series(v.array)
    return v


def responses(body: Body) -> tuple[pd.DataFrame, list[Issue]]:
    """Google Forms responses: one row per report; the latest per directive sets its status."""
    n = len(body.frame)
    issues: list[Issue] = []
    out: dict[str, object] = {}
    ts_raw = body.col("submitted_at")
    ts, bad = thai.parse_datetime_series(ts_raw)
    issues += _invalid_issues(body, "submitted_at", ts_raw, bad, "invalid_date")
    issues += _required_present(body, "submitted_at", ts.where(~bad, pd.Timestamp(0)))
    out["submitted_at"] = ts
    ids = _ids(body.col("directive_id"))
    issues += _required_present(body, "directive_id", ids)
    out["directive_id"] = ids
    status_raw = body.col("status")
    if status_raw is None:  # required: reported as a missing column, never normalised
        status_raw = pd.Series([None] * n, dtype=object)
    status = _map_uniques(status_raw, _status_of)
    unknown = status_raw.notna() & status.isna()
    issues += _invalid_issues(body, "status", status_raw, unknown, "unknown_status")
    issues += _required_present(body, "status", status.where(~unknown, "x"))
    out["status"] = status
    out["detail"] = _none_if_dash(_text(body.col("detail"), n))
    out["obstacle"] = _none_if_dash(_text(body.col("obstacle"), n))
    out["reporter"] = _text(body.col("reporter"), n)
    columns = {k: _values(v) for k, v in out.items()} | _provenance(body)
    return conform_columns(columns, "responses", n, ready=_READY_TEXT), issues


def missing_column_issues(raw: RawTable, match: HeaderMatch) -> list[Issue]:
    """One error per required column that the header lacks, naming the aliases accepted."""
    cols = {c.key: c for c in TABLE_HEADERS[match.kind]}
    row = raw.first_row + match.header_rows[-1]
    return [
        make_issue(
            "error",
            "missing_column",
            file=raw.source,
            sheet=raw.sheet,
            row=row,
            value=cols[key].aliases[0],
            aliases=", ".join(f"“{a}”" for a in cols[key].aliases),
            table={"th": t(f"table.{match.kind}", "th"), "en": t(f"table.{match.kind}", "en")},
        )
        for key in match.missing
    ]


__all__ = [
    "column_letter",
    "directives",
    "missing_column_issues",
    "parse_factors",
    "responses",
]
