"""The project's import rules, enforced on its own source (ast, no import at run time).

- no import cycle among the project's modules (function-local imports included);
- ``tracker/`` and ``data_sources/`` never import Streamlit or ``ui``;
- the readers (``data_sources/``) never import the model (``tracker``);
- reading the sheets (``tracker.read``) never imports what comes after it (metrics, present,
  store, publish, live);
- what computes and draws (``tracker.metrics``, ``tracker.present``) never imports the store,
  publishing or the live sources, and what draws never imports ``tracker.read``.
The README's layout section states the same rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tracker", "data_sources", "ui")
# What computes and draws: every module of these packages.
COMPUTING = ("tracker.metrics", "tracker.present")
# What comes after reading the sheets (tracker.read never imports it).
AFTER_READING = (
    "tracker.metrics",
    "tracker.present",
    "tracker.store",
    "tracker.publish",
    "tracker.live",
)
# What keeps and publishes snapshots or fetches live sources (computing never imports it).
KEEPING = ("tracker.store", "tracker.publish", "tracker.live")
# Modules still over 600 lines (issue 14 splits them). The list may only shrink: a module that
# grows past 600 lines, or one listed here that is split, fails the test until the list says so.
LONG_MODULES: set[str] = set()
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _imported(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports (anywhere in the file), as written."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = name.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _project_edges(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports (a name resolved to its module or package)."""
    edges = set()
    for target in _imported(name, path):
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != name:
            edges.add(target)
    return edges


GRAPH = {name: _project_edges(name, path) for name, path in MODULES.items()}


def _within(module: str, packages: tuple[str, ...]) -> bool:
    """True when ``module`` is one of ``packages`` or inside one of them."""
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def _modules_within(packages: tuple[str, ...]) -> list[str]:
    found = [name for name in MODULES if _within(name, packages)]
    assert found, packages
    return found


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_the_project():
    assert len(MODULES) > 40
    assert (
        "tracker.store.api" in GRAPH["tracker.publish.flow"]
        or "tracker.store" in GRAPH["tracker.publish.flow"]
    )


def test_no_import_cycle():
    assert _cycles() == []


def test_domain_and_readers_never_import_streamlit_or_ui():
    for name, path in MODULES.items():
        if name.startswith(("tracker", "data_sources")):
            imported = _imported(name, path)
            bad = {m for m in imported if m.split(".")[0] in ("streamlit", "ui")}
            assert not bad, (name, bad)


def test_readers_never_import_the_model():
    for name in MODULES:
        if name.startswith("data_sources"):
            assert not {m for m in GRAPH[name] if m.startswith("tracker")}, name


def test_sample_writer_is_independent_of_the_readers():
    """The sample writer (tracker/dev/) is the tests' oracle: the readers are checked against
    what it writes, so it shares none of their code, directly or through another module."""
    readers = ("tracker.read", "tracker.checks", "data_sources")
    dev = [name for name in MODULES if name == "tracker.dev" or name.startswith("tracker.dev.")]
    assert "tracker.dev.sample" in dev
    for name in dev:
        reached: set[str] = set()
        todo = [name]
        while todo:
            for target in GRAPH[todo.pop()] - reached:
                reached.add(target)
                todo.append(target)
        bad = {m for m in reached for r in readers if m == r or m.startswith(f"{r}.")}
        assert not bad, (name, sorted(bad))


def test_what_computes_and_draws_never_imports_the_store():
    computing = _modules_within(COMPUTING)
    assert {"tracker.metrics.kpi_scores", "tracker.present.charts"} <= set(computing)
    for name in computing:
        assert not {m for m in GRAPH[name] if _within(m, ("tracker.store",))}, name


def test_what_computes_and_draws_never_imports_publishing_or_live_sources():
    for name in _modules_within(COMPUTING):
        assert not {m for m in GRAPH[name] if _within(m, KEEPING)}, name


def test_reading_never_imports_what_comes_after_it():
    assert "tracker.read.kpi_form" in _modules_within(("tracker.read",))
    for name in _modules_within(("tracker.read",)):
        assert not {m for m in GRAPH[name] if _within(m, AFTER_READING)}, name


def test_what_draws_never_imports_reading():
    """The views and charts take their figures from tracker.metrics (constants: tracker.schema)."""
    for name in _modules_within(("tracker.present",)):
        assert not {m for m in GRAPH[name] if _within(m, ("tracker.read",))}, name


def test_no_module_grows_past_600_lines_and_the_long_list_only_shrinks():
    long_now = {
        str(path.relative_to(ROOT))
        for path in MODULES.values()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert long_now <= LONG_MODULES, long_now - LONG_MODULES
    assert long_now == LONG_MODULES, f"now under {MAX_LINES}: {LONG_MODULES - long_now}"


def test_test_modules_never_import_one_another():
    """Shared helpers live in tests/helpers (a test module importing another runs its tests'
    module-level code twice and ties unrelated suites together)."""
    offenders = []
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                last = node.module.rsplit(".", 1)[-1]
                if node.module.startswith("tests.") and last.startswith("test_"):
                    offenders.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert offenders == []
