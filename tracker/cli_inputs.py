"""How the command line is told to read a register: the options shared by validate, summary
and import (a fiscal year for a register that gives none, header mappings)."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from tracker import thai
from tracker.read.headers import parse_mapping

EXIT_UNREADABLE = 2


def fiscal_year_arg(text: str) -> int:
    """--fiscal-year: a Buddhist-Era year (2567), or a Gregorian one (2024) or two digits."""
    try:
        return thai.normalize_fiscal_year(int(thai.to_arabic_digits(text.strip())))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ปีงบประมาณไม่ถูกต้อง / not a fiscal year: {text!r}"
        ) from None


def add_reading_options(parser: argparse.ArgumentParser) -> None:
    """--fiscal-year, --map and --mappings on a command that reads registers."""
    parser.add_argument(
        "--fiscal-year",
        type=fiscal_year_arg,
        metavar="YEAR",
        help="the fiscal year (BE, e.g. 2567) of a register that has no fiscal-year column and "
        "whose dates, title lines and file name do not give it",
    )
    parser.add_argument(
        "--map",
        action="append",
        metavar="HEADER=FIELD",
        help='read the column headed HEADER as FIELD (e.g. --map "เรื่อง=text"); repeatable',
    )
    parser.add_argument(
        "--mappings",
        metavar="FILE",
        help='a TOML file whose [columns] table maps headers to fields ("เรื่อง" = "text")',
    )


def _say(message_th: str, message_en: str) -> None:
    sys.stderr.write(f"{message_th}\n{message_en}\n")


def mapping_of(args: argparse.Namespace) -> dict[str, str] | None:
    """The header mapping of --map "หัวคอลัมน์=field" pairs and a --mappings TOML file
    (``[columns]`` table of "header" = "field"); SystemExit 2 with the reason when unusable."""
    pairs = list(getattr(args, "map", None) or [])
    path = getattr(args, "mappings", None)
    if path:
        try:
            table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("columns", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            _say(f"อ่านไฟล์จับคู่คอลัมน์ไม่ได้: {exc}", f"Cannot read the mappings file: {exc}")
            raise SystemExit(EXIT_UNREADABLE) from None
        pairs += [f"{header}={field}" for header, field in table.items()]
    if not pairs:
        return None
    try:
        return parse_mapping(pairs)
    except ValueError as exc:
        _say(
            f"การจับคู่คอลัมน์ไม่ถูกต้อง: “{exc}” (รูปแบบ หัวคอลัมน์=ชื่อช่อง เช่น เรื่อง=text)",
            f"Not a column mapping: “{exc}” (use header=field, e.g. เรื่อง=text)",
        )
        raise SystemExit(EXIT_UNREADABLE) from None
