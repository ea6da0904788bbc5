"""The pre-commit hook, run by the real pre-commit (`try-repo`) on a throw-away repository: it
installs lintkit from this working tree into an environment of its own (`try-repo` uses a fresh
store every time: about 45 s a run, hence `slow`), gets only the changed files, and still sees
the template. Which findings are reported for which files is specified in detail, without
pre-commit, in test_integrations_context.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# What `pip install .` of the hook repository needs.
HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "lintkit", "rules")

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  Clicks:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Clicks:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: LATEST
            FunctionResponseTypes: [ReportBatchItemFailures]
"""
FIXED_TEMPLATE = TEMPLATE.replace(
    "            FunctionResponseTypes: [ReportBatchItemFailures]\n",
    "            FunctionResponseTypes: [ReportBatchItemFailures]\n"
    "            MaximumRetryAttempts: 3\n"
    "            BisectBatchOnFunctionError: true\n",
)
# Never returns batchItemFailures although the mapping enables them: LK503, which only the
# template can reveal (pre-commit passes the handler alone).
BAD_HANDLER = """\
def handler(event, context):
    for record in event["Records"]:
        process(record)
    return {"statusCode": 200}
"""
GOOD_HANDLER = """\
def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
    return {"batchItemFailures": failures}
"""
# not a template: pre-commit passes it too (a .yaml name), lintkit skips it without a note
WORKFLOW = "name: ci\non: [push]\njobs: {}\n"
# A `.template` file, which pre-commit's type detection tags only `text`: an SQS mapping without
# ReportBatchItemFailures (LK501 on `Mapping`, line 12).
QUEUE_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code: {ZipFile: "def handler(event, context):\\n    return None\\n"}
      Role: arn:aws:iam::123456789012:role/worker
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Queue.Arn
      FunctionName: !Ref Worker
      BatchSize: 10
"""


def tool(name: str) -> str:
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]'")
    return found


def git(*args: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)


@pytest.mark.slow
def test_hook_fails_on_findings_about_the_changed_files_and_passes_once_fixed(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "lintkit tests",
        "GIT_AUTHOR_EMAIL": "tests@lintkit.invalid",
        "GIT_COMMITTER_NAME": "lintkit tests",
        "GIT_COMMITTER_EMAIL": "tests@lintkit.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)

    # the hook repository: this working tree's package, committed
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in HOOK_REPO_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, hooks / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, hooks / name)
    git("init", "-q", cwd=hooks, env=env)
    git("add", ".", cwd=hooks, env=env)
    git("commit", "-q", "-m", "lintkit", cwd=hooks, env=env)

    # the project being committed to
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / ".github").mkdir()
    (project / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (project / "src" / "app.py").write_text(BAD_HANDLER, encoding="utf-8")
    (project / ".github" / "ci.yaml").write_text(WORKFLOW, encoding="utf-8")
    # the batch rules only, so that rules added later do not change what this test sees
    (project / "lintkit.toml").write_text('select = ["LK5"]\n', encoding="utf-8")
    git("init", "-q", cwd=project, env=env)
    git("add", ".", cwd=project, env=env)

    def try_repo(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [tool("pre-commit"), "try-repo", str(hooks), "lintkit", "--files", *files],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    # only the handler changed: its template is found above it, LK503 is reported; the
    # template's own problem (LK506: the stream retries forever) is not about this change
    first = try_repo("src/app.py", ".github/ci.yaml")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "lintkit" in first.stdout and "Failed" in first.stdout
    assert "src/app.py:1:5: LK503 " in first.stdout
    assert "LK506" not in first.stdout
    # the workflow file is pre-commit's choice, not the user's: skipped without a note
    assert "ci.yaml" not in first.stdout + first.stderr

    # a `.template` file is checked (pre-commit's types alone would tag it only `text`)
    (project / "queue.template").write_text(QUEUE_TEMPLATE, encoding="utf-8")
    git("add", ".", cwd=project, env=env)
    templated = try_repo("queue.template")
    assert templated.returncode == 1, templated.stdout + templated.stderr
    assert "queue.template:12:3: LK501 " in templated.stdout
    (project / "queue.template").unlink()
    git("add", ".", cwd=project, env=env)

    # both fixed: the hook passes
    (project / "template.yaml").write_text(FIXED_TEMPLATE, encoding="utf-8")
    (project / "src" / "app.py").write_text(GOOD_HANDLER, encoding="utf-8")
    git("add", ".", cwd=project, env=env)
    fixed = try_repo("src/app.py", "template.yaml", ".github/ci.yaml")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout


def test_the_hook_is_given_every_file_kind_lintkit_reads() -> None:
    """pre-commit passes a file when its name matches the hook's `files` pattern (and it is a
    file): Terraform, Serverless Framework, `.template` and the rest."""
    import re

    import yaml

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    assert hook["types"] == ["file"]
    for name in ("main.tf", "main.tf.json", "app.py", "template.yaml", "stack.template", "serverless.yml", "cdk.out/manifest.json"):
        assert pattern.search(name), name
    for name in ("README.md", "main.tfvars", "Dockerfile"):
        assert not pattern.search(name), name
