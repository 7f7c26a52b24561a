"""Read CSV/text bytes into a RawTable: strict UTF-8 / Windows-874 decoding, sniffed delimiter.

Encodings: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else
Windows-874 (a superset of TIS-620) - all decoded strictly, so a wrong guess fails loudly
instead of filling the data with replacement characters. Row i of the frame is CSV record
i + first_row (a quoted newline stays inside its cell, as Excel shows it). Parsing uses
pyarrow.csv (about 3x faster than the csv module, see bench/bench_readers.py) and falls
back to the csv module for ragged rows, which pyarrow refuses.
"""

from __future__ import annotations

import codecs
import csv
import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

import settings
from data_sources.base import RawTable, UnreadableFile, empty_file, refuse
from data_sources.excel import drop_leading_empty_rows

DELIMITERS = (",", ";", "\t")
# The caps on rows, columns and cell length follow settings (settings.reader_caps:
# TRACKER_MAX_CSV_ROWS, TRACKER_MAX_CSV_COLUMNS, TRACKER_MAX_CELL_CHARS); by default the
# columns and cell length are Excel's own (16,384 and 32,767: the column cap also stops a line
# of 10 million commas) and the rows max(1,048,576, the file cap / 64 bytes).
BLOCK_SIZE = 1 << 24  # pyarrow's parse block (16 MiB); a table spans several above it
SNIFF_CHARS = 65_536
SNIFF_RECORDS = 50
_ALL_STRING = {f"f{j}": pa.string() for j in range(16_384)}


class CsvCaps:
    """Rows, columns and characters per cell that a CSV file may have."""

    def __init__(self, caps: tuple[int, int, int] | None = None) -> None:
        if caps is None:
            now = settings.reader_caps()
            caps = (now.csv_rows, now.csv_columns, now.cell_chars)
        self.rows, self.columns, self.cell_chars = caps


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode strictly: UTF-8 (BOM optional), UTF-16 with BOM, else cp874; (text, encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", data)]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", data)]
    else:
        candidates = [("utf-8", data), ("cp874", data)]
    for encoding, raw in candidates:
        try:
            return raw.decode(encoding, errors="strict"), encoding
        except UnicodeDecodeError:
            continue
    raise refuse(name, "bad_encoding", name=name)


def sniff_delimiter(text: str) -> str:
    """Pick comma, semicolon or tab: the one giving the most records of one common width."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths: dict[int, int] = {}
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            for index, record in enumerate(reader):
                if index >= SNIFF_RECORDS:
                    break
                if len(record) > 1:
                    widths[len(record)] = widths.get(len(record), 0) + 1
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def read_csv_bytes(data: bytes, name: str) -> RawTable:
    """Read CSV bytes (the whole file) into one RawTable, every cell as text, sheet "".

    In this process: for trusted files. Uploads go through ``files.read_bytes``, which parses
    CSV in the memory-capped sandbox like every workbook.
    """
    import pandas as pd  # here, not above: the sandbox's child parses without pandas

    sheet = parse_csv(data, name)
    frame = sheet.table.to_pandas()
    frame.columns = pd.RangeIndex(frame.shape[1])
    return RawTable(
        source=name, sheet="", frame=frame, first_row=sheet.first_row, notes=list(sheet.notes)
    )


def parse_csv(data: bytes, name: str, caps: tuple[int, int, int] | None = None):
    """Parse CSV bytes into one SheetArrow (every cell text), enforcing the caps as it goes:
    at most so many columns (counted on the first record, quotes respected, before any
    column is built), rows and characters in a cell (``caps``: rows, columns, characters;
    by default from the settings)."""
    from data_sources.excel import SheetArrow

    cap = CsvCaps(caps)

    text, encoding = decode_text(data, name)
    if not text.strip():
        raise empty_file(name)
    delimiter = sniff_delimiter(text)
    width = _first_record_width(text, delimiter, name)
    if width > cap.columns:  # before pyarrow builds that many columns
        raise _too_many_columns(name, width, cap)
    try:
        table = _parse_with_pyarrow(text, encoding, data, delimiter, width)
    except pa.ArrowException:  # ragged rows, a stray quote, a row longer than a block
        table = _parse_with_csv_module(text, delimiter, name, cap)
    if table.num_columns > cap.columns:
        raise _too_many_columns(name, table.num_columns, cap)
    if table.num_rows > cap.rows:
        raise _too_many_rows(name, cap)
    table = table.combine_chunks()  # one chunk per column, whatever the block size
    _check_cell_lengths(table, name, cap.cell_chars)
    table, skipped = drop_leading_empty_rows(table)
    if table.num_rows == 0:
        raise empty_file(name)
    notes = [] if encoding in ("utf-8", "utf-8-sig") else [f"encoding: {encoding}"]
    return SheetArrow(sheet="", table=table, first_row=1 + skipped, notes=notes)


def _first_record_width(text: str, delimiter: str, name: str) -> int:
    """Fields in the first record, quotes respected (a quoted newline does not end it).

    The csv module parses that one record only (a list of its fields, at most the file's
    size), so pyarrow never starts building columns for a record wider than the cap.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        first = next(reader, [])
    except csv.Error:
        return 0  # malformed: the parsers below report it
    return len(first)


def _check_cell_lengths(table: pa.Table, name: str, limit: int) -> None:
    """Refuse a cell longer than the cap (Excel's by default; no register has one; a hostile
    file might)."""
    for j, column in enumerate(table.columns):
        if len(column) == 0:
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limit:
            row = pc.index(lengths, longest).as_py()
            raise refuse(
                name,
                "cell_too_long",
                row=row + 1,
                column=_letter(j),
                length=longest,
                limit=limit,
                setting="TRACKER_MAX_CELL_CHARS",
            )


def _letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _parse_with_pyarrow(
    text: str, encoding: str, data: bytes, delimiter: str, width: int
) -> pa.Table:
    """Fast path; raises ArrowInvalid on ragged rows, an unterminated quote or a huge row."""
    raw = data if encoding == "utf-8" else text.encode("utf-8")
    types = (
        _ALL_STRING if width <= len(_ALL_STRING) else {f"f{j}": pa.string() for j in range(width)}
    )
    return pacsv.read_csv(
        pa.py_buffer(raw),
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, null_values=[""]
        ),
    )


def _parse_with_csv_module(text: str, delimiter: str, name: str, cap: CsvCaps) -> pa.Table:
    """Tolerant path: ragged rows are padded with missing cells."""
    rows: list[list[str]] = []
    width = 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(record) > cap.columns:
                raise _too_many_columns(name, len(record), cap)
            if len(rows) >= cap.rows:
                raise _too_many_rows(name, cap)
            width = max(width, len(record))
            rows.append(record)
    except csv.Error as exc:
        raise refuse(name, "parse_failed", variant="csv", detail=str(exc)) from None
    columns = [
        pa.array(
            [row[j] if j < len(row) and row[j] != "" else None for row in rows], type=pa.string()
        )
        for j in range(width)
    ]
    return pa.table(columns, names=[f"f{j}" for j in range(width)])


def _too_many_rows(name: str, cap: CsvCaps) -> UnreadableFile:
    return refuse(
        name, "too_large", variant="csv_rows", limit=cap.rows, setting="TRACKER_MAX_CSV_ROWS"
    )


def _too_many_columns(name: str, count: int, cap: CsvCaps) -> UnreadableFile:
    return refuse(
        name,
        "too_large",
        variant="csv_columns",
        count=count,
        limit=cap.columns,
        setting="TRACKER_MAX_CSV_COLUMNS",
    )
