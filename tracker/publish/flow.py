"""Upload → validate → preview → publish, and trends over published snapshots (no Streamlit).

The upload page and ``python -m tracker import`` share this module: ``prepare`` reads every
file (content-sniffed, size-capped, workbooks parsed in the sandbox), validates them together,
hashes them and compares them with the current snapshot; ``publish`` re-checks all of that and
writes one snapshot. File names are display text only: they are never opened as paths.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

import settings
from data_sources.base import UnreadableFile
from data_sources.files import read_file, sha256_of
from data_sources.guard import extension_of
from data_sources.memory import release_memory
from messages.codes import spec
from messages.i18n import catalogue, t
from messages.problems import Refusal, render
from tracker.checks.validate import ISSUE_COLUMNS, Issue, has_errors, issues_frame
from tracker.dataset import COLUMNS, Dataset
from tracker.present.charts import status_label
from tracker.publish.compose import DEMO_KIND, Composition, compose
from tracker.read.corrections import Correction, sheets_of
from tracker.read.corrections import apply as corrected
from tracker.read.corrections import digest as corrections_digest
from tracker.read.loader import build_dataset, consumed
from tracker.read.mapping import source_pattern
from tracker.store import (
    DuplicateSnapshot,
    StalePreview,
    Store,
    StoreError,
    diff_frames,
)
from tracker.thai import format_date, format_flag

UPLOAD_TYPES: tuple[str, ...] = ("xlsx", "ods", "csv", "xls")
MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 1000

Progress = Callable[[int, int, str], None]  # (step done, steps in all, what is happening)


def max_upload_bytes() -> int:
    """The per-file size cap: setting TRACKER_MAX_FILE_MB (default 20 MB; see settings)."""
    return settings.max_file_bytes()


def clean_name(name: object) -> str:
    """A file name fit for display and the audit log: no control characters, bounded length."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(name or "")).strip()
    text = re.sub(r"\s+", " ", text)
    if len(text) > MAX_NAME_CHARS:
        text = text[: MAX_NAME_CHARS - 1] + "…"
    return text or "(ไม่มีชื่อ / unnamed)"


def combined_sha256(hashes: Sequence[str]) -> str:
    """One key for a set of files: the file's own hash, or sha256 of the sorted hashes."""
    if len(hashes) == 1:
        return hashes[0]
    return hashlib.sha256("\n".join(sorted(hashes)).encode("ascii")).hexdigest()


def type_not_allowed(name: str, allowed: Sequence[str]) -> UnreadableFile:
    """An upload whose extension is not on the accepted list (checked on the server too)."""
    kinds = ", ".join(f".{x}" for x in allowed)
    return UnreadableFile(name, "type_not_allowed", kinds=kinds)


@dataclass(frozen=True)
class FileInfo:
    """One uploaded file as received: display name, size, hash, sheets read or why not."""

    name: str
    size: int
    sha256: str
    sheets: int = 0
    error_code: str = ""


@dataclass
class Prepared:
    """Everything the upload page shows before Publish, and what ``publish`` writes."""

    files: list[FileInfo]
    dataset: Dataset
    unreadable: list[UnreadableFile]
    sha256: str
    source: str
    base_id: int | None = None
    diff: dict[str, pd.DataFrame] | None = None
    duplicate_of: int | None = None
    duplicate_is_current: bool = False
    store_error: StoreError | None = None
    compared: bool = False  # the preview was computed against the store
    replace_register: bool = False  # the register replaces the whole register (explicit)
    replaces_demo: bool = False  # the current data is the bundled demo: replaced entirely
    composition: Composition | None = None  # the next snapshot (after ``compare``)
    # column mappings saved for files named like these and applied (pattern, header, field, …)
    saved_mappings: pd.DataFrame = field(default_factory=pd.DataFrame)
    # cells corrected on the Upload page (applied to copies of the sheets), and those sheets
    corrections: list[Correction] = field(default_factory=list)
    corrected_sheets: list = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        return self.dataset.issues

    @property
    def has_errors(self) -> bool:
        return has_errors(self.issues)

    @property
    def counts(self) -> dict[str, int]:
        """Rows read per canonical table."""
        return {k: len(getattr(self.dataset, k)) for k in COLUMNS}

    def blockers(self) -> list[str]:
        """Why this cannot be published (stable codes; empty when it can)."""
        out: list[str] = []
        if not self.files:
            out.append("no_files")
        if self.unreadable:
            out.append("unreadable")
        if self.has_errors:
            out.append("has_errors")
        if self.files and not self.unreadable and sum(self.counts.values()) == 0:
            out.append("no_rows")
        if self.duplicate_of is not None:
            out.append("duplicate")
        elif self.composition is not None and self.composition.empty and not out:
            out.append("no_changes")
        if self.replace_register and self.counts["directives"] == 0 and self.files:
            out.append("replace_without_register")
        if self.store_error is not None:
            out.append("store")
        return out

    @property
    def can_publish(self) -> bool:
        return not self.blockers()

    @property
    def removed_directives(self) -> pd.DataFrame:
        """Directives a replace-register publish would remove (empty otherwise)."""
        if self.diff is None:
            return pd.DataFrame()
        return self.diff["directives_removed"]

    def change_counts(self) -> pd.DataFrame:
        """Per table: rows in the upload, added, changed, removed, kept (after ``compare``)."""
        cols = ["table", "in_file", "added", "changed", "removed", "kept"]
        if self.composition is None:
            return pd.DataFrame(columns=cols)
        rows = [
            {"table": k, "in_file": self.counts[k], **self.composition.counts[k]} for k in COLUMNS
        ]
        return pd.DataFrame(rows, columns=cols)

    def message(self, code: str, lang: str) -> str:
        """The text of one blocker in ``lang``."""
        if code == "store" and self.store_error is not None:
            return self.store_error.message(lang)
        return self.refusal(code).message(lang)

    def refusal(self, code: str) -> PublishRefused:
        """One blocker (not "store": that is ``store_error``) as the refusal publish raises."""
        given = {
            "n": sum(i.severity == "error" for i in self.issues),
            "files": len(self.unreadable),
            "snapshot": self.duplicate_of if self.duplicate_of is not None else "",
        }
        needs = spec(PublishRefused.registered_as(code)).params
        return PublishRefused(code, **{k: v for k, v in given.items() if k in needs})

    def report(self, *, include_info: bool = True) -> pd.DataFrame:
        """The validation report table (fixed columns; see tracker.checks.validate.issues_frame)."""
        issues = [i for i in self.issues if include_info or i.severity != "info"]
        return issues_frame(issues)


class PublishRefused(Refusal):
    """Publish was asked for something that must not be published (a blocker's ``code``:
    no_files, unreadable, has_errors, no_rows, replace_without_register, stale_preview…);
    its messages are the registry's ``publish_<code>`` (publish.block.<code>)."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(self.registered_as(code), **params)
        self.registered = self.code
        self.code = code

    @staticmethod
    def registered_as(code: str) -> str:
        return f"publish_{code}"

    def message(self, lang: str) -> str:
        return render(spec(self.registered), lang, self.params)


def _saved_mappings(store: Store | None, names: Sequence[str]) -> pd.DataFrame:
    """The column mappings saved for files named like ``names`` (none without a store; a store
    that cannot be read leaves the files to be read as they are)."""
    if store is None or not names:
        return pd.DataFrame(columns=["pattern", "header", "header_key", "field"])
    try:
        return store.column_mappings(sorted({source_pattern(n) for n in names}))
    except StoreError:
        return pd.DataFrame(columns=["pattern", "header", "header_key", "field"])


def _read_one(
    name: str,
    data: bytes | Path,
    max_bytes: int,
    extensions: Sequence[str] | None,
    sandbox: bool,
) -> tuple[list, UnreadableFile | None]:
    """Read one upload (its bytes) or local file (its path); every refusal becomes an
    UnreadableFile (never an exception)."""
    try:
        if extensions is not None and extension_of(name).lstrip(".") not in extensions:
            raise type_not_allowed(name, extensions)
        source = data if isinstance(data, Path) else bytes(data)
        return read_file(source, name=name, max_bytes=max_bytes, sandbox=sandbox), None
    except UnreadableFile as exc:
        return [], exc


def _size_and_digest(data: bytes | Path) -> tuple[int, str]:
    """The size and SHA-256 of an upload's bytes or of a local file (read in blocks)."""
    if not isinstance(data, Path):
        return len(data), sha256_of(bytes(data))
    try:
        with data.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            return os.fstat(handle.fileno()).st_size, digest
    except OSError:
        return 0, sha256_of(b"")


def prepare(
    files: Sequence[tuple[str, bytes | Path]],
    max_bytes: int | None = None,
    *,
    store: Store | None = None,
    current: tuple[int | None, Mapping[str, pd.DataFrame]] | None = None,
    extensions: Sequence[str] | None = UPLOAD_TYPES,
    sandbox: bool = True,
    progress: Progress | None = None,
    replace_register: bool = False,
    fiscal_year: int | None = None,
    mapping: dict[str, str] | None = None,
    corrections: Sequence[Correction] = (),
) -> Prepared:
    """Read and validate all ``files`` together, hash them and preview the change.

    ``current`` (snapshot id, frames) saves a reload when the caller already holds the
    current snapshot; otherwise it is loaded from ``store``. Without either, no preview and
    no duplicate check are made (``compared`` stays False).
    """
    cap = max_bytes or max_upload_bytes()
    steps = len(files) + 2
    infos: list[FileInfo] = []
    tables: list = []
    bad: list[UnreadableFile] = []
    for i, (raw_name, data) in enumerate(files):
        name = clean_name(raw_name)
        if progress:
            progress(i, steps, name)
        found, error = _read_one(name, data, cap, extensions, sandbox)
        tables += found
        if error is not None:
            bad.append(error)
        size, digest = _size_and_digest(data)
        infos.append(FileInfo(name, size, digest, len(found), error.code if error else ""))
        del found  # only ``tables`` holds the sheets, so ``consumed`` can let each go
    if progress:
        progress(len(files), steps, "validate")
    tables, applied = corrected(tables, corrections) if corrections else (tables, [])
    saved = _saved_mappings(store, [f.name for f in infos])
    in_force = {**dict(zip(saved["header_key"], saved["field"], strict=True)), **(mapping or {})}
    corrected_sheets = sheets_of(tables, applied) if applied else []
    # the sheets are let go one by one as they are read into the dataset (issue 20)
    dataset = build_dataset(
        consumed(tables), bad, fiscal_year=fiscal_year, mapping=in_force or None
    )
    hashes = [f.sha256 for f in infos] + ([corrections_digest(applied)] if applied else [])
    digest = combined_sha256(hashes) if infos else ""
    prepared = Prepared(
        files=infos,
        dataset=dataset,
        unreadable=bad,
        sha256=digest,
        source=", ".join(f.name for f in infos),
        replace_register=replace_register,
        saved_mappings=saved,
        corrections=applied,
        corrected_sheets=corrected_sheets,
    )
    if store is not None or current is not None:
        if progress:
            progress(len(files) + 1, steps, "compare")
        compare(prepared, store, current)
    if progress:
        progress(steps, steps, "done")
    release_memory()  # the parse's freed pages go back to the system (see data_sources.memory)
    return prepared


def compare(
    prepared: Prepared,
    store: Store | None,
    current: tuple[int | None, Mapping[str, pd.DataFrame]] | None = None,
) -> Prepared:
    """Compose the next snapshot, fill in the preview diff and the duplicate check (in place).

    The upload changes only the tables and scopes it carries (see tracker.publish.compose); the diff
    is between the current snapshot and that composed one, so "removed" is non-empty only
    when the register replaces the whole register (or a KPI/budget form drops a row of the
    unit and period it carries).
    """
    try:
        frames: Mapping[str, pd.DataFrame] | None
        if current is None:
            assert store is not None
            base_id = store.current_id()
            frames = store.load(base_id) if base_id is not None else None
        else:
            base_id, frames = current
        prepared.base_id = base_id
        snaps = store.snapshots() if store is not None else None  # read once, used twice
        base = snaps[snaps["id"] == base_id] if snaps is not None else None
        prepared.replaces_demo = (
            base is not None and len(base) > 0 and (base["kind"].iat[0] == DEMO_KIND)
        )
        prepared.composition = compose(
            frames,
            prepared.dataset.frames(),
            replace_register=prepared.replace_register,
            fresh=prepared.replaces_demo,
        )
        prepared.diff = diff_frames(frames, prepared.composition.frames)
        _known_to_store(prepared, frames)
        prepared.duplicate_of = None
        if snaps is not None and prepared.sha256 and prepared.composition.empty:
            hit = snaps[snaps["sha256"] == prepared.sha256]
            if len(hit):
                prepared.duplicate_of = int(hit["id"].iat[-1])
                prepared.duplicate_is_current = bool(hit["current"].iat[-1])
        prepared.compared = store is not None
    except StoreError as exc:
        prepared.store_error = exc
    return prepared


def _known_to_store(prepared: Prepared, frames: Mapping[str, pd.DataFrame] | None) -> None:
    """Drop "unknown directive" warnings for responses to directives the store already has
    (a Forms export uploaded on its own answers directives published earlier)."""
    if not frames or frames.get("directives") is None or frames["directives"].empty:
        return
    known = set(frames["directives"]["directive_id"].dropna())
    prepared.dataset.issues = [
        i
        for i in prepared.dataset.issues
        if not (i.code == "unknown_directive" and i.value in known)
    ]


def publish(
    prepared: Prepared,
    store: Store,
    user: str,
    note: str = "",
    *,
    kind: str = "upload",
    check_base: bool = True,
    rebase: bool = False,
) -> int:
    """Write what ``prepared`` changes as the new current snapshot, re-checking everything.

    Only the tables and scopes the upload carries change (see tracker.publish.compose). The store
    checks, inside its publish lock, that the snapshot the preview was composed from is still
    current. If it is not: with ``rebase`` (the command line, sync, the first start) the
    upload is composed again over the new current snapshot and published; without it (the
    upload page, whose user saw a preview) PublishRefused("stale_preview") is raised.

    Raises PublishRefused (errors, unreadable files, nothing read, stale preview) or a
    StoreError (DuplicateSnapshot, NothingToPublish, StoreBusy, StoreFull,
    StoreUnavailable); in every case nothing is written.
    """
    for code in prepared.blockers():
        if code in ("duplicate", "store", "no_changes"):
            continue  # the store re-checks these itself, inside the publish transaction
        raise prepared.refusal(code)
    clean_note = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", note or "").strip()[:MAX_NOTE_CHARS]
    if prepared.composition is None or not check_base:
        compare(prepared, store)
        if prepared.store_error is not None:
            raise prepared.store_error
    for attempt in range(4):
        assert prepared.composition is not None
        try:
            sid = store.publish_changes(
                prepared.composition,
                base_id=prepared.base_id,
                user=user,
                source=prepared.source,
                sha256=prepared.sha256,
                note=clean_note,
                kind=kind,
            )
        except StalePreview:
            if not rebase or attempt == 3:
                raise PublishRefused("stale_preview") from None
            compare(prepared, store)
            if prepared.store_error is not None:
                raise prepared.store_error from None
        else:
            _audit_corrections(prepared, store, user, sid)
            return sid
    raise AssertionError("unreachable")


def _audit_corrections(prepared: Prepared, store: Store, user: str, snapshot_id: int) -> None:
    """Each cell corrected before this publish, in the audit log (who, when, where, old → new)."""
    for c in prepared.corrections:
        store.audit(
            "cell_edit",
            user=user,
            message=c.audit_text(),
            source=c.file,
            snapshot_id=snapshot_id,
        )


def changes_text(changes: Mapping[str, Mapping], lang: str) -> str:
    """What a snapshot changed, one line: "ข้อสั่งการ: เพิ่ม 3, เปลี่ยน 2 · ตัวชี้วัด: … (ขอบเขต)".

    ``changes`` is a snapshot's stored record (tables it did not change are absent; snapshots
    from before scoped publishing have none and read as "").
    """
    parts = []
    for kind in COLUMNS:
        ch = changes.get(kind)
        if not ch:
            continue
        nums = [
            f"{t(f'upload.changes.{k}', lang)} {int(ch.get(k, 0)):,}"
            for k in ("added", "changed", "removed")
            if int(ch.get(k, 0) or 0)
        ]
        if ch.get("mode") == "replace":
            nums.insert(0, t("upload.changes.replaced", lang))
        scopes = list(ch.get("scopes") or [])[:3]
        total = max(int(ch.get("scope_count") or 0), len(scopes))
        scope = ""
        if scopes and kind in ("kpis", "budget"):
            extra = f"; +{total - len(scopes):,}" if total > len(scopes) else ""
            scope = " (" + "; ".join(scopes) + extra + ")"
        parts.append(f"{t(f'upload.count.{kind}', lang)}: {', '.join(nums) or '0'}{scope}")
    return " · ".join(parts)


def duplicate_message(exc: DuplicateSnapshot, lang: str) -> str:
    """The "already published as snapshot N" text for a duplicate refused by the store."""
    return exc.message_en if lang == "en" else exc.message_th


# --- preview / diff for display ------------------------------------------------------------

DIFF_SECTIONS: tuple[str, ...] = (
    "directives_added",
    "directives_removed",
    "status_changed",
    "due_date_changed",
    "kpis_changed",
    "budget_changed",
)


def _column_label(name: str, lang: str) -> str:
    """A diff column name in the active language ("status_old" → "สถานะ (เดิม)")."""
    base, suffix = name, ""
    for end in ("_old", "_new"):
        if name.endswith(end):
            base, suffix = name[: -len(end)], t(f"diff.{end[1:]}", lang)
    label = next(
        (
            cat[key]
            for key in (f"publish.col.{base}", f"col.{base}")
            for cat in (catalogue(lang), catalogue("en"))
            if key in cat
        ),
        base,
    )
    return f"{label} ({suffix})" if suffix else label


def display_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A diff/history frame for a table: status labels, display dates, yes/no columns in
    words ("เปลี่ยน" or "✓", else "-"), translated headers."""
    out = df.copy()
    for c in out.columns:
        base = re.sub(r"_(old|new)$", "", c)
        if base == "status":
            out[c] = [
                status_label(v, lang) if isinstance(v, str) and v else "-"
                for v in out[c].astype(object)
            ]
        elif base in ("due_date", "issued_date", "as_of") or pd.api.types.is_datetime64_any_dtype(
            out[c]
        ):
            out[c] = [format_date(None if pd.isna(v) else v, lang) for v in out[c].astype(object)]
        elif base == "change":
            out[c] = [t(f"diff.change.{v}", lang) if v else "" for v in out[c].astype(object)]
        elif pd.api.types.is_bool_dtype(out[c]):  # words, not a column of bare checkboxes
            yes = t("glance.changed", lang) if base == "status_changed" else "✓"
            out[c] = [format_flag(v, yes) for v in out[c].astype(object)]
    out.columns = [_column_label(c, lang) for c in out.columns]
    return out


def diff_sections(
    diff: Mapping[str, pd.DataFrame], lang: str
) -> list[tuple[str, str, int, pd.DataFrame]]:
    """(key, title, rows, display frame) for each part of a diff, in a fixed order."""
    return [
        (k, t(f"diff.{k}", lang), len(diff[k]), display_frame(diff[k], lang))
        for k in DIFF_SECTIONS
        if k in diff
    ]


# --- downloads -----------------------------------------------------------------------------

REPORT_COLUMNS = ISSUE_COLUMNS


def report_xlsx(prepared: Prepared) -> bytes:
    """The validation report as an xlsx (every cell written as text: no formulas from users)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    head = wb.add_format({"bold": True, "bg_color": "#dbe7f6", "border": 1})
    ws = wb.add_worksheet("รายงานการตรวจ")
    ws.write_row(0, 0, list(REPORT_COLUMNS), head)
    for i, issue in enumerate(prepared.issues, start=1):
        for j, col in enumerate(REPORT_COLUMNS):
            value = getattr(issue, col)
            if col == "row" and value is not None:
                ws.write_number(i, j, int(value))
            elif value not in (None, ""):
                ws.write_string(i, j, str(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(prepared.issues), 1), len(REPORT_COLUMNS) - 1)
    for j, width in enumerate((9, 22, 24, 18, 7, 22, 24, 60, 60)):
        ws.set_column(j, j, width)
    files = wb.add_worksheet("ไฟล์")
    files.write_row(0, 0, ["file", "bytes", "sheets", "sha256", "unreadable"], head)
    for i, f in enumerate(prepared.files, start=1):
        files.write_string(i, 0, f.name)
        files.write_number(i, 1, f.size)
        files.write_number(i, 2, f.sheets)
        files.write_string(i, 3, f.sha256)
        if f.error_code:
            files.write_string(i, 4, f.error_code)
    files.set_column(0, 0, 40)
    files.set_column(3, 3, 66)
    wb.close()
    return buf.getvalue()
