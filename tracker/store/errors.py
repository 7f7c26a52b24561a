"""Typed store errors: each a Refusal (messages.problems) with a stable code; their Thai and
English messages live in messages/locales/refusals.*.json and are rendered when shown."""

from __future__ import annotations

from typing import Any

from messages.codes import spec
from messages.i18n import t
from messages.problems import Bilingual, Refusal, render


class StoreError(Refusal):
    """A database problem the user can be told about (never a traceback).

    ``code`` is the class's stable code (tests, the audit log); the registry code its message
    is rendered from (``registered``) is the same except for DuplicateSnapshot's two variants.
    """

    code = "store_error"

    def __init__(self, message_th: str = "", message_en: str = "", *, detail: str = "") -> None:
        params: dict[str, Any] = {}
        if message_th or message_en:  # a caller's own text (the registry's otherwise)
            params["text"] = Bilingual(
                message_th or t("refusal.store_error", "th"),
                message_en or t("refusal.store_error", "en"),
            )
        self._refuse("store_error", detail=detail, **params)

    def _refuse(self, registered: str, *, detail: str = "", **params: Any) -> None:
        Refusal.__init__(self, registered, **params)
        self.registered = registered
        self.code = type(self).code
        self.detail = detail  # driver text for logs; never contains a URL or password

    def message(self, lang: str) -> str:
        text = self.param("text")
        if isinstance(text, Bilingual):
            return text.in_lang(lang)
        return render(spec(self.registered), lang, self.params)


class DuplicateSnapshot(StoreError):
    """The same bytes (sha256) were already published as ``snapshot_id``."""

    code = "duplicate_snapshot"

    def __init__(self, snapshot_id: int, *, current: bool) -> None:
        self.snapshot_id = snapshot_id
        self.current = current
        registered = "duplicate_snapshot" if current else "duplicate_snapshot_old"
        self._refuse(registered, snapshot_id=snapshot_id)


class StoreBusy(StoreError):
    """Another publish (or rollback) holds the write lock."""

    code = "store_busy"

    def __init__(self, *, detail: str = "") -> None:
        self._refuse("store_busy", detail=detail)


class StoreFull(StoreError):
    """The disk or the database size limit is reached; the transaction was rolled back."""

    code = "store_full"

    def __init__(self, *, detail: str = "") -> None:
        self._refuse("store_full", detail=detail)


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened."""

    code = "store_unavailable"

    def __init__(self, where: str = "", *, detail: str = "") -> None:
        self._refuse("store_unavailable", detail=detail, at=f" ({where})" if where else "")


class SnapshotNotFound(StoreError):
    """No snapshot has this id."""

    code = "snapshot_not_found"

    def __init__(self, snapshot_id: int) -> None:
        self.snapshot_id = snapshot_id
        self._refuse("snapshot_not_found", snapshot_id=snapshot_id)


class StalePreview(StoreError):
    """Another publish (or a rollback) made a different snapshot current after the preview."""

    code = "stale_preview"

    def __init__(self, base_id: int | None, current_id: int | None) -> None:
        self.base_id = base_id
        self.current_id = current_id
        self._refuse("stale_preview")


class NothingToPublish(StoreError):
    """The upload changes nothing: every table it carries already holds its rows."""

    code = "nothing_to_publish"

    def __init__(self) -> None:
        self._refuse("nothing_to_publish")
