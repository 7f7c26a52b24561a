"""Upload (analysts): read and check spreadsheets, preview what changes, publish a snapshot."""

from collections import OrderedDict
from dataclasses import replace

import streamlit as st

from data_sources.files import sha256_of
from tracker.present.template import write_template
from tracker.publish import flow as pub
from tracker.read.mapping import mapping_from_choices, source_pattern
from tracker.store import DuplicateSnapshot, NothingToPublish, StoreError
from tracker.thai import fiscal_year, format_int
from ui import data
from ui.auth import require_action, require_page
from ui.fix import corrections_summary, fix_form
from ui.i18n import lang, tr
from ui.mapping import mapping_form, saved_table
from ui.widgets import cards, count

require_page("upload")

MB = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
MAX_REPORT_LINES = 300  # the whole-message view; the table and the xlsx report list them all


def _shown(value: object) -> bool:
    return value is not None and str(value) not in ("", "<NA>", "nan")


@st.cache_resource(show_spinner=False)
def _prepared_cache() -> OrderedDict:
    """Recent validation results by content hash + current snapshot (reruns do not re-read)."""
    return OrderedDict()


@st.cache_data(show_spinner=False)
def _template() -> bytes:
    return write_template()


def _prepare(
    payload: list[tuple[str, bytes]],
    cap: int,
    store,
    fiscal_year: int | None = None,
    mapping: dict[str, str] | None = None,
    corrections: tuple = (),
) -> pub.Prepared:
    """Read and check the uploads once per content and current snapshot, with progress."""
    loaded = data.current()
    key = (
        data.database_url(),
        loaded.snapshot_id,
        cap,
        tuple((name, sha256_of(blob)) for name, blob in payload),
        fiscal_year,
        tuple(sorted((mapping or {}).items())),
        corrections,
    )
    box = _prepared_cache()
    if key in box:
        box.move_to_end(key)
        hit = box[key]
        # the same element as on the first run, so the page does not shift on reruns
        st.status(tr("upload.read_done"), state=_state(hit), expanded=False)
        return hit
    with st.status(tr("upload.reading"), expanded=True) as status:
        bar = st.progress(0.0)

        def step(done: int, steps: int, what: str) -> None:
            if done < len(payload):
                text = tr("upload.reading_file", i=done + 1, n=len(payload))
            elif what == "validate":
                text = tr("upload.validating")
            else:
                text = tr("upload.comparing")
            bar.progress(min(done / steps, 1.0), text=text)

        prepared = pub.prepare(
            payload,
            cap,
            store=store,
            current=data.upload_base(loaded),
            progress=step,
            fiscal_year=fiscal_year,
            mapping=mapping,
            corrections=corrections,
        )
        status.update(label=tr("upload.read_done"), state=_state(prepared), expanded=False)
    if prepared.store_error is None:
        box[key] = prepared
        while len(box) > 8:
            box.popitem(last=False)
    return prepared


def _with_mode(prepared: pub.Prepared, replace_register: bool, store) -> pub.Prepared:
    """The preview for the chosen register mode (composed again only when it differs)."""
    if prepared.replace_register == replace_register or prepared.diff is None:
        return prepared
    box = _prepared_cache()
    key = ("mode", prepared.sha256, prepared.base_id, replace_register)
    if key not in box:
        loaded = data.current()
        copy = replace(prepared, replace_register=replace_register, duplicate_of=None)
        box[key] = pub.compare(copy, store, data.upload_base(loaded))
    return box[key]


def _state(prepared: pub.Prepared) -> str:
    return "error" if prepared.unreadable or prepared.has_errors else "complete"


def _report_table(prepared: pub.Prepared, show_info: bool) -> None:
    lg = lang()
    report = prepared.report(include_info=show_info)
    if report.empty:
        return
    report = report.assign(_o=report["severity"].map(SEVERITY_ORDER)).sort_values(
        ["_o", "file", "sheet", "row"], kind="stable", na_position="first"
    )
    shown = report.assign(
        severity=[tr(f"upload.severity.{s}") for s in report["severity"]],
        message=report["message_en" if lg == "en" else "message_th"],
        row=report["row"].astype("Int64"),
    )[["severity", "message", "row", "column", "value", "file", "sheet"]]
    lines = [
        " · ".join(str(x) for x in (r.severity, r.file, r.sheet, r.row, r.column) if _shown(x))
        + f"\n  {r.message}"
        for r in shown.head(MAX_REPORT_LINES).itertuples()
    ]
    # the level and the message first: on a phone they are what fits
    shown.columns = [tr(f"upload.report.{c}") for c in shown.columns]
    st.dataframe(shown, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(shown)))
    with st.expander(tr("upload.report_full", n=format_int(min(len(lines), len(report))))):
        # every message whole, wrapped (a code block: the values stay plain text)
        st.code("\n".join(lines), language=None, wrap_lines=True)


def _preview(prepared: pub.Prepared, store, nonce: int) -> pub.Prepared:
    """What will change; the register mode (add and update / replace) is chosen here."""
    st.subheader(tr("upload.preview"))
    if prepared.base_id is None:
        st.info(tr("upload.first_snapshot"))
    else:
        st.caption(tr("upload.compared_with", snapshot=prepared.base_id))
    if prepared.replaces_demo:
        st.info(tr("upload.replaces_demo"), icon=":material/swap_horiz:")
    elif prepared.counts["directives"]:
        mode = st.radio(
            tr("upload.mode"),
            ["merge", "replace"],
            format_func=lambda m: tr(f"upload.mode.{m}"),
            key=f"upload_mode_{nonce}",
            help=tr("upload.mode_help"),
        )
        prepared = _with_mode(prepared, mode == "replace", store)
    changes = prepared.change_counts()
    if len(changes):
        st.caption(tr("upload.changes_caption"))
        shown = changes.assign(table=[tr(f"upload.count.{k}") for k in changes["table"]])
        for c in ("in_file", "added", "changed", "removed", "kept"):
            shown[c] = [format_int(int(v)) for v in shown[c]]
        shown.columns = [tr(f"upload.changes.{c}") for c in changes.columns]
        st.dataframe(shown, hide_index=True, width="stretch", key="change_counts")
    sections = pub.diff_sections(prepared.diff or {}, lang())
    cards([(title, count(n), None) for _, title, n, _ in sections[:4]])
    cards([(title, count(n), None) for _, title, n, _ in sections[4:]])
    for key, title, n, frame in sections:
        if n:
            with st.expander(f"{title} ({format_int(n)})"):
                st.dataframe(frame, hide_index=True, width="stretch", key=f"diff_{key}")
    return prepared


st.title(tr("upload.title"))
st.caption(tr("upload.intro"))

flash = st.session_state.pop("upload_flash", None)
if flash is not None:
    st.success(tr("upload.published", snapshot=flash), icon=":material/check_circle:")
    st.page_link(
        "app_pages/overview.py", label=tr("upload.see_overview"), icon=":material/dashboard:"
    )

st.download_button(
    tr("upload.template"),
    data=_template(),
    file_name="bma_directives_template.xlsx",
    mime=XLSX,
    icon=":material/download:",
    help=tr("upload.template_help"),
)

store, problem = data.writable()
if problem is not None:
    st.error(data.store_message(problem) + "\n\n" + tr("upload.refused_offline"))
    st.stop()

cap = pub.max_upload_bytes()
# The web server refuses any upload over server.maxUploadSize, whatever the widget allows.
server_cap = int(st.get_option("server.maxUploadSize")) * MB
if cap > server_cap:
    st.warning(
        tr("upload.server_cap", setting=format_int(cap // MB), server=format_int(server_cap // MB))
    )
    cap = server_cap
nonce = st.session_state.get("upload_nonce", 0)
uploads = st.file_uploader(
    tr("upload.files", mb=format_int(cap // MB)),
    type=list(pub.UPLOAD_TYPES),
    accept_multiple_files=True,
    key=f"upload_files_{nonce}",
    max_upload_size=max(1, cap // MB),
    help=tr("upload.files_help"),
)
if not uploads:
    st.info(tr("upload.empty"))
    st.stop()

payload = [(f.name, f.getvalue()) for f in uploads]
mapping = st.session_state.get(f"upload_mapping_{nonce}")
fixes: tuple = tuple(st.session_state.get(f"upload_fixes_{nonce}", ()))
prepared = _prepare(payload, cap, store, mapping=mapping, corrections=fixes)
if any(i.code == "register_without_fiscal_year" for i in prepared.issues):
    # a register whose dates, title lines and names give no fiscal year: ask for it
    this_year = fiscal_year(data.today())
    chosen = st.selectbox(
        tr("upload.fiscal_year_ask"),
        [None, *range(this_year + 1, this_year - 5, -1)],
        format_func=lambda y: tr("upload.fiscal_year_pick") if y is None else format_int(y),
        key=f"upload_fy_{nonce}",
        help=tr("upload.fiscal_year_help"),
    )
    if chosen is not None:
        prepared = _prepare(
            payload, cap, store, fiscal_year=int(chosen), mapping=mapping, corrections=fixes
        )

st.subheader(tr("upload.files_read"))
st.dataframe(
    [
        {
            tr("upload.file.name"): f.name,
            tr("upload.file.size"): format_int(f.size),
            tr("upload.file.sheets"): f.sheets,
            tr("upload.file.result"): tr(f"upload.file.{'bad' if f.error_code else 'ok'}"),
            "sha256": f.sha256,
        }
        for f in prepared.files
    ],
    hide_index=True,
    width="stretch",
)
n_err = sum(i.severity == "error" for i in prepared.issues)
n_warn = sum(i.severity == "warning" for i in prepared.issues)
counts = prepared.counts
cards(
    [
        (tr("upload.count.directives"), count(counts["directives"]), None),
        (tr("upload.count.responses"), count(counts["responses"]), None),
        (tr("upload.count.kpis"), count(counts["kpis"]), None),
        (tr("upload.count.budget"), count(counts["budget"]), None),
    ]
)
# a row of their own: six cards in one row cut "100,000" short on a laptop screen
cards(
    [
        (tr("upload.count.errors"), count(n_err), None),
        (tr("upload.count.warnings"), count(n_warn), None),
    ]
)

st.subheader(tr("upload.report"))
if not n_err and not n_warn:
    st.success(tr("upload.no_issues"), icon=":material/task_alt:")
show_info = st.toggle(tr("upload.show_info"), value=False, key="upload_show_info")
_report_table(prepared, show_info)
if prepared.issues:
    st.download_button(
        tr("upload.download_report"),
        data=pub.report_xlsx(prepared),
        file_name="validation_report.xlsx",
        mime=XLSX,
        icon=":material/download:",
        key="download_report",
    )

corrections_summary(prepared)
new_fixes = fix_form(prepared, nonce)
if new_fixes:
    merged = {(c.file, c.sheet, c.row, c.letter): c for c in (*fixes, *new_fixes)}
    st.session_state[f"upload_fixes_{nonce}"] = tuple(merged.values())
    st.rerun()
if mapping:
    st.info(tr("mapping.applied"), icon=":material/rule:")
chosen_mapping = mapping_form(prepared.dataset.unmatched, nonce)
if chosen_mapping is not None:
    choices, remember = chosen_mapping
    if remember and choices:
        user = require_action("publish").user
        patterns = sorted({source_pattern(t.source) for t in prepared.dataset.unmatched})
        try:
            for pattern in patterns:
                store.save_column_mappings(pattern, choices, user)
        except StoreError as exc:
            st.error(data.store_message(exc))
            st.stop()
        st.session_state["upload_mapping_flash"] = (len(choices), ", ".join(patterns))
    st.session_state[f"upload_mapping_{nonce}"] = {
        **(mapping or {}),
        **mapping_from_choices(choices),
    }
    _prepared_cache().clear()
    st.rerun()
flash_mapping = st.session_state.pop("upload_mapping_flash", None)
if flash_mapping is not None:
    st.success(tr("mapping.saved_now", n=flash_mapping[0], patterns=flash_mapping[1]))
saved_table(prepared.saved_mappings)

if prepared.diff is not None and not prepared.unreadable and not prepared.has_errors:
    prepared = _preview(prepared, store, nonce)

st.subheader(tr("upload.publish_heading"))
for code in prepared.blockers():
    message = prepared.message(code, lang())
    if code in ("duplicate", "no_changes"):
        st.info(message, icon=":material/content_copy:")
    else:
        st.error(message)
removed = prepared.removed_directives
confirmed = True
if prepared.replace_register and len(removed):
    n_removed = format_int(len(removed))
    with st.expander(tr("upload.removed_list", n=n_removed), expanded=True):
        st.dataframe(
            pub.display_frame(removed, lang()), hide_index=True, width="stretch", key="removed"
        )
    confirmed = st.checkbox(
        tr("upload.replace_confirm", n=n_removed), key=f"replace_ok_{nonce}_{len(removed)}"
    )
    if not confirmed:
        st.warning(tr("upload.replace_needs_confirm", n=n_removed))
note = st.text_input(tr("upload.note"), max_chars=500, key=f"upload_note_{nonce}")
# The key carries the content and the snapshot the preview was made against: a click on a
# preview that has since gone stale (someone else published) is not acted on.
clicked = st.button(
    tr("upload.publish"),
    type="primary",
    icon=":material/publish:",
    disabled=not prepared.can_publish or not confirmed,
    key=f"publish_{prepared.sha256[:16]}_{prepared.base_id}_{int(prepared.replace_register)}_{nonce}",
)
if clicked and confirmed:
    try:
        sid = pub.publish(prepared, store, require_action("publish").user, note)
    except pub.PublishRefused as exc:
        st.error(exc.message_en if lang() == "en" else exc.message_th)
    except (DuplicateSnapshot, NothingToPublish) as exc:
        st.info(pub.duplicate_message(exc, lang()), icon=":material/content_copy:")
    except StoreError as exc:
        st.error(data.store_message(exc))
    else:
        data.after_write()
        _prepared_cache().clear()
        st.session_state["upload_flash"] = sid
        st.session_state["upload_nonce"] = nonce + 1
        st.rerun()
