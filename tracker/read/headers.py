"""Find the header row of a sheet and which canonical table it holds, by header aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources.base import RawTable
from tracker.parallel import parallel_map
from tracker.schema import TABLE_HEADERS, Column, header_key

SCAN_ROWS = 40  # title rows above the header are common; the header is within the first rows


@lru_cache(maxsize=8192)
def _key_variants(text: str | None) -> tuple[str, ...]:
    """Keys to try for one header cell: as typed, and without a trailing "(...)" remark.

    Cached: the header scan asks for the same cells once per table kind and row pairing.
    """
    k = header_key(text)
    if not k:
        return ()
    stripped = re.sub(r"\(.*?\)$", "", k)
    return (k, stripped) if stripped and stripped != k else (k,)


def _alias_index(columns: tuple[Column, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in columns:
        for alias in col.aliases:
            index.setdefault(header_key(alias), col.key)
    return index


ALIAS_INDEX: dict[str, dict[str, str]] = {k: _alias_index(v) for k, v in TABLE_HEADERS.items()}


@dataclass
class HeaderMatch:
    """Where a table's header is and which frame column holds each canonical column."""

    kind: str
    header_rows: list[int]  # frame row indices of the header (one to three rows)
    data_start: int  # first frame row index after the header
    colmap: dict[str, int]  # canonical key -> frame column index
    header_text: dict[int, str] = field(default_factory=dict)  # frame column -> header as shown
    # the group labels above a column's own label in a header of several rows ("a › b")
    group_text: dict[int, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # required canonical keys not found

    @property
    def complete(self) -> bool:
        return not self.missing

    def column_of(self, key: str, raw: RawTable) -> dict[str, str]:
        """Where canonical column ``key`` is, as an Issue takes it: key, header text, letter."""
        j = self.colmap.get(key)
        if j is None:
            return {"column_key": key}
        return {
            "column_key": key,
            "header": self.header_text.get(j, key),
            "letter": raw.column_letter(j),
        }


Mapping = dict[str, str]  # header_key(header as typed) -> canonical key, given by the user


def mapping_for(kind: str, mapping: Mapping | None) -> dict[str, str]:
    """The user's header mapping restricted to ``kind``'s columns (header key -> column)."""
    if not mapping:
        return {}
    keys = {c.key for c in TABLE_HEADERS[kind]}
    return {header_key(h): k for h, k in mapping.items() if k in keys}


def parse_mapping(pairs: list[str]) -> Mapping:
    """ "หัวคอลัมน์=field" pairs → a mapping; ValueError naming a pair that is not one."""
    known = {c.key for columns in TABLE_HEADERS.values() for c in columns}
    out: Mapping = {}
    for pair in pairs:
        header, sep, key = pair.rpartition("=")
        key = key.strip()
        if not sep or not header.strip() or key not in known:
            raise ValueError(pair)
        out[header_key(header)] = key
    return out


def _match_row(
    cells: list[str | None], kind: str, mapping: Mapping | None = None
) -> dict[str, int]:
    return _match_paths([[c] if c is not None else [] for c in cells], kind, mapping)


def _match_paths(
    paths: list[list[str]], kind: str, mapping: Mapping | None = None
) -> dict[str, int]:
    """Canonical key -> column, for each column's header path (its labels top to bottom).

    A column is tried as its labels joined from the top ("วันที่" › "สั่งการ" → "วันที่สั่งการ"),
    then from lower levels ("รายละเอียด" › "ผลการดำเนินการ"), down to its own label alone.
    """
    return _match_keys(_path_keys(paths), kind, mapping)


Tries = list[tuple[int, tuple[tuple[str, ...], ...]]]  # per column: its keys, in the order tried


def _path_keys(paths: list[list[str]]) -> Tries:
    """The header keys to try for each column (computed once, looked up for every kind)."""
    out: Tries = []
    for j, path in enumerate(paths):
        if not path:
            continue
        leaf = path[-1]
        if len(leaf) > MAX_HEADER_CHARS and len(leaf.strip()) > MAX_HEADER_CHARS:
            continue  # directive text, not a header (and not worth caching)
        tries: list[tuple[str, ...]] = [
            (header_key("".join(path[k:])),) for k in range(len(path) - 1)
        ]
        tries.append(_key_variants(leaf))  # a remark in brackets is dropped from the leaf only
        out.append((j, tuple(t for t in tries if t and t[0])))
    return out


def _match_keys(columns: Tries, kind: str, mapping: Mapping | None = None) -> dict[str, int]:
    index = ALIAS_INDEX[kind]
    own = mapping_for(kind, mapping)
    if own:
        index = {**index, **own}
    found: dict[str, int] = {}
    for j, tries in columns:
        for keys in tries:
            key = next((index[k] for k in keys if k in index), None)
            if key:
                if key not in found:
                    found[key] = j
                break
    return found


def _alias_cells(columns: Tries, mapping: Mapping | None) -> int:
    """How many columns have a key some table kind (or the user's mapping) knows."""
    known = ALL_ALIAS_KEYS
    if mapping:
        known = known | {header_key(h) for h in mapping}
    return sum(1 for _, tries in columns if any(k in known for keys in tries for k in keys))


def _spanned(above: list[list[str | None]], lower: list[str | None]) -> bool:
    """``lower`` can continue a header: some label above spans it (its cell there is empty).

    A list whose every row is filled (the column descriptions of a template's instructions)
    is never one header of several rows.
    """
    return any(
        not (lower[j] or "").strip() and any((row[j] or "").strip() for row in above)
        for j in range(len(lower))
    )


def _header_paths(rows: list[list[str | None]]) -> list[list[str]]:
    """Each column's labels top to bottom in a header of several rows.

    Merged cells carry their value at the top-left only: a group label ("ผลการดำเนินการ"
    merged over "สถานะ | รายละเอียด") is spread right over the empty cells next to it whose
    columns have labels below, as long as its own column has a label below too.
    """
    width = len(rows[0])
    text = [[(c or "").strip() for c in row] for row in rows]
    below = [
        [any(text[r][j] for r in range(i + 1, len(text))) for j in range(width)]
        for i in range(len(text))
    ]
    for i in range(len(text) - 1):
        label, open_ = "", False
        for j in range(width):
            if text[i][j]:
                label, open_ = text[i][j], below[i][j]
            elif open_ and below[i][j]:
                text[i][j] = label
            else:
                open_ = False
    return [[text[r][j] for r in range(len(text)) if text[r][j]] for j in range(width)]


def _required(kind: str) -> list[str]:
    return [c.key for c in TABLE_HEADERS[kind] if c.required]


def _cells(frame: pd.DataFrame, i: int) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in frame.iloc[i].tolist()]


def _block(frame: pd.DataFrame, start: int, stop: int) -> list[list[str | None]]:
    """Rows ``start``..``stop`` as cell lists, in one conversion (not one per row)."""
    if stop <= start:
        return []
    values = frame.iloc[start:stop].to_numpy(dtype=object, na_value=None)
    return [[None if v is None else str(v) for v in row] for row in values.tolist()]


def detect(
    raw: RawTable,
    kinds: tuple[str, ...] | None = None,
    start: int = 0,
    scan: int = SCAN_ROWS,
    mapping: Mapping | None = None,
) -> HeaderMatch | None:
    """The best header match in the first rows of ``raw``, or None if nothing looks like one.

    A header may span two or three rows (merged group labels above sub-labels): each column
    is matched by its labels joined ("วันที่" › "สั่งการ"), else by its lowest label alone. A match missing required columns is
    still returned (with ``missing``) when it is clearly that table, so the user hears what is
    missing instead of "no table".
    """
    frame = raw.frame
    kinds = kinds or tuple(TABLE_HEADERS)
    best: tuple[tuple, HeaderMatch] | None = None
    n = min(len(frame), start + scan)
    rows = dict(enumerate(_block(frame, start, min(len(frame), n + 2)), start=start))
    for i in range(start, n):
        upper = rows[i]
        if not any(c and c.strip() for c in upper):
            continue
        stacks = [[upper]]
        for extra in (1, 2):  # headers of two and three rows
            lower = rows.get(i + extra)
            if lower is None or not _spanned(stacks[-1], lower):
                break
            stacks.append([*stacks[-1], lower])
        shapes = []
        for stack in stacks:
            paths = _header_paths(stack) if len(stack) > 1 else [[(c or "").strip()] for c in upper]
            keys = _path_keys(paths)
            if _alias_cells(keys, mapping) >= 2:  # no table's header has fewer
                shapes.append((list(range(i, i + len(stack))), paths, keys))
        for kind in kinds:
            for header_rows, paths, keys in shapes:
                found = _match_keys(keys, kind, mapping)
                required = _required(kind)
                missing = [k for k in required if k not in found]
                # Rank: all required present, then more columns, then the first header of the
                # sheet (a header typed again lower down never wins), then fewer header rows.
                score = (
                    not missing,
                    len(found) - len(missing),
                    -header_rows[-1],
                    -len(header_rows),
                )
                if len(found) < 2:
                    continue
                if kind == "directives" and not missing and len(found) < 3:
                    continue  # unit + text alone (e.g. a list explaining the columns)
                if best is None or score > best[0]:
                    match = HeaderMatch(
                        kind=kind,
                        header_rows=header_rows,
                        data_start=header_rows[-1] + 1,
                        colmap=found,
                        header_text={j: paths[j][-1] for j in found.values()},
                        group_text={
                            j: " › ".join(p[:-1]) for j, p in enumerate(paths) if len(p) > 1
                        },
                        missing=missing,
                    )
                    best = (score, match)
    if best is None:
        return None
    match = best[1]
    # A partial match counts only when it is clearly that table (≥ 3 columns recognised).
    if match.missing and len(match.colmap) < 3:
        return None
    return match


ALL_ALIAS_KEYS: frozenset[str] = frozenset(k for index in ALIAS_INDEX.values() for k in index)


MAX_HEADER_CHARS = 80  # a header cell is short; long cells (directive text) are never headers


_ALIAS_KEYS = pa.array(sorted(ALL_ALIAS_KEYS), type=pa.large_string())


def _alias_hits(frame: pd.DataFrame) -> np.ndarray:
    """Per row, how many cells are a known header alias (vectorised over distinct values).

    Columns are scanned in parallel threads: the work is Arrow kernels, which run without
    the GIL. Columns of mostly distinct values (ids, running numbers) are read only in the
    rows where another column holds an alias: a header row has aliases in most columns.
    """
    if len(frame) <= SMALL_SHEET_ROWS:
        small = _alias_hits_small(frame)
        if small is not None:
            return small
    hits = np.zeros(len(frame), dtype=np.int32)
    columns = [arrow_strings(frame.iloc[:, j]) for j in range(frame.shape[1])]
    distinct = [_mostly_distinct(c) for c in columns]
    if sum(not d for d in distinct) < 2:  # nothing else to go by: read every column whole
        distinct = [False] * len(columns)
    common = [c for c, d in zip(columns, distinct, strict=True) if not d]
    for found in parallel_map(_column_alias_rows, common):
        if found is not None:
            hits[found] += 1
    rows = np.flatnonzero(hits)
    if len(rows):
        at = pa.array(rows)
        for col, d in zip(columns, distinct, strict=True):
            found = _column_alias_rows(col.take(at)) if d else None
            if found is not None:
                hits[rows[found]] += 1
    return hits


# Sheets of up to this many rows are scanned cell by cell in Python (``_alias_hits_small``):
# starting the Arrow kernels and the threads for each column of a sheet of a few dozen rows
# costs more than the scan (issue 20: ~2 ms a sheet, 22 sheets in a report workbook).
SMALL_SHEET_ROWS = 2000
# what header_key() strips, as the Arrow kernels (RE2) read it: \s is ASCII whitespace there
_ODD_KEY = re.compile(r"[\t\n\f\r \*:：(]")
_ODD_RUN = re.compile(r"[\t\n\f\r \*:：]+")
_REMARK = re.compile(r"\(.*?\)$")


def _alias_hits_small(frame: pd.DataFrame) -> np.ndarray | None:
    """``_alias_hits`` of a small sheet of text columns (None for other column types): the
    same counts, the same rules (a mostly distinct column counts only in rows where another
    column holds an alias), the cells lowered by the same Arrow kernel, once per distinct
    text (tests/unit/test_headers_alias_small.py checks it against the Arrow scan)."""
    if not all(isinstance(d, pd.StringDtype) and d.storage == "pyarrow" for d in frame.dtypes):
        return None
    columns = frame.to_numpy(dtype=object, na_value=None).T.tolist()  # one conversion
    texts = {v for col in columns for v in col if v is not None and len(v) <= MAX_HEADER_CHARS}
    texts_list = list(texts)
    lowered = pc.utf8_lower(pa.array(texts_list, type=pa.string())).to_pylist()
    aliases = {v for v, key in zip(texts_list, lowered, strict=True) if _is_alias_key(key)}
    distinct = [_mostly_distinct_list(col) for col in columns]
    if sum(not d for d in distinct) < 2:
        distinct = [False] * len(columns)
    hits = np.zeros(len(frame), dtype=np.int32)
    if not aliases:
        return hits
    for col, d in zip(columns, distinct, strict=True):
        if not d:
            for i, v in enumerate(col):
                if v in aliases:
                    hits[i] += 1
    rows = np.flatnonzero(hits).tolist()
    for col, d in zip(columns, distinct, strict=True):
        if d:
            for i in rows:
                if col[i] in aliases:
                    hits[i] += 1
    return hits


def _is_alias_key(key: str) -> bool:
    """``_column_alias_rows``'s test of one lowered cell."""
    if not _ODD_KEY.search(key):
        return key in ALL_ALIAS_KEYS
    fixed = _ODD_RUN.sub("", key)
    return fixed in ALL_ALIAS_KEYS or _REMARK.sub("", fixed) in ALL_ALIAS_KEYS


def _mostly_distinct_list(col: list[str | None], sample: int = 2048) -> bool:
    """``_mostly_distinct`` of a column as a list (None, like Arrow's null, one value)."""
    head = col[:sample]
    return len(head) >= 64 and len(set(head)) > len(head) // 2


def arrow_strings(series: pd.Series) -> pa.Array:
    """A column's cells as an Arrow string array (zero-copy when already Arrow-backed)."""
    if not isinstance(series.array, pd.arrays.ArrowStringArray):
        series = series.astype("str")
    arr = pa.array(series, from_pandas=True)
    # a table read in several blocks (CSV over 16 MiB, an IPC stream of several batches)
    # gives a chunked column; the kernels below need one array
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _column_alias_rows(col: pa.Array) -> np.ndarray | None:
    """Rows of one column whose cell is a header alias (after header_key()), or None."""
    # Long cells (directive text) are never headers: drop them before hashing, by byte
    # length first (free: from the offsets), so long-text columns cost next to nothing.
    rows = pc.indices_nonzero(
        pc.fill_null(pc.less_equal(pc.binary_length(col), 4 * MAX_HEADER_CHARS), False)
    )
    if len(rows) == 0:
        return None
    subset = col if len(rows) == len(col) else col.take(rows)
    if _mostly_distinct(subset):  # ids: encoding 100,000 distinct values costs more than it saves
        values = subset
        indices = None
    else:
        encoded = pc.dictionary_encode(subset)
        values, indices = encoded.dictionary, encoded.indices
    short = pc.indices_nonzero(pc.less_equal(pc.utf8_length(values), MAX_HEADER_CHARS))
    key = pc.utf8_lower(values.take(short))
    # the regexes of header_key() only where they can change something
    odd = pc.indices_nonzero(pc.match_substring_regex(key, r"[\s\*:：(]"))
    hit = pc.is_in(key, value_set=_ALIAS_KEYS).to_numpy(zero_copy_only=False)
    if len(odd):
        fixed = pc.replace_substring_regex(key.take(odd), r"[\s\*:：]+", "")
        odd_hit = pc.or_(
            pc.is_in(fixed, value_set=_ALIAS_KEYS),
            pc.is_in(pc.replace_substring_regex(fixed, r"\(.*?\)$", ""), value_set=_ALIAS_KEYS),
        )
        hit[odd.to_numpy()] = pc.fill_null(odd_hit, False).to_numpy(zero_copy_only=False)
    per_value = np.zeros(len(values), dtype=bool)
    per_value[short.to_numpy()] = hit
    if not per_value.any():
        return None
    if indices is None:
        return rows.to_numpy()[per_value]
    idx = indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return rows.to_numpy()[per_value[idx]]


def _mostly_distinct(col: pa.Array, sample: int = 2048) -> bool:
    """More than half of the first ``sample`` cells are distinct (an id or text column)."""
    head = col.slice(0, sample)
    return len(head) >= 64 and len(pc.unique(head)) > len(head) // 2


def _same_header(frame: pd.DataFrame, i: int, match: HeaderMatch) -> bool:
    """Row ``i`` repeats ``match``'s header (printed forms repeat it on every page)."""
    return _repeats_header(_cells(frame, i), match)


def _repeats_header(cells: list[str | None], match: HeaderMatch) -> bool:
    """``_same_header`` of a row's cells."""
    same = sum(
        1
        for j, shown in match.header_text.items()
        if shown and j < len(cells) and (cells[j] or "").strip() == shown
    )
    return same >= max(2, len(match.colmap) // 2)


def detect_tables(
    raw: RawTable, mapping: Mapping | None = None
) -> list[tuple[RawTable, HeaderMatch]]:
    """Every table of a sheet, in order: a report sheet may hold several (KPIs, then budget).

    A new table starts at a header row of any kind that is not a repeat of the current one.
    Each table is returned with the sheet cut just before the next table's header (rows above
    its own header stay: title rows such as "หน่วยงาน : …" are read from there).
    """
    first = detect(raw, mapping=mapping)
    if first is None:
        return []
    hits = _alias_hits(raw.frame)
    # the rows that may start a table, as cells, in one conversion (not one row at a time)
    at = np.flatnonzero(hits >= 2)
    block = raw.frame.iloc[at].to_numpy(dtype=object, na_value=None).tolist() if len(at) else []
    candidates = {
        int(i): [None if v is None else str(v) for v in row]
        for i, row in zip(at.tolist(), block, strict=True)
    }
    out: list[tuple[RawTable, HeaderMatch]] = []
    match: HeaderMatch | None = first
    while match is not None:
        end = len(raw.frame)
        nxt = None
        for i in np.flatnonzero(hits[match.data_start :] >= 2) + match.data_start:
            if _repeats_header(candidates[int(i)], match):
                continue
            candidate = detect(raw, start=int(i), scan=1, mapping=mapping)
            if candidate is not None and candidate.header_rows[0] == i:
                end, nxt = int(i), candidate
                break
        part = RawTable(
            raw.source, raw.sheet, raw.frame.iloc[:end], raw.first_row, raw.first_col, raw.notes
        )
        out.append((part, match))
        match = nxt
    return out
