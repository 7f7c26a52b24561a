"""Who may do what: roles from a settings file (roles.toml), permissions as data.

A signed-in e-mail address is mapped to a role by ``roles.toml`` (path from
``TRACKER_ROLES_FILE``; ``roles.example.toml`` documents the format): an exact address wins over
its domain, letters are compared case-insensitively, and an address the file does not name gets
no access at all. The file is read again whenever it changes on disk, so a removed user loses
access at their next click, however long their sign-in cookie lives. Pure: no Streamlit, so the
same rules are tested with plain pytest and could serve the command line.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import settings
from messages.problems import Refusal
from tracker import PROJECT_ROOT
from tracker.places import district_of, zones

log = logging.getLogger(__name__)

ENV_ROLES_FILE = "TRACKER_ROLES_FILE"
DEFAULT_ROLES_FILE = PROJECT_ROOT / "roles.toml"

ROLES = ("executive", "inspector", "analyst", "admin")
#: Every page of the app, by the key each page passes to ``require_page``.
PAGES = (
    "overview",
    "directives",
    "kpis",
    "budget",
    "districts",
    "units",
    "reports",
    "upload",
    "history",
    "admin",
)
#: Every write the app can make; each one is checked on the server before it runs.
ACTIONS = (
    "publish",
    "refresh_sources",
    "rollback",
    "manage_roles",
    "manage_sources",
    "manage_reminders",  # contacts and "send now" (Admin page → E-mail reminders)
)

_VIEW_PAGES = frozenset(
    {"overview", "directives", "kpis", "budget", "districts", "units", "history"}
)


@dataclass(frozen=True)
class Role:
    """A role's permissions as data: the pages it may open and the writes it may make."""

    name: str
    pages: frozenset[str]
    actions: frozenset[str]

    @property
    def read_only(self) -> bool:
        """True when the role may not change anything."""
        return not self.actions


ROLE_TABLE: Mapping[str, Role] = {
    "executive": Role("executive", _VIEW_PAGES | {"reports"}, frozenset()),
    "inspector": Role("inspector", _VIEW_PAGES, frozenset()),
    "analyst": Role(
        "analyst", _VIEW_PAGES | {"upload", "reports"}, frozenset({"publish", "refresh_sources"})
    ),
    "admin": Role("admin", frozenset(PAGES), frozenset(ACTIONS)),
}


@dataclass(frozen=True)
class Access:
    """What one user may do now: who (their e-mail, or "local"), the role, the home places."""

    user: str
    role: Role
    zones: tuple[str, ...] = ()  # zone_th names (กลุ่มเขต), an inspector's default filter
    districts: tuple[str, ...] = ()  # district codes ("1047"), an inspector's default filter
    local: bool = False  # local mode: no identity provider, one person on their own computer

    def can_see(self, page: str) -> bool:
        """May this user open ``page`` (a key of PAGES)?"""
        return page in self.role.pages

    def can(self, action: str) -> bool:
        """May this user make the write ``action`` (a key of ACTIONS)?"""
        return action in self.role.actions


def local_access() -> Access:
    """Local mode: the one person at this computer is the admin."""
    return Access(user="local", role=ROLE_TABLE["admin"], local=True)


class RolesFileError(Refusal):
    """roles.toml cannot be used (bad TOML, unknown role, zone or district); fails closed.

    Code ``roles_file``; ``problems`` lists each problem once, written in both languages."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("roles_file", file=path.name, problems="; ".join(problems))


@dataclass(frozen=True)
class Grant:
    """One line of roles.toml: a role and, for inspectors, their zones and districts."""

    role: str
    zones: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleSettings:
    """The parsed roles.toml: exact addresses, whole domains, and who to ask for access."""

    users: Mapping[str, Grant] = field(default_factory=dict)
    domains: Mapping[str, Grant] = field(default_factory=dict)
    contact: str = ""

    def grant_for(self, email: object) -> Grant | None:
        """The grant of an address: its own line first, else its domain's; None = no access."""
        address = normalize_email(email)
        if address is None:
            return None
        if address in self.users:
            return self.users[address]
        return self.domains.get(address[address.index("@") :])

    def resolve(self, email: object) -> Access | None:
        """The access of a signed-in address, or None when the file does not let it in."""
        grant = self.grant_for(email)
        if grant is None:
            return None
        return Access(
            user=normalize_email(email) or "",
            role=ROLE_TABLE[grant.role],
            zones=grant.zones,
            districts=grant.districts,
        )


def normalize_email(email: object) -> str | None:
    """Lower-cased, trimmed address with exactly one "@" and text on both sides; else None."""
    if not isinstance(email, str):
        return None
    text = email.strip().lower()
    local, at, domain = text.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in text):
        return None
    return text


def _domain_key(key: str) -> str | None:
    """ "@bangkok.go.th" or "bangkok.go.th" → "@bangkok.go.th"; None if not a domain."""
    text = key.strip().lower().removeprefix("@")
    if not text or "@" in text or "." not in text or any(c.isspace() for c in text):
        return None
    return "@" + text


def _zone_names() -> dict[str, str]:
    """Thai and English zone names (any case) → the Thai name used by the filters."""
    out: dict[str, str] = {}
    for th, en in zones():
        out[th] = th
        out[en.lower()] = th
    return out


def _grant(where: str, value: object, problems: list[str]) -> Grant | None:
    """Parse one entry: "role" or {role = "...", zones = [...], districts = [...]}."""
    if isinstance(value, str):
        value = {"role": value}
    if not isinstance(value, dict):
        problems.append(f"{where}: ค่าต้องเป็นชื่อบทบาทหรือตาราง / must be a role name or a table")
        return None
    unknown = set(value) - {"role", "zones", "districts"}
    if unknown:
        problems.append(f"{where}: ไม่รู้จัก / unknown keys {sorted(unknown)}")
    role = str(value.get("role", "")).strip().lower()
    if role not in ROLE_TABLE:
        problems.append(
            f"{where}: บทบาท {value.get('role')!r} ไม่มีในระบบ / unknown role "
            f"(one of {', '.join(ROLES)})"
        )
        return None
    names = _zone_names()
    zone_list: list[str] = []
    for z in _as_list(value.get("zones", [])):
        th = names.get(z.strip()) or names.get(z.strip().lower())
        if th is None:
            problems.append(f"{where}: ไม่รู้จักกลุ่มเขต / unknown zone {z!r}")
        elif th not in zone_list:
            zone_list.append(th)
    codes: list[str] = []
    for d in _as_list(value.get("districts", [])):
        code = district_of(d)
        if code is None:
            problems.append(f"{where}: ไม่รู้จักเขต / unknown district {d!r}")
        elif code not in codes:
            codes.append(code)
    return Grant(role=role, zones=tuple(zone_list), districts=tuple(codes))


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _grants(
    raw: dict, section: str, key_of, not_a_key: str, problems: list[str]
) -> dict[str, Grant]:
    """The grants of one section ("users" or "domains"), keyed by the normalised address."""
    out: dict[str, Grant] = {}
    for key, value in _table(raw, section, problems).items():
        norm = key_of(key)
        if norm is None:
            problems.append(f"{section}.{key!r}: {not_a_key}")
            continue
        if norm in out:
            problems.append(f"{section}.{key!r}: ซ้ำ / listed twice")
        grant = _grant(f"{section}.{key!r}", value, problems)
        if grant is not None:
            out[norm] = grant
    return out


def parse_settings(text: str, path: Path = DEFAULT_ROLES_FILE) -> RoleSettings:
    """Parse roles.toml text; every problem is collected into one RolesFileError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RolesFileError(path, [f"TOML: {exc}"]) from None
    problems: list[str] = []
    unknown = set(raw) - {"contact", "users", "domains"}
    if unknown:
        problems.append(f"ไม่รู้จัก / unknown keys {sorted(unknown)}")
    users = _grants(raw, "users", normalize_email, "ไม่ใช่อีเมล / not an e-mail address", problems)
    domains = _grants(
        raw,
        "domains",
        _domain_key,
        'ไม่ใช่โดเมน / not a domain (e.g. "@bangkok.go.th")',
        problems,
    )
    contact = raw.get("contact", "")
    if not isinstance(contact, str):
        problems.append("contact: ต้องเป็นข้อความ / must be text")
        contact = ""
    if problems:
        raise RolesFileError(path, problems)
    return RoleSettings(users=users, domains=domains, contact=contact.strip())


def _table(raw: dict, name: str, problems: list[str]) -> dict:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        problems.append(f"{name}: ต้องเป็นตาราง / must be a table ([{name}])")
        return {}
    return value


def roles_path() -> Path:
    """$TRACKER_ROLES_FILE, else roles.toml at the project root."""
    return Path(settings.get(ENV_ROLES_FILE))  # type: ignore[arg-type]


def describe_changes(old: RoleSettings, new: RoleSettings) -> list[str]:
    """Who gained, lost or changed access between two versions of the file (for the audit)."""
    lines: list[str] = []
    for kind, before, after in (
        ("user", old.users, new.users),
        ("domain", old.domains, new.domains),
    ):
        for key in sorted(set(before) | set(after)):
            a, b = before.get(key), after.get(key)
            if a == b:
                continue
            if a is None:
                lines.append(f"+ {kind} {key}: {_grant_text(b)}")
            elif b is None:
                lines.append(f"- {kind} {key}: {_grant_text(a)}")
            else:
                lines.append(f"~ {kind} {key}: {_grant_text(a)} -> {_grant_text(b)}")
    if old.contact != new.contact:
        lines.append("~ contact")
    return lines


def _grant_text(grant: Grant | None) -> str:
    if grant is None:
        return "-"
    places = [*grant.zones, *grant.districts]
    return grant.role + (f" ({', '.join(places)})" if places else "")


class RolesFile:
    """roles.toml on disk, parsed again whenever its modification time, size or inode change.

    A missing file means nobody has access (the "no access" page still shows). A broken file
    fails closed with RolesFileError: nobody gets in on stale rules while it is being fixed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._settings: RoleSettings | None = None
        self._error: RolesFileError | None = None
        self.changes: list[str] = []  # what the last reload changed (empty on the first load)

    def _stat(self) -> tuple[int, ...] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)

    def settings(self) -> RoleSettings:
        """The current settings (re-read if the file changed); raises RolesFileError."""
        stamp = self._stat()
        with self._lock:
            if stamp != self._stamp or (self._settings is None and self._error is None):
                previous = self._settings
                self._stamp = stamp
                self._settings, self._error = self._read(stamp)
                if previous is not None and self._settings is not None:
                    self.changes = describe_changes(previous, self._settings)
                else:
                    self.changes = []
            if self._error is not None:
                raise self._error
            assert self._settings is not None
            return self._settings

    def pop_changes(self) -> list[str]:
        """What the last reload changed, once (the caller writes it to the audit log)."""
        with self._lock:
            changes, self.changes = self.changes, []
            return changes

    def _read(self, stamp: object) -> tuple[RoleSettings | None, RolesFileError | None]:
        if stamp is None:
            log.warning("roles file %s not found: nobody can sign in", self.path)
            return RoleSettings(), None
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return None, RolesFileError(self.path, [f"{type(exc).__name__}: {exc}"])
        try:
            return parse_settings(text, self.path), None
        except RolesFileError as exc:
            log.error("%s", exc.message_en)
            return None, exc


_files: dict[Path, RolesFile] = {}
_files_lock = threading.Lock()


def roles_file(path: Path | None = None) -> RolesFile:
    """The shared RolesFile of ``path`` (default: roles_path()), one per path and process."""
    target = (path or roles_path()).resolve()
    with _files_lock:
        if target not in _files:
            _files[target] = RolesFile(target)
        return _files[target]


def resolve(email: object, path: Path | None = None) -> Access | None:
    """The access of a signed-in address by the current roles file; None = no access."""
    return roles_file(path).settings().resolve(email)


def contact(path: Path | None = None) -> str:
    """Who to ask for access, as written in the roles file ("" if unknown or unreadable)."""
    try:
        return roles_file(path).settings().contact
    except RolesFileError:
        return ""


LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(address: object) -> bool:
    """True for 127.0.0.1, ::1, localhost (and 127.x.y.z); False for "", None, 0.0.0.0, others."""
    if not isinstance(address, str) or not address.strip():
        return False
    text = address.strip().strip("[]").lower()
    if text in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


__all__ = [
    "ACTIONS",
    "PAGES",
    "ROLES",
    "ROLE_TABLE",
    "Access",
    "Grant",
    "Role",
    "RoleSettings",
    "RolesFile",
    "RolesFileError",
    "contact",
    "describe_changes",
    "is_loopback",
    "local_access",
    "normalize_email",
    "parse_settings",
    "resolve",
    "roles_file",
    "roles_path",
]
