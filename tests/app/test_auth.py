"""Sign-in and roles through AppTest's own mock user (``at.user``) and secrets (``at.secrets``).

Each role sees exactly its pages; a page hidden from a role refuses when opened anyway; a
forged write is refused and audited; unknown users get the "no access" page naming the
contact; local mode acts as admin on 127.0.0.1 and refuses any other address.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from messages.i18n import t
from tracker.admin.roles import PAGES, ROLE_TABLE
from tracker.store import Store

ROOT = Path(__file__).resolve().parents[2]
APP_PAGES = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py") if p.stem != "home")
CONTACT = "IG office, ext. 1234"
AUTH = {  # never used to reach a provider: AppTest does not sign in, it sets st.user
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret-not-a-real-one",
    "client_id": "test-client",
    "client_secret": "test-only",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ROLES = f"""
contact = "{CONTACT}"
[users]
"exec@bma.test" = "executive"
"insp@bma.test" = {{ role = "inspector", zones = ["กรุงเทพใต้"] }}
"ana@bma.test" = "analyst"
"adm@bma.test" = "admin"
"""
EMAIL = {
    "executive": "exec@bma.test",
    "inspector": "insp@bma.test",
    "analyst": "ana@bma.test",
    "admin": "adm@bma.test",
}


@pytest.fixture(scope="module")
def seeded_db(sample_dir, tmp_path_factory) -> Path:
    """A database the app has seeded from the sample once (tests get a copy: seeding is slow)."""
    db = tmp_path_factory.mktemp("auth_db") / "tracker.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACKER_DATA_DIR", str(sample_dir))
        mp.setenv("TRACKER_DATABASE_URL", f"sqlite:///{db}")
        mp.chdir(ROOT)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
        assert not at.exception, at.exception
    store = Store(f"sqlite:///{db}")
    assert store.current_id() is not None
    store.dispose()
    return db


@pytest.fixture
def env(sample_dir, seeded_db, monkeypatch, tmp_path):
    """The module's seeded database (its caches stay warm), a roles file, "today" fixed."""
    db = seeded_db
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(sample_dir))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("TRACKER_ROLES_FILE", str(roles))
    monkeypatch.setenv("TRACKER_TODAY", "2024-10-15")
    monkeypatch.chdir(ROOT)
    return {"db": f"sqlite:///{db}", "roles": roles}


def _signed_in(script: str = "app.py", email: str | None = None, **user) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=90)
    at.secrets["auth"] = dict(AUTH)
    if email is not None:
        at.user = {"is_logged_in": True, "email": email, **user}
    else:
        at.user = {"is_logged_in": False}
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for e in [*at.markdown, *at.error, *at.info, *at.warning, *at.title]]
    parts += [e.value for e in at.sidebar.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _registered(at: AppTest) -> set[str]:
    """Pages the navigation offers: switch_page() accepts only those."""
    out = set()
    for name in APP_PAGES:
        try:
            at.switch_page(f"app_pages/{name}.py")
        except ValueError:
            continue
        out.add(name)
    if "overview" in out:
        at.switch_page("app_pages/overview.py")
    return out


@pytest.mark.parametrize("role", list(EMAIL))
def test_each_role_sees_exactly_its_pages(env, role):
    at = _signed_in(email=EMAIL[role]).run()
    assert not at.exception, at.exception
    expected = set(APP_PAGES) & set(ROLE_TABLE[role].pages)
    assert _registered(at) == expected
    assert ("upload" in expected) == (role in ("analyst", "admin"))
    # the sidebar says who is signed in, with a sign-out button; no local-mode banner
    assert EMAIL[role] in _unescape(_texts(at))
    assert any(b.label == t("auth.sign_out", "th") for b in at.sidebar.button)
    assert not any(t("auth.local_banner", "th") in i.value for i in at.sidebar.info)


def test_every_page_file_has_a_page_key():
    assert set(APP_PAGES) <= set(PAGES)


def test_local_mode_is_admin_with_banner(env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert _registered(at) == set(APP_PAGES)
    assert any(t("auth.local_banner", "th") in i.value for i in at.sidebar.info)


def test_not_signed_in_gets_only_the_sign_in_page(env):
    at = _signed_in().run()
    assert not at.exception, at.exception
    assert [x.value for x in at.title] == [t("auth.sign_in_title", "th")]
    assert [b.label for b in at.button] == [t("auth.sign_in_button", "th")]
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric


def test_several_providers_get_one_button_each(env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    at.secrets["auth"] = {**shared, "google": provider, "microsoft": provider}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == [
        t("auth.sign_in_with", "th", provider="Google"),
        t("auth.sign_in_with", "th", provider="Microsoft"),
    ]


@pytest.mark.parametrize(
    "user",
    [
        {"email": "stranger@elsewhere.test"},
        {"email": "exec@bma.test", "email_verified": False},  # a claim the provider did not check
        {},  # signed in without an e-mail claim
    ],
)
def test_unknown_user_gets_no_access_page_naming_the_contact(env, user):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, **user}
    at.run()
    assert not at.exception, at.exception
    assert [x.value for x in at.title] == [t("auth.no_access_title", "th")]
    text = _unescape(_texts(at))
    assert CONTACT in text
    if user.get("email"):
        assert user["email"] in text
    assert [b.label for b in at.button] == [t("auth.sign_out", "th")]
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric
    at.switch_page("app_pages/directives.py").run()  # any page: the same answer
    assert [x.value for x in at.title] == [t("auth.no_access_title", "th")]
    assert not at.dataframe


@pytest.mark.parametrize("role", ["executive", "inspector"])
def test_viewer_opening_upload_page_directly_is_refused(env, role):
    # st.navigation does not list the page for them; the page itself refuses too (a URL or a
    # stale session can still reach a page that the navigation hides)
    at = _signed_in(email=EMAIL[role]).run()
    with pytest.raises(ValueError):
        at.switch_page("app_pages/upload.py")
    page = _signed_in("app_pages/upload.py", email=EMAIL[role]).run()
    assert not page.exception, page.exception
    assert t("auth.page_refused", "th", role=role) in _unescape(page.error[0].value)
    assert not page.get("file_uploader") and not page.title


def test_analyst_opens_upload_page(env):
    page = _signed_in("app_pages/upload.py", email=EMAIL["analyst"]).run()
    assert not page.exception, page.exception
    assert not page.error
    assert page.title[0].value == t("upload.title", "th")


def _audit_log(url: str):
    store = Store(url)
    store.upgrade()  # the database may be untouched when nothing was written
    try:
        return store.audit_log()
    finally:
        store.dispose()


def _forged_write(action: str) -> None:
    """A script that makes a write directly, as a forged request would."""
    import streamlit as st

    from ui.auth import require_action

    access = require_action(action)
    st.write(f"WROTE {action} as {access.user}")


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("executive", "publish", False),
        ("inspector", "publish", False),
        ("inspector", "refresh_sources", False),
        ("analyst", "rollback", False),
        ("analyst", "manage_roles", False),
        ("analyst", "publish", True),
        ("admin", "rollback", True),
        ("admin", "manage_sources", True),
    ],
)
def test_forged_write_is_refused_and_audited(env, role, action, allowed, monkeypatch, tmp_path):
    db = f"sqlite:///{tmp_path / 'own.sqlite'}"  # its own database: the audit log is checked
    monkeypatch.setenv("TRACKER_DATABASE_URL", db)
    at = AppTest.from_function(_forged_write, args=(action,), default_timeout=60)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "email": EMAIL[role]}
    at.run()
    assert not at.exception, at.exception
    wrote = [m.value for m in at.markdown if m.value.startswith("WROTE")]
    audit = _audit_log(db)
    denied = audit[audit["action"] == "denied"]
    if allowed:
        assert wrote == [f"WROTE {action} as {EMAIL[role]}"]
        assert denied.empty
    else:
        assert wrote == []
        assert t("auth.action_refused", "th", action=action, role=role) in _unescape(
            at.error[0].value
        )
        assert list(denied["user"]) == [EMAIL[role]]
        assert list(denied["message"]) == [f"{action} refused: role {role}"]


def test_removed_user_loses_access_at_next_click(env):
    at = _signed_in(email=EMAIL["analyst"]).run()
    assert "upload" in _registered(at)
    text = ROLES.replace('"ana@bma.test" = "analyst"\n', "")
    env["roles"].write_text(text, encoding="utf-8")
    st_ = env["roles"].stat()
    os.utime(env["roles"], ns=(st_.st_atime_ns, st_.st_mtime_ns + 5_000_000_000))
    at.run()  # the next click: same session, same sign-in cookie
    assert [x.value for x in at.title] == [t("auth.no_access_title", "th")]
    audit = _audit_log(env["db"])
    changes = audit[(audit["action"] == "roles_changed") & audit["message"].str.contains("ana@")]
    assert list(changes["message"]) == ["- user ana@bma.test: analyst"]
    assert list(changes["user"]) == ["roles-file"]


def test_inspector_pages_open_on_their_zone_and_can_widen(env):
    at = _signed_in(email=EMAIL["inspector"]).run()
    assert not at.exception, at.exception
    assert at.query_params.get("zone") == "กรุงเทพใต้"
    box = next(m for m in at.sidebar.multiselect if m.label == t("filter.zone", "th"))
    assert box.value == ["กรุงเทพใต้"]
    box.set_value([]).run()  # widen to everything: stays wide on the next runs
    at.run()
    assert "zone" not in at.query_params
    assert next(m for m in at.sidebar.multiselect if m.label == t("filter.zone", "th")).value == []


def test_inspector_link_with_a_filter_is_kept(env):
    at = _signed_in(email=EMAIL["inspector"])
    at.query_params["zone"] = "กรุงธนใต้"
    at.run()
    assert at.query_params.get("zone") == "กรุงธนใต้"


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.168.1.20", None])
def test_local_mode_refuses_other_addresses(env, address):
    with patch_config_options({"server.address": address}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    message = _unescape(at.error[0].value)
    assert t("auth.local_refused", "th", address=address or "0.0.0.0 / ::") in message
    assert t("auth.local_refused", "en", address=address or "0.0.0.0 / ::") in message
    assert not at.get("plotly_chart") and not at.metric and not at.title


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "127.0.0.1:8501", "X-Forwarded-For": "203.0.113.9"},  # through a proxy
        {"Host": "attacker.example:8501"},  # DNS rebinding: a page of another site
    ],
)
def test_local_mode_refuses_requests_from_elsewhere(env, monkeypatch, headers):
    monkeypatch.setattr("ui.auth._headers", lambda: {k.lower(): v for k, v in headers.items()})
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert "local mode only serves this computer directly" in _unescape(at.error[0].value)
    assert not at.metric


def test_signed_in_mode_may_listen_on_any_address(env):
    with patch_config_options({"server.address": "0.0.0.0"}):
        at = _signed_in(email=EMAIL["executive"]).run()
    assert not at.exception, at.exception
    assert not at.error
    assert "overview" in _registered(at)
