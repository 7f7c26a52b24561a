"""Choropleth of Bangkok's 50 districts (Plotly geo, no web tiles) and the district card charts.

The GeoJSON (tracker/data/bangkok_districts.geojson, clockwise outer rings as plotly's geo
needs) is read once. Zone (กลุ่มเขต) borders are drawn as one line trace: the ring edges of
the districts that are not shared by two districts of the same zone, chained into polylines
(pure Python, computed once per zone table).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import pairwise

import pandas as pd
import plotly.graph_objects as go

from messages.i18n import t
from tracker import PACKAGE_DIR
from tracker.places import districts
from tracker.present.charts import FONT, status_label
from tracker.present.district_views import DAY_MEASURES, HIGHER_IS_BETTER, PCT_MEASURES
from tracker.schema import STATUS_COLORS, STATUSES
from tracker.thai import format_int

__all__ = [
    "GEOJSON_PATH",
    "PLOTLY_CONFIG",
    "district_map",
    "geojson",
    "legend_below",
    "measure_label",
    "rank_bar",
    "response_timeline",
    "status_bars",
    "zone_borders",
]

GEOJSON_PATH = PACKAGE_DIR / "data" / "bangkok_districts.geojson"
Point = tuple[float, float]
Line = list[Point]

# Sequential colour scales: darker = more of the measure. Good measures green, bad ones red.
_SCALES = {True: "Greens", False: "OrRd"}
_NO_DATA = "#e0e0e0"

# plotly.js geo fetches a world topojson from cdn.plot.ly whenever a choropleth is drawn,
# even with the base map hidden; offline that fetch fails and nothing is drawn. Our map needs
# no base layers, so hand it an empty topology inline (a data: URL; the appended
# "/world_110m.json" lands in the URL fragment, which is ignored).
_EMPTY_TOPOJSON = '{"type":"Topology","objects":{},"arcs":[]}'
PLOTLY_CONFIG = {
    "displaylogo": False,
    "scrollZoom": False,
    "topojsonURL": "data:application/json," + _EMPTY_TOPOJSON + "#/",
}
_BORDER = "#263238"
_SELECTED = "#1a237e"


@cache
def geojson() -> dict:
    """The districts FeatureCollection (cached: read once per process; do not mutate)."""
    with open(GEOJSON_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def _rings(feature: dict) -> list[list[Point]]:
    """Every ring of a Polygon / MultiPolygon feature as (lon, lat) tuples."""
    geom = feature["geometry"]
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return [[(float(x), float(y)) for x, y, *_ in ring] for poly in polygons for ring in poly]


@cache
def _feature_rings() -> dict[str, list[list[Point]]]:
    return {str(f["properties"]["code"]): _rings(f) for f in geojson()["features"]}


def _chain(edges: Iterable[tuple[Point, Point]]) -> list[Line]:
    """Join undirected edges into as few polylines as a greedy walk finds."""
    adjacent: dict[Point, list[Point]] = defaultdict(list)
    for a, b in edges:
        adjacent[a].append(b)
        adjacent[b].append(a)
    used: set[frozenset[Point]] = set()
    lines: list[Line] = []
    # Start at odd-degree ends first so open paths are walked end to end, then closed loops.
    starts = sorted(adjacent, key=lambda p: (len(adjacent[p]) % 2 == 0, p))
    for start in starts:
        while True:
            nxt = next((q for q in adjacent[start] if frozenset((start, q)) not in used), None)
            if nxt is None:
                break
            line = [start]
            here = start
            while nxt is not None:
                used.add(frozenset((here, nxt)))
                line.append(nxt)
                here = nxt
                nxt = next((q for q in adjacent[here] if frozenset((here, q)) not in used), None)
            lines.append(line)
    return lines


def _zone_of() -> dict[str, str]:
    d = districts()
    return dict(zip(d["code"], d["zone_th"], strict=True))


@cache
def _zone_borders(assignment: tuple[tuple[str, str], ...]) -> tuple[tuple[Point, ...], ...]:
    zone_of = dict(assignment)
    per_zone: Counter[tuple[str, frozenset[Point]]] = Counter()
    for code, rings in _feature_rings().items():
        zone = zone_of.get(code, code)
        for ring in rings:
            for a, b in pairwise(ring):
                if a != b:
                    per_zone[(zone, frozenset((a, b)))] += 1
    # An edge is on a zone border when it is not shared by two districts of one zone.
    border = {edge for (_, edge), n in per_zone.items() if n == 1}
    edges = [tuple(sorted(e)) for e in border]
    return tuple(tuple(line) for line in _chain(edges))  # type: ignore[arg-type]


def zone_borders() -> list[Line]:
    """Zone (กลุ่มเขต) borders and Bangkok's outline as polylines of (lon, lat)."""
    assignment = tuple(sorted(_zone_of().items()))
    return [list(line) for line in _zone_borders(assignment)]


def _line_xy(lines: Iterable[Sequence[Point]]) -> tuple[list[float | None], list[float | None]]:
    """Polylines as one lon/lat list with None between them (one Scattergeo trace)."""
    lon: list[float | None] = []
    lat: list[float | None] = []
    for line in lines:
        lon.extend(p[0] for p in line)
        lat.extend(p[1] for p in line)
        lon.append(None)
        lat.append(None)
    return lon, lat


def _zone_label_points(lang: str) -> list[tuple[str, float, float]]:
    """(zone name, lon, lat): the area-weighted mean of the zone's district centroids."""
    d = districts()
    name = "zone_en" if lang == "en" else "zone_th"
    out = []
    for zone, sub in d.groupby(name, sort=False):
        w = sub["area_km2"].astype(float)
        out.append(
            (
                str(zone),
                float((sub["centroid_lon"] * w).sum() / w.sum()),
                float((sub["centroid_lat"] * w).sum() / w.sum()),
            )
        )
    return out


def measure_label(measure: str, lang: str) -> str:
    """The name of a map measure in the language ("done_pct" → "ร้อยละดำเนินการแล้ว")."""
    return t(f"districts.measure.{measure}", lang)


def _fmt_pct(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.1f}%"


def _fmt_days(v: float | None) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else format_int(v)


def _customdata(frame: pd.DataFrame, lang: str) -> list[list[str]]:
    """Per district: code, name, zone, then the figures shown on hover (already formatted)."""
    name = "name_en" if lang == "en" else "name_th"
    zone = "zone_en" if lang == "en" else "zone_th"
    rows = []
    for r in frame.to_dict("records"):
        rows.append(
            [
                r["code"],
                r[name],
                r[zone],
                format_int(r["total"]),
                _fmt_pct(r["done_pct"]),
                format_int(r["open"]),
                format_int(r["not_reported"]),
                format_int(r["overdue"]),
                _fmt_pct(r["kpi_pct"]),
                _fmt_pct(r["disbursement_pct"]),
                _fmt_days(r.get("median_days")),
            ]
        )
    return rows


def _hovertemplate(lang: str) -> str:
    lines = [
        "<b>%{customdata[1]}</b>",
        t("districts.hover.zone", lang) + ": %{customdata[2]}",
        t("districts.hover.total", lang) + ": %{customdata[3]}",
        t("districts.hover.done_pct", lang) + ": %{customdata[4]}",
        t("districts.hover.open", lang) + ": %{customdata[5]}",
        t("districts.hover.not_reported", lang) + ": %{customdata[6]}",
        t("districts.hover.overdue", lang) + ": %{customdata[7]}",
        t("districts.hover.kpi_pct", lang) + ": %{customdata[8]}",
        t("districts.hover.disbursement_pct", lang) + ": %{customdata[9]}",
        t("districts.hover.median_days", lang) + ": %{customdata[10]}",
    ]
    return "<br>".join(lines) + "<extra></extra>"


def _marker(codes: list[str], focus: Sequence[str]) -> dict:
    """White district borders; districts outside the ``focus`` (a zone) faded."""
    marker: dict = {"line": {"color": "white", "width": 0.6}}
    if focus:
        keep = set(focus)
        marker["opacity"] = [1.0 if c in keep else 0.35 for c in codes]
    return marker


def _bounds(codes: Iterable[str]) -> tuple[float, float, float, float] | None:
    rings = _feature_rings()
    pts = [p for c in codes for ring in rings.get(c, []) for p in ring]
    if not pts:
        return None
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    return min(lons), max(lons), min(lats), max(lats)


def district_map(
    frame: pd.DataFrame,
    measure: str,
    lang: str,
    *,
    selected: str | None = None,
    focus: Sequence[str] = (),
    title: str | None = None,
    height: int = 620,
    zone_labels: bool = True,
) -> go.Figure:
    """Choropleth of ``frame`` (one row per district, see ``district_views.district_frame``)
    coloured by ``measure``, with zone borders, the ``selected`` district outlined and the
    view zoomed to the ``focus`` districts (e.g. an inspector's zone) when given.

    Traces (``meta``): "value" (the districts that have a value: all 50 for directive
    measures, where no directives is 0), "no_data" (the others in grey, only when there are
    any, e.g. districts without a KPI report), "zones" (borders), "selected" (the outline of
    the selected district, when one is selected), "zone_labels" (zone names). Every
    district stays drawn and clickable.
    """
    label = measure_label(measure, lang)
    pct = measure in PCT_MEASURES
    unit = t(
        "districts.unit.pct"
        if pct
        else ("districts.unit.days" if measure in DAY_MEASURES else "districts.unit.count"),
        lang,
    )
    gj = geojson()
    custom = _customdata(frame, lang)
    hover = _hovertemplate(lang)
    codes = frame["code"].astype(str).tolist()

    values = frame[measure].astype("float64")
    has = values.notna().to_numpy()
    zmax = 100.0 if pct else max(1.0, float(values.max()) if has.any() else 1.0)
    fig = go.Figure()
    fig.add_choropleth(
        geojson=gj,
        featureidkey="properties.code",
        locations=[c for c, h in zip(codes, has, strict=True) if h],
        z=values[has].tolist(),
        customdata=[c for c, h in zip(custom, has, strict=True) if h],
        hovertemplate=hover,
        colorscale=_SCALES[HIGHER_IS_BETTER[measure]],
        zmin=0,
        zmax=zmax,
        marker=_marker([c for c, h in zip(codes, has, strict=True) if h], focus),
        # A horizontal colour bar under the map leaves the full width to the map (phones).
        colorbar={
            "title": {"text": f"{label} ({unit})", "side": "top"},
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "top",
            "len": 0.95,  # its title is centred over it: a short bar cut a long title on a phone
            "thickness": 12,
            "dtick": 20 if pct else max(1, math.ceil(zmax / 6)),
        },
        name=label,
        meta="value",
    )
    if not has.all():
        # Districts without a value (e.g. no KPI report) are drawn grey, hover "—"; a second
        # GeoJSON holding only their features keeps the page small.
        missing = {c for c, h in zip(codes, has, strict=True) if not h}
        subset = {
            "type": "FeatureCollection",
            "features": [f for f in gj["features"] if f["properties"]["code"] in missing],
        }
        fig.add_choropleth(
            geojson=subset,
            featureidkey="properties.code",
            locations=[c for c, h in zip(codes, has, strict=True) if not h],
            z=[0] * int((~has).sum()),
            customdata=[c for c, h in zip(custom, has, strict=True) if not h],
            colorscale=[[0, _NO_DATA], [1, _NO_DATA]],
            showscale=False,
            hovertemplate=hover,
            marker=_marker([c for c, h in zip(codes, has, strict=True) if not h], focus),
            name=t("districts.legend.no_data", lang),
            meta="no_data",
        )
    lon, lat = _line_xy(zone_borders())
    fig.add_scattergeo(
        lon=lon,
        lat=lat,
        mode="lines",
        line={"color": _BORDER, "width": 2.2},
        hoverinfo="skip",
        name=t("districts.legend.zones", lang),
        meta="zones",
        showlegend=False,
    )
    if selected and selected in _feature_rings():
        slon, slat = _line_xy(_feature_rings()[selected])
        fig.add_scattergeo(
            lon=slon,
            lat=slat,
            mode="lines",
            line={"color": _SELECTED, "width": 4},
            hoverinfo="skip",
            name=t("districts.legend.selected", lang),
            meta="selected",
            showlegend=False,
        )
    if zone_labels:
        labels = _zone_label_points(lang)
        fig.add_scattergeo(
            lon=[p[1] for p in labels],
            lat=[p[2] for p in labels],
            text=[p[0] for p in labels],
            mode="text",
            hoverinfo="skip",
            meta="zone_labels",
            showlegend=False,
            textfont={
                "family": FONT,
                "size": 13,
                "color": _BORDER,
                "weight": "bold",
                "shadow": "auto",
            },
        )
    # Explicit ranges (rather than fitbounds) let the map use the whole plot area.
    box = _bounds(focus) if focus else None
    if box is None:
        box = _bounds(_feature_rings())
    lon0, lon1, lat0, lat1 = box  # type: ignore[misc]
    pad = 0.04 * max(lon1 - lon0, lat1 - lat0, 0.05)
    fig.update_geos(
        fitbounds=False,
        lonaxis_range=[lon0 - pad, lon1 + pad],
        lataxis_range=[lat0 - pad, lat1 + pad],
    )
    fig.update_geos(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)")
    fig.update_layout(
        title={
            "text": title or t("districts.map_title", lang, measure=label),
            "x": 0,
            "xanchor": "left",
        },
        font={"family": FONT, "size": 14},
        margin={"l": 0, "r": 0, "t": 50, "b": 80},
        height=height,
        dragmode=False,
        clickmode="event+select",
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def legend_below(fig: go.Figure, bottom: int = 96) -> go.Figure:
    """Put a horizontal legend at the very bottom of the figure, clear of the x-axis title."""
    fig.update_layout(
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "traceorder": "normal",
        },
        margin={"b": bottom},
    )
    return fig


def _small_layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=height,
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def status_bars(totals: dict[str, int], lang: str) -> go.Figure:
    """A district's directives by status: one bar per status, the count written beside it."""
    labels = [status_label(s, lang) for s in STATUSES]
    counts = [int(totals.get(s, 0)) for s in STATUSES]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=counts,
            orientation="h",
            marker_color=[STATUS_COLORS[s] for s in STATUSES],
            text=[format_int(n) for n in counts],
            textposition="outside",
            cliponaxis=False,
            customdata=list(STATUSES),
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(
        title=t("axis.directives", lang), range=[0, max(1, max(counts)) * 1.18], tickformat="d"
    )
    return _small_layout(fig, t("districts.chart.status", lang), 340)


def rank_bar(ranking: pd.DataFrame, measure: str, code: str, lang: str, zone: str) -> go.Figure:
    """The districts of a zone by ``measure`` (best first, "1. name"), the chosen one dark.

    Districts without a value for the measure (no directives, no KPI report) have no rank and
    come last, with "—".
    """
    name = "name_en" if lang == "en" else "name_th"
    pct = measure in PCT_MEASURES
    labels, text = [], []
    for r in ranking.to_dict("records"):
        ranked = bool(r["ranked"])
        labels.append(f"{int(r['rank'])}. {r[name]}" if ranked else str(r[name]))
        value = r[measure]
        if not ranked and (measure in PCT_MEASURES or measure in DAY_MEASURES):
            text.append("—")
        else:
            text.append(_fmt_pct(value) if pct else format_int(value))
    values = ranking[measure].astype("float64").fillna(0).tolist()
    colours = [_SELECTED if c == code else "#90a4ae" for c in ranking["code"]]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            marker_color=colours,
            text=text,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    top = 100.0 if pct else max(1.0, max(values) if values else 1.0)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=measure_label(measure, lang), range=[0, top * 1.15])
    title = t("districts.chart.rank", lang, measure=measure_label(measure, lang), zone=zone)
    return _small_layout(fig, title, max(340, 110 + 28 * len(ranking)))


def response_timeline(months: pd.DataFrame, lang: str) -> go.Figure:
    """Form responses per month, stacked by the status they reported (at least six months
    shown, so a single month is a bar, not a wall)."""
    fig = go.Figure()
    x = pd.to_datetime(months["month"]) if len(months) else pd.Series(dtype="datetime64[ns]")
    month_ms = 28 * 24 * 3600 * 1000
    for s in STATUSES:
        fig.add_bar(
            x=list(x),
            y=months[s].tolist() if len(months) else [],
            name=status_label(s, lang),
            marker_color=STATUS_COLORS[s],
            meta=s,
            width=month_ms,
            hovertemplate="%{x|%Y-%m} · " + status_label(s, lang) + ": %{y}<extra></extra>",
        )
    top = int(months["total"].max()) if len(months) else 1
    if len(x):
        first, last = x.min(), x.max()
        last = max(last, first + pd.DateOffset(months=5))
        ticks = pd.date_range(first, last, freq="MS")
        step = max(1, math.ceil(len(ticks) / 12))
        ticks = ticks[::step]
        be = 543 if lang == "th" else 0  # Thai readers get Buddhist-Era years
        fig.update_xaxes(
            range=[first - pd.DateOffset(days=20), last + pd.DateOffset(days=20)],
            tickvals=list(ticks),
            ticktext=[f"{d.month:02d}/{d.year + be}" for d in ticks],
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=t("districts.axis.month", lang))
    fig.update_yaxes(
        title=t("districts.axis.responses", lang),
        rangemode="tozero",
        dtick=max(1, math.ceil(top / 5)),
        tickformat="d",
    )
    return legend_below(_small_layout(fig, t("districts.chart.responses", lang), 360))
