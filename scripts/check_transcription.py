"""Check the seed transcriptions in data/ (rules, coverage, emissions, station metadata).

Asserts the structural facts the seeds state (township partitions, per-station
counts, level ladders) and the arithmetic ones (township rows of 002 Table 2.27
against the printed total, within rounding), then prints a summary. When the
seed texts are present (``../shared/seeds`` beside the repo), every cited line
is also checked to exist and, for the threshold tables, to contain the number.

Run: ``python scripts/check_transcription.py``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import pandas as pd
except ImportError:  # pragma: no cover - pandas is a dependency of geoairplan
    sys.exit("pandas is needed: pip install pandas")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
REF_STATIONS = ROOT.parent / "shared" / "reference" / "stations_southern_region.csv"

POLLUTANTS = ["pm2.5", "pm10", "o3", "so2", "no2", "co"]
LEVELS_2022 = {"L1": ("初級預警", 1), "L2": ("中級預警", 2), "S1": ("輕度嚴重惡化", 3),
               "S2": ("中度嚴重惡化", 4), "S3": ("重度嚴重惡化", 5)}
LEVELS_002 = {"W2": ("預警二級", 1), "W1": ("預警一級", 2), "D3": ("嚴重惡化三級", 3),
              "D2": ("嚴重惡化二級", 4), "D1": ("嚴重惡化一級", 5)}
AVERAGING = {"1h", "8h_moving", "24h_moving"}
PINGTUNG = ["屏東市", "潮州鎮", "東港鎮", "恆春鎮", "萬丹鄉", "長治鄉", "麟洛鄉", "九如鄉", "里港鄉", "鹽埔鄉",
            "高樹鄉", "萬巒鄉", "內埔鄉", "竹田鄉", "新埤鄉", "枋寮鄉", "新園鄉", "崁頂鄉", "林邊鄉", "南州鄉",
            "佳冬鄉", "琉球鄉", "車城鄉", "滿州鄉", "枋山鄉", "三地門鄉", "霧臺鄉", "瑪家鄉", "泰武鄉", "來義鄉",
            "春日鄉", "獅子鄉", "牡丹鄉"]
YUNLIN = ["斗六市", "斗南鎮", "虎尾鎮", "西螺鎮", "土庫鎮", "北港鎮", "古坑鄉", "大埤鄉", "莿桐鄉", "林內鄉",
          "二崙鄉", "崙背鄉", "麥寮鄉", "東勢鄉", "褒忠鄉", "臺西鄉", "元長鄉", "四湖鄉", "口湖鄉", "水林鄉"]
PENGHU = ["馬公市", "湖西鄉", "白沙鄉", "西嶼鄉", "望安鄉", "七美鄉"]
STATION_COUNTS = {("屏東縣", "屏東"): 11, ("屏東縣", "潮州"): 16, ("屏東縣", "恆春"): 6,
                  ("雲林縣", "斗六"): 7, ("雲林縣", "崙背"): 7, ("雲林縣", "麥寮"): 2, ("雲林縣", "臺西"): 4,
                  ("澎湖縣", "馬公"): 6}

summary: list[str] = []


def read(rel: str) -> pd.DataFrame:
    return pd.read_csv(DATA / rel, dtype=str, keep_default_na=False, na_values=[""])


def seed_lines() -> dict[str, list[str]]:
    if not SEEDS.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8").split("\n") for p in SEEDS.glob("*.txt")}


def cited(spec: str) -> list[int]:
    out: list[int] = []
    for part in str(spec).split(";"):
        a, _, b = part.strip().partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def check_citations(df: pd.DataFrame, name: str, seeds: dict, file_col: str = "source_file",
                    default_file: str | None = None) -> None:
    if not seeds:
        return
    for i, r in df.iterrows():
        f = r[file_col] if file_col in df.columns else default_file
        assert f in seeds, f"{name} row {i}: unknown seed file {f!r}"
        for part in str(r["source_lines"]).split(";"):
            ends = cited(part)
            for n in ends:
                assert 1 <= n <= len(seeds[f]), f"{name} row {i}: line {n} beyond the end of {f}"
            for n in (ends[0], ends[-1]):  # a cited line or both ends of a cited range hold text
                assert seeds[f][n - 1].strip(), f"{name} row {i}: cited line {n} of {f} is empty"


def check_rules(seeds: dict) -> None:
    for name, levels, rs in [("warning_2022", LEVELS_2022, "2022"), ("warning_pre2022_002", LEVELS_002, "pre2022_002")]:
        w = read(f"rules/{name}.csv")
        assert list(w.columns) == ["rule_set", "pollutant", "level", "level_zh", "level_rank", "averaging", "threshold",
                                   "unit", "consecutive_hours", "source_file", "source_table", "source_lines", "note"]
        assert (w["rule_set"] == rs).all()
        assert set(w["pollutant"]) == set(POLLUTANTS), set(w["pollutant"])
        assert set(w["averaging"]) <= AVERAGING
        for _, r in w.iterrows():
            assert (r["level_zh"], int(r["level_rank"])) == levels[r["level"]], r.to_dict()
        assert not w.duplicated(["pollutant", "level", "averaging"]).any()
        assert w["threshold"].astype(float).gt(0).all() and w["consecutive_hours"].astype(int).ge(1).all()
        units = w.groupby("pollutant")["unit"].agg(set).to_dict()
        assert units == {"pm2.5": {"ug/m3"}, "pm10": {"ug/m3"}, "o3": {"ppm"}, "so2": {"ppb"}, "no2": {"ppb"},
                         "co": {"ppm"}}, units
        # every pollutant has a criterion at every level; thresholds rise with the level
        for (p, a), g in w.groupby(["pollutant", "averaging"]):
            g = g.sort_values("level_rank")
            assert g["threshold"].astype(float).is_monotonic_increasing, (name, p, a)
        for p, g in w.groupby("pollutant"):
            assert set(g["level"]) == set(levels), (name, p, set(g["level"]))
        pm10h = w[(w["pollutant"] == "pm10") & (w["averaging"] == "1h")]
        assert sorted(pm10h["consecutive_hours"].astype(int)) == [2, 3]
        if seeds:
            check_citations(w, name, seeds)
            for i, r in w.iterrows():
                line = seeds[r["source_file"]][int(r["source_lines"]) - 1].replace(" ", "").replace(",", "")
                assert re.search(rf"(?<![\d.]){re.escape(r['threshold'])}(?![\d.])", line), (name, i, r["threshold"])
        summary.append(f"{name}: {len(w)} criteria, levels {', '.join(sorted(set(w['level']), key=lambda k: levels[k][1]))}")
    w22, w02 = read("rules/warning_2022.csv"), read("rules/warning_pre2022_002.csv")
    m = read("rules/level_map_pre2022_to_2022.csv")
    assert set(m["from_level"]) == set(LEVELS_002) and set(m["to_level"]) == set(LEVELS_2022) and len(m) == 5
    for _, r in m.iterrows():
        assert LEVELS_002[r["from_level"]][1] == LEVELS_2022[r["to_level"]][1]
    k = ["pollutant", "averaging", "level_rank"]
    j = w22.merge(w02, on=k, suffixes=("_22", "_02"))
    assert len(j) == len(w22) == len(w02)
    d = j[j["threshold_22"].astype(float) != j["threshold_02"].astype(float)]
    summary.append("pre-2022 (002) vs 2022 thresholds differ at: "
                   + "; ".join(f"{r.pollutant} {r.averaging} rank {r.level_rank}: {r.threshold_02} vs {r.threshold_22}"
                               for r in d.itertuples()))
    rd = read("rules/yunlin_river_dust_002.csv")
    assert set(rd["level"]) == {"W1", "D3", "D2", "D1"} and (rd["response_stations"] == "崙背;麥寮").all()
    assert (rd["wind_speed_op"] == ">").all() and (rd["wind_speed_ms"].astype(float) == 3.7).all()
    check_citations(rd, "yunlin_river_dust_002", seeds)
    ms = read("rules/measures_pingtung_003.csv")
    assert list(ms.columns) == ["pollutant_group", "level", "measure_zh", "measure_en", "parameter", "value", "unit",
                                "source_lines"]
    assert set(ms["pollutant_group"]) == {"pm10;pm2.5", "o3;so2;no2;co"}
    assert set(ms["level"]) == set(LEVELS_2022)
    for g, gg in ms.groupby("pollutant_group"):
        assert set(gg["level"]) == set(LEVELS_2022), g
    keyed = ms[ms["parameter"].notna()]
    assert not keyed.duplicated(["pollutant_group", "level", "parameter"]).any(), \
        keyed[keyed.duplicated(["pollutant_group", "level", "parameter"], keep=False)]
    if seeds:
        f003 = next(f for f in seeds if f.startswith("003_"))
        check_citations(ms, "measures_pingtung_003", seeds, default_file=f003)
        for i, r in ms.iterrows():  # each phrase is cut from its cited lines (joined, bullets and spaces ignored)
            text = "".join(seeds[f003][n - 1].strip().lstrip("-•").strip() for n in cited(r["source_lines"]))
            squash = lambda t: re.sub(r"\s+", "", t.replace("**", ""))
            assert squash(r["measure_zh"]) in squash(text), f"measures_pingtung_003 row {i}: phrase not in cited lines"
    summary.append(f"measures_pingtung_003: {len(ms)} rows, "
                   f"{ms.groupby(['pollutant_group', 'level']).size().to_dict()}")


def check_coverage(seeds: dict) -> None:
    cov = read("coverage_official.csv")
    assert list(cov.columns) == ["county", "station", "township", "source_file", "source_table", "source_lines", "note"]
    for county, towns in [("屏東縣", PINGTUNG), ("雲林縣", YUNLIN), ("澎湖縣", PENGHU)]:
        c = cov[cov["county"] == county]
        assert len(c) == len(towns), (county, len(c))
        assert c["township"].is_unique, c[c["township"].duplicated()]
        assert set(c["township"]) == set(towns), set(c["township"]) ^ set(towns)
    counts = cov.groupby(["county", "station"]).size().to_dict()
    assert counts == STATION_COUNTS, counts
    assert set(cov["county"]) == {"屏東縣", "雲林縣", "澎湖縣"}
    check_citations(cov, "coverage_official", seeds)
    summary.append("coverage_official: " + ", ".join(f"{s} {n}" for (c, s), n in counts.items())
                   + f" (屏東縣 {len(PINGTUNG)}, 雲林縣 {len(YUNLIN)}, 澎湖縣 {len(PENGHU)} townships, each once)")


def check_emissions(seeds: dict) -> None:
    cols = ["county", "township", "pollutant", "value", "unit", "source_file", "source_table", "source_lines"]
    t = read("emissions/yunlin_township_declared_002.csv")
    tot = read("emissions/yunlin_township_declared_002_total.csv")
    assert list(t.columns) == cols and list(tot.columns) == cols
    assert set(t["township"]) == set(YUNLIN) and len(t) == 20 * 4
    assert not t.duplicated(["township", "pollutant"]).any()
    assert set(tot["pollutant"]) == set(t["pollutant"]) and len(tot) == 4
    check_citations(t, "yunlin_township_declared_002", seeds)
    check_citations(tot, "yunlin_township_declared_002_total", seeds)
    s = t.assign(v=t["value"].astype(float)).groupby("pollutant")["v"].sum()
    lines = []
    for _, r in tot.iterrows():
        diff = s[r["pollutant"]] - float(r["value"])
        # the total is printed to whole tonnes and each township to 3 significant figures
        assert abs(diff) <= 1.0, (r["pollutant"], s[r["pollutant"]], r["value"])
        lines.append(f"{r['pollutant']} {s[r['pollutant']]:.2f} vs printed {r['value']} ({diff:+.2f})")
    summary.append("002 表 2.27 township sums vs printed 總計: " + "; ".join(lines))

    teds = read("emissions/teds_county_totals.csv")
    assert list(teds.columns) == ["county", "teds_version", "base_year", "category", "pollutant", "value", "unit",
                                  "source_file", "source_table", "source_lines"]
    assert not teds.duplicated(["county", "teds_version", "base_year", "category", "pollutant"]).any()
    check_citations(teds, "teds_county_totals", seeds)
    teds["v"] = teds["value"].astype(float)
    leaf = teds[teds["category"].str.contains(" > ")]
    for county, ver in [("雲林縣", "TEDS10.0"), ("澎湖縣", "TEDS11.1")]:
        lv = leaf[(leaf["county"] == county) & (leaf["teds_version"] == ver)].groupby("pollutant")["v"].sum()
        tt = teds[(teds["county"] == county) & (teds["teds_version"] == ver) & (teds["category"] == "total")]
        tt = tt.set_index("pollutant")["v"]
        parts = []
        for p in tt.index:
            pct = 100 * (lv[p] - tt[p]) / tt[p]
            parts.append(f"{p} {lv[p]:.1f}/{tt[p]:g} ({pct:+.2f}%)")
            if county == "雲林縣":
                assert abs(pct) < 0.05, (county, p, lv[p], tt[p])
        summary.append(f"TEDS {county} {ver}: sum of source rows / stated total: " + "; ".join(parts))


def check_stations(seeds: dict) -> None:
    m = read("stations_meta.csv")
    assert list(m.columns) == ["name_zh", "station_type", "pollutants", "pollutants_source", "note"]
    assert len(m) == 33 and m["name_zh"].is_unique
    if REF_STATIONS.exists():
        ref = pd.read_csv(REF_STATIONS, dtype=str)
        assert set(ref["name_zh"]) == set(m["name_zh"]), set(ref["name_zh"]) ^ set(m["name_zh"])
    for _, r in m.iterrows():
        ps = r["pollutants"].split(";")
        assert ps and set(ps) <= set(POLLUTANTS), r.to_dict()
        assert isinstance(r["pollutants_source"], str) and r["pollutants_source"], r.to_dict()
    n_seed = (~m["pollutants_source"].str.startswith("MOENV general-station")).sum()
    summary.append(f"stations_meta: 33 stations, {n_seed} described by the seeds, "
                   f"types {m['station_type'].value_counts().to_dict()}")


def main() -> None:
    seeds = seed_lines()
    check_rules(seeds)
    check_coverage(seeds)
    check_emissions(seeds)
    check_stations(seeds)
    print("transcription checks passed" + ("" if seeds else " (seed texts not found: citations not checked)"))
    for s in summary:
        print(" -", s)


if __name__ == "__main__":
    main()
