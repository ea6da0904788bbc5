"""Proof that lintkit's HCL reader gives what python-hcl2 gives, on real files.

```sh
python bench/hcl_equivalence.py [FOLDER ...]   # default: ../shared/corpus and bench/out/corpus-terraform
```

Reads every `.tf` file under the folders with both readers, on the text lintkit gives them
(`terraform.hcl_source`), and reports how many files there are, how many give the identical
structure, how many lintkit's reader leaves to python-hcl2 (it raises `Unsupported`: lintkit
then reads them with python-hcl2, so they are slow, not wrong) and how many differ, listing
those (a file python-hcl2 rejects and lintkit's reader reads counts as different). The goal
is 0 different. Exits 1 if any file differs. `--show-fallbacks` lists the files left to
python-hcl2 and why.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import hcl2

from lintkit.templates import hcl
from lintkit.templates.loader import TemplateSyntaxError, decode_template
from lintkit.templates.terraform import hcl_source

HERE = Path(__file__).resolve().parent
DEFAULT_FOLDERS = (HERE.parent.parent / "shared" / "corpus", HERE / "out" / "corpus-terraform")


def compare(path: Path) -> tuple[str, str, float, float]:
    """(outcome, detail, python-hcl2's seconds, lintkit's seconds); outcome is "identical",
    "fell back", "different" or "not text" (not UTF-8/UTF-16: lintkit parses nothing)."""
    try:
        text = hcl_source(decode_template(path.read_bytes()))
    except TemplateSyntaxError as error:  # lintkit reads no HCL from it (LK001 before parsing)
        return ("not text", error.message, 0.0, 0.0)
    started = time.perf_counter()
    try:
        expected: object = hcl2.loads(text, with_meta=True)
    except Exception as error:  # noqa: BLE001 - lark raises many kinds
        expected = error
    middle = time.perf_counter()
    try:
        got: object = hcl.loads(text)
    except hcl.Unsupported as signal:
        got = signal
    ended = time.perf_counter()
    timing = (middle - started, ended - middle)
    if isinstance(got, hcl.Unsupported):
        why = f"python-hcl2: {type(expected).__name__}" if isinstance(expected, Exception) else "python-hcl2 reads it"
        return ("fell back", f"{got} ({why})", *timing)
    if isinstance(expected, Exception):
        return ("different", f"python-hcl2 rejects it ({type(expected).__name__}), lintkit's reader reads it", *timing)
    if got != expected:
        return ("different", "not the same structure", *timing)
    return ("identical", "", *timing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--show-fallbacks", action="store_true")
    options = parser.parse_args(argv)
    folders = options.folders or [folder for folder in DEFAULT_FOLDERS if folder.is_dir()]
    counts = {"identical": 0, "fell back": 0, "different": 0, "not text": 0}
    seconds = [0.0, 0.0]
    size = 0
    files = [path for folder in folders for path in sorted(folder.rglob("*.tf")) if path.is_file()]
    for path in files:
        outcome, detail, theirs, ours = compare(path)
        counts[outcome] += 1
        seconds[0] += theirs
        seconds[1] += ours
        size += path.stat().st_size
        if outcome in ("different", "not text") or (outcome == "fell back" and options.show_fallbacks):
            print(f"{outcome}: {path}: {detail}")
    print(f"folders: {', '.join(str(folder) for folder in folders)}")
    print(
        f"files: {len(files)} ({size / 1e6:.1f} MB), identical: {counts['identical']}, "
        f"fell back: {counts['fell back']}, different: {counts['different']}"
        + (f", not text: {counts['not text']}" if counts["not text"] else "")
    )
    if seconds[1]:
        print(f"python-hcl2: {seconds[0]:.2f} s, lintkit's reader: {seconds[1]:.2f} s ({seconds[0] / seconds[1]:.1f}x)")
    return 1 if counts["different"] else 0


if __name__ == "__main__":
    sys.exit(main())
