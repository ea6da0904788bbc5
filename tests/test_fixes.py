"""The fix machinery (`lintkit.fixes`): edits from a codemod's text, applying them, choosing the
fixes of one pass, and writing files back as they were encoded."""

from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from lintkit.findings import Applicability, Edit, Finding, Fix, Location, Severity
from lintkit.fixes import apply_edits, applies, choose, edits_between, encode_like, materialize, python_fix, summary_counts, unified_diff


def _finding(path: str, line: int, fix: Fix | None, code: str = "LK999") -> Finding:
    return Finding(code, "test-rule", Severity.WARNING, "message", Location(path, line, 1), fix=fix)


def test_edits_between_cuts_each_hunk_to_the_characters_that_change():
    old = "import os\n\n\ndef handler(event, context):  # keep me\n    return requests.get(url)\n"
    new = "import os\n\n\ndef handler(event, context):  # keep me\n    return requests.get(url, timeout=5)\n"
    assert edits_between("app.py", old, new) == (Edit("app.py", 5, 28, 5, 28, ", timeout=5"),)


def test_edits_between_gives_one_edit_per_changed_region():
    old = "a\nb\nc\nd\ne\n"
    new = "A\nb\nc\nd\nE\n"
    assert edits_between("f", old, new) == (Edit("f", 1, 1, 1, 2, "A"), Edit("f", 5, 1, 5, 2, "E"))


def test_edits_keep_crlf_line_endings():
    old = "x = 1\r\ny = 2\r\n"
    new = "x = 1\r\nimport os\r\ny = 2\r\n"
    edits = edits_between("f", old, new)
    assert apply_edits(old, edits) == new
    assert edits == (Edit("f", 2, 1, 2, 1, "import os\r\n"),)


lines = st.lists(st.sampled_from(["a\n", "b\n", "# c\n", "d = 1\r\n", "e", "\n", "ü\n"]), max_size=12)


@given(lines, lines)
@settings(max_examples=300, deadline=None)
def test_applying_the_edits_between_two_texts_gives_the_second(old, new):
    old_text, new_text = "".join(old), "".join(new)
    assert apply_edits(old_text, edits_between("f", old_text, new_text)) == new_text


def test_insertion_at_end_of_file_without_newline():
    assert apply_edits("x = 1", edits_between("f", "x = 1", "x = 1\ny = 2\n")) == "x = 1\ny = 2\n"


def test_choose_applies_fixes_that_do_not_overlap_and_defers_the_others():
    text = "0123456789\nabcdefghij\n"
    first = _finding("f", 1, Fix("one", Applicability.SAFE, (Edit("f", 1, 1, 1, 3, "XX"),)))
    overlapping = _finding("f", 1, Fix("two", Applicability.SAFE, (Edit("f", 1, 2, 1, 4, "YY"),)))
    elsewhere = _finding("f", 2, Fix("three", Applicability.SAFE, (Edit("f", 2, 1, 2, 1, ">"),)))
    chosen = choose([overlapping, elsewhere, first], {"f": text}.get, unsafe=False)
    assert [f.fix.title for f in chosen.fixed] == ["one", "three"]
    assert chosen.texts == {"f": "XX23456789\n>abcdefghij\n"}


def test_choose_takes_unsafe_fixes_only_when_asked_and_never_display_only_ones():
    text = "a\nb\nc\n"
    safe = _finding("f", 1, Fix("safe", Applicability.SAFE, (Edit("f", 1, 1, 1, 2, "A"),)))
    unsafe = _finding("f", 2, Fix("unsafe", Applicability.UNSAFE, (Edit("f", 2, 1, 2, 2, "B"),)))
    shown = _finding("f", 3, Fix("shown", Applicability.DISPLAY_ONLY, (Edit("f", 3, 1, 3, 2, "C"),)))
    assert choose([safe, unsafe, shown], {"f": text}.get, unsafe=False).texts == {"f": "A\nb\nc\n"}
    assert choose([safe, unsafe, shown], {"f": text}.get, unsafe=True).texts == {"f": "A\nB\nc\n"}
    assert summary_counts([safe, unsafe, shown], unsafe=False) == (1, 1)
    assert summary_counts([safe, unsafe, shown], unsafe=True) == (2, 0)
    assert not applies(shown.fix, True)


def test_a_fix_whose_file_cannot_be_read_is_left_out():
    fix = Fix("gone", Applicability.SAFE, (Edit("missing.py", 1, 1, 1, 1, "x"),))
    assert choose([_finding("missing.py", 1, fix)], {}.get, unsafe=False).fixed == []


def test_a_codemod_runs_only_when_materialized_and_a_failing_one_drops_the_fix():
    from lintkit.fixes import CODEMODS

    calls = []

    def upper(text, location, arguments):
        calls.append((location.line, arguments))
        return text.replace("x", arguments["to"])

    def broken(text, location, arguments):
        raise ValueError("no such node")

    CODEMODS["test-upper"], CODEMODS["test-broken"] = upper, broken
    try:
        finding = _finding("f.py", 1, python_fix("rename", Applicability.SAFE, "test-upper", to="y"))
        assert finding.fix.edits == () and calls == []
        done = materialize(finding, "x = 1\n")
        assert calls == [(1, {"to": "y"})]
        assert done.fix.edits == (Edit("f.py", 1, 1, 1, 2, "y"),) and done.fix.codemod is None
        assert materialize(_finding("f.py", 1, python_fix("t", Applicability.SAFE, "test-broken")), "x\n").fix is None
        # a codemod that changes nothing leaves no fix to offer
        assert materialize(_finding("f.py", 1, python_fix("t", Applicability.SAFE, "test-upper", to="x")), "x\n").fix is None
    finally:
        del CODEMODS["test-upper"], CODEMODS["test-broken"]


def test_files_are_written_back_in_their_encoding():
    assert encode_like(codecs.BOM_UTF8 + b"x = 1\n", "x = 'é'\n", python=True) == codecs.BOM_UTF8 + "x = 'é'\n".encode()
    latin = b"# -*- coding: latin-1 -*-\nx = 1\n"
    assert encode_like(latin, "# -*- coding: latin-1 -*-\nx = 'é'\n", python=True).endswith(b"'\xe9'\n")
    assert encode_like(b"Resources: {}\n", "Resources: {}\n", python=False) == b"Resources: {}\n"


def test_unified_diff_names_both_sides_like_git():
    assert unified_diff("app.py", "a\n", "b\n").splitlines() == ["--- a/app.py", "+++ b/app.py", "@@ -1 +1 @@", "-a", "+b"]
    assert unified_diff("f", "a", "b").endswith("+b\n\\ No newline at end of file\n")
