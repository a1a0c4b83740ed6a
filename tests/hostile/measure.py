"""Count the corpus's failures by kind: ``python tests/hostile/measure.py [--only SUBSTR]``.

Each case runs in a forked child (so a runaway case is cut off by time and memory and
counted as ``traceback``), the package imported from ``PYTHONPATH`` -- point it at another
checkout to measure that code with this corpus.
"""

import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

import geoairplan.cli  # noqa: E402,F401  (imported once, before forking)
import geoairplan.warnings, geoairplan.interpolate.series, geoairplan.hotspots.report, geoairplan.coverage  # noqa


def _child(i, root, q):
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
    c = corpus.CASES[i]
    try:
        r, bad = corpus.run_case(c, Path(root))
        q.put((r.code, bad))
    except BaseException as e:  # noqa
        q.put((-1, [("traceback", f"{type(e).__name__}: {e}")]))


def main():
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    ctx = mp.get_context("fork")
    counts = {k: 0 for k in corpus.KINDS}
    n = failed = 0
    rows = []
    for i, c in enumerate(corpus.CASES):
        if only not in c.id:
            continue
        n += 1
        with tempfile.TemporaryDirectory() as root:
            q = ctx.Queue()
            p = ctx.Process(target=_child, args=(i, root, q))
            t0 = time.time()
            p.start()
            p.join(c.timeout)
            if p.is_alive():
                p.kill()
                p.join()
                code, bad = -9, [("traceback", f"timed out after {c.timeout:.0f} s")]
            else:
                code, bad = q.get() if not q.empty() else (-1, [("traceback", f"child died ({p.exitcode})")])
        kinds = sorted({k for k, _ in bad})
        for k in kinds:
            counts[k] += 1
        failed += bool(bad)
        rows.append({"case": c.id, "item": c.item, "exit": code, "kinds": kinds,
                     "detail": [d[:200] for _, d in bad], "s": round(time.time() - t0, 1)})
        print(f"{c.id:<45} exit {code:>3} {','.join(kinds) or 'ok':<20} {(bad[0][1][:150] if bad else '')!r}",
              flush=True)
    print(json.dumps({"cases": n, "failed": failed, **counts}))


if __name__ == "__main__":
    main()
