"""The server's settings are pinned and documented (a test fails when one changes or is not
in the README), and the committed examples hold no secrets."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"

EXPECTED = {
    "server.address": "127.0.0.1",
    "server.port": 8501,
    "server.headless": True,
    "server.maxUploadSize": 20,
    "server.enableXsrfProtection": True,
    # many viewers (issue 20): no file watcher, no full GC after every run
    "server.fileWatcherType": "none",
    "runner.postScriptGC": False,
    "client.showErrorDetails": "none",
    "client.toolbarMode": "viewer",
    # the built-in CSV export writes formulas as they are: off (issue 13); pages offer
    # their own safe xlsx/CSV downloads
    "client.disableDataExport": True,
    "browser.gatherUsageStats": False,
    "theme.primaryColor": "#1a5fb4",
}


def _flat(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_config_is_exactly_the_pinned_settings():
    settings = _flat(tomllib.loads(CONFIG.read_text(encoding="utf-8")))
    assert settings == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_setting_is_documented(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith(f"| `{name}` |")]
    assert rows, f"{name} is not in the README's settings table"
    shown = rows[0].split("|")[2].strip().strip("`")
    assert shown == _toml_value(EXPECTED[name]), (name, shown)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"' if not re.fullmatch(r"[0-9.]+", value) else value
    return str(value)


CHECKED_BY_STREAMLIT = (
    "server.address",
    "server.enableXsrfProtection",
    "server.maxUploadSize",
    "server.fileWatcherType",
    "runner.postScriptGC",
    "client.showErrorDetails",
    "client.toolbarMode",
)


@pytest.fixture(scope="module")
def streamlit_view() -> dict:
    """The settings as Streamlit itself reads them (project root as cwd, no user config)."""
    code = (
        "import json, streamlit as st; "
        f"print(json.dumps({{n: st.get_option(n) for n in {CHECKED_BY_STREAMLIT!r}}}))"
    )
    out = subprocess.run(
        [".venv/bin/python", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT / ".streamlit")},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("name", CHECKED_BY_STREAMLIT)
def test_streamlit_reads_the_pinned_value(streamlit_view, name):
    assert streamlit_view[name] == EXPECTED[name]


def test_secrets_example_holds_placeholders_only():
    text = (ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8")
    auth = tomllib.loads(text)["auth"]
    assert set(auth) >= {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    }
    assert auth["redirect_uri"].endswith("/oauth2callback")
    for key in ("cookie_secret", "client_secret"):
        assert "REPLACE" in auth[key], key
    assert "REPLACE" in auth["client_id"]
    # Entra ID is documented too, with a tenant placeholder (never "common")
    assert "login.microsoftonline.com/REPLACE-TENANT-ID/v2.0" in text
    assert "/common/" not in text


@pytest.mark.parametrize("pattern", [".streamlit/secrets.toml", "/roles.toml"])
def test_real_settings_are_never_committed(pattern):
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert pattern in lines, f"{pattern} must be in .gitignore"


def test_every_environment_setting_is_in_the_readme_table():
    import settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(settings.SETTINGS) >= 9
    for name in settings.SETTINGS:
        assert f"| `{name}` |" in readme, f"{name} is not in the README's settings tables"


def test_no_module_reads_a_tracker_setting_but_the_settings_module():
    offenders = []
    for folder in ("tracker", "data_sources", "ui", "app_pages"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"os\.(environ|getenv)[^\n]*TRACKER_", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
