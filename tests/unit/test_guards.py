"""Every page checks the role first, and every write names its action (static, datasette-style):
a new page or write path without a server-side check fails here before it ships."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tracker.admin.roles import ACTIONS, PAGES

ROOT = Path(__file__).resolve().parents[2]
# home.py is the hidden page at "/": it only opens the Overview, which checks its role itself
HOME = ROOT / "app_pages" / "home.py"
PAGE_FILES = sorted(p for p in (ROOT / "app_pages").glob("*.py") if p != HOME)
# method name of a write → the action it needs (a refresh/sync of sources included)
WRITES = {"publish": "publish", "rollback": "rollback", "sync": "refresh_sources"}
WRITES |= {"refresh": "refresh_sources", "refresh_sources": "refresh_sources"}
WRITES |= {"save_roles": "manage_roles", "save_sources": "manage_sources"}


def _first_statement(tree: ast.Module) -> ast.stmt:
    body = [
        n
        for n in tree.body
        if not isinstance(n, ast.Import | ast.ImportFrom)
        and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
    ]
    return body[0]


def _is_call(node: ast.AST, name: str) -> ast.Call | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
        return node
    return None


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.stem)
def test_page_checks_its_role_first(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    first = _first_statement(tree)
    value = first.value if isinstance(first, ast.Expr | ast.Assign) else None
    call = _is_call(value, "require_page")
    assert call is not None, f"{path.name}: the first statement must be require_page(...)"
    assert [a.value for a in call.args] == [path.stem]
    assert path.stem in PAGES


def _writes(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    out = []
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if isinstance(node, ast.Call) and isinstance(func, ast.Attribute) and func.attr in WRITES:
            out.append((func.attr, node))
    return out


def _user_from_require_action(call: ast.Call) -> str | None:
    """The action of a ``require_action("x").user`` argument of the call, if any."""
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ast.Attribute) and arg.attr == "user":
            inner = _is_call(arg.value, "require_action")
            if inner is not None and inner.args and isinstance(inner.args[0], ast.Constant):
                return inner.args[0].value
    return None


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.stem)
def test_every_write_checks_its_action(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for method, call in _writes(tree):
        action = _user_from_require_action(call)
        assert action == WRITES[method], (
            f"{path.name}:{call.lineno}: .{method}(...) must take its user from "
            f'require_action("{WRITES[method]}").user'
        )
        assert action in ACTIONS


def test_write_pages_are_guarded():
    # the pages that write today; a write moving elsewhere must stay guarded (test above)
    found = {p.stem: [m for m, _ in _writes(ast.parse(p.read_text("utf-8")))] for p in PAGE_FILES}
    assert "publish" in found.get("upload", [])
    assert "rollback" in found.get("history", [])
    assert {"save_roles", "save_sources"} <= set(found.get("admin", []))


def test_app_navigation_lists_only_allowed_pages():
    # app.py only calls the shell; the shell signs in and navigates
    assert "run_app()" in (ROOT / "app.py").read_text(encoding="utf-8")
    tree = ast.parse((ROOT / "ui" / "shell.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert any(_is_call(n, "sign_in") for n in calls)
    navigation = [
        n for n in calls if isinstance(n.func, ast.Attribute) and n.func.attr == "navigation"
    ]
    assert len(navigation) == 1
    assert _is_call(navigation[0].args[0], "navigable") is not None


def test_the_page_files_are_found():
    """The checks above run over every page script (an empty list would pass them all)."""
    assert len(PAGE_FILES) == len(PAGES) >= 8


def test_the_home_page_only_opens_the_overview():
    tree = ast.parse(HOME.read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = {c.func.attr if isinstance(c.func, ast.Attribute) else c.func.id for c in calls}
    assert "switch_page" in names and not {"publish", "rollback", "save_roles"} & names
    assert "app_pages/overview.py" in HOME.read_text(encoding="utf-8")
