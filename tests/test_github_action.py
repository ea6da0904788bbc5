"""The GitHub Action (action.yml, a composite action) and the script its step runs
(scripts/github-action.sh). The metadata is checked for the structure GitHub requires; the script
runs here as the runner would run it, on a copy of the demo project, with its inputs in
environment variables: with the lintkit of this test environment (LINTKIT_ACTION_SKIP_INSTALL=1)
in the fast tests, and once with the real `pip install` of the action's checkout (slow)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "fixtures" / "projects" / "demo"
ACTION = REPO / "action.yml"
SCRIPT = REPO / "scripts" / "github-action.sh"
# What `pip install` of the action's checkout needs, and the action itself.
ACTION_REPO_FILES = ("pyproject.toml", "README.md", "lintkit", "rules", "action.yml", "scripts")

# The demo project's two findings about the payments function (LK505 in the handler, LK502 on
# the template's event), as annotations; the project is copied into a folder with a space.
LK505_ANNOTATION = "::error file=my demo/src/payments.py,line=15,col=48,endLine=15,endColumn=71,title=LK505::itemIdentifier is receiptHandle"
LK502_ANNOTATION = "::error file=my demo/template.yaml,line=74,col=9,title=LK502::PaymentsFunction handler returns batchItemFailures"
# LK503 is a warning: it fails the step by default, not with fail-on: error
LK503_ANNOTATION = "::warning file=my demo/src/clicks.py,line=5,col=5,endLine=5,endColumn=12,title=LK503::handler() never returns batchItemFailures"


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def script_step() -> dict:
    (step,) = [step for step in action()["runs"]["steps"] if "run" in step]
    return step


# ---- action.yml ----------------------------------------------------------------------------


def test_action_is_a_composite_action_whose_run_steps_name_their_shell() -> None:
    meta = action()
    assert meta["name"] == "lintkit"
    assert meta["description"]
    assert meta["runs"]["using"] == "composite"
    steps = meta["runs"]["steps"]
    assert steps, "a composite action needs steps"
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            # GitHub rejects a composite `run` step without `shell`
            assert step["shell"] == "bash", step
    # the script is found through the action's own path, whatever the job's working directory
    assert script_step()["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/github-action.sh"'
    assert SCRIPT.is_file()


def test_every_input_is_declared_described_and_used_and_every_used_input_exists() -> None:
    meta = action()
    text = ACTION.read_text(encoding="utf-8")
    declared = set(meta["inputs"])
    assert declared == {"path", "args", "fail-on", "sarif-file", "python-version"}
    for name, spec in meta["inputs"].items():
        assert spec["description"], name
        assert spec["required"] is False, name
        assert isinstance(spec["default"], str), name
    assert meta["inputs"]["path"]["default"] == "."
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    assert used == declared


def test_the_script_reads_exactly_the_inputs_the_step_passes() -> None:
    """Inputs reach the script as INPUT_* environment variables (a composite action gets no
    INPUT_* of its own): the step's env and the names the script reads are the same set."""
    env = script_step()["env"]
    script = SCRIPT.read_text(encoding="utf-8")
    read = set(re.findall(r"\$\{(INPUT_[A-Z_]+)", script))
    assert set(env) == read == {"INPUT_PATH", "INPUT_ARGS", "INPUT_FAIL_ON", "INPUT_SARIF_FILE"}
    for name, value in env.items():
        # INPUT_SARIF_FILE carries ${{ inputs.sarif-file }}
        expected = name.removeprefix("INPUT_").lower().replace("_", "-")
        assert value == "${{ inputs.%s }}" % expected, name
    # never spliced into the command line, where a value would be run as shell code
    assert "${{" not in script_step()["run"]


def test_python_is_set_up_only_when_asked() -> None:
    (setup,) = [step for step in action()["runs"]["steps"] if "uses" in step]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["if"] == "inputs.python-version != ''"
    assert setup["with"] == {"python-version": "${{ inputs.python-version }}"}
    assert action()["inputs"]["python-version"]["default"] == ""


def test_outputs_come_from_the_script_step() -> None:
    meta = action()
    step = script_step()
    script = SCRIPT.read_text(encoding="utf-8")
    assert set(meta["outputs"]) == {"exit-code", "sarif-file"}
    for name, spec in meta["outputs"].items():
        assert spec["description"], name
        assert spec["value"] == "${{ steps.%s.outputs.%s }}" % (step["id"], name)
        assert f"write_output {name} " in script, name


# ---- the script ----------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A job's working directory holding the demo project under `my demo/` (a path with a space)
    and a YAML file that a shell glob `*.yaml` would match."""
    root = tmp_path / "workspace"
    shutil.copytree(DEMO, root / "my demo")
    (root / "decoy.yaml").write_text("not: a template\n", encoding="utf-8")
    (tmp_path / "runner-temp").mkdir()
    return root


def run_action(
    workspace: Path, *, install: bool = False, action_path: Path = REPO, path_dirs: list[str] | None = None, **inputs: str
) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """Run the script as the action's step does; returns the process and the step outputs."""
    outputs = workspace.parent / "github-output"
    outputs.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "GITHUB_ACTION_PATH": str(action_path),
        "RUNNER_TEMP": str(workspace.parent / "runner-temp"),
        "GITHUB_OUTPUT": str(outputs),
    }
    if path_dirs is not None:
        env["PATH"] = os.pathsep.join(path_dirs)
    else:
        # this environment's lintkit and python3 first
        env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    if install:
        env.pop("LINTKIT_ACTION_SKIP_INSTALL", None)
    else:
        env["LINTKIT_ACTION_SKIP_INSTALL"] = "1"
    for name in ("path", "args", "fail-on", "sarif-file"):
        env["INPUT_" + name.upper().replace("-", "_")] = inputs.pop(name.replace("-", "_"), "")
    assert not inputs, inputs
    process = subprocess.run(
        ["bash", str(SCRIPT)], cwd=workspace, env=env, capture_output=True, text=True, timeout=900 if install else 180
    )
    written = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    return process, written


def annotations(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if re.match(r"::(error|warning|notice) file=", line)]


def direct_annotations(workspace: Path, *args: str) -> list[str]:
    """What `lintkit check --output-format github` itself prints: the oracle for full messages."""
    lintkit = shutil.which("lintkit", path=os.path.dirname(sys.executable)) or shutil.which("lintkit")
    assert lintkit, "lintkit is not installed: pip install -e '.[test]'"
    process = subprocess.run(
        [lintkit, "check", *args, "--output-format", "github"], cwd=workspace, capture_output=True, text=True, timeout=180
    )
    return annotations(process.stdout)


def test_findings_become_annotations_and_the_sarif_report_is_still_written(workspace: Path, sarif_validator) -> None:
    process, outputs = run_action(
        workspace, path='"my demo"', args="--select LK505,LK502", sarif_file="reports/lintkit.sarif"
    )
    # exit 1: findings at or above warning fail the step...
    assert process.returncode == 1, process.stdout + process.stderr
    found = annotations(process.stdout)
    assert [line.split("::", 2)[1] for line in found] == [
        "error file=my demo/src/payments.py,line=15,col=48,endLine=15,endColumn=71,title=LK505",
        "error file=my demo/template.yaml,line=74,col=9,title=LK502",
    ]
    assert found[0].startswith(LK505_ANNOTATION)
    assert found[1].startswith(LK502_ANNOTATION)
    assert found == direct_annotations(workspace, "my demo", "--select", "LK505,LK502")
    # ...and the SARIF report is written all the same, in the job's working directory
    report = workspace / "reports" / "lintkit.sarif"
    log = json.loads(report.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    sarif_validator.validate(log)
    results = [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in log["runs"][0]["results"]
    ]
    assert results == [("LK505", "my%20demo/src/payments.py", 15), ("LK502", "my%20demo/template.yaml", 74)]
    assert outputs == {"exit-code": "1", "sarif-file": "reports/lintkit.sarif"}
    # the virtualenv / scratch folder is gone
    assert list((workspace.parent / "runner-temp").iterdir()) == []


def test_fail_on_error_passes_on_warnings_and_no_sarif_unless_asked(workspace: Path) -> None:
    process, outputs = run_action(workspace, path='"my demo"', args="--select LK503", fail_on="error")
    assert process.returncode == 0, process.stdout + process.stderr
    found = annotations(process.stdout)
    assert len(found) == 1 and found[0].startswith(LK503_ANNOTATION)
    assert outputs == {"exit-code": "0"}
    # nothing written but lintkit's result cache
    assert sorted(p.name for p in workspace.iterdir() if p.name != ".lintkit_cache") == ["decoy.yaml", "my demo"]


def test_args_are_split_like_shell_words_without_globbing(workspace: Path) -> None:
    """`*.yaml` reaches lintkit as written (in a shell it would become `decoy.yaml`), so the
    template is excluded: LK502 goes, LK505 stays; quotes group words as in a shell."""
    process, _ = run_action(workspace, path='"my demo"', args="--select 'LK505,LK502' --exclude *.yaml")
    assert process.returncode == 1, process.stdout + process.stderr
    found = annotations(process.stdout)
    assert [line.split("::", 2)[1] for line in found] == [
        "error file=my demo/src/payments.py,line=15,col=48,endLine=15,endColumn=71,title=LK505"
    ]
    assert found == direct_annotations(workspace, "my demo", "--select", "LK505,LK502", "--exclude", "*.yaml")


def test_args_cannot_change_the_output_format(workspace: Path) -> None:
    process, _ = run_action(workspace, path='"my demo"', args="--select LK505 --output-format json")
    assert process.returncode == 1
    assert [line.split("::", 2)[1] for line in annotations(process.stdout)] == [
        "error file=my demo/src/payments.py,line=15,col=48,endLine=15,endColumn=71,title=LK505"
    ]


def test_default_path_is_the_working_directory(workspace: Path) -> None:
    process, outputs = run_action(workspace, args="--select LK505")
    assert process.returncode == 1, process.stdout + process.stderr
    assert [line.split("::", 2)[1] for line in annotations(process.stdout)] == [
        "error file=my demo/src/payments.py,line=15,col=48,endLine=15,endColumn=71,title=LK505"
    ]
    assert outputs == {"exit-code": "1"}


def test_a_path_that_does_not_exist_is_exit_2_with_an_annotation(workspace: Path) -> None:
    process, outputs = run_action(workspace, path="my-demo", sarif_file="lintkit.sarif")
    assert process.returncode == 2
    assert "lintkit: error: my-demo: no such file or directory" in process.stderr
    assert "::error title=lintkit::lintkit check could not run (exit 2): its message is in the log above" in process.stdout
    assert "::error title=lintkit::lintkit could not write the SARIF report lintkit.sarif (exit 2)" in process.stdout
    assert annotations(process.stdout) == []
    assert outputs == {"exit-code": "2"}


def test_an_unbalanced_quote_in_an_input_is_exit_2_before_lintkit_runs(workspace: Path) -> None:
    process, outputs = run_action(workspace, args="--select 'LK5")
    assert process.returncode == 2
    assert process.stdout == "::error title=lintkit action::input args: No closing quotation: \"--select 'LK5\"\n"
    assert outputs == {"exit-code": "2"}


def test_skipping_the_install_needs_a_lintkit_on_path(workspace: Path, tmp_path: Path) -> None:
    # python3 alone on PATH (the script needs it to split the inputs), no lintkit
    only_python = tmp_path / "only-python"
    only_python.mkdir()
    (only_python / "python3").symlink_to(sys.executable)
    system_dirs = [os.path.dirname(shutil.which("bash") or "/bin/bash"), "/usr/bin", "/bin"]
    if shutil.which("lintkit", path=os.pathsep.join(system_dirs)):
        pytest.skip("a lintkit is installed system-wide")
    process, outputs = run_action(workspace, path_dirs=[str(only_python), *system_dirs])
    assert process.returncode == 2
    assert process.stdout == "::error title=lintkit action::LINTKIT_ACTION_SKIP_INSTALL=1 but there is no lintkit on PATH\n"
    assert outputs == {"exit-code": "2"}


@pytest.mark.slow
def test_the_action_installs_lintkit_from_its_own_checkout(workspace: Path, tmp_path: Path) -> None:
    """The real install: `pip install $GITHUB_ACTION_PATH` into a virtualenv under RUNNER_TEMP,
    with no lintkit on PATH (this test environment's bin folder is left out)."""
    checkout = tmp_path / "action-checkout"
    checkout.mkdir()
    for name in ACTION_REPO_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, checkout / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            shutil.copy2(source, checkout / name)
    python3 = shutil.which("python3")
    assert python3, "the action needs a python3 on PATH"
    own_bin = os.path.dirname(sys.executable)
    path_dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and os.path.realpath(d) != os.path.realpath(own_bin)]
    if shutil.which("lintkit", path=os.pathsep.join(path_dirs)) or subprocess.run(
        [shutil.which("python3", path=os.pathsep.join(path_dirs)) or "python3", "-c", "import sys; sys.exit(sys.version_info < (3, 10))"]
    ).returncode:
        pytest.skip("needs a python3 >= 3.10 and no lintkit on PATH outside this environment")

    process, outputs = run_action(
        workspace,
        install=True,
        action_path=checkout,
        path_dirs=path_dirs,
        path='"my demo"',
        args="--select LK505,LK502",
        sarif_file="lintkit.sarif",
    )
    assert process.returncode == 1, process.stdout + process.stderr
    assert process.stdout.startswith(f"::group::Install lintkit from {checkout}\n")
    assert "::endgroup::" in process.stdout
    found = annotations(process.stdout)
    assert [line.split("::", 2)[1] for line in found] == [
        "error file=my demo/src/payments.py,line=15,col=48,endLine=15,endColumn=71,title=LK505",
        "error file=my demo/template.yaml,line=74,col=9,title=LK502",
    ]
    assert json.loads((workspace / "lintkit.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert outputs == {"exit-code": "1", "sarif-file": "lintkit.sarif"}
    assert list((workspace.parent / "runner-temp").iterdir()) == []


def test_the_readme_workflow_uses_the_action_as_declared() -> None:
    """README, "GitHub Action": the example workflow passes only declared inputs, reads only
    declared outputs, and uploads SARIF with the permission that needs."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### GitHub Action\n", 1)[1].split("\n### ", 1)[0]
    (block,) = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    workflow = yaml.safe_load(block)
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    (step,) = [step for step in job["steps"] if step.get("uses") == "./"]
    meta = action()
    assert set(step["with"]) <= set(meta["inputs"])
    assert step["with"]["sarif-file"] == "lintkit.sarif"
    commented = set(re.findall(r"^\s+# ([a-z-]+): ", block, flags=re.M))
    assert commented == set(meta["inputs"]) - set(step["with"])
    (upload,) = [s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    used_outputs = set(re.findall(r"steps\.%s\.outputs\.([a-z-]+)" % step["id"], block))
    assert used_outputs == {"sarif-file"} and used_outputs <= set(meta["outputs"])
    assert "!cancelled()" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.lintkit.outputs.sarif-file }}"
