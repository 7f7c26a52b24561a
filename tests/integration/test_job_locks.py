"""One run of the sync and of the reminders at a time per database (tracker/store/locks.py), on
real SQLite and real PostgreSQL: a second holder is refused, a crashed holder's lock is freed,
and the sync runner and the reminders honour it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from messages.i18n import t
from messages.problems import Refusal
from tracker.live import remind
from tracker.live.sources import Source
from tracker.live.sync import SyncRunner
from tracker.store import Store
from tracker.store.locks import PG_NAMESPACE, REMINDERS_JOB, SYNC_JOB, job_lock

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_holder_is_refused_until_the_first_lets_go(db_url):
    one, two = Store(db_url), Store(db_url)  # two engines: as two servers would
    try:
        with (
            job_lock(one, SYNC_JOB) as first,
            job_lock(two, SYNC_JOB) as second,
            job_lock(two, REMINDERS_JOB) as other_job,
        ):
            assert (first, second, other_job) == (True, False, True)
        with job_lock(two, SYNC_JOB) as again:
            assert again is True
        with pytest.raises(RuntimeError), job_lock(one, SYNC_JOB) as held:
            assert held
            raise RuntimeError("the job failed")
        with job_lock(two, SYNC_JOB) as after_failure:
            assert after_failure is True  # released by the failure too
    finally:
        one.dispose()
        two.dispose()


def test_an_unknown_job_is_a_programming_error(db_url):
    with pytest.raises(ValueError), job_lock(Store(db_url), "backup"):
        pass


HOLDER = textwrap.dedent(
    """
    import sys, time
    from tracker.store import Store
    from tracker.store.locks import job_lock
    with job_lock(Store(sys.argv[1]), "sync") as held:
        print("held" if held else "refused", flush=True)
        time.sleep(60)
    """
)


def test_a_killed_holder_frees_the_lock(db_url):
    """The lock dies with its process (PostgreSQL ends the session; the kernel drops the
    flock), so a crashed server never stops the others syncing."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    store = Store(db_url)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "held"
        with job_lock(store, SYNC_JOB) as held:
            assert held is False
        child.kill()
        child.wait(10)
        deadline = time.monotonic() + 10
        while True:
            with job_lock(store, SYNC_JOB) as held:
                if held:
                    break
            assert time.monotonic() < deadline, "the killed holder's lock was never freed"
            time.sleep(0.1)
    finally:
        child.kill()
        child.wait(10)
        store.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_uses_a_session_advisory_lock_per_schema(pg_admin, db_url):
    store = Store(db_url)
    try:
        with store.engine.connect() as conn:
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
        with job_lock(store, SYNC_JOB) as held:
            assert held
            with pg_admin.connect() as conn:
                granted = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND classid = :ns AND granted"
                    ),
                    {"ns": PG_NAMESPACE},
                ).scalar()
                # the same key from another session is refused; another schema of the same
                # database (another deployment) has a lock of its own
                tries = conn.execute(
                    text(
                        "SELECT pg_try_advisory_lock(:ns, hashtext(:mine)), "
                        "pg_try_advisory_lock(:ns, hashtext(:theirs))"
                    ),
                    {"ns": PG_NAMESPACE, "mine": f"{schema}:sync", "theirs": "elsewhere:sync"},
                ).one()
                conn.execute(text("SELECT pg_advisory_unlock_all()"))
        assert granted >= 1
        assert tuple(tries) == (False, True)
        with pg_admin.connect() as conn:
            left = conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory' AND l.classid = :ns AND a.application_name = :app"
                ),
                {"ns": PG_NAMESPACE, "app": schema},
            ).scalar()
        assert left == 0, "the lock outlived the run"
    finally:
        store.dispose()


def test_the_sync_runner_skips_while_another_process_syncs(store, db_url):
    fetched: list[str] = []

    def fetch(source: Source) -> list:
        fetched.append(source.name)
        return []

    runner = SyncRunner(fetch)
    source = Source(name="ทะเบียน", kind="published_csv", location="https://example.org/x.csv")
    other = Store(db_url)
    try:
        with job_lock(other, SYNC_JOB) as held:
            assert held
            result = runner.run([source], store, force=True)
        assert (result.status, result.ok, fetched) == ("skipped", True, [])
        assert runner.last is result
        assert "sync" in result.message("en").lower() and result.message("th")
        after = runner.run([source], store, force=True)  # the lock is free again: it fetches
        assert after.status != "skipped" and fetched == ["ทะเบียน"]
    finally:
        other.dispose()


def test_a_reminders_run_is_refused_while_another_runs(store, db_url):
    other = Store(db_url)
    try:
        with job_lock(other, REMINDERS_JOB) as held:
            assert held
            with pytest.raises(Refusal) as refused:
                remind.run(store, date(2024, 10, 15), by="test", cfg=None)
            assert refused.value.code == "reminders_busy"
            assert store.reminder_runs().empty  # nothing planned, sent or recorded
            preview = remind.run(store, date(2024, 10, 15), dry_run=True)  # a preview may run
            assert preview.status == "dry_run"
        done = remind.run(store, date(2024, 10, 15), by="test", cfg=None)
        assert done.run_id is not None and len(store.reminder_runs()) == 1
    finally:
        other.dispose()


def test_the_command_line_skips_while_the_app_holds_the_job(
    store, db_url, tmp_path, monkeypatch, capsys
):
    """`tracker sync` and `tracker remind` from cron while an app server runs the job: exit 0,
    nothing fetched or sent, and the reason said in both languages."""
    from tracker import cli

    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[sources]]\nname = "x"\nurl = "https://example.org/x.csv"\nkind = "http"\n', "utf-8"
    )
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.setenv("TRACKER_SOURCES_FILE", str(sources))
    other = Store(db_url)
    try:
        with job_lock(other, SYNC_JOB), job_lock(other, REMINDERS_JOB):
            capsys.readouterr()
            assert cli.main(["sync", "--json"]) == cli.EXIT_OK
            out = json.loads(capsys.readouterr().out)
            assert (out["status"], out["ok"], out["sources"]) == ("skipped", True, [])
            assert cli.main(["remind", "--today", "2024-10-15"]) == cli.EXIT_OK
            err = capsys.readouterr().err
            assert t("servers.reminders_busy", "th") in err
            assert t("servers.reminders_busy", "en") in err
        assert store.reminder_runs().empty
    finally:
        other.dispose()
