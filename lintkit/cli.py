"""The `lintkit` command line."""

from __future__ import annotations

import json
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
    if not values:
        return None
    codes = [part.strip() for value in values for part in value.split(",")]
    return [code for code in codes if code]


def _severity(ctx: click.Context, param: click.Parameter, value: str | None) -> Severity | None:
    return Severity.parse(value) if value is not None else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


@main.command(short_help="Check handlers and templates for Lambda reliability problems.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output-format",
    type=click.Choice(["concise", "full", "json"]),
    help="How to print findings: concise (path:line:col: CODE message), full (with the source line; "
    "the default on a terminal) or json.",
)
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
@click.option("--show-notes/--no-show-notes", default=True, help="Print notes about skipped paths on stderr [default: on].")
def check(
    paths: tuple[Path, ...],
    output_format: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: Severity | None,
    exit_zero: bool,
    config_file: Path | None,
    show_notes: bool,
) -> None:
    """Check Python handlers and templates under PATHS (default: the current folder).

    Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a usage or
    configuration error or an internal error of a rule.
    """
    from lintkit.config import ConfigError, enabled_codes, load_config, validate
    from lintkit.engine import check as run_check
    from lintkit.engine import exit_code
    from lintkit.report import FORMATTERS, render
    from lintkit.rule import registry

    targets = list(paths) or [Path(".")]
    rules = registry()
    start = targets[0] if targets[0].is_dir() else targets[0].parent
    try:
        config = load_config(config_file, start=start.resolve() if start.exists() else Path.cwd())
        validate(config, rules.codes)
        enabled = enabled_codes(
            config,
            rules.codes,
            cli_select=_split_codes(select),
            cli_ignore=_split_codes(ignore),
            cli_extend_select=_split_codes(extend_select),
        )
    except ConfigError as error:
        raise UsageFailure(str(error)) from None

    chosen_format = output_format or config.output_format or ("full" if sys.stdout.isatty() else "concise")
    if chosen_format not in FORMATTERS:
        raise UsageFailure(f"output format {chosen_format!r} is not available (choose from: {', '.join(FORMATTERS)})")
    threshold = fail_on or config.fail_on or DEFAULT_FAIL_ON

    result = run_check(targets, registry=rules, config=config, enabled=enabled)

    if show_notes:
        for path, message in result.problems:
            click.echo(f"lintkit: note: {path}: {message}", err=True)
    if result.files_checked == 0 and not result.findings:
        click.echo(f"lintkit: note: no Python files or templates found under {', '.join(map(str, targets))}", err=True)
    output = render(result, chosen_format)
    if output:
        click.echo(output, nl=False)
    for error in result.internal_errors:
        click.echo(f"lintkit: internal error: rule {error.code} failed on {error.path}: {error.message}", err=True)
    if result.internal_errors:
        click.echo("lintkit: the other rules and files were checked; please report the error above.", err=True)
    code = exit_code(result, threshold)
    if exit_zero and code == EXIT_FINDINGS:
        code = EXIT_CLEAN
    sys.exit(code)


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
@click.argument("code")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="The documentation as text, or its metadata and sections as JSON.")
def show_rule(code: str, output_format: str) -> None:
    """Explain one rule: what it finds, why it matters, and what to write instead.

    CODE is a rule code such as LK501 (`lintkit rules` lists them)."""
    from lintkit.rule import registry

    rule = registry().get(code)
    if rule is None:
        raise UsageFailure(f"unknown rule code {code!r}; `lintkit rules` lists them all")
    if output_format == "json":
        data = _rule_metadata(rule)
        data["sections"] = rule.sections()
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


if __name__ == "__main__":  # pragma: no cover
    main()
