"""The Google Forms responses sheet: one row per response, as Google Sheets exports it.

Timestamps in the Thai locale ("23/11/2566, 14:05:22"); rows mostly in arrival order, with
some directives' histories deliberately swapped (the latest response above the earliest), so
whoever reads them must order by timestamp. ``tracker.dev.sample`` splices the rows in.
"""

from __future__ import annotations

import random
from datetime import datetime

import xlsxwriter

from tracker.dev.sample_common import _Formats, _pick, forms_timestamp
from tracker.dev.sample_directives import UNITS, _Directive
from tracker.schema import STATUS_TH

RESPONSES_SHEET = "การตอบแบบฟอร์ม"
RESPONSE_HEADERS_TH: tuple[str, ...] = (
    "ประทับเวลา",
    "รหัสข้อสั่งการ",
    "หน่วยงาน",
    "สถานะ",
    "รายละเอียดผลการดำเนินการ",
    "ปัญหา/อุปสรรค",
    "ผู้รายงาน",
)


_REPORTERS: tuple[str, ...] = (
    "หัวหน้าฝ่ายปกครอง",
    "หัวหน้าฝ่ายโยธา",
    "หัวหน้าฝ่ายรักษาความสะอาดและสวนสาธารณะ",
    "นักวิเคราะห์นโยบายและแผนชำนาญการ",
    "หัวหน้าฝ่ายการคลัง",
    "เจ้าพนักงานธุรการชำนาญงาน",
    "หัวหน้าฝ่ายเทศกิจ",
)


def _response_rows(rng: random.Random, items: list[_Directive]) -> tuple[list[list[str]], int]:
    """Forms response rows, mostly in arrival order but with some histories deliberately swapped."""
    entries: list[tuple[datetime, int, list[str]]] = []
    multi: list[list[int]] = []
    for d in items:
        if not d.responses:
            continue
        idxs = []
        for ts, status, detail, obstacle in d.responses:
            idxs.append(len(entries))
            status_cell = STATUS_TH[status]
            entries.append(
                (
                    ts,
                    len(entries),
                    [
                        forms_timestamp(ts),
                        d.directive_id,
                        UNITS[d.unit],
                        status_cell,
                        detail,
                        obstacle,
                        _pick(rng, _REPORTERS),
                    ],
                )
            )
        if len(idxs) > 1:
            multi.append(idxs)
    order = sorted(range(len(entries)), key=lambda i: (entries[i][0], i))
    position = {e: p for p, e in enumerate(order)}
    swapped = [m for m in multi if rng.random() < 0.3]
    if multi and not swapped:
        swapped = [multi[0]]
    for idxs in swapped:  # the latest response now sits above the earliest one
        a, b = position[idxs[0]], position[idxs[-1]]
        order[a], order[b] = order[b], order[a]
        position[idxs[0]], position[idxs[-1]] = b, a
    rows = [entries[i][2] for i in order]
    return rows, len(swapped)


def _write_responses(wb: xlsxwriter.Workbook, fm: _Formats) -> None:
    """Header row of the Forms responses sheet; data rows are spliced in later."""
    ws = wb.add_worksheet(RESPONSES_SHEET)
    for c, w in enumerate((22, 14, 26, 24, 50, 30, 30)):
        ws.set_column(c, c, w)
    for c, h in enumerate(RESPONSE_HEADERS_TH):
        ws.write_string(0, c, h, fm.header)
    ws.freeze_panes(1, 0)
