"""Make the SCENARIO air-pollution episode (made-up hourly data, labelled so) for the warning demo.

Writes, under ``data/scenario/`` (or ``--out``):

* ``episode_scenario.csv``: 144 hours (2025-01-14 00:00 to 2025-01-19 23:00,
  Taiwan time) of hourly data for ALL 33 stations of ``data/stations.csv``,
  in the MOENV hourly "current" field-name format (``sitename, county, aqi,
  pollutant, status, so2, co, o3, o3_8hr, pm10, pm2.5, no2, nox, no,
  windspeed, winddirec, datacreationdate, unit, co_8hr, pm2.5_avg, pm10_avg,
  so2_avg, longitude, latitude, siteid``), values as text the way MOENV
  writes them (PM as integers, gases with one decimal, CO with two), plus a
  last column ``data_kind`` holding ``scenario`` on every row;
* ``forecast_scenario.csv``: a scenario next-day forecast by air-quality zone
  (``date, area, level, improving_6h, improving_12h, data_kind``) for
  ``geoairplan warn --forecast``.

The ``data_kind`` column is how the files say what they are: geoairplan's
readers see it (:func:`geoairplan.io.is_scenario`) and every output built from
them is labelled scenario, whatever the output folder is called.

Nothing here is measured. It is a documented model, chosen so that 屏東縣
reaches 初級/中級預警 (L1/L2) at the episode's peak and one station (麥寮,
濁水溪 river dust) reaches 輕度嚴重惡化 (S1), with missing and invalid values
the warning engine must handle.

Model (t = hours since 2025-01-14 00:00 local, h = hour of day, x, y = EPSG:3826 km)
-----------------------------------------------------------------------------------
* **Episode factor** (stagnant high pressure over the south):
  ``E(t) = exp(-((t - 70) / 30)² / 2)``.
* **Moving plume centre** ``c(t)``: a straight line from 高雄 (x 176, y 2508) at
  t = 24 to 屏東平原 (x 200, y 2498) at t = 96 (constant speed, clamped
  outside that interval). Spatial weight ``S(x, y, t) = exp(-|p - c(t)|² / (2 · 28²))``.
* **PM2.5** (µg/m³) = ``(B_s + 75 · E(t) · S) · D(h) · N`` where the regional
  background ``B_s`` is 22 on the western plain (雲林 to 屏東), 15 for 澎湖縣
  and 10 for 臺東縣; the diurnal cycle ``D(h) = 1 + 0.15 cos(2π(h - 22)/24)``
  (night-time maximum under the stable boundary layer); ``N`` multiplicative
  log-normal noise, sd 0.08.
* **PM10** (µg/m³) = ``1.7 · PM2.5 + 12 · N'`` plus, at the 雲林 coastal
  stations, 濁水溪 **river dust**: ``R_s · 380 · G(t) · N''`` with
  ``G(t) = exp(-((t - 66) / 14)² / 2)`` and station weights ``R_s`` 麥寮 1.0,
  崙背 0.75, 臺西 0.45, 斗六 0.15 (0 elsewhere).
* **Wind**: at the 雲林 stations a north-east monsoon surge, direction
  ``10° + 12° · sin(2πt/17)`` + N(0, 6°) (wrapped to 0–360), speed
  ``3 + 3.8 · G(t)`` m/s + N(0, 0.4) (≥ 0.3); elsewhere a weak land/sea
  breeze: direction 270° from 10:00 to 17:00 and 80° otherwise, + N(0, 20°),
  speed ``(2.4 - 1.4 · E(t)) · (1 + 0.3 sin(2π(h - 9)/24))`` + N(0, 0.2) (≥ 0.2).
* **O3** (ppb) = ``28 + (45 + 60 · E(t) · S') · P(h)`` + N(0, 3), with the
  photochemical afternoon peak ``P(h) = max(0, sin(π(h - 7)/12))²`` (07:00–19:00,
  maximum at 13:00) and ``S'`` the plume weight 20 km downwind (east) of the
  PM centre; at night 28 ppb minus 12 · E(t) (titration).
* **NO2** (ppb) = ``(6 + 14 · U_s) · (1 + 0.8 · rush(h)) · (1 + 0.6 · E(t))`` · N with
  ``rush(h)`` Gaussian peaks (sd 1.5 h) at 08:00 and 18:00 and ``U_s`` 1 for
  高雄市 and 臺南市 stations, 0.6 for 嘉義市, 屏東, 潮州, 斗六, 0.3 elsewhere;
  NO = 0.35 · NO2 · (1 + rush(h)); NOx = NO + NO2.
* **CO** (ppm) = ``(0.22 + 0.2 · U_s · (1 + rush(h))) · (1 + 0.9 · E(t) · S)`` · N.
* **SO2** (ppb) = ``2.2 + 6 · I_s · (1 + 0.5 sin(2π(h - 11)/24))`` · N with ``I_s``
  1 for 林園, 小港, 大寮, 麥寮 and 0 elsewhere.
* **Averages** carried by the format (``pm2.5_avg``, ``pm10_avg``, ``so2_avg``:
  24-h; ``co_8hr``, ``o3_8hr``: 8-h) are simple trailing means of the valid
  values above (at least one valid hour). geoairplan recomputes its own.
* **Missing and invalid values** (seeded): 0.5 % of the values at random are
  written empty; 恆春 PM2.5 and PM10 are ``-`` (instrument down) for hours
  50–56 (7 h); 屏東 NO2 and NOx carry the instrument-check marker ``#`` for
  hours 30–32; 麥寮 PM10 is ``ND`` at hour 61 and ``*``-marked at hour 62.
* ``aqi``, ``pollutant``, ``status``, ``unit`` and ``siteid`` are left empty
  (no AQI is computed; MOENV site ids are not in the seeds).

Rows are sorted by time, then by the station order of ``data/stations.csv``.

Forecast (``forecast_scenario.csv``)
------------------------------------
高屏: 01-14 none, 01-15 none, 01-16 L1, 01-17 L1, 01-18 L1 (easing within 6
and 12 h), 01-19 and 01-20 none (easing); 雲嘉南: 01-15 L1, 01-16 L2, 01-17 L1
(easing), 01-18 to 01-20 none (easing); other zones: no row.

Run: ``python scripts/make_scenario_episode.py`` (seed 20250114). Same seed →
same files, byte for byte. ``--check`` prints the peak 24-h PM2.5 and PM10 of
every station.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REF = ROOT.parent / "shared" / "reference" / "stations_southern_region.csv"

SEED = 20250114
START = "2025-01-14 00:00"
HOURS = 144

COLUMNS = ["sitename", "county", "aqi", "pollutant", "status", "so2", "co", "o3", "o3_8hr", "pm10", "pm2.5",
           "no2", "nox", "no", "windspeed", "winddirec", "datacreationdate", "unit", "co_8hr", "pm2.5_avg",
           "pm10_avg", "so2_avg", "longitude", "latitude", "siteid", "data_kind"]

#: The value of the ``data_kind`` column: these files are made up, not measured.
DATA_KIND = "scenario"

RIVER_DUST = {"麥寮": 1.0, "崙背": 0.75, "臺西": 0.45, "斗六": 0.15}
INDUSTRIAL_SO2 = {"林園", "小港", "大寮", "麥寮"}
URBAN_MID = {"嘉義", "屏東", "潮州", "斗六"}


def load_station_list() -> pd.DataFrame:
    """name_zh, county, lon, lat of the 33 stations (data/stations.csv, else the reference it is built from)."""
    try:
        from geoairplan.datasets import load_stations
        st = load_stations()
        # the 33 southern stations the scenario was made for (the registry now holds every MOENV station)
        st = st[st["source_file"].str.endswith("stations_southern_region.csv")]
        df = pd.DataFrame({"name_zh": st["name_zh"], "county": st["county"],
                           "lon": st["lon"].astype(float), "lat": st["lat"].astype(float)})
    except Exception:  # data/stations.csv not built yet: the published list it is built from
        from geoairplan.reference.names import normalize_name
        ref = pd.read_csv(REF, dtype=str)
        df = pd.DataFrame({"name_zh": ref["name_zh"].map(normalize_name),
                           "county": ref["county_zh"].map(normalize_name),
                           "lon": ref["lon"].astype(float), "lat": ref["lat"].astype(float)})
    return df.reset_index(drop=True)


def _gauss(v, sd):
    return np.exp(-0.5 * (v / sd) ** 2)


def simulate(stations: pd.DataFrame, seed: int = SEED, hours: int = HOURS) -> dict[str, np.ndarray]:
    """Arrays (hours × stations) of every quantity, before missing values are applied."""
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    tr = Transformer.from_crs(4326, 3826, always_xy=True)
    x, y = tr.transform(stations["lon"].to_numpy(), stations["lat"].to_numpy())
    x, y = np.asarray(x) / 1000.0, np.asarray(y) / 1000.0
    n = len(stations)
    names = stations["name_zh"].to_numpy()
    county = stations["county"].to_numpy()
    t = np.arange(hours, dtype=float)[:, None]
    h = (np.arange(hours) % 24).astype(float)[:, None]

    E = _gauss(t - 70.0, 30.0)
    f = np.clip((t - 24.0) / 72.0, 0.0, 1.0)
    cx, cy = 176.0 + 24.0 * f, 2508.0 - 10.0 * f
    S = np.exp(-((x[None, :] - cx) ** 2 + (y[None, :] - cy) ** 2) / (2 * 28.0 ** 2))
    S_o3 = np.exp(-((x[None, :] - cx - 20.0) ** 2 + (y[None, :] - cy) ** 2) / (2 * 28.0 ** 2))
    base = np.where(county == "澎湖縣", 15.0, np.where(county == "臺東縣", 10.0, 22.0))[None, :]
    D = 1.0 + 0.15 * np.cos(2 * np.pi * (h - 22.0) / 24.0)

    def lognoise(sd=0.08):
        return np.exp(rng.normal(0.0, sd, size=(hours, n)))

    pm25 = (base + 75.0 * E * S) * D * lognoise()
    G = _gauss(t - 66.0, 14.0)
    R = np.array([RIVER_DUST.get(s, 0.0) for s in names])[None, :]
    pm10 = 1.7 * pm25 + 12.0 * lognoise(0.3) + R * 380.0 * G * lognoise(0.1)

    yunlin = (county == "雲林縣")[None, :]
    wd_y = 10.0 + 12.0 * np.sin(2 * np.pi * t / 17.0) + rng.normal(0, 6.0, size=(hours, n))
    ws_y = 3.0 + 3.8 * G + rng.normal(0, 0.4, size=(hours, n))
    day = (h >= 10) & (h <= 17)
    wd_o = np.where(day, 270.0, 80.0) + rng.normal(0, 20.0, size=(hours, n))
    ws_o = (2.4 - 1.4 * E) * (1 + 0.3 * np.sin(2 * np.pi * (h - 9.0) / 24.0)) + rng.normal(0, 0.2, size=(hours, n))
    wd = np.mod(np.where(yunlin, wd_y, wd_o), 360.0)
    ws = np.where(yunlin, np.maximum(ws_y, 0.3), np.maximum(ws_o, 0.2))

    P = np.maximum(0.0, np.sin(np.pi * (h - 7.0) / 12.0)) ** 2 * ((h >= 7) & (h <= 19))
    o3 = np.where(P > 0, 28.0 + (45.0 + 60.0 * E * S_o3) * P, 28.0 - 12.0 * E) + rng.normal(0, 3.0, size=(hours, n))
    o3 = np.maximum(o3, 1.0)

    U = np.array([1.0 if c in ("高雄市", "臺南市") else (0.6 if s in URBAN_MID else 0.3)
                  for s, c in zip(names, county)])[None, :]
    rush = _gauss(h - 8.0, 1.5) + _gauss(h - 18.0, 1.5)
    no2 = (6.0 + 14.0 * U) * (1 + 0.8 * rush) * (1 + 0.6 * E) * lognoise(0.12)
    no = 0.35 * no2 * (1 + rush)
    nox = no + no2
    co = (0.22 + 0.2 * U * (1 + rush)) * (1 + 0.9 * E * S) * lognoise(0.1)
    I = np.array([1.0 if s in INDUSTRIAL_SO2 else 0.0 for s in names])[None, :]
    so2 = (2.2 + 6.0 * I * (1 + 0.5 * np.sin(2 * np.pi * (h - 11.0) / 24.0))) * lognoise(0.15)
    return {"pm2.5": pm25, "pm10": pm10, "o3": o3, "no2": no2, "no": no, "nox": nox, "co": co, "so2": so2,
            "windspeed": ws, "winddirec": wd}


_FMT = {"pm2.5": "{:.0f}", "pm10": "{:.0f}", "o3": "{:.1f}", "no2": "{:.1f}", "no": "{:.1f}", "nox": "{:.1f}",
        "so2": "{:.1f}", "co": "{:.2f}", "windspeed": "{:.1f}", "winddirec": "{:.0f}",
        "pm2.5_avg": "{:.0f}", "pm10_avg": "{:.0f}", "so2_avg": "{:.1f}", "co_8hr": "{:.1f}", "o3_8hr": "{:.0f}"}


def _text(arr: np.ndarray, fmt: str) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    flat = arr.ravel()
    out.ravel()[:] = ["" if not np.isfinite(v) else fmt.format(v) for v in flat]
    return out


def build(stations: pd.DataFrame, seed: int = SEED, hours: int = HOURS) -> pd.DataFrame:
    """The episode as a frame of strings in the MOENV "current" format."""
    sim = simulate(stations, seed, hours)
    rng = np.random.default_rng(seed + 1)
    n = len(stations)
    names = list(stations["name_zh"])
    obs = ["pm2.5", "pm10", "o3", "no2", "no", "nox", "co", "so2", "windspeed", "winddirec"]
    # rounded values as published; the averages are computed from the published (rounded) values
    rounded = {k: np.vectorize(lambda v, f=_FMT[k]: float(f.format(v)))(sim[k]) for k in obs}
    text = {k: _text(rounded[k], _FMT[k]) for k in obs}
    valid = {k: np.ones((hours, n), dtype=bool) for k in obs}
    # random gaps
    for k in obs:
        gap = rng.random((hours, n)) < 0.005
        text[k][gap] = ""
        valid[k] &= ~gap
    col = {s: i for i, s in enumerate(names)}

    def mark(station, key, hrs, how):
        if station not in col:
            return
        j = col[station]
        for hh in hrs:
            if how == "#":
                text[key][hh, j] = text[key][hh, j] + "#" if text[key][hh, j] else "#"
            elif how == "*":
                text[key][hh, j] = text[key][hh, j] + "*" if text[key][hh, j] else "*"
            else:
                text[key][hh, j] = how
            valid[key][hh, j] = False

    mark("恆春", "pm2.5", range(50, 57), "-")
    mark("恆春", "pm10", range(50, 57), "-")
    mark("屏東", "no2", range(30, 33), "#")
    mark("屏東", "nox", range(30, 33), "#")
    mark("麥寮", "pm10", [61], "ND")
    mark("麥寮", "pm10", [62], "*")

    def trailing(key, window):
        v = pd.DataFrame(np.where(valid[key], rounded[key], np.nan))
        return v.rolling(window, min_periods=1).mean().to_numpy()

    avgs = {"pm2.5_avg": trailing("pm2.5", 24), "pm10_avg": trailing("pm10", 24), "so2_avg": trailing("so2", 24),
            "co_8hr": trailing("co", 8), "o3_8hr": trailing("o3", 8)}
    for k, a in avgs.items():
        text[k] = _text(a, _FMT[k])
    times = pd.date_range(START, periods=hours, freq="h").strftime("%Y-%m-%d %H:%M")
    lon = [f"{v:.6f}" for v in stations["lon"]]
    lat = [f"{v:.6f}" for v in stations["lat"]]
    rows = []
    for i in range(hours):
        for j in range(n):
            r = {"sitename": names[j], "county": stations["county"].iat[j], "aqi": "", "pollutant": "",
                 "status": "", "datacreationdate": times[i], "unit": "", "longitude": lon[j],
                 "latitude": lat[j], "siteid": "", "data_kind": DATA_KIND}
            for k in text:
                r[k] = text[k][i, j]
            rows.append(r)
    return pd.DataFrame(rows, columns=COLUMNS)


FORECAST = [
    ("2025-01-14", "高屏", "none", "no", "no"),
    ("2025-01-15", "高屏", "none", "no", "no"),
    ("2025-01-16", "高屏", "L1", "no", "no"),
    ("2025-01-17", "高屏", "L1", "no", "no"),
    ("2025-01-18", "高屏", "L1", "yes", "yes"),
    ("2025-01-19", "高屏", "none", "yes", "yes"),
    ("2025-01-20", "高屏", "none", "yes", "yes"),
    ("2025-01-14", "雲嘉南", "none", "no", "no"),
    ("2025-01-15", "雲嘉南", "L1", "no", "no"),
    ("2025-01-16", "雲嘉南", "L2", "no", "no"),
    ("2025-01-17", "雲嘉南", "L1", "yes", "yes"),
    ("2025-01-18", "雲嘉南", "none", "yes", "yes"),
    ("2025-01-19", "雲嘉南", "none", "yes", "yes"),
    ("2025-01-20", "雲嘉南", "none", "yes", "yes"),
]


def forecast_frame() -> pd.DataFrame:
    """The scenario forecast (:data:`FORECAST`) with its ``data_kind`` column."""
    df = pd.DataFrame(FORECAST, columns=["date", "area", "level", "improving_6h", "improving_12h"])
    df["data_kind"] = DATA_KIND
    return df


def check(df: pd.DataFrame) -> None:
    """Print the peak trailing 24-h mean of PM2.5 and PM10 per station (all values, no completeness rule)."""
    for k in ("pm2.5", "pm10"):
        v = pd.to_numeric(df[k].str.rstrip("#*"), errors="coerce")
        w = pd.DataFrame({"s": df["sitename"], "v": v}).groupby("s", sort=False)["v"]
        peak = w.apply(lambda s: s.rolling(24, min_periods=18).mean().max()).round(1)
        hourly = w.max()
        print(f"{k}: peak 24-h mean / peak hour")
        for s in peak.index:
            print(f"  {s:8s} {peak[s]:7.1f} {hourly[s]:7.0f}")
    o3 = pd.to_numeric(df["o3"], errors="coerce")
    print("o3 peak hour (ppb):", pd.DataFrame({"s": df.sitename, "v": o3}).groupby("s")["v"].max()
          .sort_values().tail(5).to_dict())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "scenario")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--check", action="store_true", help="print peak 24-h means per station")
    args = ap.parse_args(argv)
    stations = load_station_list()
    df = build(stations, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out / "episode_scenario.csv", index=False, lineterminator="\n")
    forecast_frame().to_csv(args.out / "forecast_scenario.csv", index=False, lineterminator="\n")
    print(f"wrote {args.out / 'episode_scenario.csv'}: {len(df)} rows, {df.sitename.nunique()} stations, "
          f"{df.datacreationdate.nunique()} hours; {args.out / 'forecast_scenario.csv'}")
    if args.check:
        check(df)


if __name__ == "__main__":
    main()
