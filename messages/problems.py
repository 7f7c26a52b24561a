"""The one Issue (a finding about the data) and the one Refusal (something that was not done).

Both carry a registered code (``messages.codes``) and its parameters, never a sentence: the
Thai and English messages are rendered from the catalogues when they are shown. A parameter
that reads differently in each language is a ``Bilingual``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from messages.codes import Code, spec
from messages.i18n import LANGS, t


class Bilingual(NamedTuple):
    """A parameter with a Thai and an English reading (a reason, a place, a list)."""

    th: str
    en: str

    def in_lang(self, lang: str) -> str:
        return self.en if lang == "en" else self.th


Params = tuple[tuple[str, Any], ...]


def freeze(params: Mapping[str, Any]) -> Params:
    """Parameters as a hashable, picklable tuple; {"th": .., "en": ..} becomes a Bilingual."""
    out = []
    for key, value in params.items():
        if isinstance(value, Mapping) and set(value) == set(LANGS):
            value = Bilingual(str(value["th"]), str(value["en"]))
        out.append((key, value))
    return tuple(out)


def render(code: Code, lang: str, params: Params, fields: Mapping[str, Any] | None = None) -> str:
    """The message of ``code`` in ``lang``: catalogue text with its parameters filled."""
    fill = {**(fields or {}), **dict(params)}
    return t(code.key, lang, **{k: _in(v, lang) for k, v in fill.items()})


def _in(value: Any, lang: str) -> Any:
    return value.in_lang(lang) if isinstance(value, Bilingual) else value


class InBothLanguages:
    """``message_th`` and ``message_en`` of anything that renders ``message(lang)``."""

    def message(self, lang: str) -> str:
        raise NotImplementedError

    @property
    def message_th(self) -> str:
        return self.message("th")

    @property
    def message_en(self) -> str:
        return self.message("en")


@dataclass(frozen=True)
class Issue(InBothLanguages):
    """One finding about the input, placed as the user sees it in Excel.

    ``column_key`` is the canonical column (``status``), ``header`` the header text of the
    sheet and ``letter`` its Excel letter; ``column`` shows them as "สถานะ (L)".
    """

    severity: str  # error | warning | info (the registry's, see messages.codes)
    code: str  # a registered code; its messages live in messages/locales as issue.<code>
    file: str = ""
    sheet: str = ""
    row: int | None = None  # Excel row number (1-based) as the user sees it
    column_key: str = ""
    header: str = ""
    letter: str = ""
    value: str = ""
    params: Params = field(default=(), repr=False)

    @property
    def column(self) -> str:
        # A header typed on two lines in its cell ("วันที่\nสั่งการ") is shown on one line.
        header = " ".join(self.header.split())
        if header and self.letter:
            return f"{header} ({self.letter})"
        return header or self.column_key

    def message(self, lang: str) -> str:
        fields = {
            "value": self.value,
            "column": self.column,
            "row": self.row,
            "sheet": self.sheet,
            "file": self.file,
        }
        return render(spec(self.code), lang, self.params, fields)

    def to_dict(self) -> dict[str, Any]:
        """The report's row (ISSUE_COLUMNS), messages rendered in both languages."""
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message_th": self.message_th,
            "message_en": self.message_en,
        }


# Fields every issue message may use without passing them as parameters.
ISSUE_FIELDS = frozenset({"value", "column", "row", "sheet", "file"})


def issue(
    severity: str,
    code: str,
    *,
    file: str = "",
    sheet: str = "",
    row: int | None = None,
    column_key: str = "",
    header: str = "",
    letter: str = "",
    value: object = "",
    **params: Any,
) -> Issue:
    """The one way to build an Issue: the code must be registered with this severity, and every
    parameter its messages name must be given (checked now, rendered only when shown)."""
    if "column" in params:  # one display string cannot be taken apart again
        raise TypeError("give column_key, header and letter, not column")
    declared = spec(code)
    if declared.kind != "issue":
        raise ValueError(f"{code} is a {declared.kind} code, not an issue")
    if declared.severity not in (severity, "any"):
        raise ValueError(f"{code} is registered as {declared.severity}, not {severity}")
    missing = declared.params - ISSUE_FIELDS - set(params)
    if missing:
        raise ValueError(f"{code} needs {sorted(missing)}")
    return Issue(
        severity=severity,
        code=code,
        file=file,
        sheet=sheet,
        row=row,
        column_key=column_key,
        header=header,
        letter=letter,
        value="" if value is None else str(value),
        params=freeze(params),
    )


class Refusal(InBothLanguages, Exception):
    """Something the user asked for was not done (a file not read, a publish not written, a
    settings text not saved); a registered code and its parameters, messages on display."""

    def __init__(self, code: str, /, **params: Any) -> None:
        declared = spec(code)
        if declared.kind != "refusal":
            raise ValueError(f"{code} is an {declared.kind} code, not a refusal")
        missing = declared.params - set(params)
        if missing:
            raise ValueError(f"{code} needs {sorted(missing)}")
        self.code = code
        self.params: Params = freeze(params)
        super().__init__(code)

    def __str__(self) -> str:
        return self.message("en")

    def __reduce__(self) -> tuple[Any, ...]:
        # subclasses take other arguments: rebuild from the state, not from __init__
        return (_rebuild, (type(self), self.__dict__))

    def message(self, lang: str) -> str:
        return render(spec(self.code), lang, self.params)

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_th": self.message_th, "message_en": self.message_en}


def _rebuild(cls: type[Refusal], state: dict[str, Any]) -> Refusal:
    obj = cls.__new__(cls)
    Exception.__init__(obj, state.get("code", ""))
    obj.__dict__.update(state)
    return obj
