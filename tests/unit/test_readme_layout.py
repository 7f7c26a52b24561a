"""The README's layout section names every package, and the leaves stay leaves."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _layout() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Layout")
    return text[start : text.index("\n## ", start + 1)]


def _packages() -> set[str]:
    top = {p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"}
    sub = {f"tracker/{p.parent.name}" for p in ROOT.glob("tracker/*/__init__.py")}
    return top | sub


def test_the_layout_names_every_package():
    layout = _layout()
    packages = _packages()
    assert {"tracker", "data_sources", "messages", "settings", "ui", "tracker/read"} <= packages
    missing = {p for p in packages if f"`{p}/`" not in layout}
    assert missing == set()


def _project_imports(folder: str) -> set[str]:
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found & {"tracker", "data_sources", "ui", "settings", "messages", "app_pages"}


def test_messages_and_settings_are_leaves():
    assert _project_imports("messages") <= {"messages"}
    assert _project_imports("settings") <= {"settings"}


def test_the_readers_use_only_the_messages_and_the_settings():
    assert _project_imports("data_sources") <= {"data_sources", "messages", "settings"}
