"""Run lintkit over a corpus of real projects and report what it finds, for precision work.

    python bench/corpus_report.py ../shared/corpus --json /tmp/corpus-findings.json
    python bench/corpus_report.py ../shared/corpus --sample 12 --seed 7 --codes LK103,LK104

Prints the findings per rule and per role of the file they are in (entry point, reached, test,
vendored, build output, not reached; template for template files), and the number of Python
files of each role. `--json` writes every finding (code, path, line, message, role) to a file.
`--sample N` prints a seeded random sample of at most N findings per code rule (all of them
when fewer), to be judged by reading the code; `docs/precision.md` records the verdicts. The
same seed on the same corpus and lintkit gives the same sample.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

from lintkit.config import Config
from lintkit.engine import check
from lintkit.paths import RealPaths
from lintkit.rule import CodeRule, registry


def run(corpus: Path, all_code: bool = False):
    rules = registry()
    config = Config(path=None, root=corpus, all_code=all_code)
    return check([corpus], registry=rules, config=config, enabled=set(rules.codes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--json", type=Path, help="write every finding to this file")
    parser.add_argument("--sample", type=int, default=0, help="sample this many findings per code rule")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--codes", default="", help="comma-separated codes to sample (default: every code rule)")
    parser.add_argument("--all-code", action="store_true", help="run the code rules on every Python file")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus_report: {args.corpus} is not a folder", file=sys.stderr)
        return 2

    result = run(args.corpus, args.all_code)
    model = result.project.lambda_code
    real = RealPaths()
    template_paths = {t.path for t in result.project.templates}
    code_rules = {r.code for r in registry() if issubclass(r, CodeRule)}

    def role(path: str) -> str:
        if path in template_paths or not path.endswith(".py"):
            return "template"
        info = model.info(real(Path(path).absolute())) if model is not None else None
        return info.role.value if info is not None else "unknown"

    rows = [
        {"code": f.code, "path": f.path, "line": f.line, "column": f.column, "message": f.message, "role": role(f.path)}
        for f in result.findings
    ]
    by_rule: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        by_rule[row["code"]][row["role"]] += 1
    roles = ["entry point", "reached", "test", "vendored", "build output", "not reached", "template", "unknown"]
    print(f"{len(rows)} findings; internal errors: {len(result.internal_errors)}")
    print(f"{'rule':<7}{'total':>7}" + "".join(f"{r:>14}" for r in roles))
    for code in sorted(by_rule):
        counts = by_rule[code]
        print(f"{code:<7}{sum(counts.values()):>7}" + "".join(f"{counts.get(r, 0):>14}" for r in roles))
    if model is not None:
        files = Counter(info.role.value for info in model.files.values())
        print("Python files by role: " + ", ".join(f"{r}: {files.get(r, 0)}" for r in roles[:6]))
    outside = [row for row in rows if row["code"] in code_rules and row["role"] not in ("entry point", "reached")]
    print(f"code-rule findings outside Lambda code: {len(outside)}")

    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {len(rows)} findings to {args.json}")

    if args.sample:
        wanted = {c.strip().upper() for c in args.codes.split(",") if c.strip()} or code_rules
        rng = random.Random(args.seed)
        for code in sorted(wanted):
            found = [row for row in rows if row["code"] == code]
            chosen = found if len(found) <= args.sample else rng.sample(found, args.sample)
            print(f"\n## {code}: {len(chosen)} of {len(found)} (seed {args.seed})")
            for row in sorted(chosen, key=lambda r: (r["path"], r["line"])):
                print(f"{row['path']}:{row['line']}:{row['column']}: [{row['role']}] {row['message']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
