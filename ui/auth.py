"""Sign-in and the role guard: who is using the app, and what they may see and change.

Two modes, chosen by the server's settings only (nothing from the browser decides):

- **Signed-in mode**: ``.streamlit/secrets.toml`` has an ``[auth]`` section, so Streamlit's
  built-in OpenID Connect (``st.login`` / ``st.user`` / ``st.logout``) identifies the user and
  ``roles.toml`` (tracker.admin.roles) gives their role. The role is looked up again on every run, so
  a removed user loses access at their next click although their cookie lives for days.
- **Local mode**: no ``[auth]`` → one person on their own computer, acting as admin. The app
  then refuses to run unless it listens on 127.0.0.1 / localhost / ::1 only, and refuses
  requests that arrive through a proxy or under another host name (DNS rebinding).

Every page calls ``require_page`` and every write calls ``require_action`` (a page that the
navigation hides is still reachable by its URL; a button can be forged).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

import streamlit as st
from streamlit import config as st_config
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from messages.i18n import t
from tracker.admin.roles import (
    PAGES,
    Access,
    Role,
    RolesFileError,
    contact,
    is_loopback,
    local_access,
    normalize_email,
    roles_file,
)
from ui.i18n import lang, tr

log = logging.getLogger(__name__)

EXIT_UNSAFE_BIND = 3  # process exit code when local mode is started on a non-loopback address
ROLES_FILE_USER = "roles-file"  # the audit log's user for a change made by editing roles.toml
_PROVIDER_LABELS = {"google": "Google", "microsoft": "Microsoft", "entra": "Microsoft Entra ID"}
_SHARED_AUTH_KEYS = frozenset({"redirect_uri", "cookie_secret", "expose_tokens"})
_PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "forwarded", "x-real-ip")
_DEFAULT_PLACE_FLAG = "_auth_default_places_applied"
PAGES_DIR = Path(__file__).resolve().parent.parent / "app_pages"
DEFAULT_PAGE = "overview"


NOBODY = Access(user="", role=Role("none", frozenset(), frozenset()))


class PermissionDenied(Exception):
    """A page or write refused outside a Streamlit run (st.stop() could not end it)."""


# --- configuration ----------------------------------------------------------------------------


def _secrets_files_present() -> list[str]:
    """Configured secrets.toml paths that exist on disk."""
    try:
        paths = st_config.get_option("secrets.files") or []
    except Exception:  # pragma: no cover - option always exists in 1.67
        return []
    return [p for p in paths if Path(p).exists()]


def auth_section() -> Mapping | None:
    """The ``[auth]`` section of the secrets (None = local mode); raises if secrets are broken.

    A secrets file that exists but cannot be parsed must not silently turn a shared deployment
    into local mode (everyone admin), so that case is an error, not "no sign-in".
    """
    secrets = st.secrets
    loaded = secrets.load_if_toml_exists() if hasattr(secrets, "load_if_toml_exists") else True
    if not loaded:
        present = _secrets_files_present()
        if present:
            raise _SecretsBroken(present[0])
        return None
    try:
        section = secrets.get("auth")
    except Exception:
        section = None
    if not section or not isinstance(section, Mapping):
        return None
    return section


class _SecretsBroken(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def providers(section: Mapping) -> list[str | None]:
    """Sign-in providers in ``[auth]``: None for the unnamed one, else ``[auth.NAME]`` names."""
    named = [
        str(k)
        for k, v in section.items()
        if isinstance(v, Mapping) and k not in _SHARED_AUTH_KEYS and "client_id" in v
    ]
    unnamed: list[str | None] = [None] if "client_id" in section else []
    return unnamed + sorted(named)


def _bilingual(key: str, **kwargs: object) -> str:
    """A message in both languages (refusal pages are read before anyone picks a language)."""
    first = lang()
    second = "en" if first == "th" else "th"
    return t(key, first, **kwargs) + "\n\n" + t(key, second, **kwargs)


def _plain(text: object) -> str:
    """Text made inert for Markdown (an e-mail address or contact must not become a link)."""
    out = []
    for ch in str(text):
        if ch in "\\`*_{}[]()#+-.!|:<>$~=&@\"'":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


_USER_SLOT = "\x00user\x00"


def _code(text: object) -> str:
    """Text as a Markdown code span: shown literally, never turned into a link."""
    return "`" + str(text).replace("`", "'").replace("\n", " ") + "`"


def _with_user(key: str, user: object, **kwargs: object) -> str:
    """The message ``key`` made inert, with the user's address as a code span (no mailto link)."""
    return _plain(tr(key, user=_USER_SLOT, **kwargs)).replace(_USER_SLOT, _code(user))


def _hide_navigation() -> None:
    """Before a gate page (sign-in, no access, refusal): register the app's pages hidden.

    Registering them hidden keeps any URL valid (no "page not found") while only the gate is
    drawn. Each page still checks access itself if it is ever run.
    """
    files = sorted(PAGES_DIR.glob("*.py"))
    try:
        st.navigation(
            [st.Page(str(f), url_path=f.stem, default=f.stem == "home") for f in files],
            position="hidden",
        )
    except Exception as exc:  # e.g. a page run directly after the app's navigation
        log.debug("navigation not hidden: %s", exc)


# --- local mode ---------------------------------------------------------------------------------


def _real_server() -> bool:
    """True inside `streamlit run` (not AppTest, not a bare import)."""
    return runtime.exists() and not st_config.get_option("global.appTest")


def _shut_down(code: int) -> None:
    """End the server process shortly (after the refusal page has been sent)."""
    if _real_server():
        threading.Timer(1.5, os._exit, args=(code,)).start()


def local_mode_problem() -> tuple[str, str] | None:
    """Why local mode may not serve this run: (message key, detail), or None when it may."""
    address = st_config.get_option("server.address")
    if not is_loopback(address):
        return "auth.local_refused", str(address or "0.0.0.0 / ::")
    headers = _headers()
    for name in _PROXY_HEADERS:
        if headers.get(name):
            return "auth.local_proxied", name
    host = headers.get("host")
    if host:
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if not is_loopback(name):
            return "auth.local_proxied", f"Host: {host}"
    return None


def _headers() -> dict[str, str]:
    try:
        return {k.lower(): v for k, v in st.context.headers.items()}
    except Exception:
        return {}


def _refuse_local(key: str, detail: str) -> NoReturn:
    _hide_navigation()
    text = _bilingual(key, address=detail, reason=detail)
    print(text, file=sys.stderr, flush=True)
    st.error(_plain(text), icon=":material/gpp_bad:")
    if key == "auth.local_refused":
        _shut_down(EXIT_UNSAFE_BIND)
    _stop()


# --- who is this --------------------------------------------------------------------------------


def _stop() -> NoReturn:
    st.stop()
    raise PermissionDenied  # only reached outside a script run


def _user_info() -> dict:
    try:
        return dict(st.user.to_dict())
    except Exception:
        return {}


def current_access() -> Access:
    """The user's access for this run; draws the sign-in / no-access page and stops otherwise."""
    if get_script_run_ctx(suppress_warning=True) is None:  # bare Python: no session, no user
        raise PermissionDenied("no Streamlit session")
    try:
        section = auth_section()
    except _SecretsBroken as exc:
        _hide_navigation()
        st.error(_plain(_bilingual("auth.secrets_broken", path=exc.path)))
        _stop()
    if section is None:
        problem = local_mode_problem()
        if problem is not None:
            _refuse_local(*problem)
        return local_access()
    info = _user_info()
    if not info.get("is_logged_in"):
        _login_page(section)
    email = info.get("email")
    try:
        access = roles_file().settings().resolve(email)
    except RolesFileError as exc:
        log.error("%s", exc.message_en)
        _hide_navigation()
        st.error(_plain(_bilingual("auth.settings_broken", contact=_contact_text())))
        _logout_button()
        _stop()
    _audit_roles_changes()
    if access is None or info.get("email_verified") is False:
        _no_access_page(email, unverified=info.get("email_verified") is False)
    return access


def _contact_text() -> str:
    return contact() or tr("auth.no_contact")


def _login_page(section: Mapping) -> NoReturn:
    _hide_navigation()
    st.title(tr("auth.sign_in_title"))
    st.write(tr("auth.sign_in_intro"))
    names = providers(section)
    for name in names or [None]:
        label = (
            tr("auth.sign_in_button")
            if name is None
            else tr("auth.sign_in_with", provider=_PROVIDER_LABELS.get(name, name))
        )
        st.button(
            label,
            type="primary",
            icon=":material/login:",
            on_click=st.login,
            args=() if name is None else (name,),
            key=f"auth_login_{name or 'default'}",
        )
    _stop()


def _logout_button() -> None:
    st.button(tr("auth.sign_out"), on_click=st.logout, icon=":material/logout:", key="auth_logout")


def _no_access_page(email: object, *, unverified: bool = False) -> NoReturn:
    user = normalize_email(email) or str(email or "-")
    if unverified:
        user = f"{user} {tr('auth.unverified')}"
    _hide_navigation()
    st.title(tr("auth.no_access_title"))
    text = _with_user("auth.no_access", user, contact=_contact_text())
    st.info(text, icon=":material/lock:")
    _logout_button()
    log.info("no access for %s", user)
    _stop()


def _audit_roles_changes() -> None:
    """Write what the last reload of roles.toml changed into the audit log (once)."""
    changes = roles_file().pop_changes()
    if changes:
        _audit("roles_changed", ROLES_FILE_USER, "; ".join(changes)[:2000])


def _audit(action: str, user: str, message: str) -> None:
    """Append an audit event; a database that is down only loses it with a warning."""
    from tracker.store import StoreError
    from ui import data

    try:
        data.store().audit(action, user=user, message=message)
    except StoreError as exc:
        log.warning("could not audit %s by %s: %s", action, user, exc)


# --- the guards ---------------------------------------------------------------------------------


def sign_in() -> Access:
    """For app.py: the access of this run, plus the sidebar's local-mode banner or account box.

    In bare Python (a worker process that re-imports app.py as its main module) nothing is
    served: no access, nothing drawn, nothing raised.
    """
    if get_script_run_ctx(suppress_warning=True) is None:
        return NOBODY
    access = current_access()
    if access.local:
        st.sidebar.info(tr("auth.local_banner"), icon=":material/computer:")
    else:
        role = tr(f"role.{access.role.name}")
        st.sidebar.caption(_with_user("auth.signed_in_as", access.user, role=role))
        with st.sidebar:
            _logout_button()
    return access


def visible_pages(access: Access) -> set[str]:
    """Page keys the navigation should list for this user."""
    return {p for p in PAGES if access.can_see(p)}


def navigable(pages: list, access: Access) -> list:
    """The app's ``st.Page`` objects (url_path = page key) this user may open, for st.navigation.

    The default page's ``url_path`` reads "" and stands for DEFAULT_PAGE. In bare Python (no
    script run, e.g. a worker process that re-imports app.py) nothing is served: unchanged.
    """
    if get_script_run_ctx(suppress_warning=True) is None:
        return list(pages)
    allowed = visible_pages(access)
    return [p for p in pages if (p.url_path or DEFAULT_PAGE) in allowed]


def require_page(page_key: str) -> Access:
    """At the top of every page: stop with a message unless this user may open ``page_key``."""
    access = current_access()
    if access.can_see(page_key):
        return access
    log.warning("page %s refused to %s (%s)", page_key, access.user, access.role.name)
    st.error(
        _plain(_bilingual("auth.page_refused", role=access.role.name)), icon=":material/block:"
    )
    _stop()


def require_action(action: str) -> Access:
    """Before every write: the user's access if they may make it; else audited and stopped."""
    access = current_access()
    if access.can(action):
        return access
    log.warning("action %s refused to %s (%s)", action, access.user, access.role.name)
    _audit("denied", access.user, f"{action} refused: role {access.role.name}")
    st.error(
        _plain(_bilingual("auth.action_refused", action=action, role=access.role.name)),
        icon=":material/block:",
    )
    _stop()


def default_zone() -> dict[str, list[str]]:
    """An inspector's own zones/districts as URL filter values, once per session.

    Only when the link has no place filter, and only on the session's first page: clearing
    the filter afterwards widens the view to everything, as the inspector chose.
    """
    if st.session_state.get(_DEFAULT_PLACE_FLAG):
        return {}
    st.session_state[_DEFAULT_PLACE_FLAG] = True
    if any(p in st.query_params for p in ("zone", "district", "agency")):
        return {}
    access = current_access()
    if access.role.name != "inspector":
        return {}
    out: dict[str, list[str]] = {}
    if access.zones:
        out["zone"] = list(access.zones)
    if access.districts:
        out["district"] = list(access.districts)
    return out


__all__ = [
    "EXIT_UNSAFE_BIND",
    "PermissionDenied",
    "auth_section",
    "current_access",
    "default_zone",
    "local_mode_problem",
    "navigable",
    "providers",
    "require_action",
    "require_page",
    "sign_in",
    "visible_pages",
]
