"""Warning levels against bare pandas groupby-rolling (the peer at its best) and the naive per-row peer.

Data: a synthetic tidy hourly table for the 33 southern stations and the six
rule pollutants (gamma-distributed values scaled so that every level occurs,
5 % of values missing, seeded), and a "typical" year with values scaled by 0.4. The peer is
:func:`geoairplan.warnings.levels_reference` (plain Python, row by row); both
must give identical levels, which is checked before the ratio is printed. A second, stronger
peer is bare pandas: ``groupby(...).rolling(...)`` of the same moving averages on the same table
(24 h for PM and SO2 with 18 valid hours, 8 h for CO with 6) — the floor of the averaging alone,
without levels, zones or completeness bookkeeping.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

SCALE = {"pm2.5": 45, "pm10": 200, "o3": 80, "so2": 60, "no2": 90, "co": 6}
UNIT = {"pm2.5": "ug/m3", "pm10": "ug/m3", "o3": "ppb", "so2": "ppb", "no2": "ppb", "co": "ppm"}


def synthetic(n_stations: int = 33, hours: int = 8760, seed: int = 1, scale: float = 1.0) -> pd.DataFrame:
    """``scale`` 1: levels in most hours (worst case for the text columns); 0.4: a typical year."""
    rng = np.random.default_rng(seed)
    t = pd.date_range("2024-01-01", periods=hours, freq="h", tz="Asia/Taipei")
    parts = []
    for p, s in SCALE.items():
        v = rng.gamma(2.0, scale * s / 2.0, size=(n_stations, hours))
        miss = rng.random((n_stations, hours)) < 0.05
        v[miss] = np.nan
        parts.append(pd.DataFrame({
            "time": np.tile(t, n_stations), "station": np.repeat([f"S{i:02d}" for i in range(n_stations)], hours),
            "pollutant": p, "value": v.ravel(), "unit": UNIT[p],
            "flag": np.where(miss.ravel(), "missing", "valid")}))
    return pd.concat(parts, ignore_index=True)


def _time(fn, *a, **k):
    t0 = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t0


def pandas_rolling(obs: pd.DataFrame) -> pd.DataFrame:
    """The moving averages the levels need, with bare pandas (the strong peer)."""
    out = []
    for (p, window, need) in (("pm2.5", 24, 18), ("pm10", 24, 18), ("so2", 24, 18), ("co", 8, 6)):
        part = obs[obs["pollutant"] == p].set_index("time").sort_index()
        roll = (part.groupby("station")["value"].rolling(f"{window}h", min_periods=need).mean())
        out.append(roll.rename(p))
    return pd.concat(out, axis=1)


def run(quick: bool = False) -> list[str]:
    from geoairplan.warnings import compute_levels, levels_reference

    lines = []
    peer_hours = 96 if quick else 720
    obs = synthetic(33, peer_hours)
    fast, tf = _time(compute_levels, obs)
    slow, ts = _time(levels_reference, obs)
    same = all(fast[c].astype(str).tolist() == slow[c].astype(str).tolist()
               for c in ["level", "pollutant"] + [c for c in slow.columns if c.startswith("level_")])
    lines.append(f"33 stations x {peer_hours} h x 6 pollutants ({len(obs):,} rows): vectorised {tf:.2f} s, "
                 f"naive per-row peer {ts:.1f} s -> ratio ours/peer {tf / ts:.4f} ({ts / tf:.0f}x faster); "
                 f"identical levels: {same}")
    year = 720 if quick else 8760
    big = synthetic(33, year)
    _, tpd = _time(pandas_rolling, big)
    _, tus = _time(compute_levels, big)
    lines.append(f"33 stations x {year} h: levels (ours) {tus:.2f} s vs bare pandas groupby-rolling of the "
                 f"same moving averages {tpd:.2f} s -> ratio ours/peer {tus / tpd:.2f} (ours also does the "
                 f"hourly rules, completeness, levels and their pollutant; goal <= 2)")
    obs = synthetic(33, year)
    lv, ty = _time(compute_levels, obs)
    counts = lv["level"].value_counts().to_dict()
    lines.append(f"33 stations x {year} h ({len(obs):,} rows): vectorised {ty:.2f} s "
                 f"({len(lv):,} station-hours; levels {dict(sorted(counts.items()))})")
    typ, tt = _time(compute_levels, synthetic(33, year, scale=0.4))
    lines.append(f"33 stations x {year} h, typical values (levels in {(typ['level_rank'] > 0).mean():.1%} of "
                 f"station-hours): vectorised {tt:.2f} s")
    lines.append(f"naive peer extrapolated to {year} h: ~{ts * year / peer_hours:.0f} s "
                 f"(ratio ours/peer ~{ty / (ts * year / peer_hours):.4f})")
    return lines
