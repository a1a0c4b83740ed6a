"""Addresses placed in townships after normalisation, or not placed, with a reason."""

import pytest

from geoairplan.errors import InputError
from geoairplan.io.address import AddressMatch, chinese_number, normalize_address, parse_address


@pytest.mark.parametrize("text,expected", [
    ("屏東縣里港鄉中和村中南三三五之一二號", "屏東縣里港鄉中和村中南335之12號"),
    ("屏東縣東港鎮一百零五號", "屏東縣東港鎮105號"),
    ("屏東縣東港鎮新生路十二號二樓", "屏東縣東港鎮新生路12號2樓"),
    ("屏東縣里港鄉三廊村三和路一一九之八八號", "屏東縣里港鄉三廊村三和路119之88號"),
    ("屏東縣屏東市中正路二段三〇號", "屏東縣屏東市中正路二段30號"),  # 二段 is a name, kept
    ("屏東縣里港鄉三廂村江南巷 2-3 號", "屏東縣里港鄉三廂村江南巷2-3號"),
    ("屏東縣里港鄉 ２－３號", "屏東縣里港鄉2-3號"),  # full-width
])
def test_normalized_house_numbers(text, expected):
    assert normalize_address(text) == expected
    assert parse_address(text).normalized == expected


def test_chinese_numbers():
    assert [chinese_number(s) for s in ("三三五", "一二", "十二", "一百零五", "二十", "十")] == [335, 12, 12, 105, 20, 10]


def test_spaced_address_placed():
    m = parse_address("屏東縣里港鄉三廂村江南巷 2-3 號")
    assert m == AddressMatch("屏東縣", "里港鄉", "屏東縣里港鄉三廂村江南巷2-3號", "address", None)
    assert m.placed


@pytest.mark.parametrize("text,county,town", [
    ("台南市東區民族路1號", "臺南市", "東區"),
    ("雲林縣台西鄉五港路1號", "雲林縣", "臺西鄉"),
    ("屏東縣霧台鄉神山巷1號", "屏東縣", "霧臺鄉"),
    ("屏東縣恒春鎮恒南路188號", "屏東縣", "恆春鎮"),
    ("恒春鎮山腳里", "屏東縣", "恆春鎮"),
    ("屏東縣炭頂鄉興農路29-9號", "屏東縣", "崁頂鄉"),
    ("雲林縣荊桐鄉饒平村", "雲林縣", "莿桐鄉"),
    ("蔴桐鄉饒平村", "雲林縣", "莿桐鄉"),
])
def test_variant_spellings(text, county, town):
    m = parse_address(text)
    assert (m.county, m.township, m.method, m.reason) == (county, town, "address", None)
    assert "台" not in m.normalized and "恒" not in m.normalized


def test_without_county_unique_township():
    m = parse_address("里港鄉三廂村江南巷2-3號")
    assert (m.county, m.township) == ("屏東縣", "里港鄉")


def test_ambiguous_township_without_county_not_placed():
    m = parse_address("東區民族路100號")
    assert m.township is None and m.county is None and m.method is None
    for c in ("臺南市", "臺中市", "新竹市", "嘉義市"):
        assert c in m.reason
    assert "東區" in m.reason


def test_ambiguous_township_with_county_placed():
    assert parse_address("東區民族路100號", county="台南市").township == "東區"
    assert parse_address("嘉義市東區民族路100號").county == "嘉義市"


def test_unknown_address_not_placed():
    m = parse_address("中山路100號")
    assert m.township is None and m.reason == "no township name found in the address"
    assert parse_address("").reason == "no address"
    assert parse_address(None).township is None


def test_township_not_in_county():
    m = parse_address("屏東縣斗六市大學路")
    assert m.township is None and m.county == "屏東縣"
    assert "斗六市 is not in county 屏東縣" in m.reason and "雲林縣" in m.reason
    m = parse_address("里港鄉三廂村", county="雲林縣")
    assert m.township is None and "里港鄉 is not in county 雲林縣" in m.reason


def test_address_in_another_county_than_given():
    m = parse_address("屏東縣里港鄉三廂村", county="雲林縣")
    assert m.township is None and "屏東縣" in m.reason and "雲林縣" in m.reason


def test_pre_merger_county_and_missing_suffix():
    m = parse_address("臺南縣新營市中山路十二號")
    assert (m.county, m.township, m.method) == ("臺南市", "新營區", "address-stem")
    assert parse_address("雲林縣麥寮台塑工業園區").township == "麥寮鄉"


def test_postal_code_and_unknown_county_argument():
    assert parse_address("928屏東縣東港鎮新生路12號").township == "東港鎮"
    with pytest.raises(InputError):
        parse_address("東港鎮", county="不存在縣")
