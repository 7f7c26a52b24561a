"""Thai data conventions (docs/domain.md §4): digits, amounts, Buddhist-Era dates, fiscal years, text.

Pure functions, no Streamlit. Scalar parsers raise ``ValueError`` for text that is present but
cannot be read and return ``None`` for missing cells (blank or a dash); the ``*_series``
versions never raise: they return the parsed column plus a boolean mask of invalid cells, so
``validate`` can turn each one into an Issue with its row and column.

The package is split by job, and every public name is re-exported here, so callers write
``from tracker import thai; thai.parse_date(...)`` or ``from tracker.thai import parse_date``
without knowing the parts:

- ``text``: text cleaning (Thai digits, invisible and space-like characters, missing cells,
  look-alike spellings, HTML pasted from web forms);
- ``numeric``: numbers and amounts (decimals, percents, KPI levels, whole numbers, half-up
  rounding, disbursement rates);
- ``dates``: month names and scalar date parsing (BE and CE years, times, Excel serials,
  dates inside longer text);
- ``vector``: the vectorised ``*_series`` parsers over pandas and Arrow columns;
- ``fiscal``: BE fiscal years and quarters;
- ``formatting``: display strings for dates, amounts, percents and counts.

The parts import one another directly (never this package), so there is no import cycle.
"""

from __future__ import annotations

from tracker.thai.dates import (
    EN_MONTHS_FULL,
    EN_MONTHS_SHORT,
    TH_MONTHS_FULL,
    TH_MONTHS_SHORT,
    find_date_in_text,
    parse_date,
    parse_datetime,
)
from tracker.thai.fiscal import (
    fiscal_quarter,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_from_text,
    fiscal_year_series,
    normalize_fiscal_year,
)
from tracker.thai.formatting import (
    format_amount,
    format_bangkok,
    format_date,
    format_date_en,
    format_date_th,
    format_datetime,
    format_flag,
    format_int,
    format_pct,
)
from tracker.thai.numeric import (
    parse_decimal,
    parse_int,
    parse_level,
    parse_percent,
    rate_pct,
    round_half_up,
)
from tracker.thai.text import (
    clean_text,
    collapse_spaces,
    html_to_text,
    is_missing,
    normalize_thai,
    shorten,
    to_arabic_digits,
)
from tracker.thai.vector import (
    parse_date_series,
    parse_datetime_series,
    parse_decimal_series,
    parse_int_series,
)

__all__ = [
    "EN_MONTHS_FULL",
    "EN_MONTHS_SHORT",
    "TH_MONTHS_FULL",
    "TH_MONTHS_SHORT",
    "clean_text",
    "collapse_spaces",
    "find_date_in_text",
    "fiscal_quarter",
    "fiscal_year",
    "fiscal_year_bounds",
    "fiscal_year_from_text",
    "fiscal_year_series",
    "format_amount",
    "format_bangkok",
    "format_date",
    "format_date_en",
    "format_date_th",
    "format_datetime",
    "format_flag",
    "format_int",
    "format_pct",
    "html_to_text",
    "is_missing",
    "normalize_fiscal_year",
    "normalize_thai",
    "parse_date",
    "parse_date_series",
    "parse_datetime",
    "parse_datetime_series",
    "parse_decimal",
    "parse_decimal_series",
    "parse_int",
    "parse_int_series",
    "parse_level",
    "parse_percent",
    "rate_pct",
    "round_half_up",
    "shorten",
    "to_arabic_digits",
]
