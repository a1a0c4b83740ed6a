"""Make the SCENARIO micro-sensor data set for ``geoairplan suspects`` (made-up data, labelled so).

Writes, under ``data/scenario/`` (or ``--out``):

* ``sources_scenario.csv``: scenario point sources in TEDS columns (TM2 metres, t/yr),
* ``sensors_scenario.csv``: hourly PM2.5 of scenario micro-sensors (``device_id, lon, lat, time, pm2.5``),
* ``sensors_scenario_wind.csv``: hourly wind (and PM2.5) of the 雲林縣 MOENV stations, in the MOENV
  hourly "lower case" format (``sitename, county, ..., wind_speed, wind_direc, publishtime``),
* ``sensors_scenario_truth.json``: what was simulated (the chosen source, parameters).

Nothing here is measured. The seeds give no coordinates for any factory and no
micro-sensor placements; everything below is a documented model.

Scenario sources (placement rule)
---------------------------------
The seeds give no coordinates for any factory, and no township for the
designated facilities of 002 Table 7.7 (:func:`geoairplan.datasets.load_facilities`
leaves them unplaced). The scenario places a designated 雲林縣 facility in a
township when the facilities reader gives one, or else when its name contains
the township's name without the 市/鎮/鄉 suffix (…斗六廠 → 斗六市, …麥寮廠 →
麥寮鄉, 台灣糖業…虎尾糖廠 → 虎尾鎮, 合眾紙業…林內廠 → 林內鄉): 22 of the 69.
In each township with declared emissions in 002 Table 2.27
(:func:`geoairplan.datasets.load_township_emissions`), its placed facilities
give as many scenario point sources on a
sunflower spiral around the township's representative point (shapely
``point_on_surface`` in TM2): the j-th at radius 500 m · √j and angle
j · 137.508°, skipping positions outside the township, rounded to 10 m. The
township's declared PM, SOx, NOx and VOC (t, 108 Q4, treated as t/yr) are split
equally among them: ``PM_EMI`` = PM, ``SOX_EMI``, ``NOX_EMI``, ``NMHC_EMI`` = VOC,
``PM25_EMI`` = 0.5 × PM (Yunlin TEDS10 industry PM2.5/TSP ≈ 0.51, 002 Table 3.5),
``CO_EMI`` blank (Table 2.27 has no CO). A township with declared emissions and
no placed facility gets one row "<township>申報量彙總(情境)" **without
coordinates** (``TOWNSHIP`` only), as a facility list that knows sources only by
township would: it counts in the township totals, not on the grid. Township
totals of the scenario therefore equal Table 2.27. The facilities only decide
*how many* scenario sources a township gets and where its emissions go; their
names and control numbers are **not** carried over (a made-up plume must not
point at a real company): scenario sources are named "情境污染源 <township>-<n>"
with control numbers ``SCN-<TOWNCODE>-<n>``.

The chosen source (``--culprit``, default: the 斗六市 source farthest
downwind in the prevailing wind, i.e. with the largest projection on the
direction the wind blows *to*) gets an undeclared extra PM2.5 emission
``--excess`` g/s (default 3 g/s; a bypassed dust collector, say).

Wind
----
A north-easterly monsoon episode of ``--hours`` hours (default 48) starting
2023-12-01 01:00 (hour ending, Taiwan time): direction from 35° with an AR(1)
meander (φ = 0.7, innovation sd 3°), speed 3 m/s with a diurnal swing of
±1 m/s and noise sd 0.3 m/s (at least 1 m/s). Every Yunlin station gets the
same wind plus its own noise (sd 3°, 0.2 m/s); the plume uses the 斗六
station's values.

Sensors
-------
``--sensors`` sensors (default 30) placed around the chosen source: 3 on the
mean plume axis at 0.6, 1.1 and 1.7 km downwind (jittered by 80 m, as a county
would put sensors along a complaint corridor) and the rest uniformly (seeded) in a 9 km × 9 km square centred on the
chosen source, at least 300 m from any other sensor. Coordinates are written
in WGS84 degrees (6 decimals).

Concentration model
-------------------
PM2.5 at a sensor in an hour = background + Σ plumes + noise:

* background: 28 µg/m³ + 4 sin(2π(h − 8)/24) (diurnal) + 0.3 µg/m³ per km
  west of the chosen source (a coastal gradient) + sensor bias N(0, 1.5),
* plumes: a ground-level Gaussian plume with total reflection from every
  source (declared PM2.5 and, for the chosen source, the excess):
  C = Q / (π u σy σz) · exp(−y² / 2σy²) · exp(−H² / 2σz²), x > 0 downwind,
  Briggs open-country class C: σy = 0.11 x (1 + 0.0001 x)^−½,
  σz = 0.08 x (1 + 0.0002 x)^−½, H = 20 m effective height, u the wind speed,
* noise: multiplicative log-normal, sd 0.08, then rounded to 0.1 µg/m³.

Every file declares itself scenario data: a ``data_kind`` column holding
``scenario`` (sensors, wind), ``DATA = scenario`` (sources), ``"data"`` in the
truth file; geoairplan labels the outputs of these files from that column.

Run: ``python scripts/make_scenario_sensors.py`` (seed 20231201). Same seed →
same files, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SEED = 20231201
START = "2023-12-01 01:00"
COUNTY = "雲林縣"
WIND_FROM = 35.0
PM25_RATIO = 0.5
SPIRAL_M = 500.0
GOLDEN = 137.50776405
AXIS_M = (600.0, 1100.0, 1700.0)  # sensors on the mean plume axis, metres downwind of the chosen source


def briggs_c(x):
    """Briggs open-country class C dispersion coefficients (m) at downwind distance x (m)."""
    sy = 0.11 * x / np.sqrt(1 + 0.0001 * x)
    sz = 0.08 * x / np.sqrt(1 + 0.0002 * x)
    return sy, sz


def plume(q_gs, sx, sy_, rx, ry, wind_from, u, h=20.0):
    """Ground-level concentration (µg/m³) at receptors (rx, ry) from a source at (sx, sy_).

    ``wind_from`` in degrees (meteorological), ``u`` m/s, ``q_gs`` g/s.
    """
    to = math.radians((wind_from + 180.0) % 360.0)  # direction the plume travels
    ux, uy = math.sin(to), math.cos(to)
    dx, dy = rx - sx, ry - sy_
    x = dx * ux + dy * uy  # downwind
    y = -dx * uy + dy * ux  # crosswind
    out = np.zeros_like(rx, dtype=float)
    m = x > 1.0
    if not m.any() or q_gs <= 0:
        return out
    sy, sz = briggs_c(x[m])
    c = q_gs / (math.pi * u * sy * sz) * np.exp(-0.5 * (y[m] / sy) ** 2) * np.exp(-0.5 * (h / sz) ** 2)
    out[m] = c * 1e6  # g/m³ -> µg/m³
    return out


def scenario_sources() -> pd.DataFrame:
    """The scenario point sources (TEDS columns, TM2 metres), by the placement rule above."""
    import shapely
    from geoairplan import datasets
    from geoairplan.reference.names import normalize_name

    em = datasets.load_township_emissions(COUNTY)
    em = em[em["township"].map(normalize_name) != normalize_name("總計")]
    key = {"粒狀物": "PM", "硫氧化物": "SOX", "氮氧化物": "NOX", "揮發性有機物": "NMHC"}

    def pkey(p):
        p = str(p).strip()
        if p in key:
            return key[p]
        low = p.lower().replace(" ", "")
        return {"pm": "PM", "tsp": "PM", "sox": "SOX", "nox": "NOX", "voc": "NMHC", "vocs": "NMHC",
                "nmhc": "NMHC"}.get(low, p.upper())

    em = em.assign(township=em["township"].map(normalize_name), key=em["pollutant"].map(pkey))
    wide = em.pivot_table(index="township", columns="key", values="value", aggfunc="sum")
    towns = datasets.load_townships(COUNTY).to_crs(3826).set_index("TOWNNAME")
    fac = datasets.load_facilities(COUNTY).copy()
    fac["township"] = [normalize_name(t) if isinstance(t, str) and t else _stem_township(n, towns.index)
                       for t, n in zip(fac["township"], fac["name"])]
    fac = fac[fac["township"].notna()].copy()
    fac["_cno"] = [c if isinstance(c, str) and c.strip() else "~" for c in fac["control_no"]]  # none: last
    fac = fac.sort_values(["township", "_cno", "name"], kind="stable")
    rows = []
    for town in towns.index:  # MOI order
        if town not in wide.index:
            continue
        poly = towns.geometry[town]
        c = poly.representative_point()
        members = fac[fac["township"] == town]
        vals = wide.loc[town]
        code = towns.at[town, "TOWNCODE"]
        if not len(members):
            rows.append(_row(None, f"{town}申報量彙總(情境)", town, None, vals, 1, code, 0,
                             "township only: declared total without coordinates (scenario)"))
            continue
        n = len(members)
        placed, j = [], 0
        while len(placed) < n:
            r = SPIRAL_M * math.sqrt(j)
            a = math.radians(j * GOLDEN)
            px, py = round(c.x + r * math.sin(a), -1), round(c.y + r * math.cos(a), -1)
            if poly.contains(shapely.Point(px, py)):
                placed.append((int(px), int(py)))
            j += 1
            if j > 10000:
                raise RuntimeError(f"cannot place {n} sources in {town}")
        for k, xy in enumerate(placed):
            rows.append(_row(None, f"情境污染源 {town}-{k + 1:02d}", town, xy, vals, n, code, k,
                             "township representative point + spiral (scenario)"))
    return pd.DataFrame(rows)


def _stem_township(name, towns):
    """The township whose name without 市/鎮/鄉 appears in a facility name (scenario rule), else None."""
    hits = [t for t in towns if isinstance(name, str) and t[:-1] in name]
    return hits[0] if len(hits) == 1 else None


def _row(cno, name, town, xy, vals, n, code, k, placement):
    def share(key):
        v = vals.get(key, 0.0)
        return round(float(0.0 if pd.isna(v) else v) / n, 4)
    pm = share("PM")
    return {
        "C_NO": cno if isinstance(cno, str) and cno else f"SCN-{code}-{k + 1:02d}",
        "NO_S": "S01", "NAME": name, "COUNTY": COUNTY, "TOWNSHIP": town,
        "UTM_E": None if xy is None else xy[0], "UTM_N": None if xy is None else xy[1],
        "HEI": None if xy is None else 20,
        "SOX_EMI": share("SOX"), "NOX_EMI": share("NOX"), "CO_EMI": None, "PM_EMI": pm,
        "PM25_EMI": round(PM25_RATIO * pm, 4), "NMHC_EMI": share("NMHC"),
        "DATA": "scenario", "PLACEMENT": placement,
    }


def choose_culprit(src: pd.DataFrame, culprit: str | None) -> int:
    if culprit:
        hit = np.flatnonzero(src["C_NO"].to_numpy() == culprit)
        if not len(hit):
            raise SystemExit(f"--culprit {culprit}: no such scenario source")
        return int(hit[0])
    to = math.radians(WIND_FROM + 180.0)
    proj = src["UTM_E"].astype(float) * math.sin(to) + src["UTM_N"].astype(float) * math.cos(to)
    cand = src.index[(src["TOWNSHIP"] == "斗六市") & src["UTM_E"].notna()]
    return int(proj[cand].idxmax())


def make_scenario(out: Path, *, seed: int = SEED, hours: int = 48, n_sensors: int = 30,
                  excess_gs: float = 3.0, culprit: str | None = None) -> dict:
    """Write the scenario files into ``out``; returns the truth record."""
    from pyproj import Transformer
    from geoairplan import datasets

    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    src = scenario_sources()
    ci = choose_culprit(src, culprit)
    cx, cy = float(src.at[ci, "UTM_E"]), float(src.at[ci, "UTM_N"])
    times = pd.date_range(START, periods=hours, freq="h")
    # wind at the Yunlin stations
    st = datasets.load_stations(COUNTY).sort_values("name_zh").reset_index(drop=True)
    meander = np.zeros(hours)
    for t in range(1, hours):
        meander[t] = 0.7 * meander[t - 1] + rng.normal(0, 3.0)
    hod = np.array([t.hour for t in times])
    base_dir = (WIND_FROM + meander) % 360
    base_spd = np.maximum(1.0, 3.0 + 1.0 * np.sin(2 * np.pi * (hod - 8) / 24) + rng.normal(0, 0.3, hours))
    wind_rows = []
    douliu = None
    for _, s in st.iterrows():
        d = np.round((base_dir + rng.normal(0, 3.0, hours)) % 360, 0)
        u = np.round(np.maximum(0.6, base_spd + rng.normal(0, 0.2, hours)), 1)
        if s["name_zh"] == "斗六":
            douliu = (d, u)
        for t, dd, uu in zip(times, d, u):
            wind_rows.append((s["name_zh"], s["county"], t, dd, uu))
    if douliu is None:
        raise SystemExit("the embedded station list has no 斗六 station")
    wdir, wspd = douliu
    # sensors
    to = math.radians(WIND_FROM + 180.0)
    ux, uy = math.sin(to), math.cos(to)
    pts = []
    for dist in AXIS_M:
        pts.append((cx + dist * ux + rng.normal(0, 80), cy + dist * uy + rng.normal(0, 80)))
    tries = 0
    while len(pts) < n_sensors:
        tries += 1
        p = (cx + rng.uniform(-4500, 4500), cy + rng.uniform(-4500, 4500))
        if all(math.hypot(p[0] - q[0], p[1] - q[1]) >= 300 for q in pts) and \
                math.hypot(p[0] - cx, p[1] - cy) >= 300:
            pts.append(p)
        if tries > 100000:
            raise RuntimeError("cannot place sensors")
    pts = np.array(pts)
    ids = [f"SCN-PM{j + 1:03d}" for j in range(len(pts))]
    bias = rng.normal(0, 1.5, len(pts))
    west_km = (cx - pts[:, 0]) / 1000.0
    q_decl = src["PM25_EMI"].to_numpy(float) * 1e6 / (8760 * 3600)  # t/yr -> g/s
    sxs, sys_ = src["UTM_E"].to_numpy(float), src["UTM_N"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        near = np.flatnonzero(np.hypot(sxs - cx, sys_ - cy) < 30000)  # township-only rows (NaN) emit nowhere
    rows = []
    for ti, t in enumerate(times):
        conc = 28.0 + 4.0 * math.sin(2 * math.pi * (t.hour - 8) / 24) + 0.3 * west_km + bias
        for i in near:
            q = q_decl[i] + (excess_gs if i == ci else 0.0)
            conc = conc + plume(q, sxs[i], sys_[i], pts[:, 0], pts[:, 1], wdir[ti], wspd[ti])
        conc = conc * np.exp(rng.normal(0, 0.08, len(pts)))
        for sid, v in zip(ids, conc):
            rows.append((sid, t, round(float(v), 1)))
    tr = Transformer.from_crs(3826, 4326, always_xy=True)
    lon, lat = tr.transform(pts[:, 0], pts[:, 1])
    loc = {sid: (round(float(a), 6), round(float(b), 6)) for sid, a, b in zip(ids, lon, lat)}
    sens = pd.DataFrame([{"device_id": sid, "lon": loc[sid][0], "lat": loc[sid][1],
                          "time": t.strftime("%Y-%m-%d %H:%M"), "pm2.5": f"{v:.1f}", "data_kind": "scenario"}
                         for sid, t, v in rows])
    sens.to_csv(out / "sensors_scenario.csv", index=False, lineterminator="\n")
    src_out = src.copy()
    for c in ("UTM_E", "UTM_N", "HEI"):
        src_out[c] = src_out[c].astype("Int64")
    src_out.to_csv(out / "sources_scenario.csv", index=False, lineterminator="\n")
    # wind file, MOENV lower-case generation
    cols = ["sitename", "county", "aqi", "pollutant", "status", "so2", "co", "co_8hr", "o3", "o3_8hr", "pm10",
            "pm2.5", "no2", "nox", "no", "wind_speed", "wind_direc", "publishtime", "pm2.5_avg", "pm10_avg",
            "so2_avg", "longitude", "latitude", "siteid", "data_kind"]
    stc = st.set_index("name_zh")
    wrows = []
    for name, county, t, d, u in sorted(wind_rows, key=lambda r: (r[2], r[0])):
        rec = {c: "" for c in cols}
        rec.update(sitename=name, county=county, wind_speed=f"{u:.1f}", wind_direc=f"{d:.0f}",
                   publishtime=t.strftime("%Y/%m/%d %H:%M:%S"), longitude=stc.at[name, "lon"],
                   latitude=stc.at[name, "lat"], status="", data_kind="scenario")
        wrows.append(rec)
    pd.DataFrame(wrows, columns=cols).to_csv(out / "sensors_scenario_wind.csv", index=False, lineterminator="\n")
    truth = {
        "data": "scenario (made up by scripts/make_scenario_sensors.py; not measurements)",
        "seed": seed, "hours": hours, "start": START, "sensors": len(pts),
        "chosen_source": {"c_no": src.at[ci, "C_NO"], "name": src.at[ci, "NAME"],
                          "township": src.at[ci, "TOWNSHIP"], "utm_e": cx, "utm_n": cy,
                          "excess_pm25_g_per_s": excess_gs},
        "wind_from_mean_deg": WIND_FROM, "plume_axis_sensors": ids[:len(AXIS_M)],
        "model": "ground-level Gaussian plume with reflection, Briggs open-country class C, H = 20 m",
    }
    (out / "sensors_scenario_truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                                     encoding="utf-8")
    return truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(HERE.parent / "data" / "scenario"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--hours", type=int, default=48)
    ap.add_argument("--sensors", type=int, default=30)
    ap.add_argument("--excess", type=float, default=3.0, help="undeclared PM2.5 of the chosen source, g/s")
    ap.add_argument("--culprit", default=None, help="control number of the chosen source")
    a = ap.parse_args()
    truth = make_scenario(Path(a.out), seed=a.seed, hours=a.hours, n_sensors=a.sensors, excess_gs=a.excess,
                          culprit=a.culprit)
    print(f"wrote scenario files to {a.out}; chosen source {truth['chosen_source']['c_no']} "
          f"{truth['chosen_source']['name']} ({truth['chosen_source']['township']})")


if __name__ == "__main__":
    main()
