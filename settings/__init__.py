"""Every environment setting of the project, declared and parsed in one place.

The readers (``data_sources``), the domain (``tracker``) and the app (``ui``) all read their
settings through this leaf module (it imports nothing of the project's), so each setting has
one name, one default, one parser and one error. A value that cannot be parsed raises
``SettingError`` naming the setting and the value in Thai and English (the command line exits
2 with it; the app shows it) — never a silent fallback. Values are read from the environment
at each call (cheap), so a test or an admin changing one takes effect without a restart.
The README's settings table documents every name in ``SETTINGS`` (a test checks it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingError(ValueError):
    """A setting whose value cannot be used; Thai and English messages."""

    code = "setting_invalid"

    def __init__(self, name: str, value: str, expected_th: str, expected_en: str) -> None:
        self.name = name
        self.value = value
        self.message_th = f"ค่าตั้ง {name} = “{value[:100]}” ใช้ไม่ได้: ต้องเป็น{expected_th}"
        self.message_en = f"The setting {name} = “{value[:100]}” cannot be used: {expected_en}."
        super().__init__(self.message_en)


@dataclass(frozen=True)
class Setting:
    name: str
    meaning: str  # one line, for the README table
    default: object
    parse: Callable[[str], object]
    expected_th: str
    expected_en: str


def _positive_number(text: str) -> float:
    value = float(text)
    if not value > 0 or value != value or value == float("inf"):
        raise ValueError(text)
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(text)
    return value


def _flag(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(text)


def _base_url(text: str) -> str:
    if not text.lower().startswith(("http://", "https://")) or any(c.isspace() for c in text):
        raise ValueError(text)
    return text.rstrip("/")


def _smtp_security(text: str) -> str:
    low = text.strip().lower()
    if low not in ("starttls", "ssl", "none"):
        raise ValueError(text)
    return low


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise ValueError(text)
    return value


def _poll_seconds(text: str) -> float:
    value = float(text)
    if value != 0 and not 1 <= value <= 3600:  # NaN and inf fail here too
        raise ValueError(text)
    return value


# Per app server, when several serve one PostgreSQL database (README "Deployment").
_SERVER_SETTINGS = (
    Setting(
        "TRACKER_POLL_SECONDS",
        "how often an open page checks for a snapshot published elsewhere (0: never)",
        5.0,
        _poll_seconds,
        "0 หรือจำนวนวินาที 1-3600",
        "0 or a number of seconds 1-3600",
    ),
    Setting(
        "TRACKER_BACKGROUND_SYNC",
        "whether this app server fetches the live sources in the background",
        True,
        _flag,
        "1 หรือ 0",
        "1 or 0",
    ),
    Setting(
        "TRACKER_SEARCH_INDEX",
        "whether the database keeps a trigram index for the Directives search (SQLite FTS5,"
        " PostgreSQL pg_trgm): searches of hundreds of thousands of directives answer at once;"
        " publishing a million directives takes about 35-45 s longer",
        False,
        _flag,
        "1 หรือ 0",
        "1 or 0",
    ),
)

# The mail server of the reminders, when .streamlit/secrets.toml has no [smtp] section.
_SMTP_SETTINGS = (
    Setting("TRACKER_SMTP_HOST", "reminders: the SMTP server", None, str, "ชื่อเครื่อง", "a host"),
    Setting(
        "TRACKER_SMTP_PORT",
        "reminders: the SMTP port",
        None,
        _port,
        "หมายเลขพอร์ต 1-65535",
        "a port number 1-65535",
    ),
    Setting(
        "TRACKER_SMTP_SECURITY",
        "reminders: starttls, ssl or none",
        "starttls",
        _smtp_security,
        "starttls, ssl หรือ none",
        "starttls, ssl or none",
    ),
    Setting("TRACKER_SMTP_USER", "reminders: the SMTP user", None, str, "ชื่อผู้ใช้", "a user"),
    Setting(
        "TRACKER_SMTP_PASSWORD", "reminders: the SMTP password", None, str, "รหัสผ่าน", "a password"
    ),
    Setting("TRACKER_SMTP_FROM", "reminders: the sender address", None, str, "อีเมล", "an address"),
    Setting(
        "TRACKER_REMINDER_ADMINS",
        "reminders: extra addresses (comma-separated) that get each run's summary",
        (),
        lambda text: tuple(a.strip() for a in text.split(",") if a.strip()),
        "อีเมลคั่นด้วยจุลภาค",
        "addresses separated by commas",
    ),
)

# The readers' caps (data_sources): unset, each follows TRACKER_MAX_FILE_MB (see reader_caps), so
# raising the file cap alone admits an ordinary workbook of that size; each can be set alone.
_MB_ABOVE_0 = ("ตัวเลขมากกว่า 0 (เมกะไบต์)", "a number of megabytes above 0")
_INT_ABOVE_0 = ("จำนวนเต็มมากกว่า 0", "a whole number above 0")
_READER_LIMITS = (
    Setting(
        "TRACKER_MAX_UNPACKED_MB",
        "cap on a workbook's unpacked (unzipped) size",
        None,
        _positive_number,
        *_MB_ABOVE_0,
    ),
    Setting(
        "TRACKER_MAX_CSV_ROWS", "cap on the rows of a CSV file", None, _positive_int, *_INT_ABOVE_0
    ),
    Setting(
        "TRACKER_MAX_CSV_COLUMNS",
        "cap on the columns of a CSV file",
        16_384,
        _positive_int,
        *_INT_ABOVE_0,
    ),
    Setting(
        "TRACKER_MAX_CELL_CHARS",
        "cap on the characters of one CSV cell",
        32_767,
        _positive_int,
        *_INT_ABOVE_0,
    ),
    Setting(
        "TRACKER_SANDBOX_MEMORY_MB",
        "address-space cap of the child process that parses a file",
        None,
        _positive_number,
        *_MB_ABOVE_0,
    ),
    Setting(
        "TRACKER_SANDBOX_SECONDS",
        "time cap of the child process that parses a file",
        None,
        _positive_number,
        "ตัวเลขมากกว่า 0 (วินาที)",
        "a number of seconds above 0",
    ),
)

SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "TRACKER_MAX_FILE_MB",
            "size cap of one uploaded or read file (uploads, the command line, live sources)",
            20.0,
            _positive_number,
            "ตัวเลขมากกว่า 0 (เมกะไบต์)",
            "a number of megabytes above 0",
        ),
        Setting(
            "TRACKER_DATABASE_URL",
            "where snapshots live",
            "",
            str,
            "URL ของฐานข้อมูล",
            "a database URL",
        ),
        Setting(
            "TRACKER_DATA_DIR",
            "spreadsheets imported as the first snapshot of an empty database",
            PROJECT_ROOT / "sample_data",
            Path,
            "โฟลเดอร์",
            "a folder",
        ),
        Setting(
            "TRACKER_TODAY",
            'the date used as "today" for aging (demos, tests)',
            None,
            date.fromisoformat,
            "วันที่แบบ ISO เช่น 2024-10-15",
            "an ISO date such as 2024-10-15",
        ),
        Setting(
            "TRACKER_THREADS",
            "threads for column work while reading",
            None,
            _positive_int,
            "จำนวนเต็มมากกว่า 0",
            "a whole number above 0",
        ),
        Setting(
            "TRACKER_SOURCES_FILE",
            "the live sources' settings file",
            PROJECT_ROOT / "sources.toml",
            lambda text: Path(text).expanduser(),
            "ที่อยู่ไฟล์",
            "a file path",
        ),
        Setting(
            "TRACKER_ROLES_FILE",
            "who may do what when sign-in is configured",
            PROJECT_ROOT / "roles.toml",
            lambda text: Path(text).expanduser(),
            "ที่อยู่ไฟล์",
            "a file path",
        ),
        Setting(
            "TRACKER_GSHEETS_API_BASE",
            "the Google Sheets API's address (tests, or a proxy in front of it)",
            None,
            str,
            "URL",
            "a URL",
        ),
        Setting(
            "TRACKER_BASE_URL",
            "the dashboard's address, for the links in reminder e-mails",
            "http://127.0.0.1:8501",
            _base_url,
            "URL แบบ http(s)://",
            "an http(s):// URL",
        ),
        *_SERVER_SETTINGS,
        *_SMTP_SETTINGS,
        *_READER_LIMITS,
        Setting(
            "TRACKER_ALLOW_PRIVATE_SOURCES",
            "lets live sources use private, loopback and link-local addresses (tests only)",
            False,
            _flag,
            "1 หรือ 0",
            "1 or 0",
        ),
    )
}


def get(name: str) -> object:
    """The value of setting ``name`` now: parsed, or its default when unset or blank."""
    setting = SETTINGS[name]
    raw = os.environ.get(name, "")
    if not raw.strip():
        return setting.default
    try:
        return setting.parse(raw.strip())
    except (ValueError, TypeError):
        raise SettingError(name, raw, setting.expected_th, setting.expected_en) from None


def max_file_bytes() -> int:
    """The size cap of one file, in bytes (TRACKER_MAX_FILE_MB)."""
    return int(float(get("TRACKER_MAX_FILE_MB")) * 1024 * 1024)  # type: ignore[arg-type]


def allow_private_sources() -> bool:
    return bool(get("TRACKER_ALLOW_PRIVATE_SOURCES"))


@dataclass(frozen=True)
class ReaderCaps:
    """The readers' caps now; ``setting`` names the setting that moves each (for refusals)."""

    file_bytes: int
    unpacked_bytes: int
    csv_rows: int
    csv_columns: int
    cell_chars: int
    sandbox_memory_bytes: int
    sandbox_seconds: float


_MB = 1024 * 1024


def reader_caps() -> ReaderCaps:
    """Every reader cap, each from its setting or, unset, scaled from TRACKER_MAX_FILE_MB.

    Defaults (file cap F MB, 20 by default): unpacked max(512 MB, 8 x F) (sheets unzip to
    6.5x their zipped size with inline strings); CSV rows max(1,048,576, F MB / 64 bytes, an
    ordinary row); sandbox memory max(4 GB, 16 x F) of address space (a 19 MB workbook maps
    2.7 GB); sandbox time max(60 s, F / 2 s). Columns and cell length default to Excel's own.
    """
    file_mb = float(get("TRACKER_MAX_FILE_MB"))  # type: ignore[arg-type]
    unpacked = get("TRACKER_MAX_UNPACKED_MB")
    rows = get("TRACKER_MAX_CSV_ROWS")
    memory = get("TRACKER_SANDBOX_MEMORY_MB")
    seconds = get("TRACKER_SANDBOX_SECONDS")
    return ReaderCaps(
        file_bytes=int(file_mb * _MB),
        unpacked_bytes=int(
            (float(unpacked) if unpacked is not None else max(512.0, 8 * file_mb)) * _MB  # type: ignore[arg-type]
        ),
        csv_rows=int(rows) if rows is not None else max(1_048_576, int(file_mb * _MB / 64)),  # type: ignore[call-overload]
        csv_columns=int(get("TRACKER_MAX_CSV_COLUMNS")),  # type: ignore[call-overload]
        cell_chars=int(get("TRACKER_MAX_CELL_CHARS")),  # type: ignore[call-overload]
        sandbox_memory_bytes=int(
            (float(memory) if memory is not None else max(4096.0, 16 * file_mb)) * _MB  # type: ignore[arg-type]
        ),
        sandbox_seconds=float(seconds) if seconds is not None else max(60.0, file_mb / 2),  # type: ignore[arg-type]
    )
