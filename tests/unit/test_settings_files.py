"""roles.toml / sources.toml saved by the admin page: checked first (parsers, no secrets, no
lock-out, no lost update), written atomically with a backup, and summarised for the audit."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from tracker.admin import settings_files as sf
from tracker.admin.roles import parse_settings, roles_file
from tracker.live.sources import Source

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "adm@bma.test"
ROLES = f"""# the office's roles (a comment the text editor keeps)
contact = "IG office"
[users]
"{ADMIN}" = "admin"
"ana@bma.test" = "analyst"
[domains]
"@bma.test" = "executive"
"""
SOURCES = """refresh_seconds = 300
[[sources]]
name = "register"
key = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdef"
"""
NOW = datetime(2024, 10, 15, 14, 5, 22)


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def roles(tmp_path) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    path.chmod(0o640)
    return path


@pytest.fixture
def sources(tmp_path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    return path


# --- secrets --------------------------------------------------------------------------------

SECRET_LINES = {
    "pem": "# -----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg",
    "rsa pem": "-----BEGIN RSA PRIVATE KEY-----",
    "sa field": '"private_key_id" = "0123abcd"',
    "sa json key": 'private_key = "abc"',
    "client secret": 'client_secret = "GOCSPX-abcdef"',
    "refresh token": "# refresh_token: 1//0abc",
    "password": 'password = "hunter2"',
    "token": "token: abcdef",
    "api key setting": 'api_key = "x"',
    "dotted password": 'smtp.password = "hunter2"',
    "prefixed password": 'db_password = "hunter2"',
    "google api key": 'url = "https://sheets.googleapis.com/v4/x?alt=json&k=AIzaSyA1234567890abcdefghijklmnopqrstuv"',
    "oauth token": "# ya29.a0AfH6SMBx-abcdefghijk",
    "user:password url": 'url = "https://alice:s3cret@example.org/budget.xlsx"',
    "token as user": 'url = "https://ghp_abcdef@example.org/budget.csv"',
    "query token": 'url = "https://example.org/r.csv?access_token=abc"',
    "query sig": 'url = "https://bucket.example/r.csv?X-Amz-Signature=ab12&x=1"',
    "query apikey": 'url = "https://example.org/r.csv?a=1&apikey=zz"',
}
INNOCENT_LINES = {
    "gsheets edit": 'url = "https://docs.google.com/spreadsheets/d/1AbC/edit#gid=0"',
    "published csv": 'url = "https://docs.google.com/spreadsheets/d/e/2PACX-1v/pub?gid=0&single=true&output=csv"',
    "bare key": 'key = "1ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210fedcba"',
    "secrets mention": "# the JSON key goes in .streamlit/secrets.toml ([gcp_service_account])",
    "address": '"somchai.k@bangkok.go.th" = "admin"',
    "contact with mail": 'contact = "ask ig@bangkok.go.th"',
    "password in prose": 'note = "ask for password = helpdesk"',
    "token in a comment": "# the token = a code IT sends by SMS; never write it here",
}


@pytest.mark.parametrize("line", SECRET_LINES.values(), ids=SECRET_LINES.keys())
def test_secrets_are_found_without_repeating_them(line):
    found = sf.find_secrets(f"# settings\n{line}\n")
    assert len(found) == 1
    th, en = found[0]
    assert en.startswith("line 2: looks like ")
    assert th.startswith("บรรทัด 2:")
    for word in ("hunter2", "s3cret", "GOCSPX", "AIzaSy", "ya29.a0", "ghp_", "MIIEvQ"):
        assert word not in th + en


@pytest.mark.parametrize("line", INNOCENT_LINES.values(), ids=INNOCENT_LINES.keys())
def test_ordinary_settings_are_not_secrets(line):
    assert sf.find_secrets(line) == []


@pytest.mark.parametrize("name", ["roles.example.toml", "sources.example.toml"])
def test_example_files_are_accepted(tmp_path, name):
    text = (ROOT / name).read_text(encoding="utf-8")
    assert sf.find_secrets(text) == []
    target = tmp_path / name.replace(".example", "")
    save = sf.save_roles if name.startswith("roles") else sf.save_sources
    kwargs = {"check_lockout": False} if name.startswith("roles") else {}
    result = save(target, text, user="local", **kwargs)
    assert result.written and target.read_text(encoding="utf-8") == text
    assert result.changes[0] == "(new file)"
    assert len(result.changes) > 3


# --- refusals: nothing written --------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_text", "code", "needle"),
    [
        ("[users\n", "invalid", "TOML"),
        ('[users]\n"x@bma.test" = "boss"\n', "invalid", "unknown role"),
        ('[users]\n"not-an-address" = "admin"\n', "invalid", "not an e-mail address"),
        (ROLES + '"y@bma.test" = { role = "inspector", zones = ["Atlantis"] }\n', "invalid", ""),
        (ROLES.replace('"admin"', '"analyst"', 1), "lockout", ADMIN),
        (ROLES.replace(f'"{ADMIN}" = "admin"\n', ""), "lockout", ADMIN),
        (ROLES + "# password = hunter2\n", "secret", "line 8"),
        ("x" * (sf.MAX_BYTES + 1), "too_big", "too big"),
    ],
    ids=["toml", "role", "address", "zone", "demoted", "removed", "secret", "big"],
)
def test_bad_roles_are_refused_and_the_file_is_unchanged(roles, new_text, code, needle):
    before = roles.read_bytes()
    folder = _files(roles.parent)
    with pytest.raises(sf.SettingsRefused) as info:
        sf.save_roles(roles, new_text, user=ADMIN, expected_sha256=sf.text_sha256(ROLES))
    assert info.value.code == code
    assert needle in "\n".join(info.value.problems_en)
    assert info.value.problems_th and len(info.value.problems_th) == len(info.value.problems_en)
    assert roles.read_bytes() == before
    assert _files(roles.parent) == folder  # no backup, no temporary file left behind


@pytest.mark.parametrize(
    ("new_text", "code", "needle"),
    [
        (SOURCES.replace("300", "1"), "invalid", "at least 10"),
        ('[[sources]]\nname = "x"\n', "invalid", "exactly one of"),
        ('[[sources]]\nname = "x"\nurl = "https://a:b@example.org/x.csv"\n', "secret", "URL"),
        (SOURCES + 'private_key = "-----BEGIN PRIVATE KEY-----"\n', "secret", "private key"),
        ("[gcp_service_account]\nclient_email = 'a@b'\nprivate_key_id = 'x'\n", "secret", ""),
    ],
    ids=["number", "location", "url-password", "pem", "service-account"],
)
def test_bad_sources_are_refused_and_the_file_is_unchanged(sources, new_text, code, needle):
    before = sources.read_bytes()
    folder = _files(sources.parent)
    with pytest.raises(sf.SettingsRefused) as info:
        sf.save_sources(sources, new_text, user=ADMIN)
    assert info.value.code == code
    assert needle in "\n".join(info.value.problems_en)
    assert sources.read_bytes() == before
    assert _files(sources.parent) == folder


def test_invalid_sources_name_the_real_file_not_the_temporary_one(sources):
    with pytest.raises(sf.SettingsRefused) as info:
        sf.validate_sources("bogus = 1\n", sources)
    assert str(sources) in info.value.problems_en[0]
    assert "unknown key “bogus”" in info.value.problems_en[0]
    assert ".tmp" not in info.value.problems_en[0] + info.value.problems_th[0]
    assert _files(sources.parent) == {"sources.toml"}


@pytest.mark.parametrize("kind", ["roles", "sources"])
def test_changed_meanwhile_is_refused(roles, sources, kind):
    path, text = (roles, ROLES) if kind == "roles" else (sources, SOURCES)
    seen = sf.text_sha256(text)
    path.write_text(text + "# someone else's edit\n", encoding="utf-8")
    save = sf.save_roles if kind == "roles" else sf.save_sources
    with pytest.raises(sf.SettingsRefused) as info:
        save(path, text, user=ADMIN, expected_sha256=seen)
    assert info.value.code == "conflict"
    assert path.read_text(encoding="utf-8").endswith("# someone else's edit\n")


def test_failed_replace_keeps_the_old_file_and_no_temporary(roles, monkeypatch):
    def broken(src, dst):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(sf.os, "replace", broken)
    with pytest.raises(sf.SettingsRefused) as info:
        sf.save_roles(roles, ROLES.replace('"analyst"', '"executive"'), user=ADMIN, now=NOW)
    assert info.value.code == "unwritable"
    assert roles.read_text(encoding="utf-8") == ROLES
    assert not [n for n in _files(roles.parent) if n.endswith(".tmp")]


def test_missing_folder_is_refused(tmp_path):
    with pytest.raises(sf.SettingsRefused) as info:
        sf.save_sources(tmp_path / "nowhere" / "sources.toml", SOURCES, user=ADMIN)
    assert info.value.code == "unwritable"
    assert "does not exist" in info.value.problems_en[0]


# --- writing: atomic, backed up, summarised ---------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "changes"),
    [
        (
            lambda s: s.replace("[domains]", '"new@bma.test" = "analyst"\n[domains]'),
            ["+ user new@bma.test: analyst"],
        ),
        (lambda s: s.replace('"ana@bma.test" = "analyst"\n', ""), ["- user ana@bma.test: analyst"]),
        (
            lambda s: s.replace('"ana@bma.test" = "analyst"', '"ana@bma.test" = "admin"'),
            ["~ user ana@bma.test: analyst -> admin"],
        ),
        (
            lambda s: s.replace(
                '"ana@bma.test" = "analyst"',
                '"ana@bma.test" = { role = "inspector", districts = ["Bang Na"] }',
            ),
            ["~ user ana@bma.test: analyst -> inspector (1047)"],
        ),
        (
            lambda s: s.replace('"@bma.test" = "executive"', '"bma.go.th" = "executive"'),
            ["- domain @bma.test: executive", "+ domain @bma.go.th: executive"],
        ),
        (lambda s: s.replace("IG office", "IG office, ext. 1234"), ["~ contact"]),
        (lambda s: s.replace("# the office's roles", "# reworded"), []),
    ],
    ids=["add", "remove", "promote", "inspector", "domain", "contact", "comment"],
)
def test_roles_change_is_summarised(roles, edit, changes):
    result = sf.save_roles(
        roles, edit(ROLES), user=ADMIN, expected_sha256=sf.text_sha256(ROLES), now=NOW
    )
    assert result.written and result.user == ADMIN
    assert sorted(result.changes) == sorted(changes)
    assert result.summary == ("; ".join(result.changes) or "text only (comments or layout)")
    assert roles.read_text(encoding="utf-8") == edit(ROLES)


def test_save_keeps_a_timestamped_backup_with_the_old_permissions(roles):
    old_inode = roles.stat().st_ino
    new = ROLES.replace('"analyst"', '"executive"')
    result = sf.save_roles(roles, new, user=ADMIN, now=NOW)
    assert result.backup == roles.with_name("roles.toml.bak-20241015T140522")
    assert result.backup.read_text(encoding="utf-8") == ROLES
    assert roles.read_text(encoding="utf-8") == new
    assert roles.stat().st_ino != old_inode  # replaced by a new file (os.replace), not rewritten
    assert stat.S_IMODE(roles.stat().st_mode) == 0o640
    assert stat.S_IMODE(result.backup.stat().st_mode) == 0o640
    # a second save in the same second gets its own backup
    again = sf.save_roles(roles, ROLES, user=ADMIN, now=NOW)
    assert again.backup == roles.with_name("roles.toml.bak-20241015T140522-1")
    assert again.backup.read_text(encoding="utf-8") == new
    assert sf.backups(roles) == [result.backup, again.backup]


def test_old_backups_are_pruned(roles, monkeypatch):
    monkeypatch.setattr(sf, "KEEP_BACKUPS", 2)
    for i in range(4):
        sf.save_roles(roles, ROLES + f"# edit {i}\n", user=ADMIN, now=datetime(2024, 1, 1, 0, 0, i))
    kept = sf.backups(roles)
    assert [p.name for p in kept] == [
        "roles.toml.bak-20240101T000002",
        "roles.toml.bak-20240101T000003",
    ]
    assert kept[-1].read_text(encoding="utf-8") == ROLES + "# edit 2\n"


@pytest.mark.parametrize("kind", ["roles", "sources"])
def test_same_text_writes_nothing(roles, sources, kind):
    path, text = (roles, ROLES) if kind == "roles" else (sources, SOURCES)
    save = sf.save_roles if kind == "roles" else sf.save_sources
    result = save(path, text.replace("\n", "\r\n"), user=ADMIN)  # a browser's line ends
    assert not result.written and result.backup is None and result.summary == "no change"
    assert _files(path.parent) == {"roles.toml", "sources.toml"}


def test_local_mode_may_save_without_an_admin_line(roles):
    result = sf.save_roles(
        roles, '[users]\n"ana@bma.test" = "analyst"\n', user="local", check_lockout=False
    )
    assert result.written
    assert "- user adm@bma.test: admin" in result.changes


def test_the_app_takes_the_new_roles_at_once_and_the_admin_owns_the_change(roles):
    cached = roles_file(roles)
    assert cached.settings().grant_for("ana@bma.test").role == "analyst"
    sf.save_roles(roles, ROLES.replace('"analyst"', '"executive"'), user=ADMIN, now=NOW)
    # no "changed on disk by roles-file" note left for the next page run to audit again
    assert cached.pop_changes() == []
    assert cached.settings().grant_for("ana@bma.test").role == "executive"


SOURCE = Source(name="s", kind="http", location="https://example.org/a.csv?token=x")


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ([], [SOURCE], ["+ source s: http https://example.org/a.csv"]),
        ([SOURCE], [], ["- source s"]),
        ([SOURCE], [SOURCE], []),
        (
            [SOURCE],
            [Source(name="s", kind="http", location="https://example.org/b.csv")],
            ["~ source s: location http https://example.org/b.csv"],
        ),
        (
            [SOURCE],
            [Source(name="s", kind="http", location=SOURCE.location, refresh_seconds=60)],
            ["~ source s: refresh_seconds 300 -> 60"],
        ),
        (
            [Source(name="g", kind="gsheets", location="1AbC" * 8)],
            [Source(name="g", kind="gsheets", location="1AbC" * 8, worksheets=(("A", "kpis"),))],
            ["~ source g: worksheets A → kpis"],
        ),
    ],
    ids=["added", "removed", "same", "moved", "refresh", "worksheets"],
)
def test_source_changes_are_summarised_without_credentials(old, new, changes):
    lines = sf.describe_source_changes(old, new)
    assert lines == changes
    assert "token" not in "".join(lines)


def test_sources_save_summary_and_display_rows(sources):
    new = SOURCES + '[[sources]]\nname = "budget"\nurl = "https://example.org/b.xlsx?x=1"\n'
    result = sf.save_sources(sources, new, user=ADMIN, now=NOW)
    assert result.changes == ("+ source budget: http https://example.org/b.xlsx",)
    rows = [sf.source_row(s) for s in sf.validate_sources(new, sources)]
    assert rows == [
        {
            "name": "register",
            "kind": "gsheets",
            "location": "Google Sheets 1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdef",
            "worksheets": "auto",
            "refresh_seconds": 300,
        },
        {
            "name": "budget",
            "kind": "http",
            "location": "https://example.org/b.xlsx",
            "worksheets": "auto",
            "refresh_seconds": 300,
        },
    ]


# --- the roles editor's rows ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "users", "domains"),
    [
        ([{"who": "A@BMA.test", "role": "admin"}], {"a@bma.test": ("admin", (), ())}, {}),
        ([{"who": "bma.go.th", "role": "executive"}], {}, {"@bma.go.th": ("executive", (), ())}),
        (
            [{"who": "i@bma.test", "role": "inspector", "zones": "South Bangkok; กรุงธนเหนือ"}],
            {"i@bma.test": ("inspector", ("กรุงเทพใต้", "กรุงธนเหนือ"), ())},
            {},
        ),
        (
            [{"who": "i@bma.test", "role": "inspector", "districts": "บางนา, 1033"}],
            {"i@bma.test": ("inspector", (), ("1047", "1033"))},
            {},
        ),
        (
            [{"who": None, "role": None, "zones": None}, {"who": "", "role": float("nan")}],
            {},
            {},
        ),
    ],
    ids=["address", "domain", "zones", "districts", "blank rows"],
)
def test_editor_rows_become_a_roles_file(rows, users, domains):
    settings = parse_settings(sf.roles_text(rows, "IG"))
    got_users = {k: (g.role, g.zones, g.districts) for k, g in settings.users.items()}
    got_domains = {k: (g.role, g.zones, g.districts) for k, g in settings.domains.items()}
    assert (got_users, got_domains, settings.contact) == (users, domains, "IG")


def test_editor_round_trip_keeps_every_grant_and_odd_text():
    original = parse_settings((ROOT / "roles.example.toml").read_text(encoding="utf-8"))
    contact = 'IG "office"\\ line\ttab · โทร. 0 2xxx'
    again = parse_settings(sf.roles_text(sf.roles_rows(original), contact))
    assert (again.users, again.domains, again.contact) == (
        original.users,
        original.domains,
        contact,
    )


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ([{"who": "x@bma.test", "role": ""}], "unknown role"),
        ([{"who": "", "role": "admin"}], "not a domain"),
        ([{"who": "x@bma.test", "role": "inspector", "districts": "Gotham"}], "unknown district"),
    ],
    ids=["no role", "no address", "bad district"],
)
def test_bad_editor_rows_are_reported_by_the_parser(tmp_path, rows, needle):
    with pytest.raises(sf.SettingsRefused) as info:
        sf.validate_roles(sf.roles_text(rows, ""), tmp_path / "roles.toml")
    assert needle in "\n".join(info.value.problems_en)


def test_temporary_files_live_next_to_the_target(roles, monkeypatch):
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append((Path(src).parent, Path(dst)))
        real(src, dst)

    monkeypatch.setattr(sf.os, "replace", spy)
    sf.save_roles(roles, ROLES + "# x\n", user=ADMIN, now=NOW)
    assert seen == [(roles.parent, roles)]
