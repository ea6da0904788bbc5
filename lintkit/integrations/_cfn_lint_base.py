"""The base class of the cfn-lint rules `cfn_lint_rules` generates (kept in its own module:
cfn-lint instantiates every rule class it finds in the module it is given, and this one must
not be among them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from lintkit.findings import Finding, Severity

# cfn-lint takes a rule's severity from the first letter of its id.
LETTERS = {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "I"}


def cfn_lint_id(code: str, severity: Severity) -> str:
    """LKabc -> E9abc / W9abc / I9abc: cfn-lint's ids are a severity letter and four digits, and
    the 9xxx block is the one cfn-lint reserves for rules from outside its own set."""
    return f"{LETTERS[severity]}9{code[2:]}"


# One lintkit run per template file and content, shared by all the generated rules (cfn-lint
# calls each rule's `match` in turn on the same template): (finding, logical id of its resource).
_RUNS: dict[tuple[Path, int, int], list[tuple[Finding, str | None]]] = {}


def findings_for(filename: str) -> list[tuple[Finding, str | None]]:
    """lintkit's findings located in the template `filename`, each with the logical id of the
    resource it is in. lintkit runs as `lintkit check <template>` would: with the configuration
    nearest to the template and the handler code the template links."""
    from lintkit.integrations.session import run, settings_for

    path = Path(os.path.abspath(filename))
    try:
        stat = path.stat()
    except OSError:
        return []
    key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
    if key not in _RUNS:
        checked = run([path], settings_for(path))
        target = path.resolve()
        project = checked.result.project
        templates = [t for t in (project.templates if project is not None else []) if t.abs_path == target]
        found = []
        for finding in checked.result.findings:
            if Path(os.path.abspath(finding.path)).resolve() != target:
                continue
            resource = templates[0].resource_at_line(finding.line) if templates else None
            found.append((finding, resource.logical_id if resource is not None else None))
        _RUNS.clear()  # one template's results at a time
        _RUNS[key] = found
    return _RUNS[key]


class LintkitRule(CloudFormationLintRule):
    """Reports one lintkit rule's findings on the template cfn-lint is checking."""

    lintkit_code: ClassVar[str] = ""

    def match(self, cfn) -> list[RuleMatch]:
        filename = getattr(cfn, "filename", None)
        if not filename or filename == "-" or not os.path.isfile(filename):
            return []  # a template piped to cfn-lint: lintkit reads templates from their files
        data = getattr(cfn, "template", None)
        resources = data.get("Resources", {}) if isinstance(data, dict) else {}
        matches = []
        for finding, logical_id in findings_for(filename):
            if finding.code != self.lintkit_code:
                continue
            loc = finding.location
            end_line = loc.end_line if loc.end_line is not None else loc.line
            end_column = loc.end_column if loc.end_column is not None else loc.column + 1
            # the resource's path lets cfn-lint's own per-resource `ignore_checks` metadata apply
            # (when the resource kept its logical id through the SAM transform)
            path = ["Resources", logical_id] if logical_id is not None and logical_id in resources else []
            matches.append(
                RuleMatch(
                    path,
                    f"{finding.code} {finding.message}",
                    # zero-based (line, column, end line, end column): cfn-lint uses these instead
                    # of looking the path up in the (possibly SAM-transformed) template
                    location=(loc.line - 1, loc.column - 1, end_line - 1, end_column - 1),
                )
            )
        return matches
