"""The admin page through AppTest, signed in with ``at.user`` + ``at.secrets["auth"]`` as in
test_auth: an admin changes a role (file changed, audited with their address), other roles are
refused by URL, and bad settings are refused with the file left as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from messages.i18n import t
from tracker.admin.roles import parse_settings
from tracker.store import Store

ROOT = Path(__file__).resolve().parents[2]
AUTH = {  # AppTest never reaches a provider: it sets st.user itself
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret-not-a-real-one",
    "client_id": "test-client",
    "client_secret": "test-only",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ADMIN, ANALYST = "adm@bma.test", "ana@bma.test"
ROLES = f"""# roles for the tests
contact = "IG office"
[users]
"exec@bma.test" = "executive"
"{ANALYST}" = "analyst"
"{ADMIN}" = "admin"
"""
# Closed local ports: the sidebar's background sync fails at once and never leaves the machine.
SOURCES = """[[sources]]
name = "register"
url = "http://127.0.0.1:9/register.csv"
"""


@pytest.fixture(scope="module")
def seeded_db(sample_dir, tmp_path_factory) -> Path:
    """A database the app seeded from the sample once; each test works on a copy."""
    db = tmp_path_factory.mktemp("admin_db") / "tracker.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACKER_DATA_DIR", str(sample_dir))
        mp.setenv("TRACKER_DATABASE_URL", f"sqlite:///{db}")
        mp.setenv("TRACKER_ROLES_FILE", str(db.parent / "none.toml"))
        mp.setenv("TRACKER_SOURCES_FILE", str(db.parent / "none-sources.toml"))
        mp.chdir(ROOT)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
        assert not at.exception, at.exception
    return db


@pytest.fixture
def env(sample_dir, seeded_db, monkeypatch, tmp_path):
    db = tmp_path / "tracker.sqlite"
    shutil.copy(seeded_db, db)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(sample_dir))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("TRACKER_ROLES_FILE", str(roles))
    monkeypatch.setenv("TRACKER_SOURCES_FILE", str(sources))
    monkeypatch.setenv("TRACKER_GSHEETS_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE_SOURCES", "1")  # the sources below are loopback
    monkeypatch.setenv("TRACKER_TODAY", "2024-10-15")
    monkeypatch.chdir(ROOT)
    return {"db": f"sqlite:///{db}", "roles": roles, "sources": sources}


def _signed_in(email: str | None, script: str = "app_pages/admin.py") -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=90)
    if email is not None:
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": True, "email": email}
    return at.run()


def _audit(url: str):
    store = Store(url)
    try:
        return store.audit_log()
    finally:
        store.dispose()


def _table(at: AppTest, column_key: str):
    """The read-only table whose first column is headed by the message ``column_key``."""
    heading = t(column_key, "th")
    frames = [d.value for d in at.dataframe if d.editing_mode == "read_only"]
    return next(f for f in frames if len(f.columns) and f.columns[0] == heading)


def _texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def test_admin_changes_a_role_and_it_is_audited(env):
    at = _signed_in(ADMIN)
    assert not at.exception, at.exception
    assert _texts(at, "title") == [t("admin.title", "th")]
    assert not at.error
    current = _table(at, "admin.roles.col.who")
    assert list(current.iloc[:, 0]) == ["exec@bma.test", ANALYST, ADMIN]
    sources = _table(at, "admin.sources.col.name")
    assert list(sources.iloc[:, 0]) == ["register"]

    editor = at.data_editor[0]
    assert editor.editing_mode == "dynamic"
    at.session_state[editor.key] = {
        "edited_rows": {1: {"role": "executive"}},  # the analyst becomes an executive
        "added_rows": [{"who": "new@bma.test", "role": "inspector", "zones": "กรุงเทพใต้"}],
        "deleted_rows": [],
    }
    at.button(key="roles_save").click().run()
    assert not at.exception, at.exception
    assert not at.error, _texts(at, "error")

    settings = parse_settings(env["roles"].read_text(encoding="utf-8"))
    assert settings.users[ANALYST].role == "executive"
    assert settings.users["new@bma.test"].zones == ("กรุงเทพใต้",)
    assert settings.users[ADMIN].role == "admin" and settings.contact == "IG office"
    backups = sorted(env["roles"].parent.glob("roles.toml.bak-*"))
    assert [b.read_text(encoding="utf-8") for b in backups] == [ROLES]

    expected = (
        "~ user ana@bma.test: analyst -> executive; + user new@bma.test: inspector (กรุงเทพใต้)"
    )
    assert _texts(at, "success") == [t("admin.saved", "th", file="roles.toml")]
    assert expected.replace("; ", "\n") in _texts(at, "code")
    audit = _audit(env["db"])
    rows = audit[audit["action"] == "role_change"]
    assert list(rows["user"]) == [ADMIN]
    assert list(rows["message"]) == [expected]
    at.run()  # the next click: the file's reload is not audited a second time as "roles-file"
    audit = _audit(env["db"])
    assert audit[audit["action"] == "roles_changed"].empty
    shown = _table(at, "admin.audit.col.when")
    assert shown.iloc[0, 1] == ADMIN and shown.iloc[0, 5] == expected  # newest first


def test_admin_changes_the_sources(env):
    at = _signed_in(ADMIN)
    new = SOURCES + '\n[[sources]]\nname = "budget"\nurl = "http://127.0.0.1:9/b.csv?x=1"\n'
    box = next(x for x in at.text_area if x.key.startswith("sources_text_"))
    box.set_value(new)
    at.button(key="sources_save").click().run()
    assert not at.exception, at.exception
    assert not at.error, _texts(at, "error")
    assert env["sources"].read_text(encoding="utf-8") == new
    audit = _audit(env["db"])
    rows = audit[audit["action"] == "source_change"]
    assert list(rows["user"]) == [ADMIN]
    assert list(rows["message"]) == ["+ source budget: http http://127.0.0.1:9/b.csv"]
    assert list(_table(at, "admin.sources.col.name").iloc[:, 0]) == ["register", "budget"]


@pytest.mark.parametrize(
    ("target", "text", "problem"),
    [
        ("roles", '[users]\n"x@bma.test" = "boss"\n', "unknown role"),
        ("roles", "[users\n", "TOML"),
        ("roles", ROLES.replace(f'"{ADMIN}" = "admin"\n', ""), "locked out"),
        ("sources", SOURCES + 'url = "http://u:pw@127.0.0.1:9/x.csv"\n', "inside a URL"),
        ("sources", SOURCES + "refresh_seconds = 1\n", "at least 10"),
    ],
    ids=["unknown-role", "bad-toml", "self-lockout", "secret", "bad-number"],
)
def test_bad_text_is_refused_and_the_file_is_unchanged(env, target, text, problem):
    path = env[target]
    before = path.read_bytes()
    at = _signed_in(ADMIN)
    box = next(x for x in at.text_area if x.key.startswith(f"{target}_text_"))
    box.set_value(text)
    at.button(key="roles_save_text" if target == "roles" else "sources_save").click().run()
    assert not at.exception, at.exception
    errors = _texts(at, "error")
    assert t("admin.refused", "th") in errors[-1] and t("admin.refused", "en") in errors[-1]
    details = "\n".join(_texts(at, "code"))
    assert problem in details
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.glob(f"{path.name}*")) == [path.name]
    audit = _audit(env["db"])
    assert audit[audit["action"].isin(["role_change", "source_change"])].empty
    assert box.value == text  # the admin's text stays in the box to be fixed


@pytest.mark.parametrize("email", ["exec@bma.test", ANALYST])
def test_other_roles_opening_admin_by_url_are_refused(env, email):
    at = _signed_in(email, script="app.py")
    with pytest.raises(ValueError):
        at.switch_page("app_pages/admin.py")  # not in their navigation
    page = _signed_in(email)  # the page's URL opened anyway
    assert not page.exception, page.exception
    role = "analyst" if email == ANALYST else "executive"
    assert t("auth.page_refused", "th", role=role) in page.error[0].value.replace("\\", "")
    assert not page.title and not page.text_area and not page.data_editor and not page.dataframe


def test_local_mode_without_roles_says_none_yet(env):
    env["roles"].unlink()
    at = _signed_in(None)
    assert not at.exception, at.exception
    infos = _texts(at, "info")
    assert t("admin.roles.local", "th") in infos
    assert t("admin.roles.none_local", "th") in infos
    assert at.data_editor[0].value.empty
