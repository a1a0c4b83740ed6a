"""The one pollutant vocabulary of geoairplan: codes, units, labels, and the spellings users write.

Two families of names meet in air-quality planning, and they are kept apart:

* **Ambient codes** (what stations and sensors measure), MOENV's lower-case
  field names: ``pm2.5, pm10, o3, so2, no2, co`` (the six the regulation's
  levels use, :data:`RULE_POLLUTANTS`) and the other items of the hourly
  files (``nox, no, co_8hr, o3_8hr, pm2.5_avg, ...``, wind). Each has the
  unit MOENV publishes it in (:data:`UNITS`).
  :func:`normalize_pollutant` maps any spelling (``PM25``, ``細懸浮微粒``,
  ``WindSpeed``) to its code, :func:`check_pollutant` does the same for a
  rule pollutant and raises with a suggestion otherwise.
* **Emission keys** (what inventories and permits declare, t/yr):
  ``sox, nox, co, pm, pm25, nmhc`` with their TEDS column (``nox_emi``);
  :func:`emission_key` maps any spelling (``SO2`` -> ``sox``, ``VOC`` ->
  ``nmhc``).

>>> normalize_pollutant("PM2.5_AVG"), normalize_pollutant("WindSpeed"), normalize_pollutant("AQI")
('pm2.5_avg', 'wind_speed', None)
>>> check_pollutant("PM25"), emission_key("VOC"), unit_label("ug/m3")
('pm2.5', 'nmhc', 'µg/m³')
"""

from __future__ import annotations

import re
import unicodedata

from geoairplan.errors import InputError
from geoairplan.reference.names import suggest

__all__ = ["AVERAGING_LABELS", "averaging_label", "criterion_label", "CODES", "RULE_POLLUTANTS", "UNITS", "LABELS", "UNIT_LABELS", "normalize_pollutant",
           "normalize_unit", "check_pollutant", "EMISSION_COLUMNS", "EMISSION_LABELS", "emission_key",
           "emission_column", "unit_label", "label"]

#: Codes of the tidy observation table, in the (alphabetical) order rows are sorted by.
CODES: tuple[str, ...] = tuple(sorted([
    "pm2.5", "pm10", "o3", "so2", "no2", "nox", "no", "co", "co_8hr", "o3_8hr",
    "pm2.5_avg", "pm10_avg", "so2_avg", "wind_speed", "wind_direc"]))

#: The six pollutants the regulation's warning levels are defined for.
RULE_POLLUTANTS: tuple[str, ...] = ("pm2.5", "pm10", "o3", "so2", "no2", "co")

#: The unit MOENV publishes each code in (geoairplan's ASCII spelling).
UNITS: dict[str, str] = {
    "pm2.5": "ug/m3", "pm10": "ug/m3", "pm2.5_avg": "ug/m3", "pm10_avg": "ug/m3",
    "so2": "ppb", "so2_avg": "ppb", "no2": "ppb", "nox": "ppb", "no": "ppb", "o3": "ppb",
    "o3_8hr": "ppb", "co": "ppm", "co_8hr": "ppm", "wind_speed": "m/s", "wind_direc": "deg",
}

#: How each code is written for people (Chinese and English).
LABELS: dict[str, str] = {
    "pm2.5": "PM2.5 細懸浮微粒", "pm10": "PM10 懸浮微粒", "o3": "O3 臭氧", "so2": "SO2 二氧化硫",
    "no2": "NO2 二氧化氮", "co": "CO 一氧化碳", "nox": "NOx 氮氧化物", "no": "NO 一氧化氮",
    "wind_speed": "風速 wind speed", "wind_direc": "風向 wind direction",
}

#: How each unit is written for people.
UNIT_LABELS: dict[str, str] = {"ug/m3": "µg/m³", "ppb": "ppb", "ppm": "ppm", "m/s": "m/s", "deg": "°",
                               "t/yr": "t/yr", "t/yr/km2": "t/yr/km²"}

# Field or item name -> code. Keys are lower case with '_', ' ' and '-' removed.
_ALIASES: dict[str, str] = {
    "pm2.5": "pm2.5", "pm25": "pm2.5", "細懸浮微粒": "pm2.5", "pm2.5細懸浮微粒": "pm2.5",
    "pm10": "pm10", "懸浮微粒": "pm10",
    "o3": "o3", "臭氧": "o3", "ozone": "o3", "so2": "so2", "二氧化硫": "so2", "no2": "no2", "二氧化氮": "no2",
    "nox": "nox", "氮氧化物": "nox", "no": "no", "一氧化氮": "no", "co": "co", "一氧化碳": "co",
    "co8hr": "co_8hr", "o38hr": "o3_8hr",
    "pm2.5avg": "pm2.5_avg", "pm25avg": "pm2.5_avg", "pm10avg": "pm10_avg", "so2avg": "so2_avg",
    "windspeed": "wind_speed", "風速": "wind_speed",
    "winddirec": "wind_direc", "winddirection": "wind_direc", "winddir": "wind_direc", "風向": "wind_direc",
}

_UNIT_ALIASES: dict[str, str] = {
    "ug/m3": "ug/m3", "μg/m3": "ug/m3", "µg/m3": "ug/m3", "ug/m³": "ug/m3", "μg/m³": "ug/m3",
    "µg/m³": "ug/m3", "ugm3": "ug/m3", "微克/立方公尺": "ug/m3", "ppb": "ppb", "ppm": "ppm",
    "m/s": "m/s", "m/sec": "m/s", "公尺/秒": "m/s",
    "deg": "deg", "degree": "deg", "degrees": "deg", "度": "deg", "°": "deg", "degs": "deg",
}


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def normalize_pollutant(name) -> str | None:
    """The MOENV code of a field or item name (``PM2.5_AVG`` -> ``pm2.5_avg``), else None."""
    if _blank(name):
        return None
    key = re.sub(r"[\s_\-₂.₅]", lambda m: {"₂": "2", "₅": "5", ".": "."}.get(m.group(), ""),
                 unicodedata.normalize("NFKC", str(name))).lower()
    return _ALIASES.get(key)


def normalize_unit(unit) -> str | None:
    """The geoairplan spelling of a unit (``μg/m³`` -> ``ug/m3``); None when blank or unknown."""
    if _blank(unit):
        return None
    key = unicodedata.normalize("NFKC", str(unit)).strip().lower().replace(" ", "")
    key = key.replace("μ", "µ").replace("µ", "u") if key not in _UNIT_ALIASES else key
    return _UNIT_ALIASES.get(key)


def check_pollutant(name, *, where: str = "pollutant", allowed=RULE_POLLUTANTS) -> str | None:
    """The code of a pollutant the analysis can use; :class:`InputError` with a suggestion otherwise.

    Parameters
    ----------
    name : str or None
        As the user wrote it (``PM25``, ``pm2.5``, ``細懸浮微粒``). None passes through.
    where : str
        The parameter named in the error.
    allowed : sequence of str
        The codes accepted (default: the six rule pollutants).
    """
    if _blank(name):
        return None
    code = normalize_pollutant(name)
    if code not in allowed:
        hint = suggest(str(name).lower(), allowed)
        raise InputError(f"unknown pollutant {name!r}", where=where,
                         fix=("did you mean " + " or ".join(hint) + "? " if hint else "")
                         + "use one of " + ", ".join(allowed))
    return code


def unit_label(unit: str | None) -> str:
    """A unit as people read it (``ug/m3`` -> ``µg/m³``)."""
    return UNIT_LABELS.get(unit or "", unit or "")


def label(code: str) -> str:
    """A pollutant code as people read it (``pm2.5`` -> ``PM2.5 細懸浮微粒``)."""
    return LABELS.get(code, EMISSION_LABELS.get(code, code))


#: Averaging codes of ``data/rules`` as people read them (Chinese and English).
AVERAGING_LABELS: dict[str, str] = {"1h": "小時值 hourly", "8h_moving": "8小時移動平均 8-h moving average",
                                    "24h_moving": "24小時移動平均 24-h moving average",
                                    "24h": "24小時平均 24-h average"}


def averaging_label(code: str | None) -> str:
    """An averaging code as people read it (``24h_moving`` -> ``24小時移動平均 24-h moving average``)."""
    return AVERAGING_LABELS.get(code or "", code or "")


_CRITERION = re.compile(r"^\s*(?P<p>\S+)\s+(?P<a>\S+)\s+(?P<v>[-+0-9.]+)\s*(?P<op>>=|<=|>|<)\s*(?P<t>[-+0-9.]+)"
                        r"\s*(?P<u>\S+)?(?:\s+for\s+(?P<n>\d+)\s+consecutive hours)?\s*$")


def criterion_label(text) -> str:
    """A level criterion as written by :mod:`geoairplan.warnings` for people.

    ``"pm2.5 24h_moving 55.96 >= 54.5 ug/m3"`` -> ``"PM2.5 24小時移動平均 55.96 ≥ 54.5 µg/m³"``;
    several criteria joined by ``"; "`` are each rewritten; text of another
    shape is returned unchanged.

    Parameters
    ----------
    text : str
        The ``criterion`` of a levels table.

    Returns
    -------
    str
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    out = []
    for part in str(text).split("; "):
        mo = _CRITERION.match(part)
        if not mo:
            out.append(part)
            continue
        p = normalize_pollutant(mo["p"]) or mo["p"]
        name = label(p).split(" ")[0]
        avg = averaging_label(mo["a"]).split(" ")[0]
        op = {">=": "≥", "<=": "≤"}.get(mo["op"], mo["op"])
        s = f"{name} {avg} {mo['v']} {op} {mo['t']} {unit_label(mo['u'])}".rstrip()
        if mo["n"]:
            s += f"（連續 {mo['n']} 小時 {mo['n']} consecutive hours）"
        out.append(s)
    return "；".join(out)


# --------------------------------------------------------------------------- emissions

#: Emission keys -> TEDS emission column (t/yr).
EMISSION_COLUMNS: dict[str, str] = {"sox": "sox_emi", "nox": "nox_emi", "co": "co_emi", "pm": "pm_emi",
                                    "pm25": "pm25_emi", "nmhc": "nmhc_emi"}
#: How each emission key is written for people.
EMISSION_LABELS: dict[str, str] = {"sox": "SOx", "nox": "NOx", "co": "CO", "pm": "PM (TSP)", "pm25": "PM2.5",
                                   "nmhc": "NMHC/VOC", "voc": "VOC"}
_EMISSION_ALIASES = {
    "sox": "sox", "so2": "sox", "硫氧化物": "sox", "sox_emi": "sox",
    "nox": "nox", "no2": "nox", "氮氧化物": "nox", "nox_emi": "nox",
    "co": "co", "一氧化碳": "co", "co_emi": "co",
    "pm": "pm", "tsp": "pm", "粒狀物": "pm", "總懸浮微粒": "pm", "pm_emi": "pm", "粒狀污染物": "pm",
    "pm25": "pm25", "pm2.5": "pm25", "pm2_5": "pm25", "細懸浮微粒": "pm25", "pm25_emi": "pm25",
    "nmhc": "nmhc", "voc": "nmhc", "vocs": "nmhc", "揮發性有機物": "nmhc", "非甲烷碳氫化合物": "nmhc",
    "nmhc_emi": "nmhc",
}
#: Every spelling of an emission pollutant (header aliases of source tables use it).
EMISSION_ALIASES: dict[str, str] = dict(_EMISSION_ALIASES)


def emission_key(name, *, where: str = "pollutant") -> str:
    """The key (``sox, nox, co, pm, pm25, nmhc``) of an emitted pollutant as users write it."""
    key = _EMISSION_ALIASES.get(str(name).strip().lower().replace(" ", ""))
    if key is None:
        raise InputError(f"unknown pollutant {name!r}", where=where,
                         fix="use one of " + ", ".join(EMISSION_COLUMNS) + " (VOC counts as nmhc)")
    return key


def emission_column(name, *, where: str = "pollutant") -> str:
    """The TEDS column (``nox_emi`` ...) of an emitted pollutant."""
    return EMISSION_COLUMNS[emission_key(name, where=where)]
