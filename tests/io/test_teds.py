"""TEDS point sources: TM2 metres kept exactly, bad rows reported, island grids named."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.io.teds import CONTROL_LETTER_COUNTY, aggregate_stacks, read_teds_points

COLS = ["C_NO", "NO_S", "NO_P", "SCC", "UTM_E", "UTM_N", "HEI", "DIA", "TEMP", "VEL",
        "SOX_EMI", "NOX_EMI", "CO_EMI", "PM_EMI", "PM25_EMI", "NMHC_EMI"]


def _tm2(lon, lat, epsg=3826):
    p = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(epsg)
    return round(float(p.x.iloc[0]), 1), round(float(p.y.iloc[0]), 1)


LIGANG = _tm2(120.494, 22.812)        # 屏東縣里港鄉
MAILIAO = _tm2(120.215, 23.790)       # 雲林縣麥寮鄉
MAGONG_119 = _tm2(119.5662, 23.5690, 3825)  # 澎湖縣馬公市, zone-119 grid


def _row(c_no, xy, nox="1.5", stack="P001", **kw):
    r = dict(zip(COLS, [c_no, stack, "M01", "30500101", str(xy[0]), str(xy[1]), "35", "1.2", "150", "8.5",
                        "0.2", nox, "0.1", "0.3", "0.2", "0.05"]))
    r.update(kw)
    return r


def _write(tmp_path, rows, name="teds.csv", encoding="utf-8", columns=COLS):
    path = tmp_path / name
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False, encoding=encoding)
    return path


def test_tm2_points_kept_exactly(tmp_path):
    path = _write(tmp_path, [_row("T5900246", LIGANG), _row("T5900246", (LIGANG[0] + 10.3, LIGANG[1] - 7.7),
                                                               stack="P002"),
                             _row("P5801234", MAILIAO)])
    gdf = read_teds_points(path)
    assert gdf.crs.to_epsg() == 3826
    assert gdf.geometry.x.tolist() == [LIGANG[0], LIGANG[0] + 10.3, MAILIAO[0]]  # exactly, no round trip
    assert gdf.geometry.y.tolist() == [LIGANG[1], LIGANG[1] - 7.7, MAILIAO[1]]
    assert gdf["county"].tolist() == ["屏東縣", "屏東縣", "雲林縣"]
    assert {"c_no", "no_s", "sox_emi", "pm25_emi", "hei", "county", "row"} <= set(gdf.columns)
    assert gdf["nox_emi"].dtype == float and gdf["nox_emi"].sum() == pytest.approx(4.5)
    assert gdf["scc"].tolist() == ["30500101"] * 3  # text, leading digits kept
    assert not gdf.attrs["problems"] and gdf.attrs["n_unused"] == 0


def test_lower_case_headers_and_cp950(tmp_path):
    cols = [c.lower() for c in COLS] + ["廠名"]
    rows = [dict({k.lower(): v for k, v in _row("T5900246", LIGANG).items()}, 廠名="屏東廠")]
    gdf = read_teds_points(_write(tmp_path, rows, encoding="cp950", columns=cols))
    assert len(gdf) == 1 and gdf.loc[0, "廠名"] == "屏東廠"


def test_unusable_rows_reported_and_counted(tmp_path):
    rows = [_row("T5900246", LIGANG),
            _row("T5900247", ("", "")),                        # no coordinates
            _row("T5900248", LIGANG, nox="-3.2"),              # negative emission
            _row("T5900249", LIGANG, nox="n/a"),               # not a number
            _row("T5900250", ("abc", LIGANG[1])),              # coordinate text
            _row("T5900251", LIGANG)]
    gdf = read_teds_points(_write(tmp_path, rows))
    probs = gdf.attrs["problems"]
    errors = [p for p in probs if p.severity == "error"]
    assert len(gdf) + gdf.attrs["n_unused"] == len(rows)
    assert gdf.attrs["n_unused"] == 4 and len(errors) == 4
    assert gdf["c_no"].tolist() == ["T5900246", "T5900251"]
    by_where = {p.where: p.reason for p in errors}
    assert "coordinates missing" in by_where["row 3 (T5900247)"]
    assert "negative" in by_where["row 4 (T5900248)"] and "NOX_EMI" in by_where["row 4 (T5900248)"]
    assert "not a number" in by_where["row 5 (T5900249)"]
    assert "not numbers" in by_where["row 6 (T5900250)"]


def test_penghu_source_in_zone_119_read_as_3826_is_reported_with_hint(tmp_path):
    path = _write(tmp_path, [_row("T5900246", LIGANG), _row("X5000123", MAGONG_119)])
    gdf = read_teds_points(path)  # default EPSG:3826: the Penghu stack lands on the main island's east
    assert len(gdf) == 2  # kept, not guessed away
    (p,) = [p for p in gdf.attrs["problems"] if "X5000123" in p.where]
    assert "澎湖縣" in p.reason and "m outside" in p.reason
    assert 'crs="EPSG:3825"' in p.reason
    dist = float(p.reason.split(" m outside")[0].split()[-1])
    assert dist > 100_000
    # read as zone 119, the same Penghu stack is in Penghu ... and the Pingtung one is not
    gdf119 = read_teds_points(_write(tmp_path, [_row("X5000123", MAGONG_119)], name="penghu.csv"),
                              crs="EPSG:3825")
    assert not gdf119.attrs["problems"]
    assert gdf119.geometry.distance(gpd.GeoSeries(gpd.points_from_xy([119.5662], [23.5690]), crs=4326)
                                    .to_crs(3826).iloc[0]).iloc[0] < 1


def test_unknown_letter_county_na_with_warning(tmp_path):
    assert "Y" not in CONTROL_LETTER_COUNTY
    gdf = read_teds_points(_write(tmp_path, [_row("Y1234567", LIGANG), _row("T5900246", LIGANG)]))
    assert pd.isna(gdf.loc[0, "county"]) and len(gdf) == 2
    (p,) = gdf.attrs["problems"].items
    assert p.severity == "warning" and "'Y'" in p.reason and "row 2" in p.where


def test_county_filter_counts_others(tmp_path):
    gdf = read_teds_points(_write(tmp_path, [_row("T5900246", LIGANG), _row("P5801234", MAILIAO)]),
                           county="雲林縣")
    assert gdf["c_no"].tolist() == ["P5801234"] and gdf.attrs["n_other_county"] == 1


def test_wrong_columns_error_lists_expected(tmp_path):
    path = _write(tmp_path, [{"id": "T1", "E": "1", "N": "2"}], columns=["id", "E", "N"])
    with pytest.raises(InputError) as e:
        read_teds_points(path)
    msg = str(e.value)
    assert str(path) in msg and "C_NO" in msg and "UTM_E" in msg and "NOX_EMI" in msg
    assert "id, E, N" in msg


def test_whole_table_in_wrong_crs_raises(tmp_path):
    path = _write(tmp_path, [_row("T5900246", LIGANG), _row("T5900247", LIGANG)])
    with pytest.raises(InputError, match="not in Taiwan"):
        read_teds_points(path, crs="EPSG:4326")


def test_aggregate_stacks_weighted_position(tmp_path):
    a, b = (200000.0, 2520000.0), (200100.0, 2520000.0)
    rows = [_row("T5900246", a, nox="3", SOX_EMI="0", CO_EMI="0", PM_EMI="0", NMHC_EMI="0", PM25_EMI="0"),
            _row("T5900246", b, nox="1", stack="P002", SOX_EMI="0", CO_EMI="0", PM_EMI="0", NMHC_EMI="0",
                 PM25_EMI="0"),
            _row("T5900300", a)]
    fac = aggregate_stacks(read_teds_points(_write(tmp_path, rows)))
    assert fac["c_no"].tolist() == ["T5900246", "T5900300"]
    assert fac.loc[0, "n_stacks"] == 2 and fac.loc[0, "nox_emi"] == 4
    assert fac.geometry.x.iloc[0] == pytest.approx(200025.0)  # 3:1 toward the first stack
    assert np.isclose(fac.geometry.y.iloc[0], 2520000.0)
