"""Benchmark the cost of open pages following new snapshots (ui/freshness.py, issue 20).

Run: ``.venv/bin/python bench/bench_poll.py [--sessions 50] [--seconds 30] [--poll 5]
[--pg URL]``. Starts one real app server (``streamlit run app.py``) on a fresh PostgreSQL
database (CREATE DATABASE bench_poll_…, dropped afterwards; ``--pg`` names the server,
default $TRACKER_BENCH_PG_URL, else postgresql://postgres@127.0.0.1:5432/test), opens
``--sessions`` sessions over Streamlit's own websocket protocol (the protobuf classes ship
with streamlit; each session loads the Overview, then answers the server's auto-rerun
request every interval exactly as a browser tab does), and measures over ``--seconds``:

- ``poll_runs_per_s``: fragment runs the server performed (sessions / interval expected);
- ``queries_per_s``: transactions on the database (pg_stat_database), target ≤ 2.5 per second
  per server whatever the number of sessions: the current id is read at most once a second
  per process, and each read is two transactions (the pool's pre-ping and the select);
- ``server_cpu_pct``: CPU of the server process, % of one core, target ≤ 10 %;
- ``cpu_ms_per_poll``: server CPU per fragment run;
- then a publish from outside (the command line's path, ``Store.publish``): ``noticed_s``, how
  long until every session had been told its poll saw it (the fragment's run ended early for
  the whole-page rerun; ≤ 10 s), and ``redrawn_s``, until all of them had redrawn the
  Overview, with ``cpu_s_per_redraw``. The redraw is every session running the Overview at
  once, the page's own cost (bench/load_sessions.py measures it); on a saturated server the
  "noticed" messages wait in the same queue, so the two come close.

With ``--database-url`` it runs on an existing store instead (a SQLite file or PostgreSQL
database; e.g. a copy of the 1,000,000-directive store: it is written to) and, with
``--publish same``, publishes a new snapshot of the same size (the current data with one
budget row changed, written as a budget-only part over the current snapshot, as an upload
publishes): every page then loads and redraws a million directives. Times are counted from
the publish's commit; the load average is printed beside them (a shared machine).

Only 127.0.0.1 is contacted; the load is bounded in sessions and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from tracker.store import Store  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TARGETS = {"queries_per_s": 2.5, "server_cpu_pct": 10.0, "noticed_s": 10.0}
CLK = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (not its children: the upload sandbox is idle here)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


class Session:
    """One browser tab: the Overview's first run, then the fragment reruns the server asks for."""

    def __init__(self, port: int, pause: bool = False, page: str = "overview") -> None:
        self.port = port
        self.page = page
        # the browser (Streamlit 1.67's frontend) sends its auto reruns every interval even
        # while a run of the page goes on (they queue behind it); ``pause`` skips those
        self.pause = pause
        self.page_hash = ""
        self.fragment: tuple[float, str] | None = None
        self.polls = 0  # fragment runs finished
        self.full_runs = 0  # whole-page runs finished
        self.full_done_at = 0.0
        self.rerun_at = 0.0  # when the poll first asked for a whole-page rerun
        self.running = False  # a whole-page run is going on (asked for, not finished)
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        uri = f"ws://127.0.0.1:{self.port}/_stcore/stream"
        origin = f"http://127.0.0.1:{self.port}"
        async with websockets.connect(
            uri, subprotocols=["streamlit"], origin=origin, max_size=None, ping_interval=None
        ) as ws:
            await ws.send(self._rerun(ClientState(page_name=self.page)))
            poller = asyncio.create_task(self._poll(ws, stop))
            try:
                async for raw in ws:
                    self._take(raw)
                    if stop.is_set():
                        break
            finally:
                poller.cancel()

    def _rerun(self, state: ClientState) -> bytes:
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        return msg.SerializeToString()

    def _take(self, raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
        elif kind == "auto_rerun":
            self.fragment = (msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.polls += 1
            elif msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.rerun_at = self.rerun_at or time.monotonic()  # the poll saw a change
                self.running = True  # the whole page runs next
            elif msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.full_runs += 1
                self.full_done_at = time.monotonic()
                self.running = False
            if self.fragment is not None and (self.full_runs or self.polls):
                self.ready.set()  # drawn and polling (a poll runs only after the page)

    async def _poll(self, ws, stop: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
        """What the browser does on auto_rerun: rerun the fragment every interval."""
        while not stop.is_set():
            if self.fragment is None:
                await asyncio.sleep(0.2)
                continue
            interval, fragment_id = self.fragment
            await asyncio.sleep(interval)
            if self.running and self.pause:
                continue  # --pause-polls: none while the page's own run goes on
            state = ClientState(
                page_script_hash=self.page_hash,
                page_name=self.page,
                fragment_id=fragment_id,
                is_auto_rerun=True,
            )
            await ws.send(self._rerun(state))


def transactions(engine, database: str) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        return int(
            conn.execute(
                text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :d"),
                {"d": database},
            ).scalar()
        )


@contextlib.contextmanager
def fresh_database(pg: str):  # type: ignore[no-untyped-def]
    name = f"bench_poll_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(pg).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg).set(database=name).render_as_string(hide_password=False), name, admin
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def existing(url: str):  # type: ignore[no-untyped-def]
    """An existing store: its URL, and for PostgreSQL its name and an engine for the counts."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        yield url, "", None
        return
    admin = create_engine(parsed.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        yield url, parsed.database, admin
    finally:
        admin.dispose()


def line(name: str, value: float, unit: str = "") -> None:
    target = TARGETS.get(name)
    mark = "" if target is None else (" ✓" if value <= target else " ✗")
    goal = "" if target is None else f"  (target ≤ {target:g}{unit}){mark}"
    print(f"{name:18} {value:10.3f}{unit}{goal}")


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def prepare_same(url: str):  # type: ignore[no-untyped-def]
    """What ``publish_same`` needs, read before the sessions open: the current frames."""
    store = Store(url)
    try:
        return store.current_id(), store.load()
    finally:
        store.dispose()


def publish_same(store: Store, prepared) -> int:  # type: ignore[no-untyped-def]
    """A new snapshot as big as the current one: its data with one budget amount changed,
    written as a budget-only part over it (every other table's parts are shared)."""
    from tracker.publish.compose import Composition, TableChange
    from tracker.store.diff import canonical_frame

    base_id, frames = prepared
    budget = canonical_frame(frames["budget"], "budget").copy()
    numeric = [c for c in budget.columns if pd.api.types.is_float_dtype(budget[c])]
    budget.loc[budget.index[0], numeric[0]] = float(budget[numeric[0]].iloc[0] or 0) + 1.0
    frames = {**frames, "budget": budget}
    change = TableChange(
        kind="budget",
        rows=budget,
        replace=True,
        mode="replace",
        added=0,
        changed=1,
        removed=0,
        kept=len(budget) - 1,
    )
    comp = Composition(frames=frames, changes={"budget": change})
    return store.publish_changes(
        comp, base_id=base_id, user="bench", source="bench.xlsx", sha256=uuid.uuid4().hex
    )


async def measure(args: argparse.Namespace, port: int, pid: int, url: str, name: str, admin):  # type: ignore[no-untyped-def]
    prepared = prepare_same(url) if args.publish == "same" else None
    stop = asyncio.Event()
    sessions = [Session(port, args.pause_polls, args.page) for _ in range(args.sessions)]
    tasks = []
    opened = time.monotonic()
    for s in sessions:  # staggered, as people open the page over a few seconds
        tasks.append(asyncio.create_task(s.run(stop)))
        await asyncio.sleep(0.1)
    deadline = time.monotonic() + 600
    while not all(s.ready.is_set() for s in sessions):
        failed = [t.exception() for t in tasks if t.done() and not t.cancelled()]
        if failed or time.monotonic() > deadline:
            sys.exit(f"sessions failed: {failed[:3]}")
        await asyncio.sleep(0.5)
        if int(time.monotonic() - opened) % 10 == 0:
            drawn = sum(s.ready.is_set() for s in sessions)
            polling = sum(s.fragment is not None for s in sessions)
            print(f"  drawn {drawn}, polling {polling} of {len(sessions)}", flush=True)
    print(f"{args.sessions} sessions drawn in {time.monotonic() - opened:.1f} s")
    await asyncio.sleep(args.poll + 1)  # every session in its polling rhythm
    print(f"{args.sessions} sessions open, each polling every {sessions[0].fragment[0]:g} s")
    runs0 = sum(s.polls for s in sessions)
    counted = admin is not None  # pg_stat_database: PostgreSQL only
    tx0 = transactions(admin, name) if counted else 0
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(args.seconds)
    runs1 = sum(s.polls for s in sessions)
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    tx1 = transactions(admin, name) if counted else 0  # the backend flushes each second
    wall = t1 - t0
    polls = (runs1 - runs0) / wall
    line("poll_runs_per_s", polls)
    if counted:
        line("queries_per_s", (tx1 - tx0) / wall)
    line("server_cpu_pct", 100 * (cpu1 - cpu0) / wall, " %")
    line("cpu_ms_per_poll", 1000 * (cpu1 - cpu0) / max(runs1 - runs0, 1), " ms")
    before = [s.full_runs for s in sessions]
    for s in sessions:
        s.rerun_at = 0.0
    store = Store(url)
    cpu_redraw0 = cpu_seconds(pid)
    began = time.monotonic()
    if args.publish == "same":
        publish_same(store, prepared)
    else:
        store.publish(_frames(), user="bench", source="bench.xlsx", sha256=uuid.uuid4().hex)
    store.dispose()
    started = time.monotonic()  # committed: from here a poll can see it
    print(f"published in {started - began:.1f} s (load {load()})")
    shown = -1
    while any(s.full_runs == b for s, b in zip(sessions, before, strict=True)):
        if time.monotonic() - started > args.redraw_timeout:
            break
        done = sum(s.full_runs > b for s, b in zip(sessions, before, strict=True))
        if done != shown and int((time.monotonic() - started) * 20) % 20 == 0:
            print(f"  {time.monotonic() - started:5.1f} s: {done} redrawn", flush=True)
            shown = done
        await asyncio.sleep(0.05)
    noticed = [s.rerun_at - started for s in sessions if s.rerun_at]
    redrawn = [
        s.full_done_at - started for s, b in zip(sessions, before, strict=True) if s.full_runs > b
    ]
    print(f"{len(noticed)} sessions saw the publish, {len(redrawn)} reported their redraw")
    cpu2 = cpu_seconds(pid)
    line("noticed_s", max(noticed, default=float("nan")), " s")
    line("noticed_p50_s", statistics.median(noticed) if noticed else float("nan"), " s")
    line("redrawn_s", max(redrawn, default=float("nan")), " s")
    line("redrawn_p50_s", statistics.median(redrawn) if redrawn else float("nan"), " s")
    line("cpu_s_per_redraw", (cpu2 - cpu_redraw0) / max(len(redrawn), 1), " s")
    print(f"load average {load()}")
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _frames():  # type: ignore[no-untyped-def]
    from tests.conftest import synthetic_frames

    return synthetic_frames(50, prefix="B")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--pg", default=os.environ.get("TRACKER_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--database-url", help="an existing store (written to: use a copy)")
    parser.add_argument("--redraw-timeout", type=float, default=60.0, help="seconds")
    parser.add_argument("--log", help="keep the server's output in this file")
    parser.add_argument("--page", default="overview", help="the page every session shows")
    parser.add_argument(
        "--pause-polls",
        action="store_true",
        help="no auto rerun while the page's own run goes on (the browser sends them)",
    )
    parser.add_argument(
        "--publish",
        choices=("small", "same"),
        default="small",
        help="small: 50 synthetic directives; same: the current data again (as big)",
    )
    args = parser.parse_args()
    print(f"load average {load()}")
    with (
        existing(args.database_url) if args.database_url else fresh_database(args.pg) as (
            url,
            name,
            admin,
        )
    ):
        store = Store(url)
        store.upgrade()
        if not args.database_url:
            store.publish(_frames(), user="bench", source="first.xlsx", sha256="first")
        store.dispose()
        port = _free_port()
        env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_POLL_SECONDS": str(args.poll)}
        env["TRACKER_TODAY"] = "2024-10-15"
        # a file saved by someone else during the run must not reload the server's modules
        env["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        with open(args.log, "w+b") if args.log else tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 90
                while True:
                    try:
                        with urllib.request.urlopen(
                            f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                        ):
                            break
                    except OSError:
                        if time.monotonic() > deadline:
                            log.seek(0)
                            sys.exit(f"the app did not start:\n{log.read().decode()[-3000:]}")
                        time.sleep(0.3)
                asyncio.run(measure(args, port, proc.pid, url, name, admin))
            finally:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    main()
