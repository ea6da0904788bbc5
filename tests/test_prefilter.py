"""The prefilter: a Python file that no enabled rule could report on is only syntax-checked
(CPython's parser), never given to the rules' resolver; it still counts as checked and still
gets LK001 when it does not parse."""

from __future__ import annotations

from conftest import run_engine, write_project

PLAIN = "def add(a, b):\n    return a + b\n"
HANDLER = "def handler(event, context):\n    for record in event['Records']:\n        try:\n            go(record)\n        except Exception:\n            pass\n"


def test_files_without_trigger_words_are_not_parsed_into_trees(tmp_path):
    write_project(tmp_path, {"lib/maths.py": PLAIN, "app.py": HANDLER})
    result = run_engine([tmp_path])
    parsed = sorted(m.path.rsplit("/", 1)[-1] for m in result.project.modules.values())
    assert parsed == ["app.py"]
    assert result.files_checked == 2
    assert [(f.path.rsplit("/", 1)[-1], f.code) for f in result.findings] == [("app.py", "LK504")]


def test_a_syntax_error_in_a_file_without_trigger_words_is_still_reported(tmp_path):
    write_project(tmp_path, {"lib/maths.py": "def add(a, b)\n    return a + b\n"})
    result = run_engine([tmp_path])
    assert [(f.code, f.line) for f in result.findings] == [("LK001", 1)]


def test_a_handler_a_template_links_is_parsed_whatever_it_contains(tmp_path):
    write_project(
        tmp_path,
        {
            "template.yaml": """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: ., Handler: app.main, Runtime: python3.12, Timeout: 5}
            """,
            "app.py": PLAIN,
        },
    )
    result = run_engine([tmp_path])
    assert [m.path.rsplit("/", 1)[-1] for m in result.project.modules.values()] == ["app.py"]
    assert [f.code for f in result.findings] == ["LK002"]  # app.py has no `main`
