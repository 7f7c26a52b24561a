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

    def __init__(self, port: int) -> None:
        self.port = port
        self.page_hash = ""
        self.fragment: tuple[float, str] | None = None
        self.polls = 0  # fragment runs finished
        self.full_runs = 0  # whole-page runs finished
        self.full_done_at = 0.0
        self.rerun_at = 0.0  # when the poll first asked for a whole-page rerun
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        uri = f"ws://127.0.0.1:{self.port}/_stcore/stream"
        origin = f"http://127.0.0.1:{self.port}"
        async with websockets.connect(
            uri, subprotocols=["streamlit"], origin=origin, max_size=None, ping_interval=None
        ) as ws:
            await ws.send(self._rerun(ClientState(page_name="overview")))
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
            elif msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.full_runs += 1
                self.full_done_at = time.monotonic()
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
            state = ClientState(
                page_script_hash=self.page_hash,
                page_name="overview",
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


def line(name: str, value: float, unit: str = "") -> None:
    target = TARGETS.get(name)
    mark = "" if target is None else (" ✓" if value <= target else " ✗")
    goal = "" if target is None else f"  (target ≤ {target:g}{unit}){mark}"
    print(f"{name:18} {value:10.3f}{unit}{goal}")


async def measure(args: argparse.Namespace, port: int, pid: int, url: str, name: str, admin):  # type: ignore[no-untyped-def]
    stop = asyncio.Event()
    sessions = [Session(port) for _ in range(args.sessions)]
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
    tx0, cpu0, t0 = transactions(admin, name), cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(args.seconds)
    runs1 = sum(s.polls for s in sessions)
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    tx1 = transactions(admin, name)  # the app's backend flushes its counts each second
    wall = t1 - t0
    polls = (runs1 - runs0) / wall
    line("poll_runs_per_s", polls)
    line("queries_per_s", (tx1 - tx0) / wall)
    line("server_cpu_pct", 100 * (cpu1 - cpu0) / wall, " %")
    line("cpu_ms_per_poll", 1000 * (cpu1 - cpu0) / max(runs1 - runs0, 1), " ms")
    before = [s.full_runs for s in sessions]
    for s in sessions:
        s.rerun_at = 0.0
    store = Store(url)
    cpu_redraw0 = cpu_seconds(pid)
    started = time.monotonic()
    store.publish(_frames(), user="bench", source="bench.xlsx", sha256=uuid.uuid4().hex)
    store.dispose()
    while any(s.full_runs == b for s, b in zip(sessions, before, strict=True)):
        if time.monotonic() - started > 60:
            break
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
    args = parser.parse_args()
    with fresh_database(args.pg) as (url, name, admin):
        store = Store(url)
        store.upgrade()
        store.publish(_frames(), user="bench", source="first.xlsx", sha256="first")
        store.dispose()
        port = _free_port()
        env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_POLL_SECONDS": str(args.poll)}
        env["TRACKER_TODAY"] = "2024-10-15"
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        with tempfile.TemporaryFile() as log:
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
