"""Message catalogues (messages/locales/[feature.]th.json and en.json: same keys) and lookup."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGS = ("th", "en")
LOCALES_DIR = Path(__file__).resolve().parent / "locales"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """``locales/{lang}.json`` merged with every ``locales/*.{lang}.json`` (one per feature)."""
    folder = LOCALES_DIR
    merged: dict[str, str] = {}
    for path in [folder / f"{lang}.json", *sorted(folder.glob(f"*.{lang}.json"))]:
        with open(path, encoding="utf-8") as fh:
            merged.update(json.load(fh))
    return merged


def t(key: str, lang: str = "th", **kwargs: object) -> str:
    """The message ``key`` in ``lang`` with ``{placeholders}`` filled; the key itself if absent."""
    template = catalogue(lang if lang in LANGS else "th").get(key)
    if template is None:
        template = catalogue("en").get(key, key)
    return template.format(**kwargs) if kwargs else template
