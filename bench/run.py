"""Time lintkit against cfn-lint + serverless-rules and flake8, in one run, on the same files.

Every measurement is a separate process started through a small wrapper process, which times
the tool (`time.perf_counter` around the child) and reads the peak resident memory of the
tool's largest process (`RUSAGE_CHILDREN.ru_maxrss`) in a fresh process, so the figures of one
tool never include another's. The cases, each repeated `--repeat` times (round-robin, so that
a busy moment of the machine spreads over every tool), reported as the median wall time:

    cfn_lint          cfn-lint -a cfn_lint_serverless.rules  on the templates (one process)
    flake8            flake8 (default plugins only)          on the Python files
    lintkit_cold      lintkit check --no-cache .             everything
    lintkit_warm      lintkit check .                        everything, cache kept (after a priming run)
    lintkit_templates lintkit check --no-cache <templates>   (lintkit also reads the handlers they link)
    lintkit_templates_alone  the same templates copied without their code (template rules only)
    lintkit_python    lintkit check --no-cache <python files>
    precommit_pair    lintkit check --no-cache <one handler> <its template>
    precommit_lone    lintkit check --no-cache <a handler with no template above it>
    lintkit_terraform lintkit check --no-cache <the .tf files>   300 Terraform roots (corpus-terraform/), the same handlers
    lintkit_terraform_alone  the same .tf files copied without their code
    lintkit_terraform_warm   lintkit check <the .tf files>, cache kept (after a priming run)
    lintkit_templates_warm   lintkit check <the templates>, cache kept (after a priming run)

`--no-cache` is passed only if `lintkit check --help` lists it; otherwise there is no cache
yet, both lintkit runs are cold, and the report says so. With `--templates-dir DIR` (real
templates, for instance `../shared/corpus/serverless-patterns`) cfn-lint + serverless-rules
and lintkit cold are also timed on the templates found there.

    python bench/run.py [--corpus DIR] [--repeat N] [--templates-dir DIR] [--only CASES]

Writes a table to stdout and the same as JSON to `bench/out/results.json`; the tools' output
goes to `bench/out/logs/`. The tools must be installed next to the Python running this
script: `pip install . -r bench/requirements.txt`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
DEFAULT_CORPUS = OUT / "corpus"
MANIFEST = "bench-manifest.json"
CACHE_DIR = ".lintkit_cache"

# Runs in a fresh interpreter for every measurement: its RUSAGE_CHILDREN then holds only the
# tool it started (Linux reports the largest single descendant, in KiB; macOS in bytes).
WRAPPER = r"""
import json, resource, subprocess, sys, time
spec = json.loads(sys.argv[1])
with open(spec["stdout"], "wb") as out, open(spec["stderr"], "wb") as err:
    start = time.perf_counter()
    code = subprocess.call(spec["cmd"], cwd=spec["cwd"], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    peak //= 1024
print(json.dumps({"wall_s": wall, "peak_rss_kib": peak, "exit_code": code}))
"""


@dataclass
class Case:
    key: str
    label: str
    cmd: list[str]
    cwd: Path
    shown: str  # the command as printed, with long file lists abbreviated
    inputs: str
    ok_codes: tuple[int, ...] | None = (0, 1)  # None: any exit code is a normal result
    clear_cache: bool = False
    samples: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        walls = [s["wall_s"] for s in self.samples]
        peaks = [s["peak_rss_kib"] for s in self.samples]
        codes = sorted({s["exit_code"] for s in self.samples})
        unexpected = [c for c in codes if self.ok_codes is not None and c not in self.ok_codes]
        tracebacks = any(s.get("traceback") for s in self.samples)
        return {
            "label": self.label,
            "command": self.shown,
            "cwd": str(self.cwd),
            "inputs": self.inputs,
            "samples": self.samples,
            "median_wall_s": statistics.median(walls) if walls else None,
            "min_wall_s": min(walls) if walls else None,
            "max_wall_s": max(walls) if walls else None,
            "peak_rss_mb": max(peaks) * 1024 / 1e6 if peaks else None,
            "exit_codes": codes,
            "problem": ("unexpected exit code " + ", ".join(map(str, unexpected)) if unexpected else "")
            + ("; traceback on stderr" if tracebacks else ""),
        }


def tool(name: str) -> str:
    """A console script of the environment running this file (else on PATH)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed here; from the repository root run: pip install . -r bench/requirements.txt")
    return found


def output_of(cmd: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"({error})"
    return (done.stdout + done.stderr).strip()


def measure(case: Case, logs: Path, round_number: int, timeout: float) -> dict:
    logs.mkdir(parents=True, exist_ok=True)
    stdout = logs / f"{case.key}-{round_number}.out"
    stderr = logs / f"{case.key}-{round_number}.err"
    if case.clear_cache:
        shutil.rmtree(case.cwd / CACHE_DIR, ignore_errors=True)
    spec = {"cmd": case.cmd, "cwd": str(case.cwd), "stdout": str(stdout), "stderr": str(stderr)}
    # LINTKIT_NO_CACHE / LINTKIT_CACHE_DIR in the caller's environment would change what is measured
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINTKIT_")}
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, json.dumps(spec)], stdout=subprocess.PIPE, text=True, start_new_session=True, env=env)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the wrapper's own process group: it and the tool
        proc.communicate()
        raise SystemExit(f"{case.key} took longer than {timeout:.0f} s; see {stderr}")
    sample = json.loads(out)
    err_text = stderr.read_text(encoding="utf-8", errors="replace")
    sample["traceback"] = "Traceback (most recent call last)" in err_text
    with stdout.open("rb") as handle:
        sample["output_lines"] = sum(1 for _ in handle)
    return sample


# Top-level sections cfn-lint 1.58 iterates as mappings: one left empty (`Parameters:` with
# nothing under it) stops its whole run with a traceback, losing every other template's result.
MAPPING_SECTIONS = ("Parameters", "Mappings", "Conditions", "Outputs", "Globals", "Rules", "Metadata")


def _sections_are_mappings(path: Path, text: str) -> bool | None:
    """Are `Resources` and the other sections present mappings? None when the file does not
    parse (both tools then report a parse error, which is a fair thing to time)."""
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml  # PyYAML: a dependency of lintkit, so installed here

            class Loader(yaml.SafeLoader):
                pass

            Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # !Ref, !GetAtt, ...
            data = yaml.load(text, Loader=Loader)  # noqa: S506 - a safe loader
    except Exception:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return False
    return all(isinstance(data[key], dict) for key in MAPPING_SECTIONS if key in data)


def find_templates(folder: Path) -> tuple[list[Path], list[Path]]:
    """CloudFormation / SAM templates under `folder`, recognised by their first few KiB, and
    those left out: an empty `Resources` (or `Parameters`, `Outputs`, ...) makes cfn-lint 1.58
    stop the whole run with a traceback, which would end the cfn-lint measurement early."""
    found, skipped = [], []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in (".yaml", ".yml", ".json", ".template") or not path.is_file():
            continue
        if any(part in ("node_modules", ".aws-sam", "cdk.out", ".git") for part in path.parts):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        head = text[:8192]
        if "AWSTemplateFormatVersion" in head or ("Resources" in head and "AWS::" in head):
            (skipped if _sections_are_mappings(path, text) is False else found).append(path)
    return found, skipped


def git_state() -> str:
    commit = output_of(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = output_of(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "--", "lintkit", "rules", "pyproject.toml"])
    return f"{commit}{' + uncommitted changes in lintkit/ or rules/' if dirty else ''}"


def machine() -> dict:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def versions(lintkit: str) -> dict:
    python = sys.executable
    probe = (
        "import importlib.metadata as m\n"
        "for name in ('lambda-lintkit', 'PyYAML', 'cfn-lint', 'cfn-lint-serverless', 'flake8', 'pyflakes', 'pycodestyle'):\n"
        "    try: print(name, m.version(name))\n"
        "    except m.PackageNotFoundError: print(name, 'not installed')\n"
    )
    probe += (
        "import json\n"
        "try: url = json.loads(m.distribution('lambda-lintkit').read_text('direct_url.json') or '{}')\n"
        "except Exception: url = {}\n"
        "print('lintkit installed from', url.get('url', '?') + (' (editable)' if url.get('dir_info', {}).get('editable') else ''))\n"
    )
    # -I: not the current folder's *.egg-info (a source checkout) but what is installed
    found = dict(line.split(" ", 1) for line in output_of([python, "-I", "-c", probe]).splitlines() if " " in line)
    found["repository HEAD"] = git_state()
    return found


def no_cache_supported(lintkit: str) -> bool:
    return "--no-cache" in output_of([lintkit, "check", "--help"])


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def templates_alone(corpus: Path, templates: list[str]) -> Path:
    """A copy of the corpus's templates, at the same relative paths, without the handler code
    next to them: what cfn-lint reads, and all lintkit reads of them when no code is there."""
    target = OUT / "templates-alone"
    shutil.rmtree(target, ignore_errors=True)
    for name in templates:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / name, target / name)
    return target


def copy_alone(source: Path, names: list[str], target: Path) -> Path:
    """The files `names` of `source` copied to `target` at the same relative paths, without
    anything else (the handler code): template loading and template rules only."""
    shutil.rmtree(target, ignore_errors=True)
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target / name)
    return target


def terraform_cases(manifest: dict, corpus: Path, lintkit: str, cold_flag: list[str]) -> list[Case]:
    """The Terraform corpus (bench/generate.py writes it beside the corpus): 300 roots with the
    same functions and handler files as the 300 SAM / CloudFormation stacks."""
    info = manifest.get("terraform")
    if not info:
        return []
    folder = corpus.parent / info["folder"]
    tf_manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    tf_files = tf_manifest["tf_files"]
    n = len(tf_files)
    desc = f"{tf_manifest['roots']} Terraform roots ({n} .tf files, {tf_manifest['tf_lines']} lines, {tf_manifest['tf_bytes'] // 1024} KiB)"
    cold_shown = " --no-cache" if cold_flag else ""
    templates = manifest["template_paths"]
    return [
        Case("lintkit_terraform", "lintkit cold, Terraform", [lintkit, "check", *cold_flag, *tf_files], folder,
             f"lintkit check{cold_shown} <{n} .tf files>", desc + " (and the handlers they link)", clear_cache=not cold_flag),
        Case("lintkit_terraform_alone", "lintkit cold, Terraform alone", [lintkit, "check", *cold_flag, *tf_files], copy_alone(folder, tf_files, OUT / "terraform-alone"),
             f"lintkit check{cold_shown} <{n} .tf files>  (in a copy without code)", desc + " (copied without their code)", clear_cache=not cold_flag),
        Case("lintkit_terraform_warm", "lintkit warm, Terraform", [lintkit, "check", *tf_files], folder,
             f"lintkit check <{n} .tf files>  (after a priming run)", desc + " (and the handlers they link)"),
        Case("lintkit_templates_warm", "lintkit warm, templates", [lintkit, "check", *templates], corpus,
             f"lintkit check <{len(templates)} templates>  (after a priming run)", f"{len(templates)} templates (and the handlers they link)"),
    ]


WARM_CASES = ("lintkit_warm", "lintkit_terraform_warm", "lintkit_templates_warm")


def build_cases(args, manifest: dict | None, corpus: Path, lintkit: str, cold_flag: list[str]) -> list[Case]:
    cfn_lint = tool("cfn-lint")
    flake8 = [sys.executable, str(BENCH / "flake8_default_plugins.py")]
    cases: list[Case] = []
    cold_shown = " --no-cache" if cold_flag else ""
    if manifest is not None:
        templates = manifest["template_paths"]
        python = manifest["python"]
        n_t, n_p = len(templates), len(python)
        t_desc = f"{n_t} templates"
        p_desc = f"{n_p} Python files, {manifest['python_lines']} lines"
        pre = manifest["precommit"]
        cases += [
            Case("cfn_lint", "cfn-lint + serverless-rules", [cfn_lint, "--append-rules", "cfn_lint_serverless.rules", "--", *templates], corpus,
                 f"cfn-lint --append-rules cfn_lint_serverless.rules -- <{n_t} templates>", t_desc, ok_codes=None),
            Case("flake8", "flake8 (default plugins)", [*flake8, *python], corpus,
                 f"python bench/flake8_default_plugins.py <{n_p} Python files>", p_desc),
            Case("lintkit_cold", "lintkit cold, everything", [lintkit, "check", *cold_flag, "."], corpus,
                 f"lintkit check{cold_shown} .", f"{p_desc} + {t_desc}", clear_cache=not cold_flag),
            Case("lintkit_warm", "lintkit warm, everything", [lintkit, "check", "."], corpus,
                 "lintkit check .  (after a priming run)", f"{p_desc} + {t_desc}"),
            Case("lintkit_templates", "lintkit cold, templates", [lintkit, "check", *cold_flag, *templates], corpus,
                 f"lintkit check{cold_shown} <{n_t} templates>", t_desc + " (and the handlers they link)", clear_cache=not cold_flag),
            Case("lintkit_templates_alone", "lintkit cold, templates alone", [lintkit, "check", *cold_flag, *templates], templates_alone(corpus, templates),
                 f"lintkit check{cold_shown} <{n_t} templates>  (in a copy without code)", t_desc + " (copied without their code)", clear_cache=not cold_flag),
            Case("lintkit_python", "lintkit cold, Python files", [lintkit, "check", *cold_flag, *python], corpus,
                 f"lintkit check{cold_shown} <{n_p} Python files>", p_desc + " (and their templates)", clear_cache=not cold_flag),
        ]
        if pre.get("handler") and pre.get("template"):
            cases.append(Case("precommit_pair", "pre-commit: handler + template", [lintkit, "check", *cold_flag, pre["handler"], pre["template"]], corpus,
                              f"lintkit check{cold_shown} {pre['handler']} {pre['template']}", "1 handler, 1 template", clear_cache=not cold_flag))
        if pre.get("lone_handler"):
            cases.append(Case("precommit_lone", "pre-commit: lone handler", [lintkit, "check", *cold_flag, pre["lone_handler"]], corpus,
                              f"lintkit check{cold_shown} {pre['lone_handler']}", "1 handler, no template above it", clear_cache=not cold_flag))
        cases += terraform_cases(manifest, corpus, lintkit, cold_flag)
    if args.templates_dir:
        real_dir = args.templates_dir.resolve()
        found, skipped = find_templates(real_dir)
        real = [str(p.relative_to(real_dir)) for p in found]
        if not real:
            raise SystemExit(f"no CloudFormation/SAM template under {real_dir}")
        desc = f"{len(real)} real templates in {args.templates_dir}"
        if skipped:
            desc += f" ({len(skipped)} with an empty section left out)"
            print(f"left out (an empty Resources, Parameters, ... section stops cfn-lint): {', '.join(str(p.relative_to(real_dir)) for p in skipped)}", flush=True)
        cases += [
            Case("real_cfn_lint", "real templates: cfn-lint + serverless-rules", [cfn_lint, "--append-rules", "cfn_lint_serverless.rules", "--", *real], real_dir,
                 f"cfn-lint --append-rules cfn_lint_serverless.rules -- <{len(real)} templates>", desc, ok_codes=None),
            Case("real_lintkit", "real templates: lintkit cold", [lintkit, "check", *cold_flag, *real], real_dir,
                 f"lintkit check{cold_shown} <{len(real)} templates>", desc, clear_cache=not cold_flag),
        ]
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {c.key for c in cases}
        if unknown:
            raise SystemExit(f"--only: unknown case(s) {', '.join(sorted(unknown))}; cases: {', '.join(c.key for c in cases)}")
        cases = [c for c in cases if c.key in wanted]
    return cases


def targets(results: dict, cold_flag: list[str]) -> list[dict]:
    def wall(key: str) -> float | None:
        entry = results.get(key)
        return entry["median_wall_s"] if entry else None

    rows = []

    def ratio(name: str, top: str, bottom: str, op: str, goal: float, note: str = "") -> None:
        a, b = wall(top), wall(bottom)
        if a is None or b is None or b == 0:
            return
        value = a / b
        rows.append({"target": name, "value": value, "unit": "x", "goal": f"{op} {goal:g}", "pass": value >= goal if op == ">=" else value <= goal, "note": note})

    ratio("(a) cfn-lint+serverless-rules / lintkit cold, templates", "cfn_lint", "lintkit_templates", ">=", 20)
    ratio("(a') cfn-lint+serverless-rules / lintkit cold, templates alone", "cfn_lint", "lintkit_templates_alone", ">=", 20,
          "the same templates without their handler code: template analysis only")
    ratio("(b) lintkit cold / flake8, Python files", "lintkit_python", "flake8", "<=", 1.0)
    ratio("(c) lintkit warm / cold, everything", "lintkit_warm", "lintkit_cold", "<=", 0.2,
          "" if cold_flag else "no cache implemented yet (lintkit check has no --no-cache): both runs are cold")
    ratio("real templates: cfn-lint+serverless-rules / lintkit cold", "real_cfn_lint", "real_lintkit", ">=", 20)
    ratio("(d) lintkit cold: 300 Terraform roots / 300 templates", "lintkit_terraform", "lintkit_templates", "<=", 2,
          "the same functions and handler files; issue 17")
    ratio("(d') the same, copied without their code", "lintkit_terraform_alone", "lintkit_templates_alone", "<=", 2,
          "loading and template rules only")
    ratio("(d'') the same, warm (cache kept)", "lintkit_terraform_warm", "lintkit_templates_warm", "<=", 2)
    for key, name, goal in (("precommit_pair", "pre-commit, handler + template", 0.5), ("precommit_lone", "pre-commit, lone handler", 0.35)):
        value = wall(key)
        if value is not None:
            rows.append({"target": name, "value": value, "unit": "s", "goal": f"< {goal:g}", "pass": value < goal, "note": ""})
    lintkit_peaks = [(v["peak_rss_mb"], k) for k, v in results.items() if k.startswith(("lintkit", "precommit", "real_lintkit"))]
    if lintkit_peaks:
        peak, key = max(lintkit_peaks)
        rows.append({"target": "lintkit peak memory (largest case)", "value": peak, "unit": "MB", "goal": "< 500", "pass": peak < 500, "note": key})
    return rows


def print_report(report: dict) -> None:
    print()
    print(f"{report['date']}  {report['machine']['cpus']} cores, {report['machine']['memory']}, Python {report['machine']['python']}, repeat {report['repeat']} (median wall time, largest peak RSS)")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    if report.get("corpus"):
        c = report["corpus"]
        print(f"corpus: {c['path']}: {c['python_files']} Python files ({c['python_lines']} lines), {c['templates']} templates, seed {c['seed']}")
    if not report["cache"]["no_cache_option"]:
        print("cache: lintkit check has no --no-cache option: no cache implemented yet, 'warm' is a second cold run")
    print()
    header = f"{'case':<36} {'wall s':>8} {'(min-max)':>17} {'peak MB':>8} {'exit':>6}  inputs"
    print(header)
    print("-" * len(header))
    for key, r in report["cases"].items():
        span = f"({fmt_seconds(r['min_wall_s'])}-{fmt_seconds(r['max_wall_s'])})"
        codes = ",".join(map(str, r["exit_codes"]))
        line = f"{r['label']:<36} {fmt_seconds(r['median_wall_s']):>8} {span:>17} {r['peak_rss_mb']:>8.0f} {codes:>6}  {r['inputs']}"
        print(line + (f"  !! {r['problem']}" if r["problem"] else ""))
    print()
    for t in report["targets"]:
        value = f"{t['value']:.2f} {t['unit']}" if t["unit"] != "MB" else f"{t['value']:.0f} MB"
        print(f"{'PASS' if t['pass'] else 'FAIL'}  {t['target']:<58} {value:>10}  (target {t['goal']}{' ' + t['unit'] if t['unit'] != 'x' else ''})" + (f"  [{t['note']}]" if t["note"] else ""))
    print()
    corpus = report["corpus"]["path"] if report.get("corpus") else None
    print(f"commands (run in {corpus or 'the templates folder'}):")
    for key, r in report["cases"].items():
        where = "" if r["cwd"] == corpus else f"   (in {r['cwd']})"
        print(f"  {key:<18} {r['command']}{where}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="generated corpus (made with the defaults of bench/generate.py if missing)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case; the median is reported (default 3)")
    parser.add_argument("--templates-dir", type=Path, help="also time cfn-lint + serverless-rules and lintkit cold on the real templates in this folder")
    parser.add_argument("--no-corpus", action="store_true", help="only the --templates-dir cases")
    parser.add_argument("--only", help="comma-separated case keys to run (see the module docstring)")
    parser.add_argument("--results", type=Path, default=OUT / "results.json", help="JSON results file (default bench/out/results.json)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one run may take (default 3600)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.no_corpus and not args.templates_dir:
        parser.error("--no-corpus needs --templates-dir")

    lintkit = tool("lintkit")
    tool("cfn-lint")
    tool("flake8")
    cold_flag = ["--no-cache"] if no_cache_supported(lintkit) else []

    manifest = None
    corpus = args.corpus.resolve()
    if not args.no_corpus:
        if not (corpus / MANIFEST).is_file():
            print(f"no corpus at {corpus}: generating it with the defaults", flush=True)
            subprocess.run([sys.executable, str(BENCH / "generate.py"), "--out", str(corpus)], check=True)
        manifest = json.loads((corpus / MANIFEST).read_text(encoding="utf-8"))
        toml = corpus / "pyproject.toml"
        if "[tool.lintkit]" not in toml.read_text(encoding="utf-8"):
            raise SystemExit(f"{toml} has no [tool.lintkit] table: regenerate the corpus with bench/generate.py")

    cases = build_cases(args, manifest, corpus, lintkit, cold_flag)
    logs = args.results.resolve().parent / "logs"
    report: dict = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(lintkit),
        "repeat": args.repeat,
        "cache": {"no_cache_option": bool(cold_flag), "note": "" if cold_flag else "no cache implemented yet"},
        "load_average_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    if manifest is not None:
        report["corpus"] = {k: manifest[k] for k in ("seed", "python_files", "python_lines", "handler_files", "library_files", "templates", "template_lines", "functions", "precommit")}
        report["corpus"]["path"] = str(corpus)

    cleared: set[Path] = set()
    for warm in (c for c in cases if c.key in WARM_CASES):
        if warm.cwd not in cleared:  # two warm cases in one folder share its cache
            shutil.rmtree(warm.cwd / CACHE_DIR, ignore_errors=True)
            cleared.add(warm.cwd)
        print(f"priming the cache: {warm.shown} ...", flush=True)
        fill = measure(warm, logs, 0, args.timeout)
        report["lintkit_cache_fill" if warm.key == "lintkit_warm" else f"{warm.key}_cache_fill"] = fill
        print(f"  {fill['wall_s']:.1f} s", flush=True)
    for round_number in range(1, args.repeat + 1):
        for case in cases:
            print(f"[{round_number}/{args.repeat}] {case.key} ...", end=" ", flush=True)
            sample = measure(case, logs, round_number, args.timeout)
            case.samples.append(sample)
            print(f"{sample['wall_s']:.2f} s, {sample['peak_rss_kib'] / 1024:.0f} MiB, exit {sample['exit_code']}", flush=True)

    report["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    report["cases"] = {c.key: c.summary() for c in cases}
    cold, warm_result = report["cases"].get("lintkit_cold"), report["cases"].get("lintkit_warm")
    if cold and warm_result:
        lines = {s["output_lines"] for s in cold["samples"]} | {s["output_lines"] for s in warm_result["samples"]}
        report["warm_output_matches_cold"] = len(lines) == 1
    report["targets"] = targets(report["cases"], cold_flag)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print_report(report)
    if report.get("warm_output_matches_cold") is False:
        print("!! the warm run's output differs from the cold run's (line counts): see bench/out/logs/")
    print(f"results: {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
