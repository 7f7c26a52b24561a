"""The app's data: the current published snapshot of the store, cached by snapshot id.

The database is TRACKER_DATABASE_URL (default: a SQLite file in data/). It is migrated once per
process; an empty database is seeded from the bundled ``sample_data/`` (or TRACKER_DATA_DIR)
so the README's run command shows data with no server. When the database cannot be reached
the pages keep the data already in memory, read-only, under a banner; writes are refused.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import settings
from messages.i18n import t
from tracker.dataset import Dataset
from tracker.metrics.directives import aging
from tracker.present.directive_window import search_mask
from tracker.publish.compose import DEMO_KIND
from tracker.publish.flow import Prepared, compare, prepare, publish
from tracker.store import ENV_URL, DuplicateSnapshot, Store, StoreError
from tracker.thai import format_bangkok
from ui.i18n import lang, tr

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = (".xlsx", ".xls", ".ods", ".csv")
BOOTSTRAP_USER = "system"
BOOTSTRAP_NOTE = "bundled sample"
_bootstrap_lock = threading.Lock()


@dataclass(frozen=True)
class Loaded:
    """What the pages show: the dataset of one snapshot and where it came from."""

    dataset: Dataset
    snapshot_id: int | None = None
    created_at: pd.Timestamp | None = None
    source: str = ""
    user: str = ""
    note: str = ""
    read_only: bool = False
    error: StoreError | None = None
    # per table, each row's key in the store (``row_key``): the shared copy is slim (texts and
    # provenance stay in the database) and ``with_columns`` fetches them by these keys
    keys: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)


def data_dir() -> Path:
    return Path(settings.get("TRACKER_DATA_DIR"))  # type: ignore[arg-type]


def database_url() -> str:
    """The configured database URL ("" = the default SQLite file); also the cache key."""
    return str(settings.get(ENV_URL))


def today() -> date:
    """Today, or TRACKER_TODAY (ISO) for reproducible demos and tests; while the current data
    is the bundled sample, the sample's own "as of" date (its last recorded day), so a first
    look shows the office as it stood then rather than years of made-up overdue work."""
    fixed = settings.get("TRACKER_TODAY")
    if isinstance(fixed, date):
        return fixed
    as_of = demo_as_of()
    return as_of if as_of is not None else date.today()


def demo_as_of() -> date | None:
    """The bundled sample's "as of" date while it is the current data (else None)."""
    try:
        loaded = _resolve()
    except Exception:  # no session or no database: the real date
        return None
    if loaded.user != BOOTSTRAP_USER or loaded.note != BOOTSTRAP_NOTE:
        return None
    return latest_day(loaded.dataset)


def latest_day(ds: Dataset) -> date | None:
    """The last day the data records: an issue date, a response, a report or a budget as-of."""
    days = []
    for frame, column in (
        (ds.directives, "issued_date"),
        (ds.directives, "reported_at"),
        (ds.responses, "submitted_at"),
        (ds.budget, "as_of"),
    ):
        if column in frame and len(frame):
            last = pd.to_datetime(frame[column], errors="coerce").max()
            if pd.notna(last):
                days.append(last.date())
    return max(days) if days else None


def _files() -> list[Path]:
    folder = data_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in SUPPORTED)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    """One Store per database URL and process, migrated once (not cached when it fails)."""
    store = Store(url or None, connect_timeout=3)
    store.upgrade()
    return store


@st.cache_resource(show_spinner=False)
def _memory(url: str) -> dict[str, Loaded]:
    """The last snapshot shown per database, served read-only while the database is down."""
    return {}


def store() -> Store:
    """The migrated store (raises StoreError when the database cannot be reached)."""
    return _store(database_url())


def writable() -> tuple[Store | None, StoreError | None]:
    """The store if a write may be attempted now, else the error to show instead."""
    try:
        s = store()
        s.current_id()
        return s, None
    except StoreError as exc:
        return None, exc


@st.cache_resource(show_spinner=False, max_entries=2)
def _bundled(fingerprint: tuple[tuple[str, int, int], ...]) -> Prepared:
    """The bundled files read and validated once per content (trusted: no sandbox)."""
    payload = [(Path(p).name, Path(p).read_bytes()) for p, _, _ in fingerprint]
    cap = max(size for _, _, size in fingerprint) + 1
    return prepare(payload, cap, extensions=None, sandbox=False)


def _bootstrap(s: Store) -> int | None:
    """First start on an empty database: publish the bundled files as the first snapshot."""
    with _bootstrap_lock:
        sid = s.current_id()
        if sid is not None:
            return sid
        files = _files()
        if not files:
            return None
        with _importing():
            return _publish_bundled(s, files)


def _publish_bundled(s: Store, files: list[Path]) -> int | None:
    fingerprint = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    prepared = compare(replace(_bundled(fingerprint)), s)  # a copy: the cache is shared
    if not prepared.can_publish:
        log.warning("bundled data not published: %s", prepared.blockers())
        return s.current_id()
    try:
        return publish(
            prepared, s, BOOTSTRAP_USER, BOOTSTRAP_NOTE, kind=DEMO_KIND, check_base=False
        )
    except DuplicateSnapshot:
        return s.current_id()


def _importing() -> contextlib.AbstractContextManager[object]:
    """A spinner saying why the first page waits (the bundled sample is imported on the first
    start), drawn only inside a script run (``_resolve`` may run outside one)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return contextlib.nullcontext()
    return st.spinner(tr("glance.importing_sample"), show_time=True)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_snapshot(url: str, snapshot_id: int) -> Loaded:
    """One snapshot's frames and metadata (shared by every session; pages never mutate it)."""
    s = _store(url)
    frames, keys = s.load_slim(snapshot_id)
    snaps = s.snapshots()
    row = snaps[snaps["id"] == snapshot_id]
    meta = row.iloc[0].to_dict() if len(row) else {}
    return Loaded(
        dataset=Dataset(**frames),
        snapshot_id=snapshot_id,
        created_at=meta.get("created_at"),
        source=str(meta.get("source") or ""),
        user=str(meta.get("user") or ""),
        note=str(meta.get("note") or ""),
        keys=keys,
    )


def load_snapshot(url: str, snapshot_id: int) -> Loaded:
    """``snapshot_id`` of the database ``url``, loaded once per process (the shared copy)."""
    return _load_snapshot(url, snapshot_id)


def _banner() -> None:
    """The read-only banner, in Thai and English whatever the active language."""
    text = t("data.read_only_banner", "th") + "\n\n" + t("data.read_only_banner", "en")
    st.warning(text, icon=":material/cloud_off:")


def current() -> Loaded:
    """The current published snapshot; read-only last-known data (with a banner) if the
    database cannot be reached."""
    loaded = _resolve()
    if loaded.read_only:
        _banner()
    return loaded


def _resolve() -> Loaded:
    """``current()`` without drawing anything."""
    url = database_url()
    memory = _memory(url)
    try:
        s = _store(url)
        sid = s.current_id()
        if sid is None:
            sid = _bootstrap(s)
        loaded = _load_snapshot(url, sid) if sid is not None else Loaded(Dataset())
    except StoreError as exc:
        log.warning("database unavailable: %s", exc.detail or exc)
        return replace(memory.get("last") or Loaded(Dataset()), read_only=True, error=exc)
    memory["last"] = loaded
    return loaded


def after_write() -> None:
    """After a publish or rollback: drop cached data so every page shows the new snapshot."""
    _load_snapshot.clear()
    st.cache_data.clear()


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|:<>$~=])")


def md_escape(text: str) -> str:
    """User text made inert for st.caption/st.markdown (every markdown character escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def source_label() -> str:
    """Where the shown data came from: file(s) · snapshot # · when (markdown-escaped)."""
    loaded = _resolve()
    if loaded.snapshot_id is None:
        return "-"
    when = ""
    if loaded.created_at is not None and not pd.isna(loaded.created_at):
        when = " · " + format_bangkok(loaded.created_at, lang())
    return md_escape(f"{loaded.source} · #{loaded.snapshot_id}{when}")


def store_message(exc: StoreError) -> str:
    """A store error in the active language."""
    return exc.message_en if lang() == "en" else exc.message_th


TEXT_COLUMNS: tuple[str, ...] = ("text", "detail", "obstacle")
SEARCHED_TEXT: tuple[str, ...] = ("text",)  # searched in the database when not in the frame


@st.cache_data(show_spinner=False, max_entries=256)
def _rows(url: str, snapshot_id: int, kind: str, keys: tuple[int, ...], columns: tuple[str, ...]):
    """Some columns of some rows of a snapshot (the rows on screen), cached per snapshot and
    rows; a snapshot never changes, so neither does the answer."""
    return _store(url).rows(kind, np.array(keys, dtype=np.int64), list(columns))


@st.cache_data(show_spinner=False, max_entries=64)
def _found(url: str, snapshot_id: int, kind: str, columns: tuple[str, ...], query: str):
    return _store(url).search(snapshot_id, kind, list(columns), query)


def with_columns(
    loaded: Loaded, kind: str, rows: pd.DataFrame, columns: tuple[str, ...], *, cache: bool = True
) -> pd.DataFrame:
    """``rows`` (rows of the loaded snapshot's ``kind`` frame, index labels kept) with
    ``columns`` fetched from the database where the shared copy leaves them out (blank when
    the database cannot be reached). ``cache=False`` for an export (many rows, read once)."""
    missing = [c for c in columns if c not in rows.columns]
    keys = loaded.keys.get(kind)
    if not missing or not len(rows):
        return rows.assign(**{c: None for c in missing}) if missing else rows
    fetched = None
    if keys is not None and loaded.snapshot_id is not None:
        positions = getattr(loaded.dataset, kind).index.get_indexer(rows.index)
        wanted = keys[positions]
        try:
            if cache:
                hit = _rows(
                    database_url(), loaded.snapshot_id, kind, tuple(wanted.tolist()), tuple(missing)
                )
                fetched = hit.copy()
            else:
                fetched = store().rows(kind, wanted, missing)
        except StoreError as exc:
            log.warning("texts not fetched: %s", exc.detail or exc)
    if fetched is None:
        return rows.assign(**{c: None for c in missing})
    fetched.index = rows.index
    return pd.concat([rows, fetched[missing]], axis=1)


def upload_base(loaded: Loaded) -> tuple[int | None, dict[str, pd.DataFrame]] | None:
    """What an upload is compared with: the loaded frames when they are whole, else None
    (the comparison reads the current snapshot's full frames from the store)."""
    return None if loaded.keys else (loaded.snapshot_id, loaded.dataset.frames())


def texts(loaded: Loaded, rows: pd.DataFrame, *, cache: bool = True) -> pd.DataFrame:
    """The directive text, detail and obstacle of ``rows`` (rows of the loaded snapshot's
    directives), for the rows on screen or an export."""
    return with_columns(loaded, "directives", rows, TEXT_COLUMNS, cache=cache)[list(TEXT_COLUMNS)]


def texts_of(loaded: Loaded, listed: pd.DataFrame) -> pd.DataFrame:
    """``listed`` (directives listed with their index in ``label``, e.g. a district's overdue
    ones) with its ``text`` filled from the database when the shared copy leaves it out."""
    if "label" not in listed.columns or not len(listed) or listed["text"].notna().any():
        return listed
    rows = loaded.dataset.directives.loc[listed["label"].to_numpy()]
    fetched = with_columns(loaded, "directives", rows, ("text",))
    return listed.assign(text=fetched["text"].to_numpy())


def with_overdue_texts(loaded: Loaded, day: date) -> Dataset:
    """The loaded dataset with the text of every directive overdue on ``day`` (what the
    official report lists; the shared copy leaves texts in the database)."""
    ds = loaded.dataset
    directives = ds.directives
    if "text" in directives.columns or directives.empty:
        return ds
    late = directives[aging(directives, day)["overdue"].to_numpy(dtype=bool)]
    fetched = with_columns(loaded, "directives", late, ("text",), cache=False)
    return replace(ds, directives=directives.assign(text=fetched["text"].reindex(directives.index)))


def search_directives(loaded: Loaded, view: pd.DataFrame, query: str) -> np.ndarray:
    """Which rows of ``view`` hold ``query`` in their id, unit or directive text (the text
    searched by the database when the shared copy leaves it out)."""
    mask = search_mask(view, query)
    absent = tuple(c for c in SEARCHED_TEXT if c not in view.columns)
    keys = loaded.keys.get("directives")
    if absent and keys is not None and loaded.snapshot_id is not None and query.strip():
        try:
            found = _found(database_url(), loaded.snapshot_id, "directives", absent, query.strip())
        except StoreError as exc:
            log.warning("search not run in the database: %s", exc.detail or exc)
            return mask
        positions = loaded.dataset.directives.index.get_indexer(view.index)
        mask |= np.isin(keys[positions], found)
    return mask


__all__ = [
    "Loaded",
    "after_write",
    "current",
    "data_dir",
    "database_url",
    "md_escape",
    "search_directives",
    "source_label",
    "store",
    "store_message",
    "texts",
    "texts_of",
    "today",
    "upload_base",
    "with_columns",
    "with_overdue_texts",
    "writable",
]
