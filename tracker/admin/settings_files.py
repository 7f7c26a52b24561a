"""Read, check and safely rewrite the settings files roles.toml and sources.toml (admin page).

A new text is checked before anything touches the file: no secrets (a private key, a token or a
password belongs in ``.streamlit/secrets.toml`` or the environment, never in these files), then
the same parsers the app uses (``tracker.admin.roles.parse_settings``, ``tracker.live.sources.
load_sources``) on the very bytes to be installed. The file is then replaced atomically (a
temporary file in the same folder + ``os.replace``), so a reader sees the old file or the new
one, never half of one, and the previous version is kept next to it as
``<name>.bak-YYYYmmddTHHMMSS``. A save also refuses when the file changed since the editor
read it (two admins at once) and, for roles, when the saving admin would lock themselves out.
The result says what changed, in a short text for the audit log. Pure: no Streamlit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from data_sources.base import UnreadableFile
from messages.codes import spec
from messages.problems import Bilingual, Refusal, render
from tracker.admin.roles import (
    ROLES,
    RoleSettings,
    RolesFileError,
    describe_changes,
    parse_settings,
    roles_file,
)
from tracker.live.sources import Source, load_sources
from tracker.live.sync import source_location
from tracker.places import district_name

MAX_BYTES = 256 * 1024  # a settings file is a few KB; anything this big is a mistake
KEEP_BACKUPS = 20  # backups older than the newest KEEP_BACKUPS of a file are removed
BACKUP_INFIX = ".bak-"
BACKUP_STAMP = "%Y%m%dT%H%M%S"
MAX_SUMMARY = 2000  # the audit log's message column
ROLES_HEADER = (
    "# Who may use the dashboard, and as what (see roles.example.toml for every option).\n"
    "# Written by the admin page; the previous version, comments included, is kept next to\n"
    "# this file as roles.toml.bak-<date and time>.\n"
)

_lock = threading.Lock()  # one save at a time per process (the sha check covers other ones)
T = TypeVar("T")


class SettingsRefused(Refusal):
    """A new settings text was not written: why, in Thai and English (one line per problem).

    Built from a registry code (``registered``: settings_invalid, settings_too_big, …);
    ``code`` is the check that refused: invalid | secret | lockout | conflict | too_big |
    unwritable. ``problems`` (Thai, English) are the lines of an invalid or secret text.
    """

    def __init__(
        self, registered: str, /, *, problems: Sequence[tuple[str, str]] = (), **params: Any
    ) -> None:
        if problems or "problems" in spec(registered).params:
            params["problems"] = Bilingual(
                "; ".join(th for th, _ in problems), "; ".join(en for _, en in problems)
            )
        super().__init__(registered, **params)
        self.registered = registered
        self.code = _SHOWN_AS.get(registered, registered.removeprefix("settings_"))
        self.lines = tuple((th, en) for th, en in problems)

    def message(self, lang: str) -> str:
        return render(spec(self.registered), lang, self.params)

    @property
    def problems_th(self) -> list[str]:
        return [th for th, _ in self.lines] if self.lines else [self.message_th]

    @property
    def problems_en(self) -> list[str]:
        return [en for _, en in self.lines] if self.lines else [self.message_en]


_SHOWN_AS = {"settings_no_folder": "unwritable"}


@dataclass(frozen=True)
class SavedSettings:
    """The outcome of a save: where, the backup of the previous file, what changed, by whom."""

    path: Path
    user: str
    written: bool  # False when the new text equals the file (nothing to do)
    changes: tuple[str, ...] = ()
    backup: Path | None = None

    @property
    def summary(self) -> str:
        """What changed in one line for the audit log (clipped to its column width)."""
        if not self.written:
            return "no change"
        text = "; ".join(self.changes) or "text only (comments or layout)"
        return text[:MAX_SUMMARY]


# --- reading ----------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The file's text ("" when it does not exist yet)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def text_sha256(text: str) -> str:
    """The fingerprint an editor keeps of the text it started from (conflict check)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- secrets ------------------------------------------------------------------------------------

_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"),
        "กุญแจส่วนตัว (private key)",
        "a private key",
    ),
    (
        re.compile(r"\b(?:private_key(?:_id)?|client_secret|refresh_token|access_token)\b", re.I),
        "ช่องข้อมูลของกุญแจบัญชีบริการหรือ OAuth",
        "a service-account or OAuth key field",
    ),
    (
        # a TOML key = value line (commented out or not, dotted or quoted key), not prose
        # such as "ask for password = helpdesk" inside a note
        re.compile(
            r"^\s*#?\s*(?:[\w\-]+\.)*[\"']?(?:[\w\-]*_)?(?:password|passwd|api_?key|secret|token)"
            r"[\"']?\s*[=:]",
            re.I,
        ),
        "รหัสผ่านหรือโทเค็น",
        "a password or token setting",
    ),
    (re.compile(r"AIza[0-9A-Za-z_\-]{35}"), "กุญแจ Google API", "a Google API key"),
    (re.compile(r"\bya29\.[0-9A-Za-z_\-]{10,}"), "โทเค็น Google OAuth", "a Google OAuth token"),
    (
        re.compile(r"[a-z][a-z0-9+.\-]*://[^/\s\"'@?#]+@", re.I),
        "ชื่อผู้ใช้หรือรหัสผ่านใน URL",
        "a user name or password inside a URL",
    ),
    (
        re.compile(
            r"[?&](?:token|access_token|api_?key|sig|signature|x-amz-signature|"
            r"x-goog-signature|x-goog-credential|client_secret|password|auth)=",
            re.I,
        ),
        "โทเค็นหรือลายเซ็นในพารามิเตอร์ของ URL",
        "a token or signature in a URL's query",
    ),
)


def find_secrets(text: str) -> list[tuple[str, str]]:
    """(Thai, English) for every line that looks like it holds a credential; the secret itself
    is never repeated in the message (it would end up in logs and the audit)."""
    found: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, what_th, what_en in _SECRET_PATTERNS:
            if pattern.search(line):
                found.append(
                    (
                        f"บรรทัด {number}: ดูเหมือนมี{what_th} — ข้อมูลลับต้องอยู่ใน "
                        ".streamlit/secrets.toml หรือตัวแปรสภาพแวดล้อม "
                        "(GOOGLE_SERVICE_ACCOUNT_JSON) เท่านั้น ห้ามอยู่ในไฟล์นี้",
                        f"line {number}: looks like {what_en}; credentials belong in "
                        ".streamlit/secrets.toml or an environment variable "
                        "(GOOGLE_SERVICE_ACCOUNT_JSON), never in this file",
                    )
                )
                break
    return found


# --- checking -----------------------------------------------------------------------------------


def _check_text(text: str) -> str:
    """Common checks of a new text (size, secrets); returns it with \\n line ends."""
    if not isinstance(text, str):
        raise SettingsRefused("settings_invalid", problems=[("ข้อความไม่ถูกต้อง", "not a text")])
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise SettingsRefused("settings_too_big", size=size, limit=MAX_BYTES)
    secrets = find_secrets(text)
    if secrets:
        raise SettingsRefused("settings_secret", problems=secrets)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    return text


def validate_roles(text: str, path: Path) -> RoleSettings:
    """The roles settings of a new roles.toml text; SettingsRefused lists every problem."""
    text = _check_text(text)
    try:
        return parse_settings(text, Path(path))
    except RolesFileError as exc:
        # parse_settings writes each problem once in both languages ("ไทย / English")
        lines = [f"{Path(path).name}: {p}" for p in exc.problems]
        raise SettingsRefused("settings_invalid", problems=[(x, x) for x in lines]) from None


def _load_sources_file(path: Path, shown: Path) -> list[Source]:
    """load_sources over ``path``; its messages name ``shown`` (the real file, not a temp)."""
    try:
        return load_sources(path)
    except UnreadableFile as exc:
        th, en = (r.replace(str(path), str(shown)) for r in (exc.reason_th, exc.reason_en))
        raise SettingsRefused("settings_invalid", problems=[(th, en)]) from None


def validate_sources(text: str, path: Path) -> list[Source]:
    """The sources of a new sources.toml text, checked by load_sources; else SettingsRefused."""
    text = _check_text(text)
    path = Path(path)
    tmp = _temp_file(path, text)
    try:
        return _load_sources_file(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --- what changed ---------------------------------------------------------------------------


def _worksheets_text(source: Source) -> str:
    if source.worksheets:
        return ", ".join(f"{title} → {kind}" for title, kind in source.worksheets)
    return f"table {source.table}" if source.table else "auto"


def source_row(source: Source) -> dict[str, object]:
    """One source for display: no credentials (no user:password, no query string)."""
    return {
        "name": source.name,
        "kind": source.kind,
        "location": source_location(source),
        "worksheets": _worksheets_text(source),
        "refresh_seconds": source.refresh_seconds,
    }


def describe_source_changes(old: Sequence[Source], new: Sequence[Source]) -> list[str]:
    """Sources added, removed or changed (which settings), for the audit log; no secrets."""
    before = {s.name: s for s in old}
    after = {s.name: s for s in new}
    lines: list[str] = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        if a is None:
            assert b is not None  # a == b was skipped above: not both None
            lines.append(f"+ source {name}: {b.kind} {source_location(b)}")
        elif b is None:
            lines.append(f"- source {name}")
        else:
            what = []
            if (a.kind, a.location) != (b.kind, b.location):
                what.append(f"location {b.kind} {source_location(b)}")
            if (a.worksheets, a.table) != (b.worksheets, b.table):
                what.append(f"worksheets {_worksheets_text(b)}")
            for field in ("refresh_seconds", "timeout_seconds", "deadline_seconds"):
                x, y = getattr(a, field), getattr(b, field)
                if x != y:
                    what.append(f"{field} {x:g} -> {y:g}")
            lines.append(f"~ source {name}: {', '.join(what)}")
    return lines


# --- the roles editor ---------------------------------------------------------------------------

EDITOR_COLUMNS = ("who", "role", "zones", "districts")


def roles_rows(settings: RoleSettings) -> list[dict[str, str]]:
    """The mappings as editor rows: who (address or @domain), role, zones, districts (text)."""
    rows = []
    for who, grant in [*settings.users.items(), *settings.domains.items()]:
        rows.append(
            {
                "who": who,
                "role": grant.role,
                "zones": ", ".join(grant.zones),
                "districts": ", ".join(district_name(c) or c for c in grant.districts),
            }
        )
    return rows


def _items(value: object) -> list[str]:
    """ "a, b; c" → ["a", "b", "c"] (commas, semicolons or new lines between items)."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [p.strip() for p in re.split(r"[,;\n]", str(value)) if p.strip()]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    return "" if text in ("<NA>", "nan", "None") else text


def _toml_string(value: str) -> str:
    # JSON's string escapes are a subset of TOML basic strings' ("\/" is never produced)
    return json.dumps(value, ensure_ascii=False)


def _toml_entry(key: str, role: str, zones: list[str], districts: list[str]) -> str:
    if not zones and not districts:
        return f"{_toml_string(key)} = {_toml_string(role)}"
    parts = [f"role = {_toml_string(role)}"]
    if zones:
        parts.append(f"zones = [{', '.join(_toml_string(z) for z in zones)}]")
    if districts:
        parts.append(f"districts = [{', '.join(_toml_string(d) for d in districts)}]")
    return f"{_toml_string(key)} = {{ {', '.join(parts)} }}"


def roles_text(rows: Iterable[Mapping[str, object]], contact: str) -> str:
    """A roles.toml text from editor rows (blank rows skipped); check it with validate_roles.

    A "who" with a local part ("name@domain") is a person; "@domain" or "domain" is a domain.
    Rows are written as given (a wrong role or place is reported by the parser, by row key).
    """
    users: list[str] = []
    domains: list[str] = []
    for row in rows:
        who = _cell(row.get("who"))
        role = _cell(row.get("role")).lower()
        zones, districts = _items(row.get("zones")), _items(row.get("districts"))
        if not who and not role and not zones and not districts:
            continue  # an empty row the editor added
        entry = _toml_entry(who, role, zones, districts)
        is_person = "@" in who and not who.startswith("@")
        (users if is_person else domains).append(entry)
    lines = [ROLES_HEADER, f"contact = {_toml_string(contact.strip())}", ""]
    lines += ["[users]", *users, ""]
    lines += ["[domains]", *domains]
    return "\n".join(lines) + "\n"


# --- writing --------------------------------------------------------------------------------


def _temp_file(path: Path, text: str) -> Path:
    """``text`` in a new temporary file next to ``path`` (same file system: os.replace works)."""
    folder = path.parent
    if not folder.is_dir():
        raise SettingsRefused("settings_no_folder", folder=str(folder))
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _unwritable(folder, exc) from None
    return tmp


def _unwritable(where: Path, exc: OSError) -> SettingsRefused:
    return SettingsRefused("settings_unwritable", folder=str(where), error=type(exc).__name__)


def backup_name(path: Path, when: datetime) -> Path:
    """``roles.toml`` → ``roles.toml.bak-20241015T140522`` (a new name if that one exists)."""
    base = path.with_name(f"{path.name}{BACKUP_INFIX}{when.strftime(BACKUP_STAMP)}")
    candidate, n = base, 1
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{n}")
        n += 1
    return candidate


def backups(path: Path) -> list[Path]:
    """The backups of ``path``, oldest first."""
    return sorted(Path(path).parent.glob(f"{Path(path).name}{BACKUP_INFIX}*"))


def _prune(path: Path) -> None:
    for old in backups(path)[:-KEEP_BACKUPS]:
        with contextlib.suppress(OSError):
            old.unlink()


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _save(
    path: Path,
    text: str,
    *,
    user: str,
    expected_sha256: str | None,
    parse_new: Callable[[Path], T],
    parse_old: Callable[[str], T | None],
    describe: Callable[[T | None, T], list[str]],
    now: datetime | None,
) -> tuple[SavedSettings, T]:
    """Check, then atomically replace ``path`` by ``text``, keeping a backup of the old file."""
    path = Path(path)
    text = _check_text(text)
    with _lock:
        old_text = read_text(path) if path.exists() else None
        if expected_sha256 is not None and text_sha256(old_text or "") != expected_sha256:
            raise SettingsRefused("settings_conflict", file=path.name)
        tmp = _temp_file(path, text)
        try:
            new = parse_new(tmp)  # the very bytes that will be installed
            if old_text == text:
                return SavedSettings(path=path, user=user, written=False), new
            previous = parse_old(old_text) if old_text is not None else None
            changes = describe(previous, new)
            if old_text is None:
                changes.insert(0, "(new file)")
            elif previous is None:
                changes.insert(0, "(previous file was invalid)")
            backup = None
            if old_text is not None:
                mode = stat.S_IMODE(path.stat().st_mode)
                backup = backup_name(path, now or datetime.now())
                backup.write_text(old_text, encoding="utf-8")
                os.chmod(backup, mode)
                os.chmod(tmp, mode)
            else:
                os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except OSError as exc:
            raise _unwritable(path.parent, exc) from None
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_folder(path.parent)
        _prune(path)
    return SavedSettings(path, user, True, tuple(changes), backup), new


def _old_roles(text: str) -> RoleSettings | None:
    try:
        return parse_settings(text)
    except RolesFileError:
        return None


def _role_changes(old: RoleSettings | None, new: RoleSettings) -> list[str]:
    return describe_changes(old or RoleSettings(), new)


def save_roles(
    path: Path,
    text: str,
    *,
    user: str,
    expected_sha256: str | None = None,
    check_lockout: bool = True,
    now: datetime | None = None,
) -> SavedSettings:
    """Write a new roles.toml after checking it; raises SettingsRefused and writes nothing.

    ``user`` is the admin saving: with ``check_lockout`` the save is refused when the new file
    would no longer make them admin. The app's RolesFile takes the new file at once and its
    "changed on disk" note is consumed, so the audit row is the admin's, not "roles-file".
    """
    path = Path(path)

    def parse_new(tmp: Path) -> RoleSettings:
        settings = validate_roles(tmp.read_text(encoding="utf-8"), path)
        if check_lockout:
            grant = settings.grant_for(user)
            if grant is None or grant.role != "admin":
                raise SettingsRefused("settings_lockout", user=user)
        return settings

    result, _ = _save(
        path,
        text,
        user=user,
        expected_sha256=expected_sha256,
        parse_new=parse_new,
        parse_old=_old_roles,
        describe=_role_changes,
        now=now,
    )
    if result.written:
        cached = roles_file(path)
        with contextlib.suppress(RolesFileError):
            cached.settings()
        cached.pop_changes()
    return result


def _old_sources(path: Path) -> Callable[[str], list[Source] | None]:
    def parse(_text: str) -> list[Source] | None:
        try:
            return load_sources(path)
        except UnreadableFile:
            return None

    return parse


def _source_changes(old: list[Source] | None, new: list[Source]) -> list[str]:
    return describe_source_changes(old or [], new)


def save_sources(
    path: Path,
    text: str,
    *,
    user: str,
    expected_sha256: str | None = None,
    now: datetime | None = None,
) -> SavedSettings:
    """Write a new sources.toml after checking it (no secrets, load_sources accepts it)."""
    path = Path(path)
    result, _ = _save(
        path,
        text,
        user=user,
        expected_sha256=expected_sha256,
        parse_new=lambda tmp: _load_sources_file(tmp, path),
        parse_old=_old_sources(path),
        describe=_source_changes,
        now=now,
    )
    return result


__all__ = [
    "BACKUP_INFIX",
    "EDITOR_COLUMNS",
    "KEEP_BACKUPS",
    "MAX_BYTES",
    "ROLES",
    "SavedSettings",
    "SettingsRefused",
    "backup_name",
    "backups",
    "describe_source_changes",
    "find_secrets",
    "read_text",
    "roles_rows",
    "roles_text",
    "save_roles",
    "save_sources",
    "source_row",
    "text_sha256",
    "validate_roles",
    "validate_sources",
]
