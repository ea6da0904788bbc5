"""The `lintkit` command line."""

from __future__ import annotations

import gc
import json
import os
import posixpath
import sys
from pathlib import Path

import click

from lintkit import __version__
from lintkit.findings import Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_FAIL_ON = Severity.WARNING


class UsageFailure(click.ClickException):
    """A usage, config or input error: message on stderr, exit 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"lintkit: error: {self.format_message()}", err=True)


def _split_codes(values: tuple[str, ...]) -> list[str] | None:
    """Comma-separated values of a repeatable option (rule codes, exclude patterns)."""
    if not values:
        return None
    codes = [part.strip() for value in values for part in value.split(",")]
    return [code for code in codes if code]


def _severity(ctx: click.Context, param: click.Parameter, value: str | None) -> Severity | None:
    return Severity.parse(value) if value is not None else None


# Set to 1 to see the whole traceback of an internal error.
TRACEBACK_VARIABLE = "LINTKIT_TRACEBACK"


class InternalFailure(click.ClickException):
    """A bug of lintkit itself (a loader, a reporter, the command line): a short message that
    asks for a report, exit 2. Never exit 1, which a CI gate reads as findings."""

    exit_code = EXIT_ERROR

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error

    def show(self, file=None) -> None:  # type: ignore[override]
        import traceback

        frames = traceback.extract_tb(self.error.__traceback__)
        where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
        click.echo(f"lintkit: internal error: {self.format_message()}{where}", err=True)
        if os.environ.get(TRACEBACK_VARIABLE) == "1":
            click.echo("".join(traceback.format_exception(self.error)), err=True, nl=False)
        click.echo(
            f"lintkit: this is a bug in lintkit {__version__}, not a problem of the checked project; "
            f"please report it with the command that failed and its output with {TRACEBACK_VARIABLE}=1",
            err=True,
        )


class Guarded(click.Group):
    """Every command of the group: an exception lintkit did not expect ends in `InternalFailure`
    (exit 2), never in a bare traceback with exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # the reader closed the output (`lintkit check . | head`): click ends the process
            # quietly, with status 1, as a program stopped by SIGPIPE; not a bug of lintkit
            raise
        except Exception as error:  # noqa: BLE001
            raise InternalFailure(error) from error


@click.group(cls=Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lintkit")
def main() -> None:
    """Find reliability problems in AWS Lambda projects before deploy.

    lintkit reads Python handlers together with the SAM / CloudFormation templates that
    deploy them and reports what breaks in production: batches without partial failure
    reporting, async functions without failure destinations, timeouts past their limits,
    unbounded fan-out and more. It never imports or runs the code it checks.

    \b
    Start with:
      lintkit check .            check the project in this folder
      lintkit rules              list every rule
      lintkit rule LK501         explain one rule
    """


OUTPUT_FORMATS = ("concise", "full", "json", "sarif", "github", "junit")


@main.command(short_help="Check handlers and templates for Lambda reliability problems.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    help="How to print findings: concise (path:line:col: CODE message), full (with the source line; "
    "the default on a terminal), json, sarif (2.1.0, for code scanning), github (workflow "
    "annotations) or junit (XML test report).",
)
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file instead of stdout.")
@click.option(
    "--statistics",
    is_flag=True,
    help="Instead of the findings, print how many each rule reported: count, code and name, most frequent first "
    "(a JSON list with --output-format json). The exit status is the same as without it.",
)
@click.option("-q", "--quiet", "quiet_mode", is_flag=True, help="Print the findings only: no summary line, no notes on stderr (errors still are).")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules (codes or prefixes such as LK5; comma-separated). Replaces the config's select.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Rules to enable on top of the selected ones.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rules to skip (codes or prefixes; comma-separated). Adds to the config's ignore.")
@click.option(
    "--fail-on",
    type=click.Choice([s.label for s in Severity]),
    callback=_severity,
    help="Exit 1 when a finding of this severity or above is reported [default: warning].",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported (errors of lintkit itself still exit 2).")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Read settings from this file instead of the nearest pyproject.toml [tool.lintkit] / lintkit.toml.")
@click.option(
    "--show-notes/--no-show-notes",
    default=None,
    help="Notes on stderr. By default: about the paths you named and the run; --show-notes adds the files "
    "skipped while walking or passed by a tool (pre-commit, with --force-exclude) that are not Python files "
    "or templates; --no-show-notes prints none.",
)
@click.option("--stdin-filename", type=click.Path(path_type=Path, dir_okay=False), metavar="PATH", help="With PATH '-': read the file's text from stdin and report it as PATH (for editors).")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE", help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE", help="Record every current finding in this baseline file (and report none).")
@click.option("--exclude", multiple=True, metavar="PATTERNS", help="Files and folders to leave out (globs, comma-separated), matched like the config's exclude. Replaces the config's exclude.")
@click.option("--extend-exclude", multiple=True, metavar="PATTERNS", help="Patterns to leave out on top of the config's exclude.")
@click.option("--force-exclude", is_flag=True, help="The files named are a tool's selection (pre-commit passes them): the config's exclude patterns apply to them too, and those that are not Python files or templates are skipped without a note (unless --show-notes).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache (.lintkit_cache/ beside the config, or in the current folder).")
@click.option("--all-code", is_flag=True, help="Run the code rules on every Python file, not only on code that runs in Lambda (tests, vendored packages and scripts included).")
@click.option(
    "--parameter-overrides",
    multiple=True,
    metavar="OVERRIDES",
    help="Template parameter values, as sam deploy takes them: 'Key=Value Key2=Value2' (quoted, or the option "
    "repeated) or 'ParameterKey=Key,ParameterValue=Value'. A setting such as Timeout: !Ref Key then reads this value "
    "instead of the parameter's Default. Adds to (and wins over) the config's parameter-overrides.",
)
@click.option("--show-files", is_flag=True, help="List each Python file with its role (entry point, reached, test, vendored, build output, not reached) and why, then exit.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (findings marked [*]), then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, --fix-only or --diff, apply the unsafe fixes too (they change behaviour: review them); marks them [*].")
@click.option("--fix-only", is_flag=True, help="Apply the fixes and report nothing else; exit 0 unless lintkit itself fails.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them; exit 1 when there is one. Implies --fix-only.")
@click.option("--show-fixes", is_flag=True, help="After the report, list the fixes applied (with --fix) or, without it, every fix found with its diff (display-only ones too).")
def check(
    paths: tuple[Path, ...],
    output_format: str | None,
    output_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: Severity | None,
    exit_zero: bool,
    config_file: Path | None,
    show_notes: bool | None,
    stdin_filename: Path | None,
    baseline_file: Path | None,
    write_baseline: Path | None,
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    no_cache: bool,
    all_code: bool,
    parameter_overrides: tuple[str, ...],
    show_files: bool,
    fix: bool,
    unsafe_fixes: bool,
    fix_only: bool,
    diff: bool,
    show_fixes: bool,
    statistics: bool,
    quiet_mode: bool,
) -> None:
    """Check Python handlers and templates under PATHS (default: the current folder).

    Given files rather than folders (as pre-commit passes them), lintkit also reads the
    template found by walking up from each Python file, and reports only findings about
    the given files. PATH '-' reads one file from stdin (with --stdin-filename).

    With --fix, the fixes are applied in passes (a fix that overlaps another waits for the
    next pass, at most 10), and what remains is reported. From stdin, the fixed text is
    written to stdout and the report to stderr.

    Concise and full output are coloured on a terminal; NO_COLOR=1 turns colour off,
    FORCE_COLOR=1 turns it on when piped (NO_COLOR wins when both are set). On a terminal,
    concise output ends with the summary line (unless --quiet).

    Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a usage or
    configuration error, a path that does not exist, or an internal error of lintkit.
    With --diff: 1 when there is a diff. With --fix-only: 0.
    """
    from dataclasses import replace

    from lintkit import baseline
    from lintkit.config import ConfigError, parse_parameter_overrides
    from lintkit.discovery import SKIPPED_MESSAGES
    from lintkit.engine import exit_code
    from lintkit.integrations.context import resolved
    from lintkit.integrations.session import load_settings, run
    from lintkit.report import SourceTexts

    targets = list(paths)
    buffers = {}
    if stdin_filename is not None or any(str(p) == "-" for p in targets):
        if stdin_filename is None:
            raise UsageFailure("reading from stdin ('-') needs --stdin-filename PATH: the path to report the text under")
        if any(str(p) != "-" for p in targets):
            raise UsageFailure("with --stdin-filename, give no paths (or only '-'): stdin holds the one file to check")
        stream = sys.stdin
        buffers[stdin_filename] = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8")
        targets = [stdin_filename]
    targets = targets or [Path(".")]
    for target in targets:
        # a typo in a CI path must not pass as a clean run
        if target not in buffers and not os.path.exists(target):
            what = "broken symbolic link" if os.path.islink(target) else "no such file or directory"
            hint = ""
            if "=" in str(target) and parameter_overrides:
                hint = "; to give several --parameter-overrides, quote them ('A=1 B=2') or repeat the option"
            raise UsageFailure(f"{target}: {what}{hint}")

    first = targets[0]
    start = first if first.is_dir() else Path(os.path.abspath(first)).parent
    try:
        settings = load_settings(
            start=start.resolve() if start.exists() else Path.cwd(),
            config_file=config_file,
            select=_split_codes(select),
            ignore=_split_codes(ignore),
            extend_select=_split_codes(extend_select),
        )
        known = baseline.Baseline.load(baseline_file) if baseline_file is not None else None
        overrides = parse_parameter_overrides(parameter_overrides, "--parameter-overrides")
    except (ConfigError, baseline.BaselineError) as error:
        raise UsageFailure(str(error)) from None
    settings.use_cache = not no_cache
    config = settings.config
    if all_code:
        config.all_code = True
    if exclude:
        config.exclude = _split_codes(exclude) or []
    config.exclude = [*config.exclude, *(_split_codes(extend_exclude) or [])]
    config.parameter_overrides = {**config.parameter_overrides, **overrides}

    writes_file = output_file is not None
    chosen_format = output_format or config.output_format or ("full" if _stdout_is_terminal() and not writes_file else "concise")
    if chosen_format not in OUTPUT_FORMATS:
        raise UsageFailure(f"output format {chosen_format!r} is not available (choose from: {', '.join(OUTPUT_FORMATS)})")
    threshold = fail_on or config.fail_on or DEFAULT_FAIL_ON

    fixing = fix or fix_only or diff
    if fixing and (write_baseline is not None or show_files):
        raise UsageFailure("--fix, --fix-only and --diff cannot be combined with --write-baseline or --show-files")
    fixes = _Fixes(unsafe_fixes)
    checked = run(targets, settings, buffers=buffers, force_exclude=force_exclude)
    while fixing and fixes.apply(checked, known):
        checked = run(targets, settings, buffers={**buffers, **fixes.overlay()}, force_exclude=force_exclude)
        # files fixed in memory are still files on disk: report on them as such
        checked = replace(checked, buffers=frozenset(resolved(path) for path in buffers))
    result = checked.result
    sources = SourceTexts(result, checked.texts)
    shown = checked.reported()

    if quiet_mode:
        show_notes = False

    def note(message: str) -> None:
        if show_notes is not False:
            click.echo(f"lintkit: note: {message}", err=True)

    named = {Path(os.path.abspath(target)) for target in targets}

    def quiet(path: str, message: str) -> bool:
        """A file that is not a Python file or template, which the user did not name: met while
        walking, or handed over by a tool (pre-commit passes every changed YAML file) — not
        news on every run (shown with --show-notes)."""
        return message in SKIPPED_MESSAGES and (force_exclude or Path(os.path.abspath(path)) not in named)

    if show_files:
        click.echo(_file_roles(result), nl=False)
        _report_internal_errors(result)
        sys.exit(EXIT_ERROR if result.internal_errors else EXIT_CLEAN)

    for path, message in result.problems:
        if show_notes or not quiet(path, message):
            note(f"{path}: {message}")
    if result.files_checked == 0 and not result.findings and not checked.plan.excluded:
        note(f"no Python files or templates found under {', '.join(map(str, targets))}")

    if write_baseline is not None:
        entries = _entries_of(shown, result.findings, sources, write_baseline.resolve().parent)
        try:
            baseline.write(write_baseline, entries)
        except OSError as error:
            raise UsageFailure(f"cannot write baseline {write_baseline}: {error.strerror or error}") from None
        note(f"wrote {len(entries)} finding{'s' if len(entries) != 1 else ''} to {write_baseline}")
        _report_internal_errors(result)
        sys.exit(EXIT_ERROR if result.internal_errors else EXIT_CLEAN)

    if known is not None:
        entries = _entries_of(shown, result.findings, sources, known.base)
        parts = baseline.split(shown, entries, known)
        shown = parts.new
        if parts.known:
            note(f"{len(parts.known)} finding{'s' if len(parts.known) != 1 else ''} in the baseline {baseline_file} not shown")
        if parts.unmatched and checked.plan.scope is None:
            count = len(parts.unmatched)
            note(f"{count} finding{'s' if count != 1 else ''} of the baseline no longer occur{'s' if count == 1 else ''}; "
                 f"refresh it with --write-baseline {baseline_file}")

    final = replace(result, findings=shown, fixed=fixes.fixed, unsafe_fixes=unsafe_fixes)
    if fixing:
        if fixes.unfinished:
            note(f"fixes still overlap after {MAX_FIX_PASSES} passes; run --fix again for the rest")
        if diff:
            click.echo(fixes.diff(), nl=False)
            _report_internal_errors(result)
            sys.exit(EXIT_ERROR if result.internal_errors else (EXIT_FINDINGS if fixes.changed() else EXIT_CLEAN))
        fixes.write(buffers, stdin_filename)
        if fixes.fixed or fix_only:
            note(fixes.summary())
        if fix_only:
            _report_internal_errors(result)
            sys.exit(EXIT_ERROR if result.internal_errors else EXIT_CLEAN)
    if (chosen_format in ("json", "sarif") and not statistics) or show_fixes:
        from lintkit.fixes import materialize_all

        final = replace(final, findings=materialize_all(final.findings, sources.text))
    output, colour = _report(final, chosen_format, checked.texts, writes_file=writes_file, statistics=statistics, quiet=quiet_mode)
    if show_fixes and not statistics:
        output += fixes.listing(final.findings, sources.text, chosen_format)
    if fixing and stdin_filename is not None:
        # the fixed text goes to stdout, like ruff; the report to stderr
        click.echo(output, nl=False, err=True, color=colour)
        output = ""
    if writes_file:
        try:
            output_file.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            output_file.write_text(output, encoding="utf-8")  # type: ignore[union-attr]
        except OSError as error:
            raise UsageFailure(f"cannot write {output_file}: {error.strerror or error}") from None
    elif output:
        click.echo(output, nl=False, color=colour)
    _report_internal_errors(result)
    code = exit_code(final, threshold)
    if exit_zero and code == EXIT_FINDINGS:
        code = EXIT_CLEAN
    sys.exit(code)


MAX_FIX_PASSES = 10


class _Fixes:
    """What `--fix` has done so far: the text of every file it changed (in memory until
    `write`), the findings it fixed, and whether it stopped with fixes still to apply."""

    def __init__(self, unsafe: bool) -> None:
        self.unsafe = unsafe
        self.texts: dict[str, str] = {}  # display path -> fixed text
        self.originals: dict[str, str] = {}
        self.fixed: list = []
        self.passes = 0
        self.unfinished = False

    def apply(self, checked, known) -> bool:
        """One pass over the findings of `checked`: apply the fixes that do not overlap; True
        when a file changed (so the run checks again)."""
        from lintkit import baseline
        from lintkit.fixes import choose
        from lintkit.report import SourceTexts

        sources = SourceTexts(checked.result, {**checked.texts, **self.texts})
        shown = checked.reported()
        if known is not None:
            shown = baseline.split(shown, _entries_of(shown, checked.result.findings, sources, known.base), known).new
        chosen = choose(shown, sources.text, unsafe=self.unsafe)
        if not chosen.texts:
            return False
        if self.passes == MAX_FIX_PASSES:
            self.unfinished = True
            return False
        self.passes += 1
        for path, text in chosen.texts.items():
            self.originals.setdefault(path, sources.text(path) or "")
            self.texts[path] = text
        self.fixed.extend(chosen.fixed)
        return True

    def overlay(self) -> dict:
        return {Path(path): text for path, text in self.texts.items()}

    def changed(self) -> dict[str, str]:
        return {path: text for path, text in sorted(self.texts.items()) if text != self.originals[path]}

    def diff(self) -> str:
        from lintkit.fixes import unified_diff

        return "".join(unified_diff(path, self.originals[path], text) for path, text in self.changed().items())

    def write(self, buffers, stdin_filename: Path | None) -> None:
        """Write every changed file, encoded as it was; the stdin buffer goes to stdout."""
        from lintkit.fixes import encode_like
        from lintkit.integrations.context import resolved

        in_memory = {resolved(p) for p in buffers}
        for path, text in self.changed().items():
            if resolved(path) in in_memory:
                continue
            try:
                with open(path, "rb") as handle:
                    original = handle.read()
                with open(path, "wb") as handle:
                    handle.write(encode_like(original, text, python=path.endswith(".py")))
            except OSError as error:
                raise UsageFailure(f"cannot write the fixes to {path}: {error.strerror or error}") from None
        if stdin_filename is not None:
            from lintkit.engine import display_path

            shown = display_path(stdin_filename)
            buffer = buffers[stdin_filename]
            original = buffer if isinstance(buffer, str) else buffer.decode("utf-8-sig", errors="replace")
            click.echo(self.texts.get(shown, original), nl=False)

    def summary(self) -> str:
        count = len(self.fixed)
        files = len(self.changed())
        return f"fixed {count} finding{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}"

    def listing(self, findings, text_of, output_format: str) -> str:
        """`--show-fixes`: the fixes applied (with --fix), or every fix of the report with the
        diff it makes. Not mixed into machine formats: those carry the fixes themselves."""
        from lintkit.fixes import diff_of_fix

        if output_format not in ("concise", "full"):
            return ""
        if self.fixed:
            lines = [f"\nFixed {len(self.fixed)} finding{'s' if len(self.fixed) != 1 else ''}:"]
            lines += [f"  {f.path}:{f.line}:{f.column}: {f.code} {f.fix.title}" for f in self.fixed]
            return "\n".join(lines) + "\n"
        with_fix = [f for f in findings if f.fix is not None]
        if not with_fix:
            return "\nNo fixes available.\n"
        out = [f"\nFixes available ({len(with_fix)}):\n"]
        for finding in with_fix:
            out.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.code} ({finding.fix.applicability.value}) {finding.fix.title}\n")
            out.append(diff_of_fix(finding, text_of(finding.path)))
        return "".join(out)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _report(final, chosen_format: str, texts, *, writes_file: bool, statistics: bool, quiet: bool) -> tuple[str, bool]:
    """What `check` prints (or writes to -o FILE), and whether it holds colour: the report in
    `chosen_format` (coloured when a person reads it, see `lintkit.report.colour`), with the
    summary line after concise output on a terminal; or, with --statistics, the counts per rule."""
    from lintkit.report import HUMAN_FORMATS, Style, render, summary
    from lintkit.report.colour import colour_wanted

    if statistics:
        from lintkit.report.statistics import statistics_json, statistics_table

        findings, unsafe = final.findings, final.unsafe_fixes
        table = statistics_json(findings, unsafe=unsafe) if chosen_format == "json" else statistics_table(findings, unsafe=unsafe)
        return table, False
    terminal = not writes_file and _stdout_is_terminal()
    colour = chosen_format in HUMAN_FORMATS and not writes_file and colour_wanted(terminal=terminal)
    style = Style(colour)
    output = render(final, chosen_format, texts=texts, style=style, with_summary=not quiet)
    # piped concise output stays one finding per line (scripts count them); a person gets the total
    if chosen_format == "concise" and terminal and not quiet:
        output += summary(final, style) + "\n"
    return output, colour


def _template_kind(template) -> tuple[str, str]:
    """How `--show-files` names a template the run read: (what is shown as its path, its kind)."""
    from lintkit.templates.serverless import FILE_NAMES

    if template.parts:  # a Terraform root: the files of one folder
        folder = posixpath.dirname(template.parts[0][0])
        count = len(template.parts)
        return (folder + "/" if folder else "./"), f"Terraform root ({count} file{'s' if count != 1 else ''})"
    if posixpath.basename(template.path).lower() in FILE_NAMES:
        return template.path, "Serverless Framework service"
    if template.construct_paths or template.creation_sites or "cdk.out" in Path(template.path).parts:
        return template.path, "CDK stack"
    return template.path, "SAM template" if template.is_sam else "CloudFormation template"


def _file_roles(result) -> str:
    """`--show-files`: every template, Terraform root, `serverless.yml` and CDK stack the run
    read, with its kind and how many functions it defines and links to a handler file; then
    every Python file of the run with its role in the Lambda code model."""
    from lintkit.engine import display_path

    project = result.project
    if project is None:
        return ""
    lines = []
    for template in sorted(project.templates, key=lambda t: _template_kind(t)[0]):
        shown, kind = _template_kind(template)
        functions = list(template.functions.values())
        linked = sum(1 for f in functions if (link := project.links.get(f)) is not None and link.module_file is not None)
        lines.append(f"{shown}: {kind}: {len(functions)} function{'s' if len(functions) != 1 else ''}, {linked} linked")
    model = project.lambda_code
    for path, info in sorted(model.files.items(), key=lambda item: display_path(item[0])) if model is not None else ():
        why = info.explain(display_path)
        role = info.role.value + (f": {why}" if why else "")
        if model.all_code and not info.role.is_lambda_code:
            role += " (checked: --all-code)"
        lines.append(f"{display_path(path)}: {role}")
        if info.role.is_lambda_code and info.outside:
            lines.append(f"    imports not followed (not in the checked files): {', '.join(info.outside)}")
        if info.role.is_lambda_code and info.dynamic_imports:
            lines.append("    imports through importlib are not followed")
    return "".join(line + "\n" for line in lines)


def _entries_of(shown, findings, sources, base: Path):
    """The baseline entries of the `shown` findings, fingerprinted among all `findings` of the
    run (so a finding's occurrence index does not depend on what else is shown)."""
    from lintkit import baseline

    entries = baseline.entries_for(findings, sources, base)
    by_finding = {id(f): e for f, e in zip(findings, entries)}
    return [by_finding[id(f)] for f in shown]


def _report_internal_errors(result) -> None:
    for error in result.internal_errors:
        what = f"rule {error.code} failed on" if error.code else "reading failed for"
        click.echo(f"lintkit: internal error: {what} {error.path}: {error.message}", err=True)
        if os.environ.get(TRACEBACK_VARIABLE) == "1" and error.details:
            click.echo(error.details, err=True, nl=False)
    if result.internal_errors:
        click.echo(
            "lintkit: the other rules and files were checked; this is a bug in lintkit, please report "
            f"the error above (with its traceback: {TRACEBACK_VARIABLE}=1).",
            err=True,
        )


@main.command("clean", short_help="Delete the result cache.")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
def clean(folder: Path | None) -> None:
    """Delete the result cache (.lintkit_cache/) in FOLDER (default: the folder of the nearest
    configuration, else the current folder)."""
    from lintkit.cache import clear
    from lintkit.config import ConfigError, load_config

    if folder is None:
        try:
            folder = load_config(None, start=Path.cwd()).root
        except ConfigError:
            folder = Path.cwd()
    removed = clear(folder)
    click.echo(f"removed {folder / '.lintkit_cache'}" if removed else f"no cache in {folder}")


@main.command("rules")
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table", show_default=True, help="A table for people, or JSON for tools.")
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    from lintkit.rule import registry

    rules = list(registry())
    if output_format == "json":
        click.echo(json.dumps([_rule_metadata(rule) for rule in rules], indent=2))
        return
    name_width = max(len(rule.name) for rule in rules)
    for rule in rules:
        click.echo(f"{rule.code}  {rule.name:<{name_width}}  {rule.severity.label:<7}  {rule.summary}")


@main.command("rule", short_help="Explain one rule.")
@click.argument("code", metavar="CODE|NAME")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="The documentation as text, or its metadata and sections as JSON.")
def show_rule(code: str, output_format: str) -> None:
    """Explain one rule: what it finds, why it matters, and what to write instead.

    CODE|NAME is a rule's code (LK501) or its name, in any case: `lintkit rules` lists
    both. An unknown name gets the closest one as a hint."""
    rule = _find_rule(code)
    if output_format == "json":
        from lintkit.docs import render_rule
        from lintkit.findings import rule_url

        data = _rule_metadata(rule)
        data["sections"] = rule.sections()
        # the rule's page exactly as docs/rules/<code>.md has it (and SARIF's help.markdown)
        data["url"] = rule_url(rule.code)
        data["markdown"] = render_rule(rule)
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"# {rule.code} {rule.name}\n")
    click.echo(f"{rule.summary}\n")
    click.echo(f"Default severity: {rule.severity.label}\n")
    click.echo(rule.documentation())
    if rule.references:
        click.echo("\nReferences:")
        for reference in rule.references:
            click.echo(f"  - {reference}")


def _find_rule(wanted: str):
    """The rule with this code or name (any case); a usage error naming the closest ones if none."""
    import difflib

    from lintkit.rule import registry

    rules = registry()
    key = wanted.strip().lower()
    for rule in rules:
        if key in (rule.code.lower(), rule.name):
            return rule
    if key[:2] == "lk" and key[2:].isdigit():
        raise UsageFailure(f"unknown rule code {wanted!r}; `lintkit rules` lists them all")
    # a name half remembered: the closest one (a code typo has no meaningful "closest")
    close = difflib.get_close_matches(key, [rule.name for rule in rules], n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise UsageFailure(f"unknown rule {wanted!r}{hint} (`lintkit rules` lists them all)")


def _rule_metadata(rule) -> dict:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.label,
        "summary": rule.summary,
        "fixable": rule.fixable,
        "references": list(rule.references),
        "kind": _kind(rule),
    }


def _kind(rule) -> str:
    from lintkit.rule import CodeRule, ProjectRule, TemplateRule

    for cls, name in ((CodeRule, "code"), (TemplateRule, "template"), (ProjectRule, "project")):
        if issubclass(rule, cls):
            return name
    return "engine"


def entry_point() -> None:
    """The `lintkit` executable (and `python -m lintkit`): one command, then the process ends.
    Nothing it builds can be freed before that, so the cyclic garbage collector stays off for
    the whole process: re-enabled after the run, it would first walk every object the run made
    (0.6 s after a 1,000-handler run). The engine pauses it too, for hosts such as flake8."""
    gc.disable()
    main()


if __name__ == "__main__":  # pragma: no cover
    entry_point()
