"""SARIF 2.1.0, the format code scanning services read (GitHub's upload-sarif among them).

Every rule of the registry is described in `tool.driver.rules` (so `ruleIndex` is stable from
run to run), with the rule's documentation from `lintkit.docs` as its help. A result carries
its physical location (1-based lines and columns; the end when it is known), the related places
as `relatedLocations`, the CDK construct path as a logical location, and lintkit's
line-independent fingerprint (the one baselines use) as a partial fingerprint, and its fix
(safe or unsafe) as `fixes`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from lintkit import __version__
from lintkit.engine import RunResult
from lintkit.findings import Location, Severity, rule_url
from lintkit.report.sources import SourceTexts

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "lintkit/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(result: RunResult, sources: SourceTexts | None = None) -> str:
    from lintkit.baseline import fingerprints
    from lintkit.rule import registry

    sources = sources or SourceTexts(result)
    rules = list(registry())
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for finding, fingerprint in zip(result.findings, fingerprints(result.findings, sources)):
        item: dict[str, Any] = {"ruleId": finding.code}
        if finding.code in index:
            item["ruleIndex"] = index[finding.code]
        item["level"] = LEVELS[finding.severity]
        item["message"] = {"text": finding.message}
        location: dict[str, Any] = {"physicalLocation": _physical(finding.location)}
        if finding.construct_path:
            location["logicalLocations"] = [_construct(finding.construct_path)]
        item["locations"] = [location]
        if finding.related:
            item["relatedLocations"] = [
                {"id": number, "physicalLocation": _physical(related.location), "message": {"text": related.message}}
                for number, related in enumerate(finding.related, start=1)
            ]
        item["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
        fixes = _fixes(finding)
        if fixes:
            item["fixes"] = fixes
        results.append(item)

    notifications = [
        {
            "level": "error",
            "message": {"text": f"rule {error.code} failed on {error.path}: {error.message}"},
            "descriptor": {"id": error.code},
        }
        for error in result.internal_errors
    ] + [{"level": "note", "message": {"text": f"{path}: {message}"}} for path, message in result.problems]
    invocation: dict[str, Any] = {"executionSuccessful": not result.internal_errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications

    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lintkit",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _descriptor(rule) -> dict[str, Any]:
    from lintkit.docs import render_rule

    sections = rule.sections()
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": sections.get("What it does") or rule.summary},
        "help": {"text": rule.documentation() or rule.summary, "markdown": render_rule(rule)},
    }
    help_uri = _help_uri(rule)
    if help_uri is not None:
        descriptor["helpUri"] = help_uri
    descriptor["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    descriptor["properties"] = {"tags": ["aws-lambda", "reliability"]}
    return descriptor


def _help_uri(rule) -> str | None:
    """`helpUri` must be an absolute URI. The rule pages are not hosted yet (`rule_url` is a path
    inside the repository, which the help markdown already renders), so until they are, point at
    the rule's primary AWS reference."""
    url = rule_url(rule.code)
    if urlsplit(url).scheme:
        return url
    return rule.references[0] if rule.references else None


def _uri(path: str) -> dict[str, str]:
    """A relative path stays relative to the source root (where the run started: the repository
    root in CI); a path outside it becomes a file: URI."""
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(Path(path).as_posix()), "uriBaseId": SRCROOT}


def _physical(location: Location) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": location.line, "startColumn": location.column}
    if location.end_line is not None and location.end_column is not None:
        if (location.end_line, location.end_column) > (location.line, location.column):
            region["endLine"] = location.end_line
            region["endColumn"] = location.end_column
    return {"artifactLocation": _uri(location.path), "region": region}


def _fixes(finding) -> list[dict[str, Any]]:
    """The finding's fix as a SARIF `fix`: its edits grouped by file as `artifactChanges`, each
    a `replacement` of a region (empty for an insertion) by the new text. Display-only fixes
    are advice, not proposed changes: they are left out."""
    fix = finding.fix
    if fix is None or not fix.applies or not fix.edits:
        return []
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        region = {"startLine": edit.line, "startColumn": edit.column, "endLine": edit.end_line, "endColumn": edit.end_column}
        changes.setdefault(edit.path, []).append({"deletedRegion": region, "insertedContent": {"text": edit.content}})
    return [
        {
            "description": {"text": f"{fix.title} ({fix.applicability.value})"},
            "artifactChanges": [
                {"artifactLocation": _uri(path), "replacements": replacements} for path, replacements in changes.items()
            ],
        }
    ]


def _construct(path: str) -> dict[str, str]:
    return {"name": path.rsplit("/", 1)[-1], "fullyQualifiedName": path, "kind": "resource"}
