"""The forecast input: checked rows, 002 level names, the file's own scenario label."""

from __future__ import annotations

import pytest

from geoairplan.errors import InputError
from geoairplan.warnings import read_forecast

def test_forecast_file_errors_name_the_row(tmp_path):
    p = tmp_path / "fc.csv"
    p.write_text("date,area,level\n2025-01-02,高屏,L1\n2025-01-03,高屏,orange\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3: unknown warning level 'orange'"):
        read_forecast(p)
    p.write_text("date,area,level\n2025-01-02,火星,L1\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown area"):
        read_forecast(p)
    p.write_text("date,area,level\n2025-01-02,高屏,預警二級\n", encoding="utf-8")
    assert read_forecast(p)["level"].tolist() == ["L1"]          # 002 naming mapped to 2022
