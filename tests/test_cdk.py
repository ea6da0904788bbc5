"""CDK cloud assemblies: stack templates from manifest.json, construct paths, creation sites in
the user's app, and handler code linked through `aws:asset:path`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_engine

from lintkit.templates.cdk import read_assembly

APP = FIXTURES / "cdk" / "demo-app"
ASSEMBLY = APP / "cdk.out"
TEMPLATE = "DemoStack.template.json"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A copy of the demo app, so paths are the same on every machine (and outside the repo's
    own tree, as a user's app would be)."""
    copy = tmp_path / "demo-app"
    shutil.copytree(APP, copy)
    return copy


def by_code(result):
    found: dict[str, list] = {}
    for finding in result.findings:
        found.setdefault(finding.code, []).append(finding)
    return found


def test_the_reader_lists_stacks_construct_paths_and_creation_sites():
    assembly = read_assembly(ASSEMBLY / "manifest.json")
    (stack,) = assembly.stacks
    assert stack.template_file.name == TEMPLATE
    assert stack.construct_paths["OrdersFnC7735A71"] == "DemoStack/OrdersFn/Resource"
    file, line, column = stack.creation_sites["OrdersFnC7735A71"]
    assert Path(file).name == "app.js" and (line, column) == (28, 22)


def test_a_folder_containing_cdk_out_gives_findings_with_construct_paths(app):
    result = run_engine([app])
    assert not result.internal_errors
    found = by_code(result)
    (visibility,) = found["LK603"]
    assert visibility.construct_path == "DemoStack/OrdersQueue/Resource"
    # the app's line that created the queue is the finding's place, the template's is related
    assert (Path(visibility.path).name, visibility.line, visibility.column) == ("app.js", 25, 25)
    generated, *rest = visibility.related
    assert (generated.location.path.endswith(f"cdk.out/{TEMPLATE}"), generated.location.line) == (True, 6)
    assert generated.message == "OrdersQueue3DFA1D51 in the synthesized template"
    assert [(r.location.line, r.message) for r in rest] == [(100, "the function's timeout")]
    (async_no_dlq,) = found["LK401"]
    assert async_no_dlq.construct_path == "DemoStack/UploadsFn/Resource"
    assert "UploadsFn64495020" in async_no_dlq.message
    assert {f.construct_path for f in found["LK506"]} == {"DemoStack/ClicksFn/KinesisEventSource:DemoStackClicksStream859E9EE3/Resource"}


def test_handler_code_is_linked_through_the_asset_and_reported_in_the_source(app):
    result = run_engine([app])
    code_findings = sorted((Path(f.path).relative_to(app).as_posix(), f.line, f.code) for f in result.findings if f.path.endswith(".py"))
    # the asset copy in cdk.out is byte-identical to handlers/: findings go to the source
    assert code_findings == [("handlers/clicks.py", 18, "LK503"), ("handlers/orders.py", 27, "LK504")]
    # the good function (ReportsFn) has nothing
    assert not [f for f in result.findings if "Reports" in (f.construct_path or "") or "reports.py" in f.path]


def test_naming_cdk_out_reads_each_template_once_and_links_the_asset(app):
    result = run_engine([app / "cdk.out"])
    keys = [(f.path, f.line, f.code) for f in result.findings]
    assert len(keys) == len(set(keys))
    assert any("/asset." in f.path and f.code == "LK503" for f in result.findings)


def test_nested_assemblies_are_read(tmp_path):
    outer = tmp_path / "cdk.out"
    outer.mkdir()
    (outer / "cdk.out").write_text('{"version":"55.0.0"}')
    shutil.copytree(ASSEMBLY, outer / "assembly-Prod")
    (outer / "manifest.json").write_text(
        json.dumps({"version": "55.0.0", "artifacts": {"assembly-Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}}}})
    )
    assembly = read_assembly(outer / "manifest.json")
    assert [s.template_file.name for s in assembly.stacks] == [TEMPLATE]
    result = run_engine([tmp_path])
    assert {f.code for f in result.findings} >= {"LK401", "LK603", "LK501"}


def test_unreadable_manifest_is_lk001_and_the_run_goes_on(tmp_path):
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    (assembly / "manifest.json").write_text('{"version": "55.0.0", "artifacts": ')
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return event['Records'][0]\n")
    result = run_engine([tmp_path])
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("manifest.json", "LK001")]
    assert "not valid JSON" in result.findings[0].message


def test_a_stack_template_outside_the_assembly_is_not_followed(tmp_path):
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    (assembly / "cdk.out").write_text('{"version":"55.0.0"}')
    (tmp_path / "secret.template.json").write_text("{}")
    (assembly / "manifest.json").write_text(
        json.dumps({"version": "55.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../secret.template.json"}}}})
    )
    assert read_assembly(assembly / "manifest.json").stacks == []


@pytest.mark.parametrize("output_format", ["concise", "full", "json", "sarif", "github", "junit"])
def test_every_output_format_names_the_construct(app, output_format, monkeypatch):
    from helpers import invoke

    monkeypatch.chdir(app)
    run = invoke("check", ".", "--output-format", output_format)
    assert run.exit_code == 1
    assert "DemoStack/OrdersQueue/Resource" in run.stdout


def test_without_the_app_source_the_template_stays_the_findings_place(app):
    """The creation site names app.js, but the assembly was copied without the app (or the
    app was synthesized elsewhere): the template line stays primary and names the site."""
    (app / "app.js").unlink()
    (visibility,) = by_code(run_engine([app]))["LK603"]
    assert visibility.path.endswith(f"cdk.out/{TEMPLATE}") and (visibility.line, visibility.column) == (6, 5)
    created = [r for r in visibility.related if r.message.endswith("is created here")]
    # where the app was synthesized (recorded in the assembly)
    assert [(r.location.path, r.location.line, r.location.column) for r in created] == [("/tmp/cdkwork/app.js", 25, 25)]


def test_the_app_source_is_the_place_in_every_output_format(app, monkeypatch):
    from helpers import invoke

    monkeypatch.chdir(app)
    run = invoke("check", ".", "--output-format", "github", "--select", "LK603")
    assert run.stdout.startswith("::error file=app.js,line=25,")
    assert "DemoStack/OrdersQueue/Resource" in run.stdout


def test_a_cdk_app_below_the_checked_folder_is_found(app, monkeypatch):
    from helpers import invoke

    below = by_code(run_engine([app]))
    above = by_code(run_engine([app.parent]))
    assert {code: len(found) for code, found in above.items()} == {code: len(found) for code, found in below.items()}
    assert "LK603" in above and "LK401" in above
    monkeypatch.chdir(app.parent)
    run = invoke("check", ".", "--output-format", "concise", "--select", "LK603")
    assert run.pairs == [("demo-app/app.js", 25, "LK603")]
    # the config's exclude still leaves it out
    run = invoke("check", ".", "--output-format", "concise", "--select", "LK603", "--exclude", "cdk.out")
    assert run.pairs == []


def test_a_manifest_naming_missing_templates_is_one_lk001(app):
    (app / "cdk.out" / TEMPLATE).unlink()
    manifest = json.loads((app / "cdk.out" / "manifest.json").read_text())
    stack = next(a for a in manifest["artifacts"].values() if a.get("type") == "aws:cloudformation:stack")
    manifest["artifacts"]["Other"] = {**stack, "properties": {**stack["properties"], "templateFile": "Other.template.json"}}
    (app / "cdk.out" / "manifest.json").write_text(json.dumps(manifest))
    result = run_engine([app])
    assert [(f.path, f.line, f.code, f.message) for f in result.findings if f.code == "LK001"] == [(
        str(app / "cdk.out" / "manifest.json"), 1, "LK001",
        f"CDK assembly names stack templates that do not exist: {TEMPLATE}, Other.template.json; synthesize the app again (cdk synth)",
    )]
    # the handlers are still checked
    assert {Path(f.path).name for f in result.findings if f.code != "LK001"} >= {"orders.py"}


def test_checking_inside_cdk_out_still_finds_the_app_source(app, monkeypatch):
    from helpers import invoke

    monkeypatch.chdir(app / "cdk.out")
    run = invoke("check", ".", "--output-format", "concise", "--select", "LK603")
    assert [(Path(path).resolve(), line, code) for path, line, code in run.pairs] == [((app / "app.js").resolve(), 25, "LK603")]
