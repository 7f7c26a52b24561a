"""How Google Sheets shows a cell in the Thai locale (what the API's get_all_values returns)."""

from __future__ import annotations

import datetime as dt


def displayed(value: object) -> str:
    """A cell as Google Sheets shows it in the Thai locale (what get_all_values returns)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        day = f"{value.day}/{value.month}/{value.year + 543}"
        return day if value.time() == dt.time(0) else f"{day}, {value:%H:%M:%S}"
    if isinstance(value, dt.date):
        return f"{value.day}/{value.month}/{value.year + 543}"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
