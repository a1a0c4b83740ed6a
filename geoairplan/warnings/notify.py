"""Who to notify at each level, and the measures of each level.

004 Art. 9 (L51-L58): when a warning is issued the county notifies, among
others, hospitals and the designated facilities (指定公私場所, Art. 5 L19).
This module lists, per day, level and pollutant group:

* **designated facilities** (:func:`geoairplan.datasets.load_facilities`):

  - 屏東縣: county-wide ("固定污染源公私場所與高耗能產業則擴大管制對象至全縣",
    003 L482), those on the notification tables the measures name for the
    pollutant group and level (``list_table`` rows of
    ``data/rules/measures_pingtung_003.csv``: 表 8 particulate, 表 9 SOx/NOx,
    表 10 VOC, 表 11 CEMS, 表 12/13 asphalt and petrochemical). A table named by
    a measure with a trigger (e.g. "forecast >= L1", 003 L508) is listed with
    that trigger in ``condition``;
  - other counties: the designated facilities in the warned townships (002
    L4981 "測站周邊"); facilities whose township is unknown are listed with
    ``in_zone`` = ``unknown``, never dropped;

* **hospitals and health stations** (:func:`geoairplan.datasets.load_health_facilities`)
  in the warned townships of the day (003 Table 6; 002 Table 7.8);

and the **measures** of the level for the pollutant group (屏東縣 only: the
measures file is 003's chapter 五; O3/SO2/NO2/CO at deterioration levels use
the PM measures, "same_as_group", 003 L1468).

Pollutant groups: ``pm10;pm2.5`` and ``o3;so2;no2;co`` (003 L488 / L1347).
A township warned by a forecast without a pollutant counts as ``pm10;pm2.5``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geoairplan import datasets
from geoairplan.errors import InputError, Problems
from geoairplan.reference.names import normalize_name
from geoairplan.reference.pollutants import normalize_pollutant
from geoairplan.warnings.rules import LEVEL_ZH_2022, LEVELS_2022

__all__ = ["notification_list", "measures_for", "pollutant_group", "GROUPS", "tables_for"]

GROUPS = ("pm10;pm2.5", "o3;so2;no2;co")
_MEASURE_COUNTY = "屏東縣"
#: 002 Table 7.7 lists 雲林縣's designated facilities in runs under station cells, without
#: addresses (data/facilities_README.md): run A under 斗六測站 (002 L4525), run B after the label
#: 崙背測站 (L4762; an inference of that README), run C under 麥寮、臺西測站 (L4807). A facility of
#: a run is notified when its stations' coverage townships are warned ("測站周邊", 002 L4981).
TABLE_STATION_GROUPS = {"T7.7#A": ("斗六",), "T7.7#B": ("崙背",), "T7.7#C": ("麥寮", "臺西")}


def pollutant_group(pollutant: str | None) -> str:
    """The measures' pollutant group of a pollutant code (default ``pm10;pm2.5``)."""
    p = normalize_pollutant(pollutant) or ""
    for g in GROUPS:
        if p in g.split(";"):
            return g
    return GROUPS[0]


def _load_measures(measures) -> pd.DataFrame | None:
    if isinstance(measures, pd.DataFrame):
        return measures
    try:
        return datasets.load_rules(measures or "measures_pingtung_003")
    except InputError:
        return None


def _resolve(m: pd.DataFrame, group: str, level: str) -> tuple[pd.DataFrame, str]:
    sub = m[(m["pollutant_group"] == group) & (m["level"] == level)]
    same = sub[sub["parameter"] == "same_as_group"]
    note = ""
    if len(same):
        other = str(same["value"].iloc[0])
        note = f"same measures as {other} at this level (003 L1468)"
        sub = m[(m["pollutant_group"] == other) & (m["level"] == level)]
    return sub, note


def tables_for(measures: pd.DataFrame, group: str, level: str) -> dict[str, str]:
    """Notification tables (``"8"``, ``"9"``, ...) the measures of ``group`` at ``level`` name,
    each with the trigger that conditions it ('' when unconditional)."""
    sub, _ = _resolve(measures, group, level)
    out: dict[str, str] = {}
    par = sub["parameter"].fillna("").astype(str)
    sub = sub.assign(_list=par.str.contains("list") & sub["value"].fillna("").astype(str).str.contains(r"表\s*\d"),
                     _trig=par.str.contains("trigger"))
    for mz, g in sub.groupby("measure_zh", sort=False):
        trig = g.loc[g["_trig"], "value"]
        cond = str(trig.iloc[0]) if len(trig) else ""
        for v in g.loc[g["_list"], "value"]:
            for t in re.findall(r"表\s*([\d.]+)", str(v)):
                if t not in out or (out[t] and not cond):
                    out[t] = cond
    return dict(sorted(out.items(), key=lambda kv: float(kv[0])))


def measures_for(county: str, group: str, level: str, measures=None) -> pd.DataFrame:
    """The measures of ``level`` for ``group`` (屏東縣, 003 chapter 五); empty for other counties."""
    cols = ["pollutant_group", "level", "measure_zh", "measure_en", "parameter", "value", "unit", "source_lines",
            "note"]
    m = _load_measures(measures)
    if county != _MEASURE_COUNTY or m is None:
        return pd.DataFrame(columns=cols)
    sub, note = _resolve(m, group, level)
    sub = sub[sub["parameter"].fillna("") != "same_as_group"].copy()
    sub["pollutant_group"] = group
    sub["note"] = note
    return sub.reindex(columns=cols).reset_index(drop=True)


def _township_of(df: pd.DataFrame, county: str) -> pd.Series:
    """The ``township`` column, or the township name found in the address."""
    if "township" in df.columns:
        return df["township"].map(lambda v: normalize_name(v) if isinstance(v, str) and v.strip() else None)
    towns = datasets.township_names(county)

    def find(addr):
        a = normalize_name(addr) if isinstance(addr, str) else None
        if not a:
            return None
        hits = [t for t in towns if t in a]
        if not hits:  # 屏東市 addresses printed without the county ("屏東市大連路")
            hits = [t for t in towns if a.startswith(t)]
        return max(hits, key=len) if hits else None

    return df.get("address", pd.Series([None] * len(df), index=df.index)).map(find)


def _group_stations(tables) -> list[str]:
    out = []
    for ref in str(tables or "").split(";"):
        for prefix, sts in TABLE_STATION_GROUPS.items():
            if ref.strip().startswith(prefix):
                out.extend(s for s in sts if s not in out)
    return out


def _group_towns(tables, mapping: pd.DataFrame | None) -> list[str]:
    sts = _group_stations(tables)
    if not sts or mapping is None:
        return []
    return list(mapping.loc[mapping["station"].isin(sts), "township"])


def _val(r, c):
    v = r.get(c)
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def notification_list(townships: pd.DataFrame, county: str, *, facilities=None, health=None, measures=None,
                      mapping: pd.DataFrame | None = None, problems: Problems | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who to notify, and the measures, per day and level of a county's warning zones.

    Parameters
    ----------
    townships : pandas.DataFrame
        ``Zones.townships`` (time, township, level_rank, pollutant, basis).
    county : str
        The county.
    facilities, health, measures : pandas.DataFrame or str, optional
        Tables to use instead of the embedded ones (``load_facilities(county)``,
        ``load_health_facilities(county)``, ``measures_pingtung_003``).
    mapping : pandas.DataFrame, optional
        The coverage used for the zones (``Zones.mapping``): places facilities listed by
        station area (雲林縣 002 Table 7.7) without an address.
    problems : geoairplan.errors.Problems, optional
        Where to report rows not used (default a new list).

    Returns
    -------
    notifications : pandas.DataFrame
        ``date, county, level, level_zh, pollutant_group, recipient_kind, name,
        control_no, township, address, contact, via, scope, in_zone, condition``.
    measures : pandas.DataFrame
        ``date, county, level, pollutant_group, measure_zh, measure_en, parameter,
        value, unit, source_lines, note``.
    """
    probs = problems if problems is not None else Problems()
    ncols = ["date", "county", "level", "level_zh", "pollutant_group", "recipient_kind", "name", "control_no",
             "township", "address", "contact", "via", "scope", "in_zone", "condition"]
    mcols = ["date", "county", "level", "pollutant_group", "measure_zh", "measure_en", "parameter", "value", "unit",
             "source_lines", "note"]
    if townships is None or len(townships) == 0:
        return pd.DataFrame(columns=ncols), pd.DataFrame(columns=mcols)
    if facilities is None:
        try:
            facilities = datasets.load_facilities(county)
        except Exception as exc:  # the embedded list may be unavailable in a partial install
            probs.add("facilities", county, f"designated facilities unavailable ({exc}): none listed")
            facilities = pd.DataFrame(columns=["name", "control_no", "township", "address", "tables", "contact"])
    if health is None:
        try:
            health = datasets.load_health_facilities(county)
        except Exception as exc:
            probs.add("health facilities", county, f"hospital list unavailable ({exc}): none listed")
            health = pd.DataFrame(columns=["name", "kind", "township", "address", "phone"])
    fac = facilities.copy().reset_index(drop=True)
    hea = health.copy().reset_index(drop=True)
    fac["_town"] = _township_of(fac, county).astype(object)
    hea["_town"] = _township_of(hea, county).astype(object)
    for d in (fac, hea):
        d["_town"] = pd.Series([t if isinstance(t, str) and t else None for t in d["_town"]], index=d.index,
                               dtype=object)
    m = _load_measures(measures) if county == _MEASURE_COUNTY else None
    tw = townships.copy()
    tw["date"] = [t.date().isoformat() for t in tw["time"]]
    tw["group"] = [pollutant_group(p.split(";")[0] if isinstance(p, str) else "") for p in tw["pollutant"]]
    rows, mrows = [], []
    for (d, grp), g in tw.groupby(["date", "group"], sort=True):
        day_rank = g.groupby("township")["level_rank"].max()
        top = int(day_rank.max())
        level = LEVELS_2022[top - 1]
        zone = set(day_rank.index)
        # designated facilities
        if county == _MEASURE_COUNTY and m is not None:
            tabs = tables_for(m, grp, level)
            for r in fac.to_dict("records"):
                refs = [x for x in str(r.get("tables") or "").split(";") if x.strip()]
                hit = [x for x in refs if re.match(r"T([\d.]+)#", x) and re.match(r"T([\d.]+)#", x).group(1) in tabs]
                if not hit:
                    continue
                conds = sorted({tabs[re.match(r"T([\d.]+)#", x).group(1)] for x in hit})
                cond = "" if "" in conds else "; ".join(conds)
                t = r.get("_town")
                rows.append({"date": d, "county": county, "level": level, "level_zh": LEVEL_ZH_2022[level],
                             "pollutant_group": grp, "recipient_kind": "designated_facility", "name": _val(r, "name"),
                             "control_no": _val(r, "control_no"), "township": t or "", "address": _val(r, "address"),
                             "contact": _val(r, "contact"), "via": ";".join(hit),
                             "scope": "county-wide (003 L482)",
                             "in_zone": "unknown" if not t else ("yes" if t in zone else "no"), "condition": cond})
        else:
            for r in fac.to_dict("records"):
                t = r.get("_town")
                area = [t] if t else _group_towns(r.get("tables"), mapping)
                hit = [x for x in area if x in zone]
                if area and not hit:
                    continue
                lv = LEVELS_2022[int(max(day_rank[x] for x in hit)) - 1] if hit else level
                via = _val(r, "tables") or "designated"
                if not t and area:
                    via += " (station area " + "、".join(_group_stations(r.get("tables"))) + ")"
                rows.append({"date": d, "county": county, "level": lv, "level_zh": LEVEL_ZH_2022[lv],
                             "pollutant_group": grp, "recipient_kind": "designated_facility", "name": _val(r, "name"),
                             "control_no": _val(r, "control_no"), "township": t or "", "address": _val(r, "address"),
                             "contact": _val(r, "contact"), "via": via,
                             "scope": "warning zone", "in_zone": "yes" if hit else "unknown",
                             "condition": "" if hit else "location unknown: check whether it lies in the zone"})
        # hospitals and health stations in the zone
        for r in hea.to_dict("records"):
            t = r.get("_town")
            if t and t not in zone:
                continue
            lv = LEVELS_2022[int(day_rank[t]) - 1] if t else level
            rows.append({"date": d, "county": county, "level": lv, "level_zh": LEVEL_ZH_2022[lv],
                         "pollutant_group": grp, "recipient_kind": _val(r, "kind") or "health",
                         "name": _val(r, "name"), "control_no": "", "township": t or "",
                         "address": _val(r, "address"), "contact": _val(r, "phone") or _val(r, "contact"),
                         "via": "emergency medical institution (004 Art. 9, L51)", "scope": "warning zone",
                         "in_zone": "unknown" if not t else "yes",
                         "condition": "" if t else "township unknown: check whether it lies in the zone"})
        ms = measures_for(county, grp, level, m)
        if len(ms):
            ms.insert(0, "county", county)
            ms.insert(0, "date", d)
            mrows.append(ms)
    notes = pd.DataFrame(rows, columns=ncols)
    if len(notes):
        kind_order = {"designated_facility": 0, "hospital": 1}
        notes["_k"] = notes["recipient_kind"].map(lambda k: kind_order.get(k, 2))
        notes = notes.sort_values(["date", "pollutant_group", "_k", "township", "control_no", "name"],
                                  kind="stable").drop(columns="_k").reset_index(drop=True)
    meas = pd.concat(mrows, ignore_index=True)[mcols] if mrows else pd.DataFrame(columns=mcols)
    return notes, meas
