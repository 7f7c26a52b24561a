"""Load client for issue 20: many concurrent app sessions over Streamlit's own websocket protocol.

Run: ``.venv/bin/python bench/load_sessions.py [--directives N | --workbook FILE] [--sessions 50]``.

It speaks what the browser speaks (``/_stcore/stream``, BackMsg / ForwardMsg protobufs that ship
with Streamlit): a session asks for a page with a ``rerun_script`` BackMsg (page name, query
string, widget states) and the run is over at its ``script_finished`` ForwardMsg. Each session
also answers the app's ``auto_rerun`` requests (the fragments that poll for new snapshots), as a
browser tab does (not while a run of the page it asked for is going on). Nothing is drawn, so
the client's own CPU is only protobuf parsing (it shares the 2 cores with the server).

Figures, each beside its target (issue 20):
- the first Overview of a fresh server (cold: the snapshot is loaded, or the bundled sample
  imported);
- one user's filter change (the sidebar's status filter toggled, as a widget change) on the
  Overview and on the Directives page, p95 ≤ 1 s;
- ``--sessions`` sessions asking for the Overview at the same moment, ``--rounds`` times:
  p95 from request to ``script_finished`` ≤ 5 s;
- the same number of sessions spread over the pages, all kept open: the server's memory (RSS
  and PSS summed over its process tree, sampled every 0.5 s all along) ≤ 2 GB.

By default it starts its own server (``streamlit run app.py`` on a free port of 127.0.0.1, on a
fresh SQLite database: the bundled sample, or the ``tracker sample`` workbook of
``--directives`` directives, or ``--workbook``, imported first) and stops it at the end; with
``--port`` and ``--server-pid`` it measures a server already running. It only ever connects to
127.0.0.1, opens at most ``--sessions`` sessions, and gives up after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOST = "127.0.0.1"
# The pages a viewer opens (upload and admin are the editors' and admins' own).
VIEW_PAGES = ("overview", "directives", "kpis", "budget", "districts", "units", "reports")
TARGETS = {"overview_p95_s": 5.0, "filter_p95_s": 1.0, "server_mb": 2048.0}
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


@dataclass
class Widget:
    id: str
    options: list[str]


@dataclass
class Session:
    """One browser tab: a websocket, the page it shows, its query string and widgets."""

    url: str
    page: str
    auto_rerun: bool = True
    query: str = ""
    page_hash: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    received: int = 0
    state: str = "not connected"  # the last message kind, or how the connection closed
    _ws: Any = None
    _finished: asyncio.Event = field(default_factory=asyncio.Event)  # set: no run pending
    _tasks: list = field(default_factory=list)

    async def open(self, timeout: float) -> None:
        self._finished.set()
        self._ws = await asyncio.wait_for(
            websockets.connect(
                self.url, subprotocols=[Subprotocol("streamlit")], max_size=None, ping_interval=None
            ),
            timeout,
        )
        self._tasks.append(asyncio.create_task(self._read()))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 5)

    async def run(self, timeout: float, widget: tuple[str, list[str]] | None = None) -> float:
        """Ask for a run of the page (with one widget's new value); seconds until it ends."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        state.page_script_hash = self.page_hash
        state.context_info.timezone = "Asia/Bangkok"
        state.context_info.locale = "th-TH"
        state.context_info.url = f"{self.url.split('/_stcore')[0]}/{self.page}".replace(
            "ws", "http", 1
        )
        if widget is not None:
            entry = state.widget_states.widgets.add()
            entry.id = widget[0]
            entry.string_array_value.data.extend(widget[1])
        self._finished.clear()
        self.widgets = {}  # this run's: a widget's id changes with its parameters
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._finished.wait(), timeout)
        except TimeoutError:
            self.errors.append(f"{self.page}: no script_finished in {timeout:g} s ({self.state})")
            raise
        return time.perf_counter() - started

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                self.received += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
            self.state = "connection closed"
        except websockets.ConnectionClosed as exc:
            self.state = f"connection closed: {exc}"
        except asyncio.CancelledError:
            pass

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        self.state = f"last message {kind}"
        if kind == "navigation":  # the page that runs (as the browser keeps it)
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "multiselect":
                box = element.multiselect
                self.widgets[box.id] = Widget(box.id, list(box.options))
            elif which == "exception":
                self.errors.append(f"{self.page}: {element.exception.type}")
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {self.page}")
        elif kind == "auto_rerun" and self.auto_rerun:
            every, fragment = msg.auto_rerun.interval, msg.auto_rerun.fragment_id
            self._tasks.append(asyncio.create_task(self._auto(every, fragment)))
        elif kind == "script_finished" and msg.script_finished in DONE:
            self._finished.set()

    async def _auto(self, every: float, fragment: str) -> None:
        """What the browser does on ``auto_rerun``: rerun that fragment every ``every`` s."""
        while True:
            await asyncio.sleep(max(every, 1.0))
            if not self._finished.is_set():
                continue  # as the browser: no auto rerun while the page's own run is going on
            msg = BackMsg()
            msg.rerun_script.query_string = self.query
            msg.rerun_script.page_name = self.page
            msg.rerun_script.page_script_hash = self.page_hash
            msg.rerun_script.fragment_id = fragment
            msg.rerun_script.is_auto_rerun = True
            with contextlib.suppress(Exception):
                await self._ws.send(msg.SerializeToString())

    def filter_widget(self, name: str) -> Widget | None:
        """The sidebar's multiselect for URL parameter ``name`` (key ``filter_<name>``)."""
        found = [w for i, w in self.widgets.items() if i.endswith(f"filter_{name}")]
        return found[-1] if found else None


# ---------------------------------------------------------------------------- server memory


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = Path(entry.path, "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_memory_mb(pid: int) -> tuple[float, float, int]:
    """(RSS MB, PSS MB, processes) summed over ``pid`` and its descendants."""
    tree, todo, rss, pss, count = _children(), [pid], 0, 0, 0
    while todo:
        p = todo.pop()
        todo += tree.get(p, [])
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                    count += 1
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
    return rss / 1024, pss / 1024, count


class MemorySampler:
    """The server tree's memory every 0.5 s; stops the measuring task (``guarded``) when the
    server's RSS goes beyond ``limit_mb``, to protect a shared machine."""

    def __init__(self, pid: int, limit_mb: float = float("inf")) -> None:
        self.pid, self.peak_rss, self.peak_pss, self.last = pid, 0.0, 0.0, (0.0, 0.0, 0)
        self.limit_mb, self.exceeded = limit_mb, False
        self.guarded: asyncio.Task | None = None
        self._task: asyncio.Task | None = None

    def sample(self) -> tuple[float, float, int]:
        self.last = tree_memory_mb(self.pid)
        self.peak_rss = max(self.peak_rss, self.last[0])
        self.peak_pss = max(self.peak_pss, self.last[1])
        return self.last

    async def _loop(self) -> None:
        while True:
            rss = (await asyncio.to_thread(self.sample))[0]
            if rss > self.limit_mb and self.guarded is not None:
                self.exceeded = True
                self.guarded.cancel()
                return
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    def stop(self) -> None:
        if self._task:
            self._task.cancel()


# ---------------------------------------------------------------------------- scenarios


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def line(name: str, value: float, target: str, unit: str = "s") -> None:
    print(f"  {name:58} {value:9.2f} {unit:3} target {target}", flush=True)


def spread(name: str, values: list[float], target: float | None = None) -> None:
    if not values:
        print(f"  {name:58} (no runs)")
        return
    goal = f"p95 ≤ {target:g} s" if target else "(information)"
    mark = "" if target is None else ("  MET" if p95(values) <= target else "  NOT MET")
    print(
        f"  {name:58} p50 {statistics.median(values):6.2f}  p95 {p95(values):6.2f}  "
        f"max {max(values):6.2f} s  (n={len(values)})  target {goal}{mark}",
        flush=True,
    )


async def filter_changes(url: str, page: str, changes: int, timeout: float) -> list[float]:
    """One user on ``page`` toggles the status filter ``changes`` times; seconds per change."""
    session = Session(url, page, auto_rerun=False)
    await session.open(timeout)
    try:
        await session.run(timeout)
        times = []
        for i in range(changes):
            widget = session.filter_widget("status")
            if widget is None or not widget.options:
                session.errors.append(f"{page}: no status filter found")
                break
            chosen = [widget.options[i % len(widget.options)]] if i % 2 == 0 else []
            times.append(await session.run(timeout, (widget.id, chosen)))
            if ("status=" in session.query) != bool(chosen):  # the app puts it in the URL
                session.errors.append(
                    f"{page}: filter {chosen} but the URL's query {session.query!r}"
                )
        for error in session.errors:
            print(f"    ! {error}")
        # each change in order (even: a status chosen, a view never seen; odd: none, seen)
        print(f"    {page}: " + " ".join(f"{t:.2f}" for t in times), flush=True)
        return times
    finally:
        await session.close()


async def many_sessions(
    url: str, pages: list[str], rounds: int, timeout: float, memory: MemorySampler
) -> tuple[list[tuple[str, float]], list[Session], list[str]]:
    """Open one session per entry of ``pages`` at once; each asks for its page ``rounds``
    times (all together each round). Returns the times, the open sessions and failures."""
    sessions = [Session(url, page) for page in pages]
    failures: list[str] = []
    opened = await asyncio.gather(*(s.open(timeout) for s in sessions), return_exceptions=True)
    live = []
    for session, result in zip(sessions, opened, strict=True):
        if isinstance(result, BaseException):
            failures.append(f"connect: {type(result).__name__}")
        else:
            live.append(session)
    times: list[tuple[str, float]] = []
    for _ in range(rounds):
        results = await asyncio.gather(*(s.run(timeout) for s in live), return_exceptions=True)
        for session, outcome in zip(live, results, strict=True):
            if isinstance(outcome, BaseException):
                failures.append(f"run: {type(outcome).__name__}")
            else:
                times.append((session.page, outcome))
        memory.sample()
    for session in live:
        failures += session.errors
    return times, live, failures


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare_database(args: argparse.Namespace, folder: Path, env: dict[str, str]) -> str:
    """A fresh SQLite store: empty (the app seeds the bundled sample) or with the workbook."""
    url = args.database_url or f"sqlite:///{folder / 'load.sqlite'}"
    workbook = args.workbook
    if args.directives:
        workbook = folder / f"sample{args.directives}.xlsx"
        subprocess.run(
            [PYTHON, "-m", "tracker", "sample", "--directives", str(args.directives), workbook],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=args.max_seconds,
        )
    if workbook:
        size_mb = Path(workbook).stat().st_size / 2**20
        started = time.perf_counter()
        subprocess.run(
            [PYTHON, "-m", "tracker", "import", str(workbook)],
            cwd=ROOT,
            env={**env, "TRACKER_DATABASE_URL": url, "TRACKER_MAX_FILE_MB": str(int(size_mb) + 2)},
            check=True,
            capture_output=True,
            timeout=args.max_seconds,
        )
        print(f"imported {workbook} ({size_mb:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return url


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [PYTHON, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", HOST, "--server.headless", "true"]
    # a file saved by someone else during the run must not reload the server's modules
    command += ["--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_healthy(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        health = f"http://{HOST}:{port}/_stcore/health"
        with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError("the server did not answer /_stcore/health")


def stop_server(server: subprocess.Popen) -> None:
    """Stop the server this script started, and the processes it started (its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


# ---------------------------------------------------------------------------- main


async def measure(args: argparse.Namespace, port: int, pid: int) -> None:
    url = f"ws://{HOST}:{port}/_stcore/stream"
    memory = MemorySampler(pid, args.max_server_mb)
    memory.sample()
    memory.guarded = asyncio.create_task(scenarios(args, url, memory))
    memory.start()
    try:
        await memory.guarded
    except asyncio.CancelledError:
        if not memory.exceeded:
            raise
        print(f"STOPPED: the server's RSS went beyond {args.max_server_mb:g} MB")
        line("  peak RSS summed", memory.peak_rss, "≤ 2048 MB", "MB")
    finally:
        memory.stop()


async def scenarios(args: argparse.Namespace, url: str, memory: MemorySampler) -> None:
    pid = memory.pid
    timeout = args.timeout
    print(f"server pid {pid}: {memory.last[0]:.0f} MB RSS before any session")

    cold = Session(url, "overview", auto_rerun=False)
    await cold.open(timeout)
    line("first Overview of the fresh server (cold)", await cold.run(timeout), "(information)")
    line("  again, same session (warm)", await cold.run(timeout), "(information)")
    for error in cold.errors:
        print(f"    ! {error}")
    await cold.close()

    print(f"One user, status filter toggled {args.filter_changes} times:")
    for page in ("overview", "directives"):
        changes = await filter_changes(url, page, args.filter_changes, timeout)
        spread(f"filter change on {page}", changes, TARGETS["filter_p95_s"])

    print(f"{args.sessions} sessions on the Overview at once, {args.rounds} rounds:")
    times, live, failures = await many_sessions(
        url, ["overview"] * args.sessions, args.rounds, timeout, memory
    )
    spread("Overview, request to script_finished", [t for _, t in times], TARGETS["overview_p95_s"])
    for session in live:
        await session.close()
    if failures:
        print(f"    ! {len(failures)} failures, e.g. {sorted(set(failures))[:5]}")

    pages = [VIEW_PAGES[i % len(VIEW_PAGES)] for i in range(args.sessions)]
    print(f"{args.sessions} sessions spread over {len(VIEW_PAGES)} pages, kept open:")
    times, live, failures = await many_sessions(url, pages, 1, timeout, memory)
    by_page: dict[str, list[float]] = {}
    for page, seconds in times:
        by_page.setdefault(page, []).append(seconds)
    spread("any page, request to script_finished", [t for _, t in times])
    for page, values in by_page.items():
        spread(f"  {page}", values)
    await asyncio.sleep(2)
    rss, pss, count = memory.sample()
    memory.stop()
    if failures:
        print(f"    ! {len(failures)} failures, e.g. {sorted(set(failures))[:5]}")
    target = f"≤ {TARGETS['server_mb']:.0f} MB"
    line(
        f"server memory, {len(live)} sessions open: RSS summed ({count} processes)",
        rss,
        target,
        "MB",
    )
    line("  PSS summed (shared pages counted once)", pss, target, "MB")
    line("  peak RSS summed over the whole run", memory.peak_rss, target, "MB")
    line("  peak PSS summed over the whole run", memory.peak_pss, target, "MB")
    received = sum(s.received for s in live) / 2**20
    line("  data sent to those sessions", received, "(information)", "MB")
    for session in live:
        await session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--directives", type=int, help="import a `tracker sample` of N directives")
    source.add_argument("--workbook", type=Path, help="import this workbook")
    parser.add_argument("--database-url", help="use this store instead of a fresh SQLite file")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--filter-changes", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per page run")
    parser.add_argument("--max-seconds", type=float, default=1200.0, help="the whole run")
    parser.add_argument("--port", type=int, help="measure the server already on this port")
    parser.add_argument("--server-pid", type=int, help="its process id (for its memory)")
    parser.add_argument(
        "--max-server-mb", type=float, default=8000, help="stop if the server grows beyond this"
    )
    args = parser.parse_args()
    if not 1 <= args.sessions <= 200:
        parser.error("--sessions must be 1..200")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if args.port:
        if not args.server_pid:
            parser.error("--port needs --server-pid")
        asyncio.run(asyncio.wait_for(measure(args, args.port, args.server_pid), args.max_seconds))
        return
    with tempfile.TemporaryDirectory(prefix="load-sessions-") as tmp:
        folder = Path(tmp)
        url = prepare_database(args, folder, env)
        port = free_port()
        server = start_server(port, {**env, "TRACKER_DATABASE_URL": url}, folder / "server.log")
        try:
            wait_healthy(port, time.monotonic() + 120)
            asyncio.run(asyncio.wait_for(measure(args, port, server.pid), args.max_seconds))
        finally:
            stop_server(server)
            log = (folder / "server.log").read_text(errors="replace").strip().splitlines()
            errors = [entry for entry in log if "Error" in entry or "Traceback" in entry]
            if errors:
                print(f"server log: {len(errors)} error lines, e.g. {errors[:3]}")


if __name__ == "__main__":
    main()
