"""The package is layered: each module imports only modules of its own layer or the layers before it.

errors → reference → io → grid/raster + results → analysis → maps → publish → demo, commands/cli

Every import counts, also those inside functions and ``importlib.import_module("geoairplan...")``
calls with a literal name. Outside ``commands/`` no import may sit inside a function, except of the
optional heavy dependencies loaded on use (:data:`LAZY_OK`). There are no import circles.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "geoairplan"

#: Layers in order; a module belongs to the first layer whose prefix it starts with.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("errors", ("geoairplan", "geoairplan.errors")),
    ("reference", ("geoairplan.reference",)),
    ("io", ("geoairplan.io", "geoairplan.datasets")),
    ("grid/raster/results", ("geoairplan.grid", "geoairplan.raster", "geoairplan.results", "geoairplan.engine")),
    ("analysis", ("geoairplan.coverage", "geoairplan.warnings", "geoairplan.interpolate", "geoairplan.hotspots")),
    ("maps", ("geoairplan.maps",)),
    ("publish", ("geoairplan.publish",)),
    ("apps", ("geoairplan.demo", "geoairplan.commands", "geoairplan.cli")),
]

#: Third-party modules that may be imported inside a function (heavy, optional, loaded on use).
#: esda and libpysal (1.3 s of import) are used by the hotspot statistics alone: loaded there on use, so that
#: every command (which imports the map kit, which imports the hotspots package) does not pay for them.
LAZY_OK = {"matplotlib", "mpl_toolkits", "playwright", "dask", "distributed", "dask_geopandas", "openpyxl",
           "esda", "libpysal"}

#: (module, third-party module) pairs allowed inside a function for import time: errors.Problems.to_frame
#: loads pandas on use so that `geoairplan --help` does not import it (issue #17).
LAZY_IN = {("geoairplan.errors", "pandas")}


def module_names() -> dict[str, Path]:
    mods = {}
    for p in sorted(ROOT.rglob("*.py")):
        parts = list(p.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = p
    return mods


MODS = module_names()


def layer_of(mod: str) -> int:
    best = None
    for i, (_, prefixes) in enumerate(LAYERS):
        for pre in prefixes:
            if mod == pre or (pre != "geoairplan" and mod.startswith(pre + ".")):
                if best is None or len(pre) > best[1]:
                    best = (i, len(pre))
    if best is None:
        raise AssertionError(f"module {mod} is in no layer: add it to LAYERS in tests/test_layers.py")
    return best[0]


def resolve(name: str) -> str | None:
    while name and name not in MODS:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(mod: str):
    """(target module, line, inside a function?) for every geoairplan import of ``mod``; and lazy others."""
    path = MODS[mod]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    inner = set()
    for f in ast.walk(tree):
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner |= {id(x) for x in ast.walk(f) if isinstance(x, (ast.Import, ast.ImportFrom, ast.Call))}
    out, local_third = [], []
    for n in ast.walk(tree):
        names = []
        if isinstance(n, ast.Import):
            names = [a.name for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                base = ".".join(pkg.split(".")[: len(pkg.split(".")) - n.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in n.names]
        elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "import_module"
              and n.args and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)):
            names = [n.args[0].value]
        local = id(n) in inner
        for name in names:
            if name.startswith("geoairplan"):
                target = resolve(name)
                if target and target != mod:
                    out.append((target, n.lineno, local))
            elif local and isinstance(n, (ast.Import, ast.ImportFrom)) and name.split(".")[0] not in LAZY_OK \
                    and name == names[0]:
                local_third.append((name, n.lineno))
    return out, local_third


def test_every_module_imports_only_its_own_or_earlier_layers():
    bad = []
    for mod in MODS:
        here = layer_of(mod)
        for target, line, _ in imports_of(mod)[0]:
            there = layer_of(target)
            if there > here:
                bad.append(f"{MODS[mod].relative_to(ROOT.parent)}:{line} {mod} ({LAYERS[here][0]}) imports "
                           f"{target} ({LAYERS[there][0]})")
    bad = sorted(set(bad))
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_no_import_inside_a_function_outside_commands():
    bad = []
    for mod in MODS:
        if mod.startswith("geoairplan.commands"):
            continue
        geo, third = imports_of(mod)
        rel = MODS[mod].relative_to(ROOT.parent)
        bad += [f"{rel}:{line} imports {t} inside a function" for t, line, local in geo if local]
        bad += [f"{rel}:{line} imports {t} inside a function" for t, line in third if (mod, t) not in LAZY_IN]
    bad = sorted(set(bad))
    assert not bad, f"{len(bad)} function-local imports:\n" + "\n".join(bad)


def test_no_import_circles():
    graph = {m: {t for t, _, _ in imports_of(m)[0]} for m in MODS}
    # Tarjan's strongly connected components
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    # a package __init__ re-exporting its own submodules is not a circle of concern
    real = [c for c in comps if not all(x.startswith(c[0] + ".") or x == c[0] for x in c)]
    assert not real, "import circles:\n" + "\n".join(", ".join(c) for c in real)


@pytest.mark.parametrize("mod,target,expect", [
    ("geoairplan.io.moenv", "geoairplan.maps.web", False),
    ("geoairplan.maps.web", "geoairplan.io.moenv", True),
    ("geoairplan.coverage", "geoairplan.publish", False),
])
def test_the_layer_rule_itself(mod, target, expect):
    assert (layer_of(target) <= layer_of(mod)) is expect
