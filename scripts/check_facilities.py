"""Check data/facilities.csv and data/health_facilities.csv.

Hard checks (exit status 1 on failure):

* both files load with the documented header;
* control numbers are unique within a county (blank ones are skipped);
* Pingtung (屏東縣) has 110 facilities: 104 in Table 5 plus 6 that appear
  only in Tables 8, 12 or 13 (003 L531, L653, L658, L664, L672, L673);
* every row has ``source_file`` and ``source_lines`` (``;``-separated
  1-based integers);
* ``tables`` and ``pollutant_groups`` agree for Pingtung (T8 -> particulate,
  T9 -> sox_nox, T10 -> voc, T11 -> cems_opacity, T12 -> asphalt,
  T13 -> petrochemical).

Reported, not failed: control numbers that do not start with the county
letter (屏東縣 T, 雲林縣 P, 澎湖縣 X). The Yunlin Table 7.7 and the Penghu
附件7 print no control numbers, so most of those rows are blank.

If the seed texts are available (``--seeds DIR``, default
``../shared/seeds`` next to the repo), every cited line is also checked:
it must exist, and for Pingtung it must carry the control number (or the
known misprints ``T51A043`` / ``T01``); for the health file it must carry
the phone number.

Run: ``python scripts/check_facilities.py [--seeds DIR]``
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAC = ROOT / "data" / "facilities.csv"
HEALTH = ROOT / "data" / "health_facilities.csv"

FAC_COLS = ["county", "control_no", "name", "name_variants", "township_seed", "address",
            "address_variants", "designation_reasons", "tables", "pollutant_groups", "contact",
            "source_file", "source_lines", "note"]
HEALTH_COLS = ["county", "township_seed", "name", "kind", "address", "phone", "source_file",
               "source_table", "source_lines", "note"]
PREFIX = {"屏東縣": "T", "雲林縣": "P", "澎湖縣": "X"}
GROUP = {"T8": "particulate", "T9": "sox_nox", "T10": "voc", "T11": "cems_opacity",
         "T12": "asphalt", "T13": "petrochemical"}
MISPRINTS = {"T51A0436": "T51A043", "T5900246": "T01"}  # printed forms in T8 L559, T11 L648
PINGTUNG_EXPECTED = 110

errors: list[str] = []


def fail(msg: str) -> None:
    errors.append(msg)


def load(path: Path, cols: list[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != cols:
            fail(f"{path.name}: header {reader.fieldnames} != {cols}")
        return list(reader)


def parse_lines(row: dict[str, str], where: str) -> list[int]:
    raw = row.get("source_lines", "").strip()
    if not raw:
        fail(f"{where}: empty source_lines")
        return []
    try:
        nums = [int(x) for x in raw.split(";")]
    except ValueError:
        fail(f"{where}: bad source_lines {raw!r}")
        return []
    if any(n < 1 for n in nums):
        fail(f"{where}: non-positive line number in {raw!r}")
    if not row.get("source_file"):
        fail(f"{where}: empty source_file")
    return nums


def _line_mentions(row: dict[str, str], line: str) -> bool:
    """True if a cited seed line plausibly belongs to the row.

    * a line carrying the row's control number (or its known misprint) passes;
    * a continuation line (a row broken across a page; first cell blank) passes
      if it shares two consecutive characters with the name or the address;
    * Pingtung tables print a control number on every row, so any other
      Pingtung line fails; elsewhere (no control numbers in the tables) the
      line must contain the first two characters of the name or a variant.
    """
    code = row["control_no"]
    printed = MISPRINTS.get(code)
    if code and (code in line or (printed and printed in line)):
        return True
    flat = re.sub(r"\s", "", line)
    names = [row["name"]] + [v for v in row["name_variants"].split(";") if v]
    if line.split("\t")[0].strip() == "":
        texts = names + [row["address"]] + [v for v in row["address_variants"].split(";") if v]
        texts = [re.sub(r"\s", "", t) for t in texts if t]
        return any(t[i:i + 2] in flat for t in texts for i in range(len(t) - 1))
    if row["county"] == "屏東縣":
        return False
    return any(n[:2] in flat for n in names)


def _table_key(item: tuple[str, int]) -> tuple[str, float]:
    m = re.match(r"^(\D*)([\d.]+)$", item[0])
    return (m.group(1), float(m.group(2))) if m else (item[0], 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = ap.parse_args()

    fac = load(FAC, FAC_COLS)
    health = load(HEALTH, HEALTH_COLS)

    seeds: dict[str, list[str]] = {}
    if args.seeds.is_dir():
        for p in args.seeds.glob("*.txt"):
            seeds[p.name] = p.read_text(encoding="utf-8").split("\n")
    else:
        print(f"note: seeds not found at {args.seeds}; cited lines not verified")

    def cited_text(row: dict[str, str], nums: list[int], where: str) -> str | None:
        lines = seeds.get(row["source_file"])
        if lines is None:
            if seeds:
                fail(f"{where}: source_file {row['source_file']!r} not among the seeds")
            return None
        bad = [n for n in nums if n > len(lines)]
        if bad:
            fail(f"{where}: cited lines {bad} beyond end of {row['source_file']}")
            return None
        return "\n".join(lines[n - 1] for n in nums)

    # ---- facilities
    by_county: dict[str, list[dict[str, str]]] = defaultdict(list)
    for i, row in enumerate(fac, start=2):
        where = f"facilities.csv:{i} ({row['county']} {row['control_no'] or row['name']})"
        by_county[row["county"]].append(row)
        nums = parse_lines(row, where)
        text = cited_text(row, nums, where) if nums else None
        if row["county"] not in PREFIX:
            fail(f"{where}: unexpected county {row['county']!r}")
        if text is not None:
            for n, line in zip(nums, text.split("\n")):
                if not _line_mentions(row, line):
                    fail(f"{where}: cited line {n} shows neither its control number nor its name")
        if row["county"] == "屏東縣":
            tabs = [t.split("#")[0] for t in row["tables"].split(";") if t]
            want = []
            for t in tabs:
                g = GROUP.get(t)
                if g and g not in want:
                    want.append(g)
            got = [g for g in row["pollutant_groups"].split(";") if g]
            if got != want:
                fail(f"{where}: pollutant_groups {got} != derived from tables {want}")

    exceptions = []
    for county, rows in by_county.items():
        codes = [r["control_no"] for r in rows if r["control_no"]]
        dup = [c for c, n in Counter(codes).items() if n > 1]
        if dup:
            fail(f"{county}: duplicate control numbers {dup}")
        for r in rows:
            c = r["control_no"]
            if not c or not c.startswith(PREFIX[county]):
                exceptions.append((county, c or "(blank)", r["tables"], r["name"]))

    n_pt = len(by_county.get("屏東縣", []))
    if n_pt != PINGTUNG_EXPECTED:
        fail(f"屏東縣: {n_pt} facilities, expected {PINGTUNG_EXPECTED}")
    t5 = sum(1 for r in by_county.get("屏東縣", []) if "T5#" in r["tables"])
    if t5 != 104:
        fail(f"屏東縣: {t5} facilities in Table 5, expected 104 (003 L239)")

    # ---- health facilities
    for i, row in enumerate(health, start=2):
        where = f"health_facilities.csv:{i} ({row['name']})"
        nums = parse_lines(row, where)
        text = cited_text(row, nums, where) if nums else None
        if text is not None and row["phone"] and row["phone"] not in text:
            fail(f"{where}: phone not on cited line(s) {nums}")

    # ---- report
    print(f"facilities.csv: {len(fac)} rows")
    for county, rows in by_county.items():
        per_table: Counter[str] = Counter()
        for r in rows:
            for t in r["tables"].split(";"):
                per_table[t.split("#")[0]] += 1
        blank = sum(1 for r in rows if not r["control_no"])
        print(f"  {county}: {len(rows)} facilities ({blank} without control number); "
              + ", ".join(f"{t} {n}" for t, n in sorted(per_table.items(), key=_table_key)))
    if exceptions:
        print(f"control-number prefix exceptions (reported, not failed): {len(exceptions)}")
        for county, c in sorted(Counter((e[0], e[1]) for e in exceptions)):
            n = sum(1 for e in exceptions if e[0] == county and e[1] == c)
            print(f"  {county} {c}: {n}")
    print(f"health_facilities.csv: {len(health)} rows")
    for (county, table, kind), n in sorted(Counter(
            (r["county"], r["source_table"].split("#")[0], r["kind"]) for r in health).items()):
        print(f"  {county} {table} {kind}: {n}")

    if errors:
        print(f"\n{len(errors)} error(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
