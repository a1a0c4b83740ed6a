"""safe_name / inside: names built from user text never leave the output folder."""

import pytest

from geoairplan.errors import InputError
from geoairplan.io.paths import inside, safe_name


@pytest.mark.parametrize("text", ["/../../escaped", "..\\..\\x", "a/b", "nul\x00byte", "..", "   ", "CON",
                                  "lpt1.txt", "中" * 300, "a" * 300])
def test_every_hostile_name_becomes_a_plain_name_inside_the_folder(tmp_path, text):
    name = safe_name(text)
    assert "/" not in name and "\\" not in name and "\x00" not in name and ".." not in name
    assert 0 < len(name.encode("utf-8")) <= 200
    assert name.split(".")[0].upper() not in {"CON", "LPT1", "NUL"}
    p = inside(tmp_path, name + ".csv")
    assert p.parent == tmp_path.resolve()
    p.write_text("ok", encoding="utf-8")          # the file system accepts it


def test_readable_names_stay_readable():
    assert safe_name("屏東縣 PM2.5 (scenario)") == "屏東縣_PM2.5_(scenario)"
    assert safe_name("scenario") == "scenario"


def test_inside_refuses_a_path_that_leaves_the_folder(tmp_path):
    with pytest.raises(InputError, match="outside the output folder"):
        inside(tmp_path, "../x.csv")
