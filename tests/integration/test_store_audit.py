"""Store.audit: events other than publish/rollback (refused writes, roles changes) on both backends."""

from __future__ import annotations

import pytest

from tests.conftest import synthetic_frames


@pytest.mark.parametrize(
    ("action", "user", "message"),
    [
        ("denied", "exec@bma.test", "publish refused: role executive"),
        ("roles_changed", "roles-file", "- user ana@bma.test: analyst"),
        ("x" * 40, "u" * 300, "m" * 3000),  # clipped to the column widths, never an error
    ],
)
def test_audit_event_is_appended(store, action, user, message):
    sid = store.publish(synthetic_frames(3), user="ana", source="a.xlsx", sha256="a" * 64)
    store.audit(action, user=user, message=message)
    log = store.audit_log()
    assert list(log["action"]) == ["publish", action[:32]]
    last = log.iloc[-1]
    assert (last["user"], last["message"]) == (user[:200], message[:2000])
    assert last["sha256"] == "" and last["source"] == "" and last["counts"] == "{}"
    assert store.current_id() == sid  # an audit event moves nothing
