"""The sample's directives: inspected units, generated directives and responses, their summary.

``_generate`` draws every directive (fiscal year, round, unit, dates, group, factors, text)
and its final status from ``random.Random(seed)``; when its status comes from Google Forms it
also draws the history of responses ending in that status. ``tracker.dev.sample_register``
and ``tracker.dev.sample_responses`` type these directives into cells;
``_directive_summary`` is the truth the readers' results are compared with.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tracker import DATA_DIR
from tracker.dev.sample_common import (
    _OBSTACLES,
    AS_OF,
    FISCAL_YEARS,
    MONTHS_FULL_TH,
    ROUNDS,
    SHAPES,
    _be,
    _between,
    _cum,
    _date_short_th,
    _pick,
    _subset,
    _weighted,
    fy_start,
    th_digits,
)
from tracker.schema import DEFAULT_GROUPS_TH, FACTORS, STATUSES

ISSUERS: tuple[str, ...] = ("ปลัดกรุงเทพมหานคร", "ผู้ตรวจราชการกรุงเทพมหานคร")


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
