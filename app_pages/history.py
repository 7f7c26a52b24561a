"""History: snapshots, what changed between two, roll back, audit log, trends over snapshots."""

import pandas as pd
import streamlit as st

from tracker.present.views import audit_message, snapshot_note
from tracker.publish import flow as pub
from tracker.publish import trends as trends_mod
from tracker.store import StoreError
from tracker.store.diff import table_counts as diff_tables
from tracker.thai import format_bangkok, format_int
from tracker.unit_names import unit_name
from ui import data
from ui.auth import require_action, require_page
from ui.i18n import lang, tr
from ui.unit_links import unit_chart, unit_table
from ui.widgets import cards, count, data_table

access = require_page("history")

MAX_ROWS = 2000


@st.cache_resource(show_spinner=False, max_entries=4)
def _history(url: str, version: tuple) -> pd.DataFrame:
    """All snapshots' directives (id, agency, status, due date); ``version`` keys the cache."""
    return trends_mod.directive_history(data.store())


@st.cache_resource(show_spinner=False, max_entries=8)
def _diff(url: str, a: int, b: int) -> dict[str, pd.DataFrame]:
    return data.store().diff(a, b)


@st.cache_resource(show_spinner=False, max_entries=8)
def _table_counts(url: str, a: int, b: int) -> pd.DataFrame:
    s = data.store()
    return diff_tables(s.load(a), s.load(b))


@st.cache_resource(show_spinner=False, max_entries=8)
def _provenance(url: str, sid: int) -> pd.DataFrame:
    return data.store().provenance(sid)


def _when(ts: object) -> str:
    return format_bangkok(ts, lang())


def _who(users: pd.Series) -> list[str]:
    """Who published: the app's own import of the sample reads "ระบบ" / "the app", not the
    account name "system"; people as their accounts are named."""
    return [tr("glance.system_user") if u == data.BOOTSTRAP_USER else u for u in users]


def _table(frame: pd.DataFrame, key: str, unit_column: str = "") -> None:
    """A (possibly long) display frame, capped so the browser stays responsive; its
    ``unit_column`` (if given) links to the units' cards."""
    if len(frame) > MAX_ROWS:
        st.caption(tr("history.first_rows", n=format_int(MAX_ROWS), total=format_int(len(frame))))
    if unit_column:
        unit_table(frame.head(MAX_ROWS), key, unit_column=unit_column)
    else:
        data_table(frame.head(MAX_ROWS), key)


st.title(tr("history.title"))
flash = st.session_state.pop("history_flash", None)
if flash is not None:
    st.success(tr("history.rolled_back", snapshot=flash), icon=":material/check_circle:")

try:
    store = data.store()
    snaps = store.snapshots()
    audit = store.audit_log()
except StoreError as exc:
    st.error(data.store_message(exc))
    st.stop()

if snaps.empty:
    st.info(tr("history.none"))
    st.stop()

lg = lang()
url = data.database_url()
current_id = next((int(i) for i, c in zip(snaps["id"], snaps["current"], strict=True) if c), None)
ids = [int(i) for i in snaps["id"]]
label = {
    int(i): trends_mod.snapshot_label(i, c, lg)
    for i, c in zip(snaps["id"], snaps["created_at"], strict=True)
}

# --- snapshots -------------------------------------------------------------------------------
st.subheader(tr("history.snapshots"))
listing = pd.DataFrame(
    {
        tr("history.col.id"): snaps["id"],
        tr("history.col.when"): [_when(x) for x in snaps["created_at"]],
        tr("history.col.user"): _who(snaps["user"]),
        tr("history.col.source"): snaps["source"],
        tr("history.col.rows"): snaps["rows"],
        tr("history.col.changes"): [pub.changes_text(c, lg) for c in snaps["changes"]],
        tr("history.col.note"): [snapshot_note(n, lg) for n in snaps["note"]],
        tr("history.col.current"): [
            tr("history.current_yes") if c else "" for c in snaps["current"]
        ],
    }
).iloc[::-1]
data_table(listing, "snapshots_table", name="snapshots")

# --- diff between two snapshots ----------------------------------------------------------------
st.subheader(tr("history.diff"))
default_to = ids.index(current_id) if current_id in ids else len(ids) - 1
left, right = st.columns(2)
to_id = right.selectbox(
    tr("history.diff_to"), ids, index=default_to, format_func=label.get, key="diff_to"
)
from_default = max(ids.index(to_id) - 1, 0)
from_id = left.selectbox(
    tr("history.diff_from"), ids, index=from_default, format_func=label.get, key="diff_from"
)
if from_id == to_id:
    st.caption(tr("history.same_snapshot"))
else:
    try:
        diff = _diff(url, from_id, to_id)
    except StoreError as exc:
        st.error(data.store_message(exc))
    else:
        counts = _table_counts(url, from_id, to_id)
        st.caption(tr("history.table_counts"))
        shown = counts.assign(table=[tr(f"upload.count.{k}") for k in counts["table"]])
        for c in ("added", "changed", "removed", "kept"):
            shown[c] = [format_int(int(v)) for v in shown[c]]
        shown.columns = [tr(f"upload.changes.{c}") for c in counts.columns]
        st.dataframe(shown, hide_index=True, width="stretch", key="hdiff_counts")
        prov = _provenance(url, to_id)
        with st.expander(tr("history.provenance")):
            st.dataframe(
                pd.DataFrame(
                    {
                        tr("history.prov.table"): [tr(f"upload.count.{k}") for k in prov["kind"]],
                        tr("history.prov.part"): [
                            trends_mod.snapshot_label(p, c, lg)
                            for p, c in zip(prov["part_id"], prov["created_at"], strict=True)
                        ],
                        tr("history.col.source"): prov["source"],
                        tr("history.prov.rows"): [format_int(int(n)) for n in prov["rows"]],
                    }
                ),
                hide_index=True,
                width="stretch",
                key="hprov",
            )
        sections = pub.diff_sections(diff, lg)
        cards([(title, count(n), None) for _, title, n, _ in sections[:4]])
        cards([(title, count(n), None) for _, title, n, _ in sections[4:]])
        for key, title, n, frame in sections:
            if n:
                with st.expander(f"{title} ({format_int(n)})"):
                    _table(frame, f"hdiff_{key}")

# --- roll back -------------------------------------------------------------------------------
st.subheader(tr("history.rollback"))
others = [i for i in reversed(ids) if i != current_id]
if not access.can("rollback"):
    st.caption(tr("auth.rollback_admin_only"))
elif not others:
    st.caption(tr("history.rollback_none"))
else:
    st.caption(tr("history.rollback_help"))
    target = st.selectbox(
        tr("history.rollback_to"), others, format_func=label.get, key="rollback_target"
    )
    sure = st.checkbox(
        tr("history.rollback_confirm", snapshot=target), value=False, key=f"rollback_sure_{target}"
    )
    if st.button(
        tr("history.rollback_button"),
        icon=":material/history:",
        disabled=not sure,
        key=f"rollback_{target}_{current_id}",
    ):
        if not sure:  # re-checked on the server: a disabled button cannot act
            st.stop()
        try:
            store.rollback(int(target), user=require_action("rollback").user)
        except StoreError as exc:
            st.error(data.store_message(exc))
        else:
            data.after_write()
            st.session_state["history_flash"] = int(target)
            st.session_state.pop(f"rollback_sure_{target}", None)
            st.rerun()

# --- audit log ---------------------------------------------------------------------------------
st.subheader(tr("history.audit"))
log_view = pd.DataFrame(
    {
        tr("history.col.when"): [_when(x) for x in audit["at"]],
        tr("history.col.user"): _who(audit["user"]),
        tr("history.col.action"): [tr(f"history.action.{a}") for a in audit["action"]],
        tr("history.col.id"): audit["snapshot_id"],
        tr("history.col.source"): audit["source"],
        tr("history.col.message"): [
            audit_message(a, m, lg) for a, m in zip(audit["action"], audit["message"], strict=True)
        ],
    }
).iloc[::-1]
_table(log_view, "audit_table")

# --- trends --------------------------------------------------------------------------------------
st.subheader(tr("history.trends"))
try:
    hist = _history(url, (len(ids), max(ids)))
except StoreError as exc:
    st.error(data.store_message(exc))
    st.stop()
trend = trends_mod.agency_trends(hist)
overall = trends_mod.overall_trend(trend)
agencies = sorted(trend["agency"].dropna().unique().tolist())
chosen = st.multiselect(
    tr("history.trend_agencies"),
    agencies,
    default=trends_mod.default_trend_agencies(trend),
    format_func=lambda a: unit_name(a, lg),
    key="trend_agencies",
)


def _trend_table(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.assign(snapshot=[label.get(int(i), str(i)) for i in frame["snapshot_id"]])
    out = out[columns]
    out.columns = [tr(f"history.trend_col.{c}") for c in columns]
    return out


# all units together above, then one row per chosen unit (its name links to its card)
table = trend[trend["agency"].isin(chosen)] if chosen else trend.iloc[0:0]
unit_chart(
    trends_mod.trend_figure(trend, overall, lg, chosen),
    _trend_table(table, ["snapshot", "agency", "done", "total", "done_pct"]),
    "trend",
    unit_column=tr("history.trend_col.agency"),
    units=chosen,
    lead=_trend_table(
        overall.assign(agency=tr("history.all_units")),
        ["snapshot", "agency", "done", "total", "done_pct"],
    ),
)

st.markdown(f"**{tr('history.status_over_time')}**")
directive_ids = sorted(hist["directive_id"].dropna().unique().tolist())
if directive_ids:
    picked = st.selectbox(tr("history.pick_directive"), directive_ids, key="trend_directive")
    timeline = trends_mod.status_history(hist, picked)
    timeline = timeline.assign(
        snapshot_id=[label.get(int(i), str(i)) for i in timeline["snapshot_id"]]
    ).drop(columns=["created_at"])
    _table(pub.display_frame(timeline, lg), "status_timeline")

st.markdown(f"**{tr('history.due_revisions')}**")
revisions = trends_mod.due_revisions(hist)
if revisions.empty:
    st.caption(tr("history.no_revisions"))
else:
    st.caption(tr("history.revisions_count", n=format_int(len(revisions))))
    shown = revisions.assign(
        snapshot_id=[label.get(int(i), str(i)) for i in revisions["snapshot_id"]]
    ).drop(columns=["created_at"])
    _table(pub.display_frame(shown, lg), "due_revisions", unit_column=tr("col.agency"))
