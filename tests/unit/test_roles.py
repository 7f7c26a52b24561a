"""Roles: who gets which access from roles.toml, permissions as data, reload on change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracker.admin.roles import (
    ACTIONS,
    PAGES,
    ROLE_TABLE,
    RolesFile,
    RolesFileError,
    describe_changes,
    is_loopback,
    local_access,
    normalize_email,
    parse_settings,
    resolve,
    roles_path,
)

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = """
contact = "IG office, ext. 1234"

[users]
"Boss@Bangkok.go.th" = "admin"
"ana@bangkok.go.th" = "analyst"
"insp@bangkok.go.th" = { role = "inspector", zones = ["กรุงเทพใต้", "north bangkok"] }
"dist@bangkok.go.th" = { role = "inspector", districts = ["บางนา", "1033", "Bang Kapi"] }
"guest@gmail.com" = "executive"

[domains]
"@bangkok.go.th" = "executive"
"partner.org" = "inspector"
"""


@pytest.fixture
def settings():
    return parse_settings(SETTINGS)


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("boss@bangkok.go.th", "admin"),  # exact address wins over the domain
        ("BOSS@BANGKOK.GO.TH", "admin"),  # case-insensitive
        ("  boss@bangkok.go.th ", "admin"),  # trimmed
        ("ana@bangkok.go.th", "analyst"),
        ("insp@bangkok.go.th", "inspector"),
        ("someone@bangkok.go.th", "executive"),  # the domain
        ("Someone@Bangkok.Go.Th", "executive"),
        ("x@partner.org", "inspector"),  # domain written without "@"
        ("guest@gmail.com", "executive"),
        ("other@gmail.com", None),  # an address the file does not name
        ("x@evil-bangkok.go.th", None),  # not the domain
        ("x@sub.bangkok.go.th", None),  # a sub-domain is not the domain
        ("x@bangkok.go.th.evil.com", None),
        ("boss@bangkok.go.th@evil.com", None),  # two "@"
        ("@bangkok.go.th", None),  # no local part
        ("bangkok.go.th", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_resolve(settings, email, role):
    access = settings.resolve(email)
    assert (access.role.name if access else None) == role
    if access:
        assert access.user == email.strip().lower()
        assert not access.local


@pytest.mark.parametrize(
    ("email", "zones", "districts"),
    [
        ("insp@bangkok.go.th", ("กรุงเทพใต้", "กรุงเทพเหนือ"), ()),
        ("dist@bangkok.go.th", (), ("1047", "1033", "1006")),
        ("ana@bangkok.go.th", (), ()),
    ],
)
def test_inspector_places(settings, email, zones, districts):
    access = settings.resolve(email)
    assert (access.zones, access.districts) == (zones, districts)


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (
            "executive",
            {
                "overview",
                "directives",
                "kpis",
                "budget",
                "districts",
                "units",
                "history",
                "reports",
            },
        ),
        (
            "inspector",
            {"overview", "directives", "kpis", "budget", "districts", "units", "history"},
        ),
        (
            "analyst",
            {
                "overview",
                "directives",
                "kpis",
                "budget",
                "districts",
                "units",
                "history",
                "upload",
                "reports",
            },
        ),
        ("admin", set(PAGES)),
    ],
)
def test_pages_per_role(role, pages):
    assert set(ROLE_TABLE[role].pages) == pages
    assert {p for p in PAGES if ROLE_TABLE[role].pages.__contains__(p)} == pages


@pytest.mark.parametrize(
    ("role", "actions"),
    [
        ("executive", set()),
        ("inspector", set()),
        ("analyst", {"publish", "refresh_sources"}),
        ("admin", set(ACTIONS)),
    ],
)
def test_actions_per_role(settings, role, actions):
    email = {
        "executive": "x@bangkok.go.th",
        "inspector": "insp@bangkok.go.th",
        "analyst": "ana@bangkok.go.th",
        "admin": "boss@bangkok.go.th",
    }[role]
    access = settings.resolve(email)
    assert {a for a in ACTIONS if access.can(a)} == actions
    assert access.role.read_only == (not actions)
    assert not access.can("drop_database")  # unknown actions are refused
    assert not access.can_see("secret_page")


def test_local_mode_is_admin():
    access = local_access()
    assert access.local and access.user == "local" and access.role.name == "admin"
    assert all(access.can(a) for a in ACTIONS) and all(access.can_see(p) for p in PAGES)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[users]\n"a@b.th" = "superuser"', "unknown role"),
        ('[users]\n"not-an-email" = "admin"', "not an e-mail"),
        ('[domains]\n"localhost" = "admin"', "not a domain"),
        ('[users]\n"a@b.th" = { role = "inspector", zones = ["Atlantis"] }', "unknown zone"),
        ('[users]\n"a@b.th" = { role = "inspector", districts = ["9999"] }', "unknown district"),
        ('[users]\n"a@b.th" = { role = "admin", rights = "all" }', "unknown keys"),
        ('[users]\n"a@b.th" = 3', "must be a role name"),
        ('[users]\n"A@b.th" = "admin"\n"a@B.th" = "analyst"', "listed twice"),
        ("users = 1", "must be a table"),
        ("[admins]\n", "unknown keys"),
        ("contact = 5", "must be text"),
        ("[users\n", "TOML"),
    ],
)
def test_bad_settings_fail_closed(text, fragment):
    with pytest.raises(RolesFileError) as info:
        parse_settings(text)
    assert fragment in info.value.message_en
    assert info.value.message_th and info.value.message_th != info.value.message_en


def test_example_file_parses():
    settings = parse_settings((ROOT / "roles.example.toml").read_text(encoding="utf-8"))
    assert settings.contact
    assert {g.role for g in settings.users.values()} == {
        "admin",
        "analyst",
        "inspector",
        "executive",
    }
    assert settings.resolve("wichai.t@bangkok.go.th").zones == ("กรุงเทพใต้",)


def _write(path: Path, text: str, bump: int) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()  # a later mtime even on coarse-grained file systems
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))


def test_reload_when_file_changes(tmp_path):
    path = tmp_path / "roles.toml"
    _write(path, '[users]\n"ana@x.th" = "analyst"\n"bob@x.th" = "admin"\n', 1)
    rf = RolesFile(path)
    assert rf.settings().resolve("bob@x.th").role.name == "admin"
    assert rf.pop_changes() == []  # the first load is not a change
    # bob removed, ana promoted: effective at the next lookup
    _write(path, '[users]\n"ana@x.th" = "admin"\n', 2)
    assert rf.settings().resolve("bob@x.th") is None
    assert rf.settings().resolve("ana@x.th").role.name == "admin"
    assert rf.pop_changes() == ["~ user ana@x.th: analyst -> admin", "- user bob@x.th: admin"]
    assert rf.pop_changes() == []
    # broken file: nobody gets in (fail closed), then fixed again
    _write(path, '[users]\n"ana@x.th" = "owner"\n', 3)
    with pytest.raises(RolesFileError):
        rf.settings()
    _write(path, '[users]\n"ana@x.th" = "executive"\n', 4)
    assert rf.settings().resolve("ana@x.th").role.name == "executive"
    # deleted file: nobody has access
    path.unlink()
    assert rf.settings().resolve("ana@x.th") is None


def test_unchanged_file_is_not_reparsed(tmp_path, monkeypatch):
    path = tmp_path / "roles.toml"
    _write(path, '[users]\n"ana@x.th" = "analyst"\n', 1)
    rf = RolesFile(path)
    rf.settings()
    calls = []
    monkeypatch.setattr("tracker.admin.roles.parse_settings", lambda *a: calls.append(a))
    for _ in range(5):
        assert rf.settings().resolve("ana@x.th").role.name == "analyst"
    assert calls == []


def test_resolve_uses_env_path(tmp_path, monkeypatch):
    path = tmp_path / "custom-roles.toml"
    _write(path, '[domains]\n"@x.th" = "inspector"\n', 1)
    monkeypatch.setenv("TRACKER_ROLES_FILE", str(path))
    assert roles_path() == path
    assert resolve("a@x.th").role.name == "inspector"
    assert resolve("a@y.th") is None
    monkeypatch.delenv("TRACKER_ROLES_FILE")
    assert roles_path() == ROOT / "roles.toml"


def test_describe_changes_domains_and_contact():
    old = parse_settings('contact = "a"\n[domains]\n"@x.th" = "executive"\n')
    new = parse_settings(
        'contact = "b"\n[domains]\n"@y.th" = { role = "inspector", zones = ["กรุงเทพใต้"] }\n'
    )
    assert describe_changes(old, new) == [
        "- domain @x.th: executive",
        "+ domain @y.th: inspector (กรุงเทพใต้)",
        "~ contact",
    ]


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        (None, False),
        ("192.168.1.10", False),
        ("10.0.0.1", False),
        ("example.org", False),
        ("localhost.example.org", False),
    ],
)
def test_is_loopback(address, ok):
    assert is_loopback(address) is ok


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("A@B.th", "a@b.th"),
        (" a@b.th\n", "a@b.th"),
        ("a b@c.th", None),
        ("a@", None),
        ("a", None),
    ],
)
def test_normalize_email(email, expected):
    assert normalize_email(email) == expected
