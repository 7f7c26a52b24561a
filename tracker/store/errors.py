"""Typed store errors: each carries a stable code and a Thai and an English message."""

from __future__ import annotations


class StoreError(Exception):
    """A database problem the user can be told about (never a traceback)."""

    code = "store_error"

    def __init__(self, message_th: str = "", message_en: str = "", *, detail: str = "") -> None:
        self.message_th = message_th or "เกิดข้อผิดพลาดของฐานข้อมูล ไม่ได้บันทึกข้อมูลใหม่"
        self.message_en = message_en or "Database error; nothing new was saved."
        self.detail = detail  # driver text for logs; never contains a URL or password
        super().__init__(self.message_en)


class DuplicateSnapshot(StoreError):
    """The same bytes (sha256) were already published as ``snapshot_id``."""

    code = "duplicate_snapshot"

    def __init__(self, snapshot_id: int, *, current: bool) -> None:
        self.snapshot_id = snapshot_id
        self.current = current
        if current:
            th = f"ไฟล์นี้เผยแพร่แล้วเป็นสแนปช็อต #{snapshot_id} ซึ่งเป็นข้อมูลปัจจุบันอยู่แล้ว จึงไม่เผยแพร่ซ้ำ"
            en = (
                f"This file was already published as snapshot #{snapshot_id}, which is the "
                "current one; nothing was published."
            )
        else:
            th = (
                f"ไฟล์นี้เคยเผยแพร่แล้วเป็นสแนปช็อต #{snapshot_id} (ไม่ใช่ข้อมูลปัจจุบัน "
                "หากต้องการใช้ ให้ย้อนกลับไปยังสแนปช็อตนั้น) จึงไม่เผยแพร่ซ้ำ"
            )
            en = (
                f"This file was already published as snapshot #{snapshot_id} (not the current "
                "one; roll back to it to make it current); nothing was published."
            )
        super().__init__(th, en)


class StoreBusy(StoreError):
    """Another publish (or rollback) holds the write lock."""

    code = "store_busy"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "มีเจ้าหน้าที่คนอื่นกำลังเผยแพร่ข้อมูลอยู่ กรุณาลองใหม่อีกครั้ง (ยังไม่ได้บันทึกข้อมูลใด ๆ)",
            "Another analyst is publishing right now; please try again in a moment. "
            "Nothing was written.",
            detail=detail,
        )


class StoreFull(StoreError):
    """The disk or the database size limit is reached; the transaction was rolled back."""

    code = "store_full"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "พื้นที่จัดเก็บฐานข้อมูลเต็ม ไม่ได้บันทึกข้อมูลใหม่ ข้อมูลที่เผยแพร่แล้วยังอยู่ครบ กรุณาแจ้งผู้ดูแลระบบ",
            "The database storage is full; nothing new was saved and the published data is "
            "intact. Please tell the administrator.",
            detail=detail,
        )


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened."""

    code = "store_unavailable"

    def __init__(self, where: str = "", *, detail: str = "") -> None:
        at_th = f" ({where})" if where else ""
        super().__init__(
            f"ไม่สามารถเชื่อมต่อฐานข้อมูลได้{at_th} ไม่ได้บันทึกข้อมูลใหม่ กรุณาลองใหม่ภายหลังหรือแจ้งผู้ดูแลระบบ",
            f"Cannot reach the database{at_th}; nothing was saved. "
            "Try again later or tell the administrator.",
            detail=detail,
        )


class SnapshotNotFound(StoreError):
    """No snapshot has this id."""

    code = "snapshot_not_found"

    def __init__(self, snapshot_id: int) -> None:
        self.snapshot_id = snapshot_id
        super().__init__(
            f"ไม่พบสแนปช็อต #{snapshot_id}",
            f"Snapshot #{snapshot_id} does not exist.",
        )


class StalePreview(StoreError):
    """Another publish (or a rollback) made a different snapshot current after the preview."""

    code = "stale_preview"

    def __init__(self, base_id: int | None, current_id: int | None) -> None:
        self.base_id = base_id
        self.current_id = current_id
        super().__init__(
            "มีผู้เผยแพร่ข้อมูลใหม่หลังจากที่คุณดูตัวอย่าง กรุณาตรวจดูสิ่งที่จะเปลี่ยนแปลงอีกครั้งก่อนเผยแพร่ "
            "(ยังไม่ได้บันทึกข้อมูลใด ๆ)",
            "Someone published new data after your preview: check what will change again "
            "before publishing. Nothing was written.",
        )


class NothingToPublish(StoreError):
    """The upload changes nothing: every table it carries already holds its rows."""

    code = "nothing_to_publish"

    def __init__(self) -> None:
        super().__init__(
            "ข้อมูลในไฟล์ตรงกับข้อมูลปัจจุบันทุกรายการ จึงไม่มีสิ่งใดต้องเผยแพร่",
            "The file holds nothing the current data does not already hold; nothing was published.",
        )
