"""The rule reference in docs/, generated from each rule's docstring and examples.

    python -m lintkit.docs [--check] [DOCS_DIR]

writes `docs/rules.md` (the index), `docs/rules/LKxxx.md` (one page per rule) and
`docs/triggers.md` (how each trigger invokes a function, from the template model); with
`--check` it writes nothing and exits 1 when a page is missing or out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lintkit.rule import Example, Rule, Registry, example_text, registry
from lintkit.templates.model import KIND_LABELS


def _first_example(rule: type[Rule], kind: str) -> Example | None:
    examples = getattr(rule, kind)
    if not examples:
        return None
    example = examples[0]
    return Example(python=example) if isinstance(example, str) else example


def _example_block(example: Example) -> str:
    parts = []
    if example.template is not None:
        parts.append(f"`template.yaml`:\n\n```yaml\n{example_text(example.template).rstrip()}\n```")
    if example.python is not None:
        parts.append(f"`app.py`:\n\n```python\n{example_text(example.python).rstrip()}\n```")
    return "\n\n".join(parts)


def render_rule(rule: type[Rule]) -> str:
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        f"{rule.summary}",
        "",
        f"Default severity: **{rule.severity.label}**",
        "",
    ]
    if rule.fixable:
        lines += ["Fixable: `lintkit check --fix` applies its safe fixes, `--unsafe-fixes` the others (see *Fix safety*).", ""]
    lines += [
        rule.documentation(),
    ]
    invalid, valid = _first_example(rule, "INVALID"), _first_example(rule, "VALID")
    if invalid is not None or valid is not None:
        lines += ["", "## Tested examples", ""]
        if invalid is not None:
            where = f" at {invalid.expected_file}:{invalid.line}" if invalid.line else ""
            lines += [f"Reported{where}:", "", _example_block(invalid), ""]
        if valid is not None:
            lines += ["Not reported:", "", _example_block(valid), ""]
    if rule.references:
        lines += ["", "## References", ""] + [f"- <{url}>" for url in rule.references]
    return "\n".join(lines).rstrip() + "\n"


def render_index(rules: Registry) -> str:
    lines = [
        "# lintkit rules",
        "",
        "Generated from the rules' docstrings by `python -m lintkit.docs`; do not edit by hand.",
        "",
        "Rules with a fix: `lintkit check --fix` applies their safe fixes, `--unsafe-fixes` the others.",
        "",
        "| code | name | default severity | fix | summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        fix = "yes" if rule.fixable else ""
        lines.append(f"| [{rule.code}](rules/{rule.code}.md) | {rule.name} | {rule.severity.label} | {fix} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def render_triggers() -> str:
    """The trigger table (docs/triggers.md), from the mappings the template model uses."""
    from lintkit.templates.triggers import NOT_MODELLED, PERMISSION_PRINCIPALS, RESOURCE_TRIGGERS, SAM_EVENTS

    how = {"sync": "synchronous", "async": "asynchronous", "poll": "polled (event source mapping)"}
    lines = [
        "# How each trigger invokes a function",
        "",
        "Generated from `lintkit/templates/triggers.py` by `python -m lintkit.docs`; do not edit by hand.",
        "",
        "Rules about failure handling depend on how a function is invoked. An **asynchronous** event",
        "is queued by Lambda, retried twice on error and then dropped unless the function has a",
        "dead-letter queue or an on-failure destination (LK401, LK402). A **synchronous** caller gets",
        "the error and decides itself; Lambda does not retry (LK602, LK701 apply, LK401 does not). A",
        "**polled** source is an event source mapping: Lambda reads the queue or stream and invokes",
        "synchronously with a batch (LK403, LK404, LK5xx). Sources:",
        "<https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html>,",
        "<https://docs.aws.amazon.com/iot/latest/developerguide/custom-auth-lambda.html> (IoT custom",
        "authorizers are synchronous).",
        "",
        "## SAM event types (`Events: {Name: {Type: ...}}`)",
        "",
        "| event `Type` | trigger | invocation |",
        "| --- | --- | --- |",
    ]
    for type_, (kind, invocation) in SAM_EVENTS.items():
        note = " (with `SqsSubscription`, SAM puts a queue in between: polled)" if type_ == "SNS" else ""
        lines.append(f"| `{type_}` | {KIND_LABELS.get(kind, kind)} | {how[invocation.value]}{note} |")
    lines.append("| `FunctionUrlConfig` (a property) | function URL | synchronous |")
    lines += [
        "",
        "## CloudFormation resources that name a function",
        "",
        "| resource type | where it names the function | trigger | invocation |",
        "| --- | --- | --- | --- |",
    ]
    for type_, (where, kind, invocation) in RESOURCE_TRIGGERS.items():
        label = ", ".join(KIND_LABELS.get(k.strip(), k.strip()) for k in kind.split(","))
        lines.append(f"| `{type_}` | `{where}` | {label} | {how[invocation.value]} |")
    lines += [
        "",
        "## `AWS::Lambda::Permission` principals (when nothing else in the template says more)",
        "",
        "A permission tells which service may invoke the function, not how the service is set up:",
        "such a trigger is *inferred*, and rules that need its settings (a rule's DLQ, an",
        "integration's timeout) do not use it.",
        "",
        "| `Principal` | trigger | invocation |",
        "| --- | --- | --- |",
    ]
    for service, (kind, invocation) in PERMISSION_PRINCIPALS.items():
        note = ""
        if service == "iot":
            note = (
                "; synchronous (IoT authorizer) when `SourceArn` is an `AWS::IoT::Authorizer` or an "
                "`...:authorizer/...` ARN, or when an authorizer in the template names the function"
            )
        lines.append(f"| `{service}.amazonaws.com` | {KIND_LABELS.get(kind, kind)} | {how[invocation.value]}{note} |")
    lines += ["", "## Not modelled", "", "| how | why |", "| --- | --- |"]
    lines += [f"| {what} | {why} |" for what, why in NOT_MODELLED]
    return "\n".join(lines) + "\n"


def expected_files(rules: Registry) -> dict[str, str]:
    files = {"rules.md": render_index(rules), "triggers.md": render_triggers()}
    for rule in rules:
        files[f"rules/{rule.code}.md"] = render_rule(rule)
    return files


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    root = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "docs"
    stale = []
    for relative, text in expected_files(registry()).items():
        path = root / relative
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(relative)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check and stale:
        print(f"out of date: {', '.join(stale)} (run `python -m lintkit.docs`)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
