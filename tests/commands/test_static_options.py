"""``--static`` and ``--dpi`` (issue 17): PNG at 150 dpi by default, PDF on request, the same options everywhere."""

import argparse
import re

import pytest
from PIL import Image

from geoairplan import commands
from geoairplan.cli import build_parser, main

A4_LANDSCAPE = (11.69, 8.27)  # inches: the coverage map's layout


def _run(tmp_path, name, *flags):
    out = tmp_path / name
    assert main(["coverage", "--county", "澎湖縣", "--offline", "--out", str(out), *flags]) == 0
    return out


def _maps(out):
    return sorted(p.name for p in out.iterdir() if p.name.startswith("coverage_map"))


def _png_size_is(path, dpi):
    im = Image.open(path)
    w, h = im.size
    assert abs(w - A4_LANDSCAPE[0] * dpi) <= 1 and abs(h - A4_LANDSCAPE[1] * dpi) <= 1, (im.size, dpi)
    assert round(im.info["dpi"][0]) == dpi


def test_the_default_is_png_at_150_dpi_beside_the_web_map_and_the_same_bytes_twice(tmp_path, capsys):
    a, b = _run(tmp_path, "a"), _run(tmp_path, "b")
    assert _maps(a) == ["coverage_map.embed.html", "coverage_map.html", "coverage_map.png"]  # no PDF
    _png_size_is(a / "coverage_map.png", 150)
    assert (a / "coverage_map.png").read_bytes() == (b / "coverage_map.png").read_bytes()
    said = [int(n) for n in re.findall(r"wrote (\d+) files to", capsys.readouterr().out)]
    assert said == [len(list(a.iterdir()))] * 2  # the closing report counts what is on disk


@pytest.mark.parametrize("flags,static", [
    (["--static", "pdf"], ["coverage_map.pdf"]),
    (["--static", "png+pdf", "--dpi", "100"], ["coverage_map.pdf", "coverage_map.png"]),
    (["--static", "PNG", "--dpi", "72"], ["coverage_map.png"]),
    (["--static", "none"], []),
])
def test_static_asks_for_the_formats_and_dpi_for_the_png_size(tmp_path, flags, static):
    out = _run(tmp_path, "o", *flags)
    assert _maps(out) == sorted(["coverage_map.embed.html", "coverage_map.html", *static])
    if "coverage_map.png" in static:
        _png_size_is(out / "coverage_map.png", int(flags[flags.index("--dpi") + 1]))
    if "coverage_map.pdf" in static:
        pdf = (out / "coverage_map.pdf").read_bytes()
        assert b"/FontFile2" in pdf and b"/CreationDate" not in pdf  # TrueType embedded, no date


def test_no_maps_still_writes_no_map_at_all_whatever_static_says(tmp_path):
    out = _run(tmp_path, "o", "--no-maps", "--static", "png+pdf", "--dpi", "300")
    assert _maps(out) == []


@pytest.mark.parametrize("flag,value,says", [
    ("--dpi", "71", "'71' must be >= 72 and <= 600"),
    ("--dpi", "601", "'601' must be >= 72 and <= 600"),
    ("--dpi", "150.5", "'150.5' is not a whole number"),
    ("--dpi", "nan", "'nan' is not a whole number"),
    ("--static", "jpg", "invalid choice: 'jpg'"),
])
def test_a_bad_dpi_or_static_is_an_argparse_error_naming_the_option(tmp_path, capsys, flag, value, says):
    with pytest.raises(SystemExit) as e:
        main(["coverage", "--county", "澎湖縣", "--out", str(tmp_path / "o"), flag, value])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: {says}" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # refused before anything ran


def _output_parsers():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        opts = {o: a for a in p._actions for o in a.option_strings}
        if "--out" in opts and "--no-maps" in opts:
            yield name, opts


def test_every_command_with_maps_has_the_same_static_and_dpi_options():
    found = dict(_output_parsers())
    assert {"coverage", "warn", "interpolate", "site", "hotspots", "suspects", "backtest", "sensorops",
            "gridstats"} <= set(found)
    for name, opts in found.items():
        st, dpi = opts["--static"], opts["--dpi"]
        assert tuple(st.choices) == ("png", "pdf", "png+pdf", "none") and st.default == "png", name
        assert dpi.default == 150 and dpi.type("300") == 300, name
    # the range the CLI checks is the map kit's (not imported by the parser: --help loads no matplotlib)
    from geoairplan.maps.static import DPI_RANGE

    assert (commands.DPI_LOW, commands.DPI_HIGH) == DPI_RANGE


def test_map_options_are_what_publish_write_takes():
    ns = build_parser().parse_args(["site", "--county", "屏東縣", "--out", "o", "--static", "png+pdf",
                                    "--dpi", "300"])
    assert commands.map_options(ns) == {"maps": True, "offline": False, "static": ("png", "pdf"), "dpi": 300}
    ns = build_parser().parse_args(["site", "--county", "屏東縣", "--out", "o", "--no-maps", "--static", "none"])
    assert commands.map_options(ns) == {"maps": False, "offline": False, "static": (), "dpi": 150}
