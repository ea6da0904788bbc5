"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines, ...).

One `<testsuite name="lintkit">` inside `<testsuites>`. Each finding is a failed test case named
after its rule and place, with the file as its class name; a rule that crashed is a test case
with an `<error>`. A clean run is one passing test case, so the report is never empty.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from lintkit.engine import RunResult
from lintkit.report.sources import SourceTexts

SUITE = "lintkit"
# Characters XML 1.0 cannot hold at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _clean_text(text: str) -> str:
    """Element text: a bare CR would reach readers as LF anyway (XML normalizes line ends), so
    normalize it here and keep the output stable."""
    return _clean(text.replace("\r\n", "\n").replace("\r", "\n"))


def junit(result: RunResult, sources: SourceTexts | None = None) -> str:
    findings = result.findings
    errors = result.internal_errors
    tests = len(findings) + len(errors) or 1
    counts = {"tests": str(tests), "failures": str(len(findings)), "errors": str(len(errors)), "skipped": "0"}
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    for finding in findings:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "name": _clean(f"{finding.code} {finding.name} at {finding.path}:{finding.line}:{finding.column}"),
                "classname": _clean(finding.path),
                "file": _clean(finding.path),
                "line": str(finding.line),
            },
        )
        failure = ET.SubElement(case, "failure", {"message": _clean(finding.message), "type": finding.code})
        lines = [f"{finding.path}:{finding.line}:{finding.column}: {finding.code} [{finding.severity.label}] {finding.message}"]
        lines += [f"note: {r.location.path}:{r.location.line}:{r.location.column}: {r.message}" for r in finding.related]
        if finding.construct_path:
            lines.append(f"construct: {finding.construct_path}")
        failure.text = _clean_text("\n".join(lines))
    for error in errors:
        case = ET.SubElement(suite, "testcase", {"name": _clean(f"{error.code} on {error.path}"), "classname": _clean(error.path)})
        element = ET.SubElement(case, "error", {"message": _clean(error.message), "type": "internal-error"})
        element.text = _clean_text(error.details or error.message)
    if not findings and not errors:
        ET.SubElement(suite, "testcase", {"name": "no findings", "classname": SUITE})
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
