"""The rule reference in docs/, generated from each rule's docstring and examples.

    python -m lintkit.docs [--check] [DOCS_DIR]

writes `docs/rules.md` (the index) and `docs/rules/LKxxx.md` (one page per rule); with
`--check` it writes nothing and exits 1 when a page is missing or out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lintkit.rule import Example, Rule, Registry, example_text, registry


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
        "| code | name | default severity | summary |",
        "| --- | --- | --- | --- |",
    ]
    for rule in rules:
        lines.append(f"| [{rule.code}](rules/{rule.code}.md) | {rule.name} | {rule.severity.label} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def expected_files(rules: Registry) -> dict[str, str]:
    files = {"rules.md": render_index(rules)}
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
