"""Where a cold lintkit run spends its time: cProfile over the whole corpus, and -X importtime.

    python bench/profile_lintkit.py [--corpus DIR] [--top N]

1. `python -m cProfile -m lintkit check [--no-cache] .` in the corpus (a fresh process; the
   profiler slows the run down, so read proportions, not seconds), then the top entries by
   cumulative and by own time;
2. `python -X importtime -m lintkit check [--no-cache] <the lone pre-commit handler>`: the
   modules imported by a small run (lazy imports included), the slowest first.

The full reports go to `bench/out/profile/` (`lintkit-cold.prof` opens in snakeviz or pstats).
"""

from __future__ import annotations

import argparse
import io
import json
import pstats
import re
import subprocess
import sys
from pathlib import Path

from run import DEFAULT_CORPUS, MANIFEST, OUT, no_cache_supported, tool

IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def short(path: str) -> str:
    for marker in ("site-packages/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


ENTRY_CHAIN = ("runpy", "click/", "<string>", "builtins.exec", "lintkit/__main__.py")


def top_entries(prof: Path, key: str, count: int, only: str | None = None) -> list[str]:
    """The top `count` functions by `key` (cumulative or own time), as a share of the whole run;
    the entry chain (runpy, click, __main__) is left out. `only`: a path fragment to keep."""
    stats = pstats.Stats(str(prof), stream=io.StringIO())
    whole = max(cumtime for (_cc, _nc, _tt, cumtime, _callers) in stats.stats.values())
    rows = []
    for (filename, line, function), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        where = f"{short(filename)}:{line}({function})"
        if any(marker in where for marker in ENTRY_CHAIN) or (only and only not in where):
            continue
        rows.append((cumtime if key == "cumulative" else tottime, tottime, cumtime, ncalls, where))
    rows.sort(key=lambda r: r[0], reverse=True)
    out = [f"{'cumtime s':>10} {'% run':>6} {'tottime s':>10} {'calls':>9}  function"]
    for _, tottime, cumtime, ncalls, where in rows[:count]:
        out.append(f"{cumtime:>10.2f} {100 * cumtime / whole:>5.0f}% {tottime:>10.2f} {ncalls:>9}  {where}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="summarise bench/out/profile/lintkit-cold.prof again instead of profiling a new run")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    manifest = json.loads((corpus / MANIFEST).read_text(encoding="utf-8"))
    cold = ["--no-cache"] if no_cache_supported(tool("lintkit")) else []
    folder = OUT / "profile"
    folder.mkdir(parents=True, exist_ok=True)
    prof = folder / "lintkit-cold.prof"

    if not (args.reuse and prof.is_file()):
        print(f"cProfile: lintkit check {' '.join(cold + ['.'])} in {corpus} ...", flush=True)
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "lintkit", "check", *cold, "."],
                       cwd=corpus, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    report = ["## top by cumulative time (after the entry chain: runpy, click, __main__)", *top_entries(prof, "cumulative", args.top), "",
              "## lintkit's own functions by cumulative time", *top_entries(prof, "cumulative", args.top, only="lintkit/"), "",
              "## top by own time", *top_entries(prof, "tottime", args.top), ""]

    lone = manifest["precommit"]["lone_handler"]
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "lintkit", "check", *cold, lone],
                          cwd=corpus, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    (folder / "importtime.txt").write_text(done.stderr, encoding="utf-8")
    imports = []
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            imports.append((int(match.group(2)), int(match.group(1)), max(len(match.group(3)) - 1, 0) // 2, match.group(4)))
    top_level = sum(cumulative for cumulative, _, depth, _ in imports if depth == 0)
    report += [f"## imports of `lintkit check {lone}` (total of top-level imports: {top_level / 1e6:.3f} s)",
               f"{'cumulative s':>12} {'self s':>8}  module"]
    for cumulative, own, depth, name in sorted(imports, reverse=True)[: args.top]:
        report.append(f"{cumulative / 1e6:>12.3f} {own / 1e6:>8.3f}  {'  ' * depth}{name}")
    text = "\n".join(report) + "\n"
    (folder / "summary.txt").write_text(text, encoding="utf-8")
    print(text)
    print(f"full reports: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
