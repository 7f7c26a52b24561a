"""Files as people in the office send them, typed by hand here (openpyxl and plain CSV text,
never the project's sample writer): a district clerk's register whose headers break onto two
lines and whose statuses end in a full stop, and the CSV that Google Forms' "Download
responses (.csv)" gives (UTF-8 with BOM, timestamps such as "2024/03/20 2:05:22 PM GMT+7").
"""

from __future__ import annotations

import io

import openpyxl

from tracker.publish import flow as pub
from tracker.thai.dates import parse_datetime


def _clerk_register() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียน ๖๗"
    ws.append(["ทะเบียนติดตามข้อสั่งการ ปีงบประมาณ พ.ศ. ๒๕๖๗"])
    ws.append(["รหัส ข้อสั่งการ", "วันที่\nสั่งการ", "หน่วย รับตรวจ", "ข้อสั่งการ / ข้อเสนอแนะ", "สถานะ"])
    ws.append(["บน-๖๗-๐๐๑", "15 ม.ค. 2567", "สำนักงานเขตบางนา", "ให้ลอกท่อ", "ดำเนินการแล้ว."])
    ws.append(["บน-๖๗-๐๐๒", "32 ม.ค. 2567", "สำนักงานเขตบางนา", "ให้จัดระเบียบ", "อยู่ระหว่างดำเนินการ -"])
    ws.append(["บน-๖๗-๐๐๓", "20 ม.ค. 2567", "สำนักงานเขตบางนา", "ให้อบรม", "ไม่สามารถดำเนินการได้ ."])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_status_typed_with_a_full_stop_or_dash_at_the_end_is_read():
    p = pub.prepare([("ทะเบียนเขต.xlsx", _clerk_register())], sandbox=False)
    statuses = p.dataset.directives["status"].astype(str).tolist()
    assert statuses == ["done", "in_progress", "cannot"]
    assert "unknown_status" not in [i.code for i in p.issues]


def test_a_header_typed_on_two_lines_is_named_on_one_line_in_messages():
    p = pub.prepare([("ทะเบียนเขต.xlsx", _clerk_register())], sandbox=False)
    bad = [i for i in p.issues if i.code == "invalid_date"]
    assert len(bad) == 1 and bad[0].row == 4 and bad[0].value == "32 ม.ค. 2567"
    assert bad[0].column == "วันที่ สั่งการ (B)"
    assert "\n" not in bad[0].message_th and "\n" not in bad[0].message_en


FORMS_CSV = (
    "Timestamp,รหัสข้อสั่งการ,สถานะการดำเนินการ,รายละเอียดผลการดำเนินการ,ปัญหา/อุปสรรค,ผู้รายงาน\r\n"
    "2024/02/01 10:15:00 AM GMT+7,บน-๖๗-๐๐๒,อยู่ระหว่างดำเนินการ,ประสานเทศกิจแล้ว,-,นายสมชาย\r\n"
    "2024/03/20 2:05:22 PM GMT+7,บน-๖๗-๐๐๒,ดำเนินการแล้ว,จัดระเบียบเรียบร้อย,,นายสมชาย\r\n"
)


def test_google_forms_csv_timestamps_with_gmt_offset_are_read():
    assert parse_datetime("2024/03/20 2:05:22 PM GMT+7").isoformat() == "2024-03-20T14:05:22"
    assert parse_datetime("2024/03/20 07:05:22 GMT+0").isoformat() == "2024-03-20T14:05:22"
    assert parse_datetime("2024/03/20 14:05:22 UTC+07:00").isoformat() == "2024-03-20T14:05:22"
    files = [
        ("ทะเบียนเขต.xlsx", _clerk_register()),
        ("responses.csv", FORMS_CSV.encode("utf-8-sig")),
    ]
    p = pub.prepare(files, sandbox=False)
    assert "invalid_date" not in [i.code for i in p.issues if i.file == "responses.csv"]
    d = p.dataset.directives.set_index("directive_id")
    assert str(d.loc["บน-67-002", "status"]) == "done"  # the latest of its two responses
    assert len(p.dataset.responses) == 2


def _budget_form() -> bytes:
    """The seed's 3.2 table typed by hand: a two-row header with the as-of date over the
    disbursed columns, "-" for types the unit has no budget for, a section row, a total row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "๓.๒ เบิกจ่าย"
    ws.append(["หน่วยงาน : กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร"])
    ws.append(
        ["ประเภทงบรายจ่าย", "งบประมาณ หลังปรับโอน\n(จำนวนเงิน)", "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗", None]
    )
    ws.append([None, None, "ผลการเบิกจ่าย\n(จำนวนเงิน)", "ร้อยละ\nการเบิกจ่าย"])
    for cells in ("A2:A3", "B2:B3", "C2:D2"):
        ws.merge_cells(cells)
    ws.append(["งบประมาณกันเงินไว้เบิกเหลือมปี แบบไม่มีหนี้ผูกพัน (ไม่รวมงบบุคลากร)", "-", "-", "-"])
    ws.append(["งบประมาณประจำปี"])
    ws.append(["- งบดำเนินงาน", "๑๒,๒๐๓,๕๐๐.-", "๔,๐๙๔,๗๖๙.๔๗", "๓๓.๕๕%"])
    ws.append(["- งบรายจ่ายอื่น", 1041200, 266500, 0.256])
    ws.append(["งบกลาง (ไม่รวมงบบุคลากร)", "๒๕๘,๓๖๙.-", "๐", "๐"])
    ws.append(["รวมทั้งสิ้น", "๑๓,๕๐๓,๐๖๙.-", "๔,๓๖๑,๒๖๙.๔๗", "๓๒.๓๐"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_summary_prints_amounts_with_separators_and_not_applicable_as_a_dash(tmp_path, capsys):
    from tracker import cli

    path = tmp_path / "เบิกจ่าย.xlsx"
    path.write_bytes(_budget_form())
    assert cli.main(["summary", str(path)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "operating: 12,203,500.00 4,094,769.47 33.55%" in out
    assert "other: 1,041,200.00 266,500.00 25.60%" in out
    assert "total: 13,503,069.00 4,361,269.47 32.30%" in out
    assert "carryover: - - -" in out and "None" not in out


def _statuses_as_clerks_type_them() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียน"
    ws.append(["รหัสข้อสั่งการ", "ปีงบประมาณ", "หน่วยรับตรวจ", "ข้อสั่งการ", "สถานะ"])
    typed = [
        "ดำเนินการเรียบร้อยแล้ว",
        "เสร็จแล้ว",
        "ดำเนินการเสร็จแล้ว",
        "อยู่ระหว่างดำเนินการฯ",
        "- อยู่ระหว่างการดำเนินการ",
        "ยังไม่ได้รายงานผล",
        "ยังไม่ได้รายงาน",
    ]
    for i, status in enumerate(typed, start=1):
        ws.append([f"ก-{i}", "๒๕๖๗", "สำนักงานเขตบางรัก", f"เรื่อง {i}", status])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_status_variants_clerks_type_are_read():
    p = pub.prepare([("สถานะ.xlsx", _statuses_as_clerks_type_them())], sandbox=False)
    assert p.dataset.directives["status"].astype(str).tolist() == [
        "done",
        "done",
        "done",
        "in_progress",
        "in_progress",
        "not_reported",
        "not_reported",
    ]
    assert [i.code for i in p.issues if i.severity == "error"] == []


def test_a_zero_rate_is_written_beside_its_bar_not_hidden_in_it():
    from tracker.metrics import budget_sums
    from tracker.metrics.targets import Targets
    from tracker.present import charts_finance

    p = pub.prepare([("เบิกจ่าย.xlsx", _budget_form())], sandbox=False)
    types = budget_sums.by_type(p.dataset.budget)
    bars = charts_finance.budget_rate_by_type(types, Targets(), "th").data[0]
    shown = dict(zip(bars.meta, zip(bars.text, bars.textposition, strict=True), strict=True))
    assert shown["central"] == ("0.00%", "outside")  # the seed's งบกลาง: 258,369 allocated, 0 paid
    assert shown["operating"] == ("33.55%", "inside")
    assert shown["total"] == ("32.30%", "inside")
    assert "carryover" not in shown  # "-": not applicable, no bar at all


def _kpi_form() -> bytes:
    """The seed's KPI table typed by hand: title lines, the header repeated over each part."""
    header = [
        "ตัวชี้วัด",
        "ค่าเป้าหมาย",
        "ระดับความสำเร็จตามตัวชี้วัด",
        "รายละเอียดผลการดำเนินงานตามตัวชี้วัด",
        "โครงการ/กิจกรรมสนับสนุน",
        "หลักฐานอ้างอิง",
        "ปัญหา/อุปสรรค",
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ครึ่งปี"
    ws.append(["แบบรายงานความก้าวหน้า ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ (ระยะครึ่งปีงบประมาณ)"])
    ws.append(["หน่วยงาน : กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร"])
    ws.append(["๑.๑ ประสิทธิภาพในการดำเนินงานภารกิจหลัก (Function Base)"])
    ws.append(header)
    ws.append(["๑. ระดับความสำเร็จในการวิเคราะห์ผล", "ระดับ ๕", "ระดับ ๑", "ระดับ ๑", "กิจกรรม", "-", "-"])
    ws.append(["๒. ระดับความสำเร็จในการพัฒนาระบบ", "ระดับ ๕", "ระดับ ๒", "ระดับ ๒", "กิจกรรม", "-", "-"])
    ws.append(["๑.๓ ประสิทธิภาพของการดำเนินการตามนโยบาย (Agenda Base)"])
    ws.append(header)
    ws.append(
        ["๑. ระดับความสำเร็จของการสนับสนุน", "ระดับ ๕", "ระดับ ๓", "<p>ระดับ ๓</p>", "กิจกรรม", "-", None]
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_overview_names_near_and_below_target_kpis_together_by_another_name():
    """The Overview's card counts every scored KPI not on target (near and below); the KPIs
    page splits them into near (amber) and below (red): the same words for 3 and 2 read wrong."""
    from messages.i18n import t
    from tracker.metrics import kpi_scores

    p = pub.prepare([("ตัวชี้วัด.xlsx", _kpi_form())], sandbox=False)
    counts = kpi_scores.summary(p.dataset.kpis)
    assert (counts["amber"], counts["red"], counts["below_target"]) == (1, 2, 3)
    for lang in ("th", "en"):
        overview, kpis_page = t("fin.card.kpi_below", lang), t("kpis.card.red", lang)
        assert kpis_page not in overview
    assert t("fin.card.kpi_below", "th") == "ตัวชี้วัดที่ยังไม่ถึงเป้าหมาย"


def test_the_summary_names_statuses_in_thai_and_english_not_by_code(tmp_path, capsys):
    from tracker import cli

    path = tmp_path / "ทะเบียน.xlsx"
    path.write_bytes(_clerk_register())
    assert cli.main(["summary", str(path)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "  ดำเนินการแล้ว / Done: 1" in out
    assert "  อยู่ระหว่างการดำเนินการ / In progress: 1" in out
    assert "in_progress" not in out
