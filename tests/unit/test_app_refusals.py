"""The app's refusals (store, settings files, roles, publish, sync) are built from the registry:
every refusal code has its Thai and English texts with the same parameters, and every refusal
class renders both languages, is a Refusal and survives pickling."""

from __future__ import annotations

import json
import pickle
import string
from pathlib import Path

import pytest

from messages.codes import REFUSALS, spec
from messages.i18n import catalogue
from messages.problems import Bilingual, Refusal
from tracker.admin.roles import RolesFileError
from tracker.admin.settings_files import SettingsRefused
from tracker.live.sync import SyncFailed, SyncResult
from tracker.publish.flow import PublishRefused
from tracker.store.errors import (
    DuplicateSnapshot,
    NothingToPublish,
    SnapshotNotFound,
    StalePreview,
    StoreBusy,
    StoreError,
    StoreFull,
    StoreUnavailable,
)


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_every_refusal_code_has_both_texts_with_the_same_placeholders(code):
    key = spec(code).key
    th, en = catalogue("th").get(key), catalogue("en").get(key)
    assert th and en, (code, key)
    assert _placeholders(th) == _placeholders(en), code


def test_the_refusals_catalogues_have_the_same_keys():
    folder = Path(__file__).resolve().parents[2] / "messages" / "locales"
    th = (folder / "refusals.th.json").read_text(encoding="utf-8")
    en = (folder / "refusals.en.json").read_text(encoding="utf-8")
    assert set(json.loads(th)) == set(json.loads(en))


REFUSALS_BUILT = [
    pytest.param(lambda: StoreError(), "store_error", id="store_error"),
    pytest.param(
        lambda: StoreError("ผิด", "wrong", detail="x"), "store_error", id="store_error_text"
    ),
    pytest.param(lambda: DuplicateSnapshot(4, current=True), "duplicate_snapshot", id="dup"),
    pytest.param(lambda: DuplicateSnapshot(4, current=False), "duplicate_snapshot", id="dup_old"),
    pytest.param(lambda: StoreBusy(detail="lock"), "store_busy", id="busy"),
    pytest.param(lambda: StoreFull(), "store_full", id="full"),
    pytest.param(lambda: StoreUnavailable("db"), "store_unavailable", id="unavailable"),
    pytest.param(lambda: StoreUnavailable(), "store_unavailable", id="unavailable_bare"),
    pytest.param(lambda: SnapshotNotFound(9), "snapshot_not_found", id="not_found"),
    pytest.param(lambda: StalePreview(1, 2), "stale_preview", id="stale"),
    pytest.param(lambda: NothingToPublish(), "nothing_to_publish", id="nothing"),
    pytest.param(
        lambda: SettingsRefused("settings_invalid", problems=[("ผิด", "bad")]),
        "invalid",
        id="settings_invalid",
    ),
    pytest.param(
        lambda: SettingsRefused("settings_secret", problems=[("ลับ", "secret"), ("ก", "b")]),
        "secret",
        id="settings_secret",
    ),
    pytest.param(
        lambda: SettingsRefused("settings_lockout", user="a@b.test"), "lockout", id="lockout"
    ),
    pytest.param(
        lambda: SettingsRefused("settings_conflict", file="roles.toml"), "conflict", id="conflict"
    ),
    pytest.param(
        lambda: SettingsRefused("settings_too_big", size=300_000, limit=262_144),
        "too_big",
        id="too_big",
    ),
    pytest.param(
        lambda: SettingsRefused("settings_unwritable", folder="/x", error="PermissionError"),
        "unwritable",
        id="unwritable",
    ),
    pytest.param(
        lambda: SettingsRefused("settings_no_folder", folder="/nowhere"),
        "unwritable",
        id="no_folder",
    ),
    pytest.param(
        lambda: RolesFileError(Path("roles.toml"), ["TOML: bad", "x: ซ้ำ / listed twice"]),
        "roles_file",
        id="roles_file",
    ),
    pytest.param(lambda: PublishRefused("no_files"), "no_files", id="publish_no_files"),
    pytest.param(lambda: PublishRefused("has_errors", n=3), "has_errors", id="publish_errors"),
    pytest.param(lambda: PublishRefused("unreadable", files=2), "unreadable", id="unreadable"),
    pytest.param(lambda: PublishRefused("stale_preview"), "stale_preview", id="publish_stale"),
    pytest.param(lambda: SyncFailed("no_sources"), "no_sources", id="sync_no_sources"),
    pytest.param(lambda: SyncFailed("source", names="“a”", n=1), "source", id="sync_source"),
    pytest.param(lambda: SyncFailed("invalid", n=2), "invalid", id="sync_invalid"),
    pytest.param(lambda: SyncFailed("no_rows"), "no_rows", id="sync_no_rows"),
    pytest.param(
        lambda: SyncFailed("store", reason=Bilingual("ฐานข้อมูลเต็ม", "full")),
        "store",
        id="sync_store",
    ),
    pytest.param(lambda: SyncFailed("internal"), "internal", id="sync_internal"),
]


@pytest.mark.parametrize(("build", "code"), REFUSALS_BUILT)
def test_each_refusal_renders_both_languages_and_pickles(build, code):
    refusal = build()
    assert isinstance(refusal, Refusal)
    assert refusal.code == code
    th, en = refusal.message_th, refusal.message_en
    assert th.strip() and en.strip()
    assert "{" not in th + en  # every placeholder filled
    assert refusal.message("th") == th and refusal.message("en") == en
    assert str(refusal) == en
    assert refusal.to_dict() == {"code": code, "message_th": th, "message_en": en}
    back = pickle.loads(pickle.dumps(refusal))
    assert type(back) is type(refusal)
    assert (back.code, back.message_th, back.message_en) == (code, th, en)
    assert back.__dict__ == refusal.__dict__


def test_store_errors_keep_their_attributes_and_texts():
    dup = DuplicateSnapshot(7, current=False)
    assert (dup.snapshot_id, dup.current, dup.detail) == (7, False, "")
    assert "#7" in dup.message_th and "roll back to it" in dup.message_en
    assert "current one;" in DuplicateSnapshot(7, current=True).message_en
    assert StoreUnavailable("db.example").message_en.startswith(
        "Cannot reach the database (db.example);"
    )
    assert StoreUnavailable().message_en.startswith("Cannot reach the database;")
    stale = StalePreview(1, 2)
    assert (stale.base_id, stale.current_id) == (1, 2)
    assert StoreBusy(detail="lock").detail == "lock"
    assert StoreError().message_en == "Database error; nothing new was saved."
    own = StoreError("ข้อความ", "text")
    assert (own.message_th, own.message_en, own.code) == ("ข้อความ", "text", "store_error")
    assert isinstance(DuplicateSnapshot(1, current=True), StoreError)


def test_settings_refusals_keep_their_problem_lines():
    big = SettingsRefused("settings_too_big", size=300_000, limit=262_144)
    assert big.problems_en == ["the text is too big (300,000 bytes, limit 262,144)"]
    assert big.problems_th == ["ไฟล์ใหญ่เกินไป (300,000 ไบต์ เกิน 262,144)"]
    invalid = SettingsRefused("settings_invalid", problems=[("ก", "a"), ("ข", "b")])
    assert (invalid.problems_th, invalid.problems_en) == (["ก", "ข"], ["a", "b"])
    assert invalid.message_en == "a; b"
    roles = RolesFileError(Path("/x/roles.toml"), ["one", "two"])
    assert (roles.path, roles.problems) == (Path("/x/roles.toml"), ["one", "two"])
    assert (
        roles.message_en
        == "The roles file roles.toml cannot be used, so nobody can sign in: one; two"
    )


def test_a_failed_sync_carries_its_refusal():
    result = SyncResult("failed", refusal=SyncFailed("invalid", n=2))
    assert result.code == "invalid" and not result.ok
    assert result.message("en") == result.message_en == result.refusal.message_en
    assert result.to_dict()["error"] == result.refusal.to_dict()
    done = SyncResult("published", snapshot_id=5)
    assert (done.code, done.to_dict()["error"]) == ("", None)
    assert "#5" in done.message_th and "#5" in done.message_en
