"""Message catalogues (tracker/locales/th.json, en.json: same keys) and lookup."""

from __future__ import annotations

import json
from functools import cache

from tracker import PACKAGE_DIR

LANGS = ("th", "en")


@cache
def catalogue(lang: str) -> dict[str, str]:
    with open(PACKAGE_DIR / "locales" / f"{lang}.json", encoding="utf-8") as fh:
        return json.load(fh)


def t(key: str, lang: str = "th", **kwargs: object) -> str:
    """The message ``key`` in ``lang`` with ``{placeholders}`` filled; the key itself if absent."""
    template = catalogue(lang if lang in LANGS else "th").get(key)
    if template is None:
        template = catalogue("en").get(key, key)
    return template.format(**kwargs) if kwargs else template
