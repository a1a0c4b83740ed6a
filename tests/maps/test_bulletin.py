"""The A4 warning bulletin (issue 13): what a person reads must be the issued level, its measures and decisions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from geoairplan.cli import main
from geoairplan.maps.bulletin import bulletin_days, bulletin_figure, bulletin_name, bulletins
from geoairplan.warnings import run_warnings

from tests.warnings._data import MAPPING, PT, series, tidy


@pytest.fixture(scope="module")
def held_s1():
    """屏東 at S1 (O3 210 ppb) for 3 h, then L2 (170 ppb) into day 2, no easing forecast (004 L70: held)."""
    return run_warnings(tidy(series("屏東", "o3", [210.0] * 3 + [170.0] * 45)), county=PT, mapping=MAPPING,
                        bulletin=True)


def _text(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def test_one_bulletin_per_county_day_with_a_warning_named_with_safe_name(held_s1):
    assert bulletin_days(held_s1) == [(PT, "2025-01-01"), (PT, "2025-01-02")]
    outs = bulletins(held_s1)
    assert [o.name for o in outs] == ["bulletin_屏東縣_2025-01-01", "bulletin_屏東縣_2025-01-02"]
    assert all(o.kind == "static" for o in outs)
    for o in outs:
        plt.close(o.obj)
    assert bulletin_name("../屏東縣", "2025/01/02") .startswith("bulletin_") and "/" not in bulletin_name("../a", "b/c")


def test_the_bulletin_states_the_issued_level_its_measures_and_the_measured_level_beside_it(held_s1):
    # 004 L60: measures follow the level issued; day 2 is measured L2 but S1 stays issued (L70)
    fig = bulletin_figure(held_s1, PT, "2025-01-02")
    text = _text(fig)
    plt.close(fig)
    assert "發布等級：輕度嚴重惡化（S1）；實測最高：中級預警（L2）" in text
    assert "嚴重惡化警告 2025-01-02" in text
    s1 = held_s1.measures[(held_s1.measures["date"] == "2025-01-02")]
    assert set(s1["level"]) == {"S1"}
    first = s1["measure_zh"].iloc[0]
    assert first[:20] in text.replace("\n", "")                          # a measure of the issued level
    assert "004 L56-L58" in text                                          # Art. 9(2) at deterioration levels
    assert "各級學校（教育處，003 L445" in text                              # Art. 9(1), not listed by name


def test_the_first_day_names_the_triggering_station_value_and_the_centre_decision(held_s1):
    fig = bulletin_figure(held_s1, PT, "2025-01-01")
    text = _text(fig).replace("\n", "")
    plt.close(fig)
    assert "00:00 發布 S1（屏東 涵蓋區域；Art. 4(2)，004 L16）：o3 1h 0.21 >= 0.205 ppm" in text
    assert "空氣污染防制指揮中心：應成立（Art. 7，004 L36）" in text           # any station at S1
    assert "空氣污染防制指揮中心(惡化等級)：應成立（Art. 7 (屏東縣 tier)，003 L130）" in text
    assert "開始時間：2025-01-01 00:00" in text


def test_warn_bulletin_writes_png_per_county_day_and_pdf_on_request(tmp_path, capsys):
    obs = tmp_path / "obs.csv"
    df = tidy(series("屏東", "o3", [210.0] * 3 + [30.0] * 3))
    pd.DataFrame({"sitename": df["station"], "county": PT, "o3": df["value"],
                  "datacreationdate": df["time"].dt.strftime("%Y-%m-%d %H:%M")}).to_csv(obs, index=False)
    out, both = tmp_path / "out", tmp_path / "both"
    assert main(["warn", str(obs), "--county", PT, "--bulletin", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.glob("bulletin_*")) == ["bulletin_屏東縣_2025-01-01.png"]  # CLI default: PNG
    assert (out / "bulletin_屏東縣_2025-01-01.png").stat().st_size > 50_000
    assert main(["warn", str(obs), "--county", PT, "--bulletin", "--static", "png+pdf", "--out", str(both)]) == 0
    names = sorted(p.name for p in both.glob("bulletin_*"))
    assert names == ["bulletin_屏東縣_2025-01-01.pdf", "bulletin_屏東縣_2025-01-01.png"]
    capsys.readouterr()
    for flags in (["--no-maps"], ["--static", "none"]):
        assert main(["warn", str(obs), "--county", PT, "--bulletin", *flags, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "--bulletin" in err and flags[0] in err and "Traceback" not in err


def test_the_bulletin_is_byte_identical_twice(held_s1, tmp_path):
    from geoairplan.maps.static import save_static
    got = []
    for i in range(2):
        fig = bulletin_figure(held_s1, PT, "2025-01-02")
        got.append([p.read_bytes() for p in save_static(fig, tmp_path / f"b{i}", formats=("png", "pdf"), dpi=60)])
        plt.close(fig)
    assert got[0] == got[1]
