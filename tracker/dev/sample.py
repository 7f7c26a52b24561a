"""Deterministic sample workbooks typed the way the office types them (demos, tests, benchmarks).

One workbook holds the directive register, the Google Forms responses, KPI progress reports
(one sheet per unit and period) and budget disbursement tables (one sheet per as-of date).
Everything comes from ``random.Random(seed)`` and fixed reference dates, so the same seed gives
the same workbook bytes and the same summary.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from tracker import DATA_DIR
from tracker.schema import (
    DEFAULT_GROUPS_TH,
    FACTOR_SHORT_TH,
    FACTOR_TH,
    FACTORS,
    STATUS_TH,
    STATUSES,
)

_T = TypeVar("_T")

# --- fixed reference points ------------------------------------------------------------------
AS_OF = date(2024, 9, 30)  # the sample's "today": end of FY 2567
FISCAL_YEARS: tuple[int, ...] = (2566, 2567)
ROUNDS: tuple[int, ...] = (1, 2)
SHAPES: tuple[str, ...] = ("both", "one_sheet", "forms")
_CREATED = datetime(2024, 9, 30, 9, 0, 0)  # workbook metadata, fixed for reproducible bytes

# --- sheet names and headers -----------------------------------------------------------------
REGISTER_SHEET = "ทะเบียนข้อสั่งการ"
RESPONSES_SHEET = "การตอบแบบฟอร์ม"
REGISTER_TITLE = "ทะเบียนข้อสั่งการและข้อเสนอแนะของผู้ตรวจราชการกรุงเทพมหานคร"
REGISTER_SUBTITLE = "ปีงบประมาณ พ.ศ. ๒๕๖๖ - ๒๕๖๗"
REGISTER_HEADERS: tuple[str, ...] = (
    "รหัสข้อสั่งการ",
    "ปีงบประมาณ",
    "รอบที่",
    "ผู้สั่งการ",
    "วันที่สั่งการ",
    "กำหนดแล้วเสร็จ",
    "หน่วยรับตรวจ",
    "ข้อสั่งการ/ข้อเสนอแนะ",
    "ประเภทข้อสั่งการ",
    "ปัจจัยผลกระทบ",
    "สถานะ",
    "รายละเอียดผลการดำเนินการ",
    "ปัญหา/อุปสรรค",
)
REGISTER_HEADER_ROW = 2  # 0-based: two title rows above
RESPONSE_HEADERS_TH: tuple[str, ...] = (
    "ประทับเวลา",
    "รหัสข้อสั่งการ",
    "หน่วยงาน",
    "สถานะ",
    "รายละเอียดผลการดำเนินการ",
    "ปัญหา/อุปสรรค",
    "ผู้รายงาน",
)
KPI_HEADERS_TH: tuple[str, ...] = (
    "ตัวชี้วัด",
    "ค่าเป้าหมาย",
    "ระดับความสำเร็จตามตัวชี้วัด",
    "รายละเอียดผลการดำเนินงานตามตัวชี้วัด",
    "โครงการ/กิจกรรมสนับสนุน",
    "หลักฐานอ้างอิง",
    "ปัญหา/อุปสรรค",
)
BUDGET_UNIT_HEADER = "หน่วยงาน"
BUDGET_TYPE_HEADER = "ประเภทงบประมาณ"
BUDGET_ALLOCATED_HEADER = "งบประมาณหลังปรับโอน"
BUDGET_DISBURSED_HEADER = "ผลการเบิกจ่าย"
BUDGET_RATE_HEADER = "ร้อยละการเบิกจ่าย"
BUDGET_OBSTACLE_HEADER = "ปัญหา/อุปสรรคในการดำเนินงาน"

ISSUERS: tuple[str, ...] = ("ปลัดกรุงเทพมหานคร", "ผู้ตรวจราชการกรุงเทพมหานคร")

# --- Thai text helpers -----------------------------------------------------------------------
_TH_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
MONTHS_FULL_TH: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_SHORT_TH: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip


def th_digits(value: object) -> str:
    """Render ``value`` with Thai digits (as the office often types numbers)."""
    return str(value).translate(_TH_DIGITS)


def _be(d: date) -> int:
    return d.year + 543


def _date_short_th(d: date) -> str:
    """'๒๓ พ.ย. ๖๖' (Thai digits, short month, two-digit BE year)."""
    return th_digits(f"{d.day} {MONTHS_SHORT_TH[d.month - 1]} {_be(d) % 100:02d}")


def _date_numeric_be(d: date) -> str:
    """'23/11/2566'."""
    return f"{d.day:02d}/{d.month:02d}/{_be(d)}"


def _date_full_th(d: date) -> str:
    """'15 มกราคม 2567'."""
    return f"{d.day} {MONTHS_FULL_TH[d.month - 1]} {_be(d)}"


def forms_timestamp(ts: datetime) -> str:
    """Google Sheets timestamp in the Thai locale: '23/11/2566, 14:05:22'."""
    return f"{ts.day}/{ts.month}/{ts.year + 543}, {ts.hour}:{ts.minute:02d}:{ts.second:02d}"


def fy_start(fy_be: int) -> date:
    """First day (1 October) of Buddhist-Era fiscal year ``fy_be``."""
    return date(fy_be - 543 - 1, 10, 1)


def _rate(disbursed: Decimal, allocated: Decimal) -> Decimal:
    """Disbursement rate in percent, half-up to 2 decimals."""
    if allocated == 0:
        return Decimal("0.00")
    return (disbursed * 100 / allocated).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def canonical_agency(name: str) -> str:
    """Trim and collapse spaces, and join 'สำนักงานเขต  บางนา' into 'สำนักงานเขตบางนา'."""
    s = " ".join(name.split())
    if s.startswith("สำนักงานเขต "):
        s = "สำนักงานเขต" + s[len("สำนักงานเขต ") :]
    return s


# --- inspected units -------------------------------------------------------------------------
# 24 district offices, four from each of the six zones (13 of them are named in the seed).
DISTRICT_NAMES: tuple[str, ...] = (
    "พระนคร", "ดุสิต", "ป้อมปราบศัตรูพ่าย", "สัมพันธวงศ์",  # กรุงเทพกลาง
    "บางนา", "บางคอแหลม", "ประเวศ", "คลองเตย",  # กรุงเทพใต้
    "บางซื่อ", "ลาดพร้าว", "ดอนเมือง", "จตุจักร",  # กรุงเทพเหนือ
    "บางกะปิ", "มีนบุรี", "ลาดกระบัง", "หนองจอก",  # กรุงเทพตะวันออก
    "คลองสาน", "ธนบุรี", "บางกอกน้อย", "ตลิ่งชัน",  # กรุงธนเหนือ
    "บางขุนเทียน", "จอมทอง", "ภาษีเจริญ", "บางแค",  # กรุงธนใต้
)  # fmt: skip
DEPARTMENTS: tuple[str, ...] = (
    "สำนักการโยธา",
    "สำนักการระบายน้ำ",
    "สำนักสิ่งแวดล้อม",
    "สำนักเทศกิจ",
    "สำนักการคลัง",
    "สำนักงานยุทธศาสตร์และประเมินผล",
    "สำนักการแพทย์",
)
UNITS: tuple[str, ...] = tuple(f"สำนักงานเขต{n}" for n in DISTRICT_NAMES) + DEPARTMENTS


def district_zones() -> dict[str, str]:
    """District Thai name -> zone (กลุ่มเขต) from the bundled districts CSV."""
    with (DATA_DIR / "bangkok_districts.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {r["name_th"]: r["zone_th"] for r in csv.DictReader(fh)}


# --- directive text fragments (by group, same order as DEFAULT_GROUPS_TH) ---------------------
_SUBJECTS: tuple[tuple[str, ...], ...] = (
    (
        "การจัดทำแผนปฏิบัติราชการประจำปีให้สอดคล้องกับนโยบายผู้ว่าราชการกรุงเทพมหานคร",
        "การติดตามผลการดำเนินงานตามแผนปฏิบัติราชการเป็นรายไตรมาส",
        "การมอบหมายผู้รับผิดชอบตัวชี้วัดให้ชัดเจน",
        "การบริหารความเสี่ยงและการควบคุมภายในของหน่วยงาน",
    ),
    (
        "การสรรหาบุคลากรทดแทนตำแหน่งที่ว่าง",
        "การพัฒนาทักษะของเจ้าหน้าที่ผู้ปฏิบัติงานด่านหน้า",
        "การจัดอัตรากำลังให้เหมาะสมกับปริมาณงาน",
        "การประเมินผลการปฏิบัติงานของเจ้าหน้าที่อย่างเป็นธรรม",
    ),
    (
        "การเบิกจ่ายงบประมาณให้เป็นไปตามเป้าหมาย",
        "การจัดเก็บภาษีที่ดินและสิ่งปลูกสร้าง",
        "การจัดเก็บค่าธรรมเนียมเก็บขนมูลฝอย",
        "การตรวจสอบทะเบียนทรัพย์สินและพัสดุประจำปี",
    ),
    (
        "การแก้ไขเรื่องร้องเรียนผ่านระบบ Traffy Fondue",
        "การลดระยะเวลาการให้บริการประชาชน ณ ฝ่ายทะเบียน",
        "การประชาสัมพันธ์ช่องทางการให้บริการแก่ประชาชน",
        "การสำรวจความพึงพอใจของผู้รับบริการ",
    ),
    (
        "การจัดเก็บขยะมูลฝอยในพื้นที่ชุมชน",
        "การคัดแยกขยะต้นทางในสำนักงานและชุมชน",
        "การดูแลความสะอาดคูคลองและที่สาธารณะ",
        "การควบคุมฝุ่นละออง PM2.5 จากสถานที่ก่อสร้าง",
    ),
    (
        "การลอกท่อระบายน้ำและขุดลอกคูคลองก่อนฤดูฝน",
        "การซ่อมแซมผิวจราจรและทางเท้าที่ชำรุด",
        "การแก้ไขจุดเสี่ยงน้ำท่วมขัง",
        "การตรวจสอบอาคารที่ก่อสร้างโดยไม่ได้รับอนุญาต",
    ),
    (
        "การจัดระเบียบหาบเร่-แผงลอยในจุดผ่อนผัน",
        "การคืนพื้นที่ทางเท้าให้ประชาชน",
        "การกวดขันการจอดรถบนทางเท้า",
        "การจัดทำทะเบียนผู้ค้าในพื้นที่ทำการค้า",
    ),
    (
        "การตรวจสอบความพร้อมของอุปกรณ์ดับเพลิงในชุมชน",
        "การติดตั้งและซ่อมแซมไฟฟ้าส่องสว่างในจุดเสี่ยง",
        "การซ้อมแผนป้องกันและบรรเทาสาธารณภัย",
        "การตรวจสอบกล้องโทรทัศน์วงจรปิดให้ใช้งานได้",
    ),
    (
        "การปรับปรุงฐานข้อมูลของหน่วยงานให้เป็นปัจจุบัน",
        "การใช้ระบบสารบรรณอิเล็กทรอนิกส์แทนเอกสารกระดาษ",
        "การเปิดเผยข้อมูลสาธารณะบนเว็บไซต์ของหน่วยงาน",
        "การจัดหาอุปกรณ์คอมพิวเตอร์ทดแทนเครื่องที่หมดอายุ",
    ),
    (
        "การปฏิบัติตามระเบียบว่าด้วยการพัสดุ",
        "การแก้ไขข้อทักท้วงของสำนักงานตรวจสอบภายใน",
        "การทบทวนคำสั่งมอบอำนาจให้เป็นปัจจุบัน",
        "การดำเนินการทางวินัยให้แล้วเสร็จตามกำหนด",
    ),
)
_ACTIONS: tuple[str, ...] = (
    "ให้เร่งรัด",
    "ให้จัดทำแผนเพื่อปรับปรุง",
    "ให้ตรวจสอบและกำกับดูแล",
    "ให้ติดตามและรายงาน",
    "ให้ทบทวนแนวทาง",
    "ให้ประสานหน่วยงานที่เกี่ยวข้องเพื่อแก้ไขปัญหา",
    "ให้กำชับเจ้าหน้าที่เกี่ยวกับ",
)
_CLOSERS: tuple[str, ...] = (
    " ให้แล้วเสร็จภายในกำหนด",
    " และรายงานผลการดำเนินการให้ผู้ตรวจราชการทราบ",
    " โดยคำนึงถึงประโยชน์ของประชาชนเป็นสำคัญ",
    " อย่างต่อเนื่อง",
    " ให้เป็นไปตามระเบียบกรุงเทพมหานคร",
    "",
)
_DONE_METHODS: tuple[str, ...] = (
    "จัดประชุมชี้แจงเจ้าหน้าที่ผู้เกี่ยวข้องและกำชับให้ถือปฏิบัติ",
    "ออกคำสั่งมอบหมายผู้รับผิดชอบและติดตามผลเป็นรายสัปดาห์",
    "ปรับปรุงขั้นตอนการปฏิบัติงานและจัดทำคู่มือให้เจ้าหน้าที่",
    "ลงพื้นที่ตรวจสอบและแก้ไขปัญหาร่วมกับชุมชน",
    "จัดทำแผนปฏิบัติการและดำเนินการครบถ้วนตามแผน",
    "ประสานหน่วยงานที่เกี่ยวข้องและแก้ไขเรียบร้อยแล้ว",
)
_PROGRESS_STEPS: tuple[str, ...] = (
    "อยู่ระหว่างจัดทำแผนปฏิบัติการ",
    "อยู่ระหว่างดำเนินการจัดซื้อจัดจ้าง",
    "อยู่ระหว่างประสานหน่วยงานที่เกี่ยวข้อง",
    "ดำเนินการแล้วร้อยละ {pct}",
    "อยู่ระหว่างรอการอนุมัติโครงการ",
    "อยู่ระหว่างสำรวจพื้นที่และรวบรวมข้อมูล",
)
_CANNOT_REASONS: tuple[str, ...] = (
    "ติดขัดข้อกฎหมายเรื่องกรรมสิทธิ์ที่ดิน",
    "ไม่ได้รับการจัดสรรงบประมาณ",
    "อยู่นอกอำนาจหน้าที่ของหน่วยงาน ต้องประสานหน่วยงานภายนอก",
    "ระเบียบที่เกี่ยวข้องไม่เปิดช่องให้ดำเนินการได้",
    "ขาดแคลนบุคลากรที่มีความเชี่ยวชาญเฉพาะด้าน",
)
_OBSTACLES: tuple[str, ...] = (
    "งบประมาณไม่เพียงพอ",
    "อัตรากำลังไม่เพียงพอต่อปริมาณงาน",
    "ขั้นตอนการจัดซื้อจัดจ้างใช้ระยะเวลานาน",
    "ระบบสารสนเทศไม่รองรับการทำงาน",
    "ต้องรอความเห็นจากสำนักกฎหมาย",
    "สภาพอากาศไม่เอื้ออำนวย (ฤดูฝน)",
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


# Fast draws (random.Random.choice/randint/choices cost ~1 µs each; 100,000 rows need millions).
def _pick(rng: random.Random, seq: Sequence[_T]) -> _T:
    return seq[int(rng.random() * len(seq))]


def _between(rng: random.Random, lo: int, hi: int) -> int:
    """Integer in [lo, hi]."""
    return lo + int(rng.random() * (hi - lo + 1))


def _weighted(rng: random.Random, items: Sequence[_T], cum: Sequence[float]) -> _T:
    """Draw from ``items`` with cumulative weights ``cum``."""
    return items[bisect_right(cum, rng.random() * cum[-1])]


def _cum(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


def _subset(rng: random.Random, n: int, k: int) -> tuple[int, ...]:
    """k distinct integers of range(n), sorted."""
    pool = list(range(n))
    for i in range(k):
        j = i + int(rng.random() * (n - i))
        pool[i], pool[j] = pool[j], pool[i]
    return tuple(sorted(pool[:k]))


# --- directive generation ----------------------------------------------------------------------
@dataclass(slots=True)
class _Directive:
    directive_id: str
    fiscal_year: int
    round: int
    unit: int  # index into UNITS
    issued: date
    due: date
    issued_by: str
    group: int
    factors: tuple[int, ...]
    text: str
    status: str  # final (effective) status
    via_forms: bool
    silent: bool = False
    responses: list[tuple[datetime, str, str, str]] = field(default_factory=list)


def _directive_text(rng: random.Random, group: int) -> str:
    return _pick(rng, _ACTIONS) + _pick(rng, _SUBJECTS[group]) + _pick(rng, _CLOSERS)


def _detail(rng: random.Random, status: str, when: date) -> tuple[str, str]:
    """(detail, obstacle) text for a reported status."""
    if status == "done":
        detail = f"ดำเนินการแล้วเสร็จ โดย{_pick(rng, _DONE_METHODS)} เมื่อวันที่ {_date_short_th(when)}"
        obstacle = "-" if rng.random() < 0.85 else _pick(rng, _OBSTACLES)
    elif status == "in_progress":
        step = _pick(rng, _PROGRESS_STEPS).format(pct=th_digits(_pick(rng, (30, 40, 50, 60, 80))))
        target = when + timedelta(days=_between(rng, 30, 120))
        detail = f"{step} คาดว่าจะแล้วเสร็จภายในเดือน{MONTHS_FULL_TH[target.month - 1]} {_be(target)}"
        obstacle = "-" if rng.random() < 0.5 else _pick(rng, _OBSTACLES)
    else:  # cannot
        reason = _pick(rng, _CANNOT_REASONS)
        detail = f"ไม่สามารถดำเนินการได้ เนื่องจาก{reason}"
        obstacle = reason
    return detail, obstacle


def _pick_status(rng: random.Random, weights: Sequence[float]) -> str:
    return _weighted(rng, STATUSES, weights)


_W_REGISTER = _cum((0.55, 0.22, 0.08, 0.15))  # FY 2566 (older: mostly done)
_CUM_FACTOR_COUNT = _cum((0.15, 0.45, 0.3, 0.1))
_CUM_N_RESPONSES = _cum((0.6, 0.3, 0.1))
_CUM_DATE_STYLE = _cum((0.5, 0.2, 0.15, 0.15))
_W_FORMS = _cum((0.42, 0.33, 0.09, 0.16))  # FY 2567 (no response = not reported)


def _generate(n: int, seed: int, shape: str) -> list[_Directive]:
    """All directives with their final status and (for the Forms shape) their responses."""
    if n < 1:
        raise ValueError("directives must be at least 1 / จำนวนข้อสั่งการต้องมีอย่างน้อย 1")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES} / รูปแบบต้องเป็นหนึ่งใน {SHAPES}")
    rng = random.Random(seed)
    n_units = len(UNITS)
    # Units: every unit first (as long as n allows), then weighted draws (districts busier).
    unit_cum = _cum([3 if i < len(DISTRICT_NAMES) else 2 for i in range(n_units)])
    raw: list[tuple[int, int, int]] = []  # (fy, round, unit)
    for i in range(n):
        unit = i if i < n_units else _weighted(rng, range(n_units), unit_cum)
        fy = FISCAL_YEARS[i % 2] if i < 2 * n_units else _pick(rng, FISCAL_YEARS)
        rnd = _pick(rng, ROUNDS)
        raw.append((fy, rnd, unit))
    raw.sort()

    # Silent units: some units have not reported at all for some (fiscal year, round).
    present: dict[tuple[int, int], list[int]] = {}
    for fy, rnd, unit in raw:
        units_here = present.setdefault((fy, rnd), [])
        if not units_here or units_here[-1] != unit:
            units_here.append(unit)
    silent: set[tuple[int, int, int]] = set()
    for (fy, rnd), units_here in sorted(present.items()):
        if len(units_here) >= 4:
            k = 2 if rnd == 2 else 1
            for unit in rng.sample(units_here, k):
                silent.add((fy, rnd, unit))

    out: list[_Directive] = []
    seq: Counter[tuple[int, int]] = Counter()
    days = [timedelta(days=i) for i in range(400)]
    starts = {(fy, rnd): fy_start(fy) + days[0 if rnd == 1 else 182] for fy, rnd in present}
    rand = rng.random
    n_groups = len(DEFAULT_GROUPS_TH)
    for fy, rnd, unit in raw:
        key = (fy, rnd)
        seq[key] += 1
        issued = starts[key] + days[int(rand() * 121)]
        due = issued + days[30 + int(rand() * 151)]
        group = int(rand() * n_groups)
        k = _weighted(rng, (0, 1, 2, 3), _CUM_FACTOR_COUNT)
        factors = _subset(rng, len(FACTORS), k) if k else ()
        via_forms = shape == "forms" or (shape == "both" and fy == 2567)
        is_silent = (fy, rnd, unit) in silent
        if is_silent:
            status = "not_reported"
        else:
            status = _pick_status(rng, _W_FORMS if via_forms else _W_REGISTER)
        out.append(
            _Directive(
                f"{fy}-{rnd}-{seq[key]:03d}",
                fy,
                rnd,
                unit,
                issued,
                due,
                ISSUERS[0] if rand() < 0.6 else ISSUERS[1],
                group,
                factors,
                _directive_text(rng, group),
                status,
                via_forms,
                is_silent,
            )
        )
    _ensure_coverage(rng, out)
    for d in out:
        if d.via_forms and d.status != "not_reported":
            _make_responses(rng, d)
    return out


def _ensure_coverage(rng: random.Random, items: list[_Directive]) -> None:
    """Make every status (per fiscal year), group and factor occur when there are enough rows."""
    for fy in FISCAL_YEARS:
        pool = [d for d in items if d.fiscal_year == fy and not d.silent]
        if len(pool) < len(STATUSES) * 2:
            continue
        counts = Counter(d.status for d in pool)
        for status in STATUSES:
            if counts[status]:
                continue
            common = counts.most_common(1)[0][0]
            d = _pick(rng, [d for d in pool if d.status == common])
            counts[d.status] -= 1
            d.status = status
            counts[status] += 1
    if len(items) >= len(DEFAULT_GROUPS_TH) * 2:
        groups = Counter(d.group for d in items)
        for g in range(len(DEFAULT_GROUPS_TH)):
            if groups[g]:
                continue
            top_group = groups.most_common(1)[0][0]
            d = _pick(rng, [d for d in items if d.group == top_group])
            groups[d.group] -= 1
            d.group = g
            d.text = _directive_text(rng, g)
            groups[g] += 1
    if len(items) >= len(FACTORS) * 2:
        seen = {f for d in items for f in d.factors}
        for f in range(len(FACTORS)):
            if f in seen:
                continue
            d = _pick(rng, [d for d in items if len(d.factors) < 3])
            d.factors = tuple(sorted((*d.factors, f)))
            seen.add(f)


def _make_responses(rng: random.Random, d: _Directive) -> None:
    """Forms responses ending in ``d.status``; earlier ones are 'in progress' updates."""
    n = _weighted(rng, (1, 2, 3), _CUM_N_RESPONSES)
    last_allowed = datetime.combine(AS_OF, datetime.min.time()) + timedelta(hours=17)
    first = d.issued + timedelta(days=_between(rng, 7, 75))
    first = min(first, AS_OF - timedelta(days=_between(rng, 0, 3)))
    first = max(first, d.issued + timedelta(days=1))
    times: list[datetime] = []
    day = first
    for _ in range(n):
        ts = datetime.combine(day, datetime.min.time()) + timedelta(
            seconds=_between(rng, 8 * 3600, 18 * 3600 - 1)
        )
        if ts > last_allowed:
            break
        times.append(ts)
        day = day + timedelta(days=_between(rng, 15, 90))
    for i, ts in enumerate(times):
        status = d.status if i == len(times) - 1 else "in_progress"
        detail, obstacle = _detail(rng, status, ts.date())
        d.responses.append((ts, status, detail, obstacle))


# --- cell typing ---------------------------------------------------------------------------------
def _agency_as_typed(rng: random.Random, unit: int) -> str:
    """The unit's name, now and then with the stray spaces people type."""
    name = UNITS[unit]
    if rng.random() < 0.04:
        if unit < len(DISTRICT_NAMES):
            return f"สำนักงานเขต  {DISTRICT_NAMES[unit]} "
        return f" {name}  "
    return name


def _factors_cell(rng: random.Random, factors: tuple[int, ...]) -> str:
    """A Google-Forms style checkbox cell: full labels, short keywords or codes joined by ', '."""
    if not factors:
        return ""
    style = rng.random()
    keys = [FACTORS[f] for f in factors]
    if style < 0.5:
        return ", ".join(FACTOR_TH[k] for k in keys)
    if style < 0.8:
        return ", ".join(FACTOR_SHORT_TH[k] for k in keys)
    return ", ".join(f"2.{f + 1}" for f in factors)


def _status_cell(rng: random.Random, status: str) -> str:
    if status == "in_progress" and rng.random() < 0.3:
        return "อยู่ระหว่างดำเนินการ"
    if status == "not_reported":
        return "ยังไม่รายงานผล" if rng.random() < 0.1 else ""
    return STATUS_TH[status]


def _date_as_typed(style: int, d: date) -> date | str:
    if style == 0:
        return d
    if style == 1:
        return _date_short_th(d)
    if style == 2:
        return _date_numeric_be(d)
    return _date_full_th(d)


def _register_rows(
    rng: random.Random, items: list[_Directive], *, text_dates: bool = False
) -> list[list[Any]]:
    """Register rows as typed cell values (date objects become Excel date cells)."""
    rows: list[list[Any]] = []
    for d in items:
        style = _weighted(rng, (0, 1, 2, 3), _CUM_DATE_STYLE)
        if text_dates and style == 0:
            style = 2
        fy: int | str = d.fiscal_year if rng.random() >= 0.1 else th_digits(d.fiscal_year)
        if d.via_forms:
            status_cell, detail, obstacle = "", "", ""
        else:
            status_cell = _status_cell(rng, d.status)
            if d.status == "not_reported":
                detail, obstacle = "", ""
            else:
                when = min(d.issued + timedelta(days=_between(rng, 10, 120)), AS_OF)
                detail, obstacle = _detail(rng, d.status, when)
        rows.append(
            [
                d.directive_id,
                fy,
                d.round,
                d.issued_by,
                _date_as_typed(style, d.issued),
                _date_as_typed(style, d.due),
                _agency_as_typed(rng, d.unit),
                d.text,
                DEFAULT_GROUPS_TH[d.group],
                _factors_cell(rng, d.factors),
                status_cell,
                detail,
                obstacle,
            ]
        )
    return rows


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


# --- summary -------------------------------------------------------------------------------------
def _directive_summary(items: list[_Directive], shape: str) -> dict[str, Any]:
    by_status = Counter(d.status for d in items)
    by_fy: dict[str, Counter[str]] = {str(fy): Counter() for fy in FISCAL_YEARS}
    by_agency: dict[str, Counter[str]] = {}
    by_group: Counter[str] = Counter()
    by_factor: Counter[str] = Counter()
    overdue = 0
    for d in items:
        by_fy[str(d.fiscal_year)][d.status] += 1
        by_agency.setdefault(UNITS[d.unit], Counter())[d.status] += 1
        by_group[DEFAULT_GROUPS_TH[d.group]] += 1
        for f in d.factors:
            by_factor[FACTORS[f]] += 1
        if d.due < AS_OF and d.status in ("in_progress", "not_reported"):
            overdue += 1
    zones = district_zones()
    units_used = {UNITS[d.unit] for d in items}
    districts_used = [n for n in DISTRICT_NAMES if f"สำนักงานเขต{n}" in units_used]
    silent = sorted({(d.fiscal_year, d.round, UNITS[d.unit]) for d in items if d.silent})

    def counts(c: Counter[str]) -> dict[str, int]:
        return {s: c[s] for s in STATUSES}

    return {
        "total": len(items),
        "by_status": counts(by_status),
        "by_fiscal_year": {fy: counts(c) for fy, c in by_fy.items()},
        "by_agency": {
            u: {**counts(by_agency[u]), "total": sum(by_agency[u].values())}
            for u in UNITS
            if u in by_agency
        },
        "by_group": {g: by_group[g] for g in DEFAULT_GROUPS_TH},
        "by_factor": {f: by_factor[f] for f in FACTORS},
        "units": len(units_used),
        "districts": len(districts_used),
        "zones": len({zones[n] for n in districts_used}),
        "overdue_as_of": overdue,
        "not_reported_units": [
            {"fiscal_year": fy, "round": rnd, "agency": unit} for fy, rnd, unit in silent
        ],
        "status_from_register": sum(1 for d in items if not d.via_forms),
        "status_from_responses": sum(1 for d in items if d.via_forms),
        "shape": shape,
    }


# --- KPI reports ---------------------------------------------------------------------------------
KPI_FISCAL_YEAR = 2567
PERIODS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")
KPI_PERIOD_PHRASE = {
    "Q1": "(ไตรมาสที่ ๑)",
    "Q2": "(ระยะครึ่งปีงบประมาณ)",
    "Q3": "(ระยะ ๙ เดือน)",
    "Q4": "(ระยะ ๑๒ เดือน)",
}
KPI_TITLE = (
    "แบบรายงานความก้าวหน้าผลการปฏิบัติราชการตามคำรับรองการปฏิบัติราชการประจำปีงบประมาณ พ.ศ. {fy} {period}"
)
INNOVATION_STAGES_TH = {
    "developing": "อยู่ระหว่างการพัฒนา",
    "trialling": "พัฒนาเสร็จแล้ว อยู่ระหว่างการทดลองใช้",
    "in_use": "นำไปใช้ประโยชน์แล้ว",
}
_STAGE_ORDER = ("developing", "trialling", "in_use")
SEC_C1 = "องค์ประกอบที่ ๑ การประเมินประสิทธิภาพผลการดำเนินงาน (Performance Base)"
SEC_11 = "๑.๑ ประสิทธิภาพในการดำเนินงานภารกิจหลักตามยุทธศาสตร์กรุงเทพมหานคร (Function Base)"
SEC_12 = "๑.๒ ประสิทธิภาพของการขับเคลื่อนการบูรณาการการดำเนินงานร่วมกันระหว่างหน่วยงาน (Joint KPIs)"
SEC_13 = "๑.๓ ประสิทธิภาพของการดำเนินการกิจตามนโยบายผู้บริหารหรือภารกิจพิเศษ (Agenda Base)"
SEC_C2 = (
    "องค์ประกอบที่ ๒ ประสิทธิภาพของการบริหารจัดการและพัฒนานวัตกรรม"
    "เพื่อเพิ่มประสิทธิภาพการปฏิบัติงานของหน่วยงาน (Innovation Base)"
)
SEC_C3 = "องค์ประกอบที่ ๓ ศักยภาพในการดำเนินการของหน่วยงาน (Potential Base)"
KPI_31_NAME = "ร้อยละความสำเร็จในการยกระดับการเปลี่ยนผ่านดิจิทัลภาครัฐ เพื่อบริหารราชการที่ยืดหยุ่น โปร่งใส และคล่องตัว"
SEC_31 = "ตัวชี้วัดที่ ๓.๑ " + KPI_31_NAME
KPI_INNOVATION_NAME = "ความสำเร็จในการพัฒนานวัตกรรมเพื่อเพิ่มประสิทธิภาพการปฏิบัติงานของหน่วยงาน"
DIGITAL_SYSTEMS: tuple[str, ...] = (
    "ระบบสารสนเทศหลักของกรุงเทพมหานคร (MIS๒)",
    "ระบบสารบรรณอิเล็กทรอนิกส์ของกรุงเทพมหานคร",
    "ระบบรับเรื่องร้องทุกข์ของกรุงเทพมหานคร",
    "ระบบบริการภาครัฐ",
    "ระบบยืนยันตัวตนและตรวจสอบตัวบุคคลในระบบดิจิทัล Certificate Authority (CA) "
    "หรือระบบบริหารจัดการการใช้งานระบบสารสนเทศสนับสนุนการเชื่อมโยง (BMA Single Sign-On)",
    "ระบบการลาอิเล็กทรอนิกส์ (E-Leave)",
    "ไปรษณีย์อิเล็กทรอนิกส์ (อีเมล) saraban@bangkok.go.th และไปรษณีย์อิเล็กทรอนิกส์ของหน่วยงาน"
    "และหรือส่วนราชการ ชื่อโดเมน @bangkok.go.th ที่กรุงเทพมหานคร จัดสรรให้",
    "การประชุมผ่านสื่ออิเล็กทรอนิกส์",
)
MEETING_APPS: tuple[str, ...] = (
    "แอปพลิเคชัน Microsoft Teams",
    "แอปพลิเคชัน Zoom Cloud Meetings",
    "แอปพลิเคชัน Webex Meetings",
    "แอปพลิเคชัน Google Meet",
)


@dataclass(frozen=True)
class _KpiUnit:
    unit: str  # canonical name (as in the budget sheets)
    typed: str  # as printed after "หน่วยงาน : "
    short: str  # for the sheet name
    kpis: tuple[tuple[str, str, str], ...]  # (code, name as typed, project)
    innovation: str


_LEVEL_STEPS = (
    "กำหนดแนวทาง/วิธีการ/รูปแบบการดำเนินงาน และแต่งตั้งคณะทำงาน",
    "จัดทำแผนการดำเนินงานและดำเนินการตามแผนฯ ร้อยละ ๔๐",
    "ดำเนินการตามแผนฯ ร้อยละ ๖๐ และรายงานผู้บริหารทราบ",
    "ดำเนินการตามแผนฯ ร้อยละ ๘๐ และติดตามประเมินผล",
    "ดำเนินการครบถ้วนตามแผนฯ และสรุปผลเสนอผู้บริหาร",
)

KPI_UNITS: tuple[_KpiUnit, ...] = (
    _KpiUnit(
        "กองงานผู้ตรวจราชการ",
        "กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร",
        "กองงานผู้ตรวจฯ",
        (
            (
                "1.1-1",
                "๑. ระดับความสำเร็จในการวิเคราะห์ผลดำเนินการตามข้อเสนอแนะของผู้ตรวจราชการสูง"
                "ในการตรวจราชการเฉพาะพื้นที่ระดับสำนักงานเขต",
                "กิจกรรมการวิเคราะห์ผลดำเนินการตามข้อเสนอแนะของผู้ตรวจราชการสูง"
                "ในการตรวจราชการเฉพาะพื้นที่ระดับสำนักงานเขต",
            ),
            (
                "1.1-2",
                "๒. ระดับความสำเร็จในการพัฒนาระบบฐานข้อมูลความรู้ออนไลน์ (Online Knowledge Base) "
                "สนับสนุนการตรวจราชการผ่านระบบอินเทอร์เน็ตเพื่อยกระดับงานสนับสนุนการตรวจราชการ"
                "เฉพาะพื้นที่ระดับสำนักงานเขต",
                "กิจกรรมพัฒนาระบบฐานข้อมูลความรู้ออนไลน์ (Online Knowledge Base) "
                "สนับสนุนการตรวจราชการผ่านระบบอินเทอร์เน็ต",
            ),
            (
                "1.1-3",
                "๓. ระดับความสำเร็จของการจัดทำคลังความรู้ ด้านการสืบสวนสอบสวน ของผู้ตรวจราชการกรุงเทพมหานคร",
                "กิจกรรมจัดทำคลังความรู้ด้านการสืบสวน สอบสวน ของผู้ตรวจราชการกรุงเทพมหานคร",
            ),
            (
                "1.2",
                "ระดับความสำเร็จในการจัดทำข้อเสนอแนะในการแก้ไขปัญหาการปฏิบัติงานอันเนื่องมาจาก"
                "ระเบียบข้อกฎหมายของสำนักงานเขตจากการตรวจราชการเฉพาะพื้นที่",
                "กิจกรรมจัดทำข้อเสนอแนะในการแก้ไขปัญหาการปฏิบัติงานอันเนื่องมาจาก"
                "ระเบียบข้อกฎหมายของสำนักงานเขตจากการตรวจราชการเฉพาะพื้นที่",
            ),
            (
                "1.3-1",
                "๑. ระดับความสำเร็จของการสนับสนุนการมีส่วนร่วมของประชาชนในการกำหนดประเด็น"
                "การตรวจราชการของกรุงเทพมหานคร",
                "กิจกรรมสนับสนุนการมีส่วนร่วมของประชาชนในการกำหนดประเด็นการตรวจราชการของกรุงเทพมหานคร",
            ),
            (
                "1.3-2",
                "๒. ระดับความสำเร็จของการสนับสนุนการมีส่วนร่วมของประชาชนผู้ใช้ทางเท้า"
                "บริเวณพื้นที่ทำการค้าที่กรุงเทพมหานครอนุญาตให้ทำการค้าได้",
                "กิจกรรมสนับสนุนการมีส่วนร่วมของประชาชนผู้ใช้ทางเท้าบริเวณพื้นที่ทำการค้า"
                "ที่กรุงเทพมหานครอนุญาตให้ทำการค้าได้",
            ),
        ),
        "โครงการ การสร้างระบบมาตรฐานการติดตามผลการดำเนินการตามคำสั่งการด้วยเทคโนโลยีสารสนเทศ "
        "(Establishing an IT system to monitor the execution performance according to orders)",
    ),
    _KpiUnit(
        "สำนักการระบายน้ำ",
        "สำนักการระบายน้ำ",
        "สำนักการระบายน้ำ",
        (
            (
                "1.1-1",
                "๑. ระดับความสำเร็จในการลดระยะเวลาการระบายน้ำท่วมขังในจุดเสี่ยง",
                "โครงการเพิ่มประสิทธิภาพการระบายน้ำในจุดเสี่ยงน้ำท่วม",
            ),
            (
                "1.1-2",
                "๒. ระดับความสำเร็จของการขุดลอกคูคลองและเปิดทางน้ำไหล",
                "กิจกรรมขุดลอกคูคลองและเปิดทางน้ำไหลก่อนฤดูฝน",
            ),
            (
                "1.2",
                "ระดับความสำเร็จในการบูรณาการการแก้ไขปัญหาน้ำท่วมร่วมกับสำนักงานเขต",
                "กิจกรรมประชุมบูรณาการแก้ไขปัญหาน้ำท่วมร่วมกับ ๕๐ สำนักงานเขต",
            ),
            (
                "1.3-1",
                "๑. ระดับความสำเร็จในการแก้ไขจุดเสี่ยงน้ำท่วมตามนโยบายผู้ว่าราชการกรุงเทพมหานคร",
                "โครงการแก้ไขจุดเสี่ยงน้ำท่วมตามนโยบายผู้บริหาร",
            ),
        ),
        "โครงการ ระบบแจ้งเตือนระดับน้ำในคลองแบบทันเวลา",
    ),
    _KpiUnit(
        "สำนักงานเขตบางนา",
        "สำนักงานเขตบางนา",
        "เขตบางนา",
        (
            (
                "1.1-1",
                "๑. ระดับความสำเร็จในการจัดเก็บขยะมูลฝอยและการคัดแยกขยะต้นทาง",
                "โครงการไม่เทรวม คัดแยกขยะต้นทาง",
            ),
            (
                "1.1-2",
                "๒. ระดับความสำเร็จในการจัดระเบียบทางเท้าและหาบเร่-แผงลอย",
                "กิจกรรมจัดระเบียบหาบเร่-แผงลอยในจุดผ่อนผัน",
            ),
            (
                "1.2",
                "ระดับความสำเร็จในการบูรณาการการป้องกันและแก้ไขปัญหาฝุ่นละออง PM2.5",
                "กิจกรรมตรวจสถานที่ก่อสร้างและยานพาหนะร่วมกับสำนักสิ่งแวดล้อม",
            ),
            (
                "1.3-1",
                "๑. ระดับความสำเร็จของการปลูกต้นไม้ล้านต้นในพื้นที่เขต",
                "โครงการปลูกต้นไม้ล้านต้น",
            ),
        ),
        "โครงการ ระบบรับเรื่องร้องเรียนผ่าน Traffy Fondue เชื่อมโยงฐานข้อมูลเขต",
    ),
    _KpiUnit(
        "สำนักงานเขตพระนคร",
        "สำนักงานเขตพระนคร",
        "เขตพระนคร",
        (
            (
                "1.1-1",
                "๑. ระดับความสำเร็จในการดูแลความสะอาดพื้นที่ท่องเที่ยวเกาะรัตนโกสินทร์",
                "กิจกรรมรักษาความสะอาดพื้นที่ท่องเที่ยว",
            ),
            (
                "1.1-2",
                "๒. ระดับความสำเร็จในการตรวจสอบอาคารและการขออนุญาตก่อสร้าง",
                "กิจกรรมตรวจสอบอาคารในพื้นที่เขต",
            ),
            (
                "1.2",
                "ระดับความสำเร็จในการบูรณาการจัดระเบียบพื้นที่สาธารณะร่วมกับสำนักเทศกิจ",
                "กิจกรรมจัดระเบียบพื้นที่สาธารณะร่วมกับสำนักเทศกิจ",
            ),
            (
                "1.3-1",
                "๑. ระดับความสำเร็จในการพัฒนาพื้นที่สาธารณะริมแม่น้ำเจ้าพระยา",
                "โครงการพัฒนาพื้นที่สาธารณะริมแม่น้ำเจ้าพระยา",
            ),
        ),
        "โครงการ แผนที่ดิจิทัลจุดให้บริการประชาชนในพื้นที่เขต",
    ),
)

# The seed's half-year report of กองงานผู้ตรวจราชการ (golden): levels 1, 2, 2, 1, 3, 2 of 5.
_OIG_LEVELS: dict[str, tuple[int, ...]] = {
    "Q1": (1, 1, 1, 1, 1, 1),
    "Q2": (1, 2, 2, 1, 3, 2),
    "Q3": (3, 3, 3, 2, 4, 3),
    "Q4": (5, 5, 4, 5, 5, 5),
}
_OIG_ACTUAL_TYPED_Q2 = ("ระดับ ๑", "ระดับ ๒", "ระดับที่ ๒", "ระดับ ๑", "ระดับ ๓", "ระดับที่ ๒")
_OIG_STAGES = {"Q1": 0, "Q2": 0, "Q3": 1, "Q4": 2}
_OIG_DIGITAL = {"Q1": 6, "Q2": 8, "Q3": 8, "Q4": 8}

# Detail cells of the seed's half-year report (HTML pasted from web forms, shortened).
_OIG_Q2_DETAIL = (
    "ระดับ ๑ - กำหนดแนวทาง/วิธีการ/รูปแบบในการวิเคราะห์ผลดำเนินการของสำนักงานเขตตามข้อเสนอแนะ"
    "ในการตรวจราชการเฉพาะพื้นที่ระดับสำนักงานเขต - จัดทำข้อมูล/เอกสาร/แบบฟอร์มประกอบการวิเคราะห์"
    "ผลดำเนินการอยู่ระหว่างรอดำเนินการ ระดับที่ ๒ (เดือนพฤษภาคม)",
    "ระดับ ๑ - กำหนดแนวทาง/วิธีการ/รูปแบบในการจัดทำระบบออนไลน์ติดตามงานสนับสนุนการตรวจราชการ"
    "เฉพาะพื้นที่ระดับสำนักงานเขต รอบที่ ๑ ปีงบประมาณ พ.ศ. ๒๕๖๗ ระดับ ๒ - จัดทำระบบออนไลน์ติดตามงาน"
    " - จัดทำคู่มือการใช้งานระบบฯ - เวียนแจ้งประชาสัมพันธ์ผู้ตรวจราชการสูง"
    "อยู่ระหว่างดำเนินการ ระดับที่ ๓",
    '<p><u>ระดับ ๑</u></p> <ul style="list-style-type: none"> - ศึกษา รวบรวมข้อมูลที่จำเป็น'
    "ด้านการสืบสวนสอบสวน ได้แก่ กฎหมาย ระเบียบ ขั้นตอนการดำเนินการทางวินัย ฯลฯ - แต่งตั้งคณะทำงานฯ"
    " และจัดประชุมคณะทำงานฯ จำนวน ๒ ครั้ง</ul> <p><u>ระดับ ๒</u></p> "
    '<ul style="list-style-type: none"> - จัดทำองค์ความรู้ด้านการสืบสวน สอบสวน จำนวน ๑๐ เรื่อง</ul>'
    " <p><u>อยู่ระหว่างดำเนินการ ระดับ ๓</u> ได้แก่</p> <ul><li>นำระบบคลังความรู้ใส่ไว้ในเว็บไซต์"
    "ของกองงานผู้ตรวจราชการ</li></ul>",
    '<p><u>ระดับ ๑</u></p> <ul style="list-style-type: none"> - กำหนดแนวทาง/วิธีการ/รูปแบบ'
    "ในการจัดเก็บข้อมูลปัญหาในการดำเนินงานของสำนักงานเขต (กต. ร่วมกับ สกค.) - แต่งตั้งคณะทำงานฯ</ul>"
    " <p><u>อยู่ระหว่างดำเนินการ ระดับ ๒ และ ๓ ได้แก่</u></p> <ul><li>จัดทำข้อมูลปัญหาอุปสรรค"
    " ไตรมาส ๒ (ม.ค. - มี.ค. ๖๗) (กต.)</li><li>วิเคราะห์ปัญหาและจัดทำข้อเสนอแนะด้านกฎหมาย (สกค.)"
    "</li></ul> <p><u>หมายเหตุ : ไตรมาส ๑ ดำเนินการเรียบร้อยแล้ว</u></p>"
    "<script>alert(1)</script>",
    "<p><u>ระดับ ๑</u></p> <p>- จัดทำแผนการดำเนินงานเสนอผู้บริหารกรุงเทพมหานครให้ความเห็นชอบ"
    "เรียบร้อยแล้ว เมื่อวันที่ ๓๐ พฤศจิกายน ๒๕๖๖</p> <p><u>ระดับ ๒</u></p> <p>ดำเนินการตามแผนฯ"
    " ร้อยละ ๔๐</p> <p><u>ระดับ ๓</u></p> <p>ดำเนินการตามแผนฯ ร้อยละ ๖๐ - สรุปความคิดเห็น"
    "ของประชาชน จำนวน ๔๓๓ คน</p> <p><u>อยู่ระหว่างดำเนินการ ระดับ ๔ ได้แก่</u></p>"
    " <p>- อยู่ระหว่างการเตรียมเสนอข้อมูลต่อคณะทำงานจัดทำแผนการตรวจราชการของกรุงเทพมหานคร</p>",
    "<p><u>ระดับ ๑</u></p> <p>- จัดทำแผนการดำเนินงานเสนอผู้บริหารกรุงเทพมหานครพิจารณา"
    " ให้ความเห็นชอบ ตามหนังสือที่ กท ๐๔๐๘/๑๑๖๒ ลงวันที่ ๒๓ พ.ย. ๖๖</p> <p><u>ระดับ ๒</u></p>"
    " <p>ดำเนินการตามแผนฯ ร้อยละ ๔๐ ประกอบด้วย</p> <p>- จัดทำคำสั่งแต่งตั้งคณะกรรมการฯ"
    " และจัดประชุมคณะกรรมการฯ เมื่อวันที่ ๒๐ ก.พ. ๖๗ และจัดทำรายงานการประชุมพร้อมทั้ง</p>",
)
# The seed continues 1.3-2's detail on the next printed page: a row with only the detail cell.
_OIG_Q2_CONTINUATION = (
    "<p>สรุปจุดลงพื้นที่สำรวจฯ จำนวนกลุ่มตัวอย่างและแบบที่ใช้ในการสำรวจ (สรุปพื้นที่ลงสำรวจ ๑๙ จุด"
    " ในพื้นที่ ๑๓ สำนักงานเขต)</p> <p><u>อยู่ระหว่างดำเนินการ ระดับ ๓ ได้แก่</u></p>"
    " <p>- ลงพื้นที่เพื่อสำรวจความคิดเห็นของประชาชนผู้ใช้ทางเท้าและเจ้าหน้าที่ปฏิบัติงาน</p>"
)


def _level_typed(rng: random.Random, level: int) -> str:
    r = rng.random()
    if r < 0.55:
        return f"ระดับ {th_digits(level)}"
    if r < 0.85:
        return f"ระดับที่ {th_digits(level)}"
    return f"ระดับ {level}"


def _level_detail(level: int) -> str:
    parts = [
        f"<p><u>ระดับ {th_digits(k)}</u></p><ul><li>{_LEVEL_STEPS[k - 1]}</li></ul>"
        for k in range(1, level + 1)
    ]
    if level < 5:
        parts.append(f"<p><u>อยู่ระหว่างดำเนินการ ระดับ {th_digits(level + 1)}</u></p>")
    return " ".join(parts)


def _checkbox(checked: bool) -> str:
    return '<input checked="checked" type="checkbox" />' if checked else '<input type="checkbox" />'


def _stage_detail(stage: int) -> str:
    return " ".join(
        f"<p>{_checkbox(i == stage)} {INNOVATION_STAGES_TH[key]}</p>"
        for i, key in enumerate(_STAGE_ORDER)
    )


def _digital_detail(n_systems: int) -> str:
    items = []
    for i, name in enumerate(DIGITAL_SYSTEMS, start=1):
        items.append(f"<li>{_checkbox(i <= n_systems)} {th_digits(i)}. {name}</li>")
    apps = "".join(
        f"<li>{_checkbox(j < 3 and n_systems >= 8)} {th_digits(f'8.{j + 1}')} {a}</li>"
        for j, a in enumerate(MEETING_APPS)
    )
    return (
        f"<p>{_checkbox(True)} มีการจัดทำคำสั่งการใช้งานระบบสำหรับการปฏิบัติหน้าที่"
        "โดยวิธีการทางอิเล็กทรอนิกส์ของหน่วยงาน</p>"
        f"<p>{_checkbox(True)} ดำเนินการเข้าใช้งานระบบ จำนวน {th_digits(n_systems)} ระบบ ดังนี้</p>"
        f'<ul style="list-style-type: none">{"".join(items)}<ul>{apps}</ul></ul>'
    )


def _percent_typed(pct: Decimal) -> str:
    s = f"{pct.normalize():f}"
    return f"ร้อยละ {th_digits(s)}"


def _kpi_plan(rng: random.Random) -> list[dict[str, Any]]:
    """Per unit: levels per KPI per period (non-decreasing), stage and digital systems count."""
    plans = []
    for ku in KPI_UNITS:
        if ku.unit == "กองงานผู้ตรวจราชการ":
            plans.append({"levels": _OIG_LEVELS, "stage": _OIG_STAGES, "digital": _OIG_DIGITAL})
            continue
        per_kpi = []
        for _ in ku.kpis:
            lv = [rng.randint(1, 2)]
            for _q in PERIODS[1:]:
                lv.append(min(5, lv[-1] + rng.randint(0, 2)))
            per_kpi.append(lv)
        levels = {p: tuple(lv[i] for lv in per_kpi) for i, p in enumerate(PERIODS)}
        stage0 = rng.randint(0, 1)
        stages = [stage0]
        for _q in PERIODS[1:]:
            stages.append(min(2, stages[-1] + (1 if rng.random() < 0.4 else 0)))
        dig = [rng.randint(4, 7)]
        for _q in PERIODS[1:]:
            dig.append(min(8, dig[-1] + rng.randint(0, 2)))
        plans.append(
            {
                "levels": levels,
                "stage": dict(zip(PERIODS, stages, strict=True)),
                "digital": dict(zip(PERIODS, dig, strict=True)),
            }
        )
    return plans


def kpi_sheet_name(unit_short: str, period: str) -> str:
    """Sheet name of one unit's KPI report for one period, e.g. 'ตัวชี้วัด Q2 กองงานผู้ตรวจฯ'."""
    return f"ตัวชี้วัด {period} {unit_short}"


# --- budget ----------------------------------------------------------------------------------------
BUDGET_FISCAL_YEAR = 2567
BUDGET_AS_OF: tuple[date, ...] = (
    date(2023, 12, 31),
    date(2024, 3, 31),
    date(2024, 6, 30),
    date(2024, 9, 30),
)
BUDGET_UNITS: tuple[str, ...] = (
    "กองงานผู้ตรวจราชการ",
    "สำนักการระบายน้ำ",
    "สำนักงานเขตบางนา",
    "สำนักงานเขตพระนคร",
    "สำนักการโยธา",
    "สำนักงานเขตดอนเมือง",
)
_BUDGET_ROWS: tuple[tuple[str | None, str], ...] = (
    ("carryover", "งบประมาณกันเงินไว้เบิกเหลื่อมปี แบบไม่มีหนี้ผูกพัน (ไม่รวมงบบุคลากร)"),
    (None, "งบประมาณประจำปี"),
    ("operating", "- งบดำเนินงาน"),
    ("investment", "- งบลงทุน"),
    ("subsidy", "- งบเงินอุดหนุน"),
    ("other", "- งบรายจ่ายอื่น"),
    ("central", "งบกลาง (ไม่รวมงบบุคลากร)"),
    ("total", "รวมทั้งสิ้น"),
)
_D = Decimal
# Golden figures of the seed (กองงานผู้ตรวจราชการ, as of 31 March 2567) and the other dates.
_OIG_ALLOCATED = {
    "operating": _D("12203500.00"),
    "other": _D("1041200.00"),
    "central": _D("258369.00"),
}
_OIG_DISBURSED = {
    date(2023, 12, 31): {"operating": _D("1826450.00"), "other": _D("98400.00"), "central": _D("0.00")},
    date(2024, 3, 31): {"operating": _D("4094769.47"), "other": _D("266500.00"), "central": _D("0.00")},
    date(2024, 6, 30): {"operating": _D("7615220.35"), "other": _D("612300.00"), "central": _D("86500.00")},
    date(2024, 9, 30): {"operating": _D("11742318.90"), "other": _D("1003950.00"), "central": _D("241870.00")},
}  # fmt: skip
# How each unit types its amounts: thai ("๑๒,๒๐๓,๕๐๐.-"), number (numeric cells),
# arabic ("1,234,567.00" and "45.12%"), arabic_dash ("1,234,567.-" and "45.12").
_BUDGET_STYLE = {
    "กองงานผู้ตรวจราชการ": "thai",
    "สำนักการระบายน้ำ": "number",
    "สำนักงานเขตบางนา": "arabic",
    "สำนักงานเขตพระนคร": "thai",
    "สำนักการโยธา": "number",
    "สำนักงานเขตดอนเมือง": "arabic_dash",
}
_BUDGET_FRACTION = {  # cumulative disbursed share by as-of date: (low, high)
    "carryover": ((0.25, 0.45), (0.50, 0.70), (0.70, 0.85), (0.88, 0.99)),
    "operating": ((0.12, 0.25), (0.30, 0.48), (0.52, 0.72), (0.85, 0.98)),
    "investment": ((0.00, 0.08), (0.05, 0.25), (0.25, 0.55), (0.60, 0.90)),
    "subsidy": ((0.20, 0.30), (0.45, 0.55), (0.70, 0.80), (0.95, 1.00)),
    "other": ((0.05, 0.20), (0.20, 0.40), (0.45, 0.65), (0.80, 0.97)),
    "central": ((0.00, 0.10), (0.05, 0.30), (0.30, 0.60), (0.70, 0.95)),
}


def budget_as_of_label(d: date) -> str:
    """'ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗' (the as-of header of the two-row budget header)."""
    return th_digits(f"ข้อมูล ณ วันที่ {d.day} {MONTHS_FULL_TH[d.month - 1]} พ.ศ. {_be(d)}")


def budget_sheet_name(d: date) -> str:
    """'เบิกจ่ายงบประมาณ ณ 31 มี.ค. 67'."""
    return f"เบิกจ่ายงบประมาณ ณ {d.day} {MONTHS_SHORT_TH[d.month - 1]} {_be(d) % 100:02d}"


def _budget_plan(rng: random.Random) -> dict[str, dict[str, Any]]:
    """Allocated per type and cumulative disbursed per as-of date, per unit (None = '-')."""
    plan: dict[str, dict[str, Any]] = {}
    for unit in BUDGET_UNITS:
        if unit == "กองงานผู้ตรวจราชการ":
            alloc: dict[str, Decimal | None] = {
                "carryover": None,
                "operating": _OIG_ALLOCATED["operating"],
                "investment": None,
                "subsidy": None,
                "other": _OIG_ALLOCATED["other"],
                "central": _OIG_ALLOCATED["central"],
            }
            disb = {d: {**_OIG_DISBURSED[d]} for d in BUDGET_AS_OF}
        else:
            big = unit.startswith("สำนักการ")

            def amount(lo: int, hi: int) -> Decimal:
                return _D(rng.randint(lo, hi) * 100)

            alloc = {
                "carryover": amount(10_000, 200_000) if rng.random() < 0.6 else None,
                "operating": amount(300_000, 6_000_000 if big else 900_000),
                "investment": amount(500_000, 20_000_000 if big else 3_000_000)
                if rng.random() < 0.75
                else None,
                "subsidy": amount(5_000, 80_000) if rng.random() < 0.3 else None,
                "other": amount(2_000, 30_000),
                "central": amount(1_000, 10_000) if rng.random() < 0.7 else None,
            }
            disb = {d: {} for d in BUDGET_AS_OF}
            for t, a in alloc.items():
                if a is None:
                    continue
                prev = _D("0.00")
                for i, d in enumerate(BUDGET_AS_OF):
                    lo, hi = _BUDGET_FRACTION[t][i]
                    share = _D(str(round(rng.uniform(lo, hi), 4)))
                    value = (a * share).quantize(_D("0.01"))
                    value = min(max(value, prev), a)
                    disb[d][t] = value
                    prev = value
        plan[unit] = {"allocated": alloc, "disbursed": disb}
    return plan


def _fmt_amount(style: str, value: Decimal) -> str | float:
    if style == "number":
        return float(value)
    whole = value == value.to_integral_value()
    dash = style in ("thai", "arabic_dash") and whole
    s = f"{int(value):,}.-" if dash else f"{value:,.2f}"
    return th_digits(s) if style == "thai" else s


def _fmt_rate(style: str, rate: Decimal, *, total: bool) -> str | float:
    if style == "number":
        return float(rate)
    s = f"{rate:.2f}"
    if style == "thai":
        return th_digits(s if total else s + "%")
    if style == "arabic":
        return s + "%"
    return s


# --- workbook writing --------------------------------------------------------------------------------
class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": "TH Sarabun New", "font_size": 14}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.left_title = wb.add_format({**base, "bold": True, "font_size": 16})
        self.section = wb.add_format({**base, "bold": True})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#DDEBF7",
            }
        )
        self.date = wb.add_format({"num_format": "d/m/yyyy"})
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top", "border": 1})
        self.amount = wb.add_format({**base, "num_format": "#,##0.00", "border": 1})
        self.rate = wb.add_format({**base, "num_format": "0.00", "border": 1})
        self.cell = wb.add_format({**base, "border": 1})


def _write_register(wb: xlsxwriter.Workbook, fm: _Formats, n_rows: int) -> None:
    """Title rows, header, widths, panes and filter; data rows are spliced in later (fast)."""
    ws = wb.add_worksheet(REGISTER_SHEET)
    last_col = len(REGISTER_HEADERS) - 1
    widths = (12, 10, 7, 24, 14, 14, 26, 60, 30, 40, 22, 50, 30)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w, fm.date if c in (4, 5) else None)
    ws.merge_range(0, 0, 0, last_col, REGISTER_TITLE, fm.title)
    ws.merge_range(1, 0, 1, last_col, REGISTER_SUBTITLE, fm.title)
    for c, h in enumerate(REGISTER_HEADERS):
        ws.write_string(REGISTER_HEADER_ROW, c, h, fm.header)
    ws.freeze_panes(REGISTER_HEADER_ROW + 1, 1)
    ws.autofilter(REGISTER_HEADER_ROW, 0, REGISTER_HEADER_ROW + max(n_rows, 1), last_col)


def _write_responses(wb: xlsxwriter.Workbook, fm: _Formats) -> None:
    """Header row of the Forms responses sheet; data rows are spliced in later."""
    ws = wb.add_worksheet(RESPONSES_SHEET)
    for c, w in enumerate((22, 14, 26, 24, 50, 30, 30)):
        ws.set_column(c, c, w)
    for c, h in enumerate(RESPONSE_HEADERS_TH):
        ws.write_string(0, c, h, fm.header)
    ws.freeze_panes(1, 0)


_EXCEL_EPOCH = date(1899, 12, 30)


def _rows_xml(rows: Sequence[list[Any]], first_row: int, date_xf: int) -> str:
    """SpreadsheetML <row> elements (inline strings) for ``rows``, the first one at 0-based
    row ``first_row``.

    xlsxwriter spends ~10 µs per cell; this writes the same cells ~10x faster, which is what
    makes a 100,000-directive workbook take seconds.
    """
    letters = [xl_col_to_name(c) for c in range(max((len(r) for r in rows), default=0))]
    parts: list[str] = []
    append = parts.append
    r = first_row  # incremented before use: 1-based row number = 0-based index + 1
    for row in rows:
        r += 1
        rs = str(r)
        append(f'<row r="{rs}">')
        for c, v in enumerate(row):
            if v == "" or v is None:
                continue
            ref = letters[c] + rs
            t = type(v)
            if t is str:
                s = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                sp = ' xml:space="preserve"' if v[0] == " " or v[-1] == " " else ""
                append(f'<c r="{ref}" t="inlineStr"><is><t{sp}>{s}</t></is></c>')
            elif t is int or t is float:
                append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                append(f'<c r="{ref}" s="{date_xf}"><v>{(v - _EXCEL_EPOCH).days}</v></c>')
        append("</row>")
    return "".join(parts)


def _write_spliced(
    zout: zipfile.ZipFile,
    zi: zipfile.ZipInfo,
    sheet_xml: str,
    patch: tuple[list[list[Any]], int, int],
    date_xf: int,
) -> None:
    """Stream xlsxwriter's sheet XML into ``zout`` with ``rows`` appended to its data."""
    rows, first_row, last_col = patch
    if "<sheetData/>" in sheet_xml:
        sheet_xml = sheet_xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
    head, sep, tail = sheet_xml.partition("</sheetData>")
    ref = f"A1:{xl_col_to_name(last_col)}{first_row + len(rows)}"
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', head, count=1)
    with zout.open(zi, "w") as fh:
        fh.write(head.encode("utf-8"))
        step = 5000
        for i in range(0, len(rows), step):
            fh.write(_rows_xml(rows[i : i + step], first_row + i, date_xf).encode("utf-8"))
        fh.write((sep + tail).encode("utf-8"))


def _package(
    src: io.BytesIO, out: Path, patches: dict[str, tuple[list[list[Any]], int, int]], date_xf: int
) -> None:
    """Copy xlsxwriter's package to ``out`` with the big sheets' rows spliced in."""
    with (
        zipfile.ZipFile(src) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            # ZipFile.open(zinfo, "w") ignores the archive's level; set it on the entry
            # (``compress_level`` from Python 3.13, ``_compresslevel`` before).
            if hasattr(zi, "compress_level"):
                zi.compress_level = _ZIP_LEVEL
            else:
                zi._compresslevel = _ZIP_LEVEL  # type: ignore[attr-defined]  # Python < 3.13
            if info.filename in patches:
                _write_spliced(zout, zi, data.decode("utf-8"), patches[info.filename], date_xf)
            else:
                zout.writestr(zi, data, compresslevel=_ZIP_LEVEL)


_ZIP_LEVEL = 1  # fast; the sample is rewritten often (benchmarks) and size matters little


class _Page:
    """Row cursor over one worksheet for the printed-form layouts (title, sections, headers)."""

    def __init__(self, ws: Any, fm: _Formats, width: int) -> None:
        self.ws, self.fm, self.last, self.row = ws, fm, width - 1, 0

    def line(self, text: str, f: Any = None, *, merge: bool = True) -> None:
        """A text row: a title or section row merged across the table, or a note in column A."""
        f = f or self.fm.section
        if merge:
            self.ws.merge_range(self.row, 0, self.row, self.last, text, f)
        else:
            self.ws.write_string(self.row, 0, text, f)
        self.row += 1

    def header(self) -> None:
        """The KPI header row (repeated on every printed page)."""
        for c, h in enumerate(KPI_HEADERS_TH):
            self.ws.write_string(self.row, c, h, self.fm.header)
        self.row += 1

    def values(self, values: list[str]) -> None:
        """A data row of text cells (blank cells skipped)."""
        for c, v in enumerate(values):
            if v:
                self.ws.write_string(self.row, c, v, self.fm.wrap)
        self.row += 1

    def skip(self) -> None:
        """A blank row (a page break in the printed form)."""
        self.row += 1


def _kpi_record(
    ku: _KpiUnit,
    period: str,
    component: str,
    code: str,
    measure: str,
    target: Any,
    actual: Any,
    *,
    stage: str | None = None,
) -> dict[str, Any]:
    return {
        "unit": ku.unit,
        "fiscal_year": KPI_FISCAL_YEAR,
        "period": period,
        "component": component,
        "kpi_code": code,
        "measure": measure,
        "target": target,
        "actual": actual,
        "stage": stage,
    }


def _write_kpi_sheet(
    wb: xlsxwriter.Workbook,
    fm: _Formats,
    rng: random.Random,
    ku: _KpiUnit,
    plan: dict[str, Any],
    period: str,
) -> list[dict[str, Any]]:
    """One unit's progress report for one period, laid out like the seed's printed form."""
    ws = wb.add_worksheet(kpi_sheet_name(ku.short, period))
    for c, w in enumerate((50, 12, 16, 70, 40, 40, 20)):
        ws.set_column(c, c, w)
    pg = _Page(ws, fm, len(KPI_HEADERS_TH))
    written: list[dict[str, Any]] = []
    fy_th = th_digits(KPI_FISCAL_YEAR)
    pg.line(KPI_TITLE.format(fy=fy_th, period=KPI_PERIOD_PHRASE[period]), fm.left_title)
    pg.line(f"หน่วยงาน : {ku.typed}", fm.left_title)
    pg.skip()
    pg.line(SEC_C1)
    levels = plan["levels"][period]
    golden = ku.unit == "กองงานผู้ตรวจราชการ" and period == "Q2"
    for i, (code, name, project) in enumerate(ku.kpis):
        section = code.split("-")[0]
        if i:
            pg.skip()  # next printed page: section row and header again
        pg.line({"1.1": SEC_11, "1.2": SEC_12, "1.3": SEC_13}[section])
        pg.header()
        lv = levels[i]
        if golden:
            actual, detail = _OIG_ACTUAL_TYPED_Q2[i], _OIG_Q2_DETAIL[i]
        else:
            actual, detail = _level_typed(rng, lv), _level_detail(lv)
        evidence = f"- เอกสารประกอบการดำเนินงาน{project}"
        obstacle = "-" if rng.random() < 0.8 else rng.choice(_OBSTACLES)
        pg.values([name, "ระดับ ๕", actual, detail, project, evidence, obstacle])
        if golden and code == "1.3-2":
            pg.values(["", "", "", _OIG_Q2_CONTINUATION, "", "", ""])
        written.append(_kpi_record(ku, period, section, code, "level", 5.0, float(lv)))
    pg.skip()
    pg.line(
        "*หมายเหตุ : สามารถใช้ลายเซ็นอิเล็กทรอนิกส์ในการรับรองแบบรายงานความก้าวหน้าได้",
        fm.cell,
        merge=False,
    )
    for text in ("ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง"):
        pg.line(text, fm.cell, merge=False)
    pg.skip()
    # Component 2: innovation has no level; its stage is the ticked box of the three (as in the
    # seed's ขั้นตอนการดำเนินการ column), target and achieved are typed "-".
    pg.line(SEC_C2)
    pg.header()
    stage = plan["stage"][period]
    pg.values(
        [
            KPI_INNOVATION_NAME,
            "-",
            "-",
            _stage_detail(stage),
            ku.innovation,
            "- รายงานความก้าวหน้าโครงการพัฒนานวัตกรรม",
            "-",
        ]
    )
    written.append(
        _kpi_record(ku, period, "2", "2", "stage", None, None, stage=_STAGE_ORDER[stage])
    )
    pg.skip()
    # Component 3.1: percent of the 8 digital systems in use.
    pg.line(SEC_C3)
    pg.line(SEC_31)
    pg.header()
    n_sys = plan["digital"][period]
    pct = (_D(n_sys) * 100 / 8).quantize(_D("0.1"))
    pg.values(
        [
            KPI_31_NAME,
            "ร้อยละ ๑๐๐",
            _percent_typed(pct),
            _digital_detail(n_sys),
            "กิจกรรมยกระดับการเปลี่ยนผ่านดิจิทัลของหน่วยงาน",
            "- สำเนาคำสั่งการใช้งานระบบสำหรับการปฏิบัติหน้าที่โดยวิธีการทางอิเล็กทรอนิกส์",
            "-",
        ]
    )
    written.append(_kpi_record(ku, period, "3.1", "3.1", "percent", 100.0, float(pct)))
    pg.skip()
    for text in ("ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง"):
        pg.line(text, fm.cell, merge=False)
    return written


def _write_kpi_sheets(
    wb: xlsxwriter.Workbook, fm: _Formats, rng: random.Random
) -> list[dict[str, Any]]:
    """One sheet per unit and period; returns the KPI rows written (for the summary)."""
    written: list[dict[str, Any]] = []
    plans = _kpi_plan(rng)
    for ku, plan in zip(KPI_UNITS, plans, strict=True):
        for period in PERIODS:
            written += _write_kpi_sheet(wb, fm, rng, ku, plan, period)
    return written


def _write_budget_sheets(
    wb: xlsxwriter.Workbook, fm: _Formats, rng: random.Random
) -> list[dict[str, Any]]:
    """One sheet per as-of date with a หน่วยงาน column; returns the rows (for the summary)."""
    written: list[dict[str, Any]] = []
    plan = _budget_plan(rng)
    for as_of in BUDGET_AS_OF:
        ws = wb.add_worksheet(budget_sheet_name(as_of))
        for c, w in enumerate((28, 48, 20, 20, 14, 30)):
            ws.set_column(c, c, w)
        ws.merge_range(
            0, 0, 0, 5, "ตัวชี้วัดที่ ๓.๒ ความสำเร็จของการเบิกจ่ายงบประมาณในภาพรวม", fm.left_title
        )
        ws.merge_range(
            1, 0, 1, 5, f"ประจำปีงบประมาณ พ.ศ. {th_digits(BUDGET_FISCAL_YEAR)}", fm.left_title
        )
        r = 3
        # Row r: vertical merges (constant_memory: write row r's cells before touching row r+1).
        vertical = {
            0: BUDGET_UNIT_HEADER,
            1: BUDGET_TYPE_HEADER,
            2: BUDGET_ALLOCATED_HEADER,
            5: BUDGET_OBSTACLE_HEADER,
        }
        for c, text in vertical.items():
            ws.merge_range(r, c, r + 1, c, text)  # no format: pads no blank cell in row r+1
            ws.write_string(r, c, text, fm.header)
        ws.merge_range(r, 3, r, 4, budget_as_of_label(as_of), fm.header)
        ws.write_string(r + 1, 3, BUDGET_DISBURSED_HEADER, fm.header)
        ws.write_string(r + 1, 4, BUDGET_RATE_HEADER, fm.header)
        for c in vertical:
            ws.write_blank(r + 1, c, None, fm.header)
        r += 2
        for unit in BUDGET_UNITS:
            style = _BUDGET_STYLE[unit]
            alloc = plan[unit]["allocated"]
            disb = plan[unit]["disbursed"][as_of]
            applicable = [t for t, a in alloc.items() if a is not None]
            tot_a = sum((alloc[t] for t in applicable), _D("0.00"))
            tot_d = sum((disb[t] for t in applicable), _D("0.00"))
            for key, label in _BUDGET_ROWS:
                if key is None:
                    ws.write_string(r, 1, label, fm.section)
                    r += 1
                    continue
                if key == "total":
                    a, d = tot_a, tot_d
                else:
                    a = alloc[key]
                    d = disb.get(key) if a is not None else None
                ws.write_string(r, 0, unit, fm.cell)
                ws.write_string(r, 1, label, fm.cell)
                if a is None or d is None:
                    for c in (2, 3, 4):
                        ws.write_string(r, c, "-", fm.cell)
                    rate = None
                else:
                    rate = _rate(d, a)
                    is_total = key == "total"
                    cells = (
                        _fmt_amount(style, a),
                        _fmt_amount(style, d),
                        _fmt_rate(style, rate, total=is_total),
                    )
                    if unit == "กองงานผู้ตรวจราชการ" and key == "central" and d == 0:
                        cells = (cells[0], "๐", "๐")  # as the seed types it
                    for c, v in zip((2, 3, 4), cells, strict=True):
                        if isinstance(v, float):
                            ws.write_number(r, c, v, fm.amount if c < 4 else fm.rate)
                        else:
                            ws.write_string(r, c, v, fm.cell)
                if key == "investment" and a is not None and rng.random() < 0.5:
                    ws.write_string(r, 5, "อยู่ระหว่างดำเนินการจัดซื้อจัดจ้าง", fm.cell)
                r += 1
                written.append(
                    {
                        "unit": unit,
                        "fiscal_year": BUDGET_FISCAL_YEAR,
                        "as_of": as_of.isoformat(),
                        "budget_type": key,
                        "allocated": None if a is None else float(a),
                        "disbursed": None if d is None or a is None else float(d),
                        "rate_pct": None if rate is None else float(rate),
                    }
                )
        r += 1
        ws.write_string(r, 0, "หมายเหตุ")
        ws.write_string(
            r + 1,
            0,
            "๑. ไม่รวมงบประมาณรายจ่ายประจำปี ประเภทงบบุคลากร "
            f"๒. รายงานความสำเร็จของการเบิกจ่ายงบประมาณ ณ {th_digits(_date_full_th(as_of))}",
        )
    return written


def _summary_base(seed: int, shape: str) -> dict[str, Any]:
    return {"seed": seed, "as_of": AS_OF.isoformat(), "shape": shape}


def write_sample(
    out_path: str | Path,
    *,
    directives: int = 400,
    seed: int = 7,
    include_kpis: bool = True,
    include_budget: bool = True,
    shape: str = "both",
) -> dict[str, Any]:
    """Write a realistic sample workbook and return a JSON-ready summary of what it holds.

    ``shape``: "both" (FY 2566 status in the register, FY 2567 status from Forms responses),
    "one_sheet" (every status in the register, no responses sheet) or "forms" (every status
    from responses). The summary's directive counts use each directive's effective status.
    """
    items = _generate(directives, seed, shape)
    rng = random.Random(f"{seed}:cells")
    register = _register_rows(rng, items)
    responses, swapped = _response_rows(rng, items)

    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties(
        {
            "title": REGISTER_TITLE,
            "author": "tracker sample",
            "company": "กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร",
            "created": _CREATED,
        }
    )
    fm = _Formats(wb)
    sheets = [REGISTER_SHEET]
    _write_register(wb, fm, len(register))
    patches = {
        "xl/worksheets/sheet1.xml": (register, REGISTER_HEADER_ROW + 1, len(REGISTER_HEADERS) - 1)
    }
    if shape != "one_sheet":
        _write_responses(wb, fm)
        sheets.append(RESPONSES_SHEET)
        patches["xl/worksheets/sheet2.xml"] = (responses, 1, len(RESPONSE_HEADERS_TH) - 1)
    kpis: list[dict[str, Any]] = []
    budget: list[dict[str, Any]] = []
    if include_kpis:
        kpis = _write_kpi_sheets(wb, fm, random.Random(f"{seed}:kpis"))
        sheets += [kpi_sheet_name(k.short, p) for k in KPI_UNITS for p in PERIODS]
    if include_budget:
        budget = _write_budget_sheets(wb, fm, random.Random(f"{seed}:budget"))
        sheets += [budget_sheet_name(d) for d in BUDGET_AS_OF]
    wb.close()
    _package(buf, out, patches, fm.date.xf_index)

    with_resp = sum(1 for d in items if d.responses)
    return {
        **_summary_base(seed, shape),
        "sheets": sheets,
        "directives": _directive_summary(items, shape),
        "responses": {
            "rows": len(responses),
            "directives_with_response": with_resp,
            "multi_response_directives": sum(1 for d in items if len(d.responses) > 1),
            "out_of_order_directives": swapped,
        },
        "kpis": kpis,
        "budget": budget,
    }


def write_directives_csv(
    out_path: str | Path,
    *,
    directives: int = 400,
    seed: int = 7,
    encoding: str = "utf-8-sig",
) -> dict[str, Any]:
    """Write the one-sheet shape (header + one row per directive, status column filled) as CSV.

    Dates are text as a Google Sheets export shows them; ``encoding="cp874"`` gives the
    Windows-874 file older Thai Excel saves (every character is encodable, strictly).
    """
    items = _generate(directives, seed, "one_sheet")
    rng = random.Random(f"{seed}:cells")
    rows = _register_rows(rng, items, text_dates=True)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding=encoding, errors="strict", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REGISTER_HEADERS)
        writer.writerows(rows)
    return {
        **_summary_base(seed, "one_sheet"),
        "encoding": encoding,
        "directives": _directive_summary(items, "one_sheet"),
    }
