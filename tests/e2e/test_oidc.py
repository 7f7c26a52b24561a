"""A real sign-in in Debian's chromium: a mock OpenID Connect provider on 127.0.0.1, the app
started with sign-in settings pointing at it, an analyst and an executive signing in.

Also local mode started on 0.0.0.0: the page refuses and the server exits (only 127.0.0.1 is
ever contacted; no traffic leaves the machine).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from messages.i18n import t
from tests.e2e.conftest import _free_port, shot

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ANALYST, EXECUTIVE = "ana@bma.test", "exec@bma.test"
CONTACT = "IG office e2e desk"


def _wait_http(url: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    pytest.fail(f"{url} did not answer within {seconds} s:\n{out[-4000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="module")
def provider():
    """oidc-provider-mock on 127.0.0.1 with two predefined users (their e-mail = their id)."""
    port = _free_port()
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--user", ANALYST, "--user", EXECUTIVE]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_http(f"{base}/.well-known/openid-configuration", proc)
    yield base
    _stop(proc)


@pytest.fixture(scope="module")
def signed_in_app(provider, tmp_path_factory):
    """`streamlit run app.py` on 127.0.0.1 with a temporary secrets file and roles file
    (the repository's .streamlit folder is not touched)."""
    folder = tmp_path_factory.mktemp("oidc_app")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "tracker-e2e"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    roles = folder / "roles.toml"
    roles.write_text(
        f'contact = "{CONTACT}"\n[users]\n"{ANALYST}" = "analyst"\n"{EXECUTIVE}" = "executive"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "TRACKER_TODAY": "2024-10-15",
        "TRACKER_DATABASE_URL": f"sqlite:///{folder / 'tracker.sqlite'}",
        "TRACKER_ROLES_FILE": str(roles),
        "AUTHLIB_INSECURE_TRANSPORT": "1",  # the mock provider speaks plain http on loopback
    }
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--secrets.files", str(secrets_file)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    _wait_http(f"{url}/_stcore/health", proc)
    yield url
    _stop(proc)


def _sign_in(browser, app_url: str, email: str):
    """A fresh browser profile signing in as ``email`` through the provider's form."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="th-TH")
    page = ctx.new_page()
    page.goto(app_url, wait_until="domcontentloaded")
    page.get_by_role("button", name=t("auth.sign_in_button", "th")).click(timeout=60_000)
    # the provider's page: one button per predefined user
    page.locator(f'button[name="sub"][value="{email}"]').click(timeout=30_000)
    page.wait_for_url(f"{app_url}/**", timeout=30_000)
    page.get_by_role("heading", name=t("overview.title", "th")).wait_for(timeout=60_000)
    return ctx, page


def _nav_text(page) -> str:
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.wait_for(timeout=30_000)
    return nav.inner_text()


def test_analyst_signs_in_and_may_upload(signed_in_app, browser):
    ctx, page = _sign_in(browser, signed_in_app, ANALYST)
    try:
        assert t("page.upload", "th") in _nav_text(page)
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert ANALYST in sidebar and t("role.analyst", "th") in sidebar
        page.goto(f"{signed_in_app}/upload", wait_until="domcontentloaded")
        page.get_by_role("heading", name=t("upload.title", "th")).wait_for(timeout=60_000)
        page.locator('[data-testid="stFileUploader"]').wait_for(timeout=30_000)
        shot(page, "oidc_analyst_upload")
    finally:
        ctx.close()


def test_executive_signs_in_and_may_not_upload(signed_in_app, browser):
    ctx, page = _sign_in(browser, signed_in_app, EXECUTIVE)
    try:
        nav = _nav_text(page)
        assert t("page.overview", "th") in nav and t("page.upload", "th") not in nav
        # the upload page by its URL: not served (the app shows its default page instead)
        page.goto(f"{signed_in_app}/upload", wait_until="domcontentloaded")
        page.get_by_role("heading", name=t("overview.title", "th")).wait_for(timeout=60_000)
        assert page.get_by_role("heading", name=t("upload.title", "th")).count() == 0
        assert page.locator('[data-testid="stFileUploader"]').count() == 0
        shot(page, "oidc_executive_upload_refused")
    finally:
        ctx.close()


def test_not_signed_in_sees_only_the_sign_in_page(signed_in_app, browser):
    ctx = browser.new_context(locale="th-TH")
    page = ctx.new_page()
    try:
        page.goto(f"{signed_in_app}/directives", wait_until="domcontentloaded")
        page.get_by_role("button", name=t("auth.sign_in_button", "th")).wait_for(timeout=60_000)
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        assert page.locator('[data-testid="stMetric"]').count() == 0
    finally:
        ctx.close()


def test_local_mode_on_all_addresses_refuses_and_exits(tmp_path, browser):
    port = _free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite'}"}
    no_secrets = tmp_path / "no-secrets.toml"  # guarantees local mode whatever ~/.streamlit has
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    cmd += ["--server.address", "0.0.0.0", "--secrets.files", str(no_secrets)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        url = f"http://127.0.0.1:{port}"  # loopback only: nothing leaves the machine
        _wait_http(f"{url}/_stcore/health", proc)
        ctx = browser.new_context(locale="th-TH")
        page = ctx.new_page()
        page.goto(url, wait_until="domcontentloaded")
        alert = page.locator('[data-testid="stAlert"]').first
        alert.wait_for(timeout=60_000)
        text = alert.inner_text()
        assert "0.0.0.0" in text and "127.0.0.1" in text
        assert "Refusing to start" in text  # English beside the Thai
        assert page.locator('[data-testid="stMetric"]').count() == 0
        shot(page, "local_mode_refused")
        ctx.close()
        assert proc.wait(30) == 3  # the server exits non-zero
    finally:
        _stop(proc)
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    assert "Refusing to start" in out  # the reason is in the server's log too
