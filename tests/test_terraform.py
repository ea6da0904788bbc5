"""Terraform roots (`*.tf`, `*.tf.json`) in the same model as CloudFormation: the rules run
unchanged and point at `.tf` lines."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from conftest import FIXTURES, run_engine, write_project

from lintkit.discovery import FileKind, classify, discover
from lintkit.templates.model import Invocation

TERRAFORM = FIXTURES / "terraform"


def found(result) -> list[tuple[str, str, int]]:
    return [(Path(f.path).name, f.code, f.line) for f in result.findings]


def functions(result) -> dict:
    return {f.logical_id: f for t in result.project.templates for f in t.functions.values()}


def run(root: Path, files: dict[str, str], select=None):
    write_project(root, files)
    result = run_engine([root], select=select)
    assert not result.internal_errors, result.internal_errors
    return result


CODE = {
    "src/app.py": "def handler(event, context):\n    return None\n",
}
ARCHIVE = """\
data "archive_file" "code" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/code.zip"
}
"""


def function(name: str = "fn", extra: str = "", handler: str = "app.handler") -> str:
    return f"""\
resource "aws_lambda_function" "{name}" {{
  function_name = "{name}"
  filename      = data.archive_file.code.output_path
  handler       = "{handler}"
  runtime       = "python3.12"
  timeout       = 10
{extra}}}
"""


# -- discovery


def test_tf_and_tf_json_files_are_terraform_and_dot_terraform_is_skipped(tmp_path):
    write_project(tmp_path, {"main.tf": "", "extra.tf.json": "{}", ".terraform/modules/m/main.tf": "", "vars.json": "{}"})
    assert classify(tmp_path / "main.tf") is FileKind.TERRAFORM
    assert classify(tmp_path / "extra.tf.json") is FileKind.TERRAFORM
    kinds = {f.path.name: f.kind for f in discover([tmp_path]).files}
    assert kinds == {"main.tf": FileKind.TERRAFORM, "extra.tf.json": FileKind.TERRAFORM}


# -- the fixture projects


def test_bad_fixture_reports_each_gap_at_its_tf_line():
    result = run_engine([TERRAFORM / "bad"])
    assert not result.internal_errors
    assert found(result) == [
        ("main.tf", "LK404", 8),  # aws_sqs_queue.jobs: no redrive_policy
        ("main.tf", "LK603", 8),  # default visibility 30 s < the worker's 60 s (var default)
        ("main.tf", "LK501", 22),  # SQS mapping without ReportBatchItemFailures
        ("main.tf", "LK403", 32),  # Kinesis mapping without on-failure destination
        ("main.tf", "LK501", 32),
        ("main.tf", "LK506", 32),
        ("main.tf", "LK401", 39),  # S3/SNS/EventBridge/Scheduler target without DLQ or destination
        ("main.tf", "LK604", 39),  # no timeout
        ("main.tf", "LK406", 68),  # SNS subscription without redrive_policy (its `endpoint` line)
        ("main.tf", "LK405", 75),  # EventBridge target without dead_letter_config
        ("main.tf", "LK405", 85),  # Scheduler target without dead_letter_config
        ("main.tf", "LK602", 98),  # timeout 60 > REST API's 29 s (the `timeout` line)
        ("main.tf", "LK002", 124),  # handler module not under the archive's source_dir
    ]
    messages = {(f.code, f.line): f.message for f in result.findings}
    assert messages[("LK404", 8)].startswith("queue aws_sqs_queue.jobs feeds aws_lambda_function.worker but has no RedrivePolicy")
    assert "aws_lambda_function.api Timeout 60 s is longer than the REST API integration's 29 s" in messages[("LK602", 98)]
    assert "'nowhere.py'" in messages[("LK002", 124)] and "under 'src'" in messages[("LK002", 124)]


def test_good_fixture_configures_everything_right_and_stays_clean():
    result = run_engine([TERRAFORM / "good"])
    assert not result.internal_errors
    assert found(result) == []


def test_every_terraform_trigger_form_has_its_kind_and_line():
    result = run_engine([TERRAFORM / "good"])
    by_function = {
        name: [(t.name, t.kind, t.invocation, t.location().line) for t in f.triggers] for name, f in functions(result).items()
    }
    assert by_function == {
        "aws_lambda_function.worker": [
            ("aws_lambda_event_source_mapping.jobs", "sqs", Invocation.POLL, 37),
            ("aws_lambda_event_source_mapping.orders", "sqs", Invocation.POLL, 43),
            ("aws_lambda_event_source_mapping.clicks", "kinesis", Invocation.POLL, 54),
        ],
        "aws_lambda_function.events": [
            ("aws_s3_bucket_notification.uploads", "s3", Invocation.ASYNC, 90),
            ("aws_sns_topic_subscription.alerts", "sns", Invocation.ASYNC, 99),
            ("aws_cloudwatch_event_target.nightly", "schedule", Invocation.ASYNC, 109),
            ("aws_scheduler_schedule.hourly", "scheduler", Invocation.ASYNC, 126),
        ],
        "aws_lambda_function.api": [
            ("aws_api_gateway_integration.api", "api", Invocation.SYNC, 145),
            ("aws_apigatewayv2_integration.socket", "websocket", Invocation.SYNC, 163),
            ("aws_lambda_function_url.api", "function-url", Invocation.SYNC, 166),
            ("aws_lb_target_group_attachment.api", "alb", Invocation.SYNC, 178),
        ],
    }
    # every handler is linked to its file under the archive's source_dir
    links = {link.function.logical_id: link.module_file.name for link in result.project.links.values()}
    assert links == {"aws_lambda_function.worker": "worker.py", "aws_lambda_function.events": "events.py", "aws_lambda_function.api": "api.py"}
    # the queues: visibility, redrive policy from jsonencode() and from a JSON string
    queues = result.project.templates[0].queues
    assert {q: (queues[q].visibility_timeout, queues[q].has_redrive_policy) for q in queues} == {
        "aws_sqs_queue.dlq": (30, False),
        "aws_sqs_queue.jobs": (360, True),
        "aws_sqs_queue.orders": (360, True),
    }
    assert "aws_sqs_queue.dlq" in result.project.templates[0].failure_targets


# -- a root of several files


def test_a_folder_is_one_root_and_findings_point_at_each_file(tmp_path):
    files = {
        **CODE,
        "variables.tf": 'variable "timeout" {\n  default = 60\n}\n\nvariable "unset" {}\n',
        "locals.tf": 'locals {\n  queue = "jobs"\n}\n',
        "queue.tf": 'resource "aws_sqs_queue" "jobs" {\n  name = local.queue\n}\n',
        "main.tf": ARCHIVE
        + function(extra="").replace("timeout       = 10", "timeout       = var.timeout")
        + 'resource "aws_lambda_event_source_mapping" "jobs" {\n'
        "  event_source_arn        = aws_sqs_queue.jobs.arn\n"
        "  function_name           = aws_lambda_function.fn.function_name\n"
        "  batch_size              = 1\n"
        "}\n",
    }
    result = run(tmp_path, files)
    assert found(result) == [("queue.tf", "LK404", 1), ("queue.tf", "LK603", 1)]
    assert "aws_lambda_function.fn's Timeout 60 s" in result.findings[1].message
    assert functions(result)["aws_lambda_function.fn"].location("Timeout").path.endswith("main.tf")


def test_suppression_comments_in_tf_files_work_on_the_line_and_on_the_block(tmp_path):
    files = {
        **CODE,
        "queue.tf": (
            "# lintkit: ignore[LK603]\n"
            'resource "aws_sqs_queue" "jobs" { # noqa: LK404\n'
            "}\n"
        ),
        "main.tf": ARCHIVE
        + function(extra="").replace("timeout       = 10", "timeout       = 60")
        + 'resource "aws_lambda_event_source_mapping" "jobs" {  # lintkit: ignore[LK501]\n'
        "  event_source_arn = aws_sqs_queue.jobs.arn\n"
        "  function_name    = aws_lambda_function.fn.arn\n"
        "}\n",
    }
    assert found(run(tmp_path, files)) == []
    files["queue.tf"] = 'resource "aws_sqs_queue" "jobs" {\n}\n'
    assert found(run(tmp_path, files)) == [("queue.tf", "LK404", 1), ("queue.tf", "LK603", 1)]


def test_an_unused_suppression_in_a_tf_file_is_lk005(tmp_path):
    line = 'resource "aws_sqs_queue" "jobs" { # noqa: LK404, LK506'
    files = {
        **CODE,
        "queue.tf": "# lintkit: ignore[LK603]\n" + line + "\n}\n",
        "main.tf": ARCHIVE
        + function(extra="").replace("timeout       = 10", "timeout       = 60")
        + 'resource "aws_lambda_event_source_mapping" "jobs" {  # lintkit: ignore[LK501]\n'
        "  event_source_arn = aws_sqs_queue.jobs.arn\n"
        "  function_name    = aws_lambda_function.fn.arn\n"
        "}\n",
    }
    result = run(tmp_path, files)
    # LK404 and LK603 silence their findings, LK501 too; LK506 (streams) has nothing on a queue
    assert [(f.path.rsplit("/", 1)[-1], f.code, f.line, f.column) for f in result.findings] == [
        ("queue.tf", "LK005", 2, line.index("LK506") + 1)
    ]
    assert result.findings[0].message == (
        "unused suppression: no LK506 (stream-unbounded-retry) finding was silenced by this comment; remove LK506 from it"
    )


def test_tf_json_files_are_read_with_their_lines(tmp_path):
    files = {
        **CODE,
        "main.tf.json": """\
{
  "data": {"archive_file": {"code": {"type": "zip", "source_dir": "${path.module}/src", "output_path": "code.zip"}}},
  "resource": {
    "aws_lambda_function": {
      "fn": {
        "filename": "${data.archive_file.code.output_path}",
        "handler": "app.handler",
        "runtime": "python3.12",
        "timeout": 60
      }
    },
    "aws_sqs_queue": {
      "jobs": {
        "visibility_timeout_seconds": 400
      }
    },
    "aws_lambda_event_source_mapping": {
      "jobs": {
        "event_source_arn": "${aws_sqs_queue.jobs.arn}",
        "function_name": "${aws_lambda_function.fn.arn}",
        "batch_size": 1
      }
    }
  }
}
""",
    }
    result = run(tmp_path, files)
    assert found(result) == [("main.tf.json", "LK404", 13)]
    assert result.project.links[functions(result)["aws_lambda_function.fn"]].module_file.name == "app.py"


# -- values Terraform decides at plan time stay unknown


def test_unknown_values_are_never_guessed(tmp_path):
    files = {
        **CODE,
        "main.tf": ARCHIVE
        + 'variable "timeout" {}\nvariable "policy" {}\n'
        + function(
            extra=(
                '  dynamic "dead_letter_config" {\n'
                "    for_each = var.dlq == null ? [] : [1]\n"
                "    content {\n"
                "      target_arn = var.dlq\n"
                "    }\n"
                "  }\n"
            )
        ).replace("timeout       = 10", "timeout       = var.timeout")
        + 'resource "aws_sqs_queue" "jobs" {\n  redrive_policy = var.policy\n  visibility_timeout_seconds = module.cfg.visibility\n}\n'
        + 'resource "aws_lambda_event_source_mapping" "jobs" {\n'
        "  event_source_arn = aws_sqs_queue.jobs.arn\n"
        "  function_name    = aws_lambda_function.fn.arn\n"
        "  batch_size       = var.batch\n"
        "}\n"
        + 'resource "aws_lambda_permission" "s3" {\n'
        '  principal     = "s3.amazonaws.com"\n'
        "  function_name = aws_lambda_function.fn.function_name\n"
        "}\n",
    }
    result = run(tmp_path, files)
    fn = functions(result)["aws_lambda_function.fn"]
    assert fn.timeout is None and fn.has_dead_letter_queue is None
    queue = result.project.templates[0].queues["aws_sqs_queue.jobs"]
    assert queue.visibility_timeout is None and queue.has_redrive_policy is None
    assert fn.event_source_mappings[0].batch_size is None
    assert [(t.kind, t.inferred) for t in fn.triggers] == [("sqs", False), ("s3", True)]
    assert found(result) == []


def test_count_and_for_each_resources_are_modelled_once_and_count_zero_not_at_all(tmp_path):
    files = {
        **CODE,
        "main.tf": ARCHIVE
        + function(extra="  count = var.enabled ? 1 : 0\n")
        + function("off", extra="  count = 0\n")
        + 'resource "aws_sqs_queue" "jobs" {\n  for_each = toset(["a", "b"])\n  visibility_timeout_seconds = 60\n'
        '  redrive_policy = jsonencode({ deadLetterTargetArn = "arn:aws:sqs:us-east-1:1:dlq", maxReceiveCount = 2 })\n}\n'
        + 'resource "aws_lambda_event_source_mapping" "jobs" {\n'
        '  for_each         = aws_sqs_queue.jobs\n'
        '  event_source_arn = aws_sqs_queue.jobs["a"].arn\n'
        "  function_name    = aws_lambda_function.fn[0].arn\n"
        "}\n",
    }
    result = run(tmp_path, files)
    assert sorted(functions(result)) == ["aws_lambda_function.fn"]
    fn = functions(result)["aws_lambda_function.fn"]
    assert [(m.name, m.source) for m in fn.event_source_mappings] == [("aws_lambda_event_source_mapping.jobs", "sqs")]
    assert found(result) == [("main.tf", "LK501", 27)]


def test_code_location_through_source_file_s3_object_and_literal_output_path(tmp_path):
    files = {
        "src/one.py": "def handler(event, context):\n    return 1\n",
        "other/two.py": "def handler(event, context):\n    return 2\n",
        "three/three.py": "def handler(event, context):\n    return 3\n",
        "main.tf": """\
data "archive_file" "one" {
  type        = "zip"
  source_file = "${path.module}/src/one.py"
  output_path = "one.zip"
}
data "archive_file" "two" {
  type        = "zip"
  source_dir  = "other"
  output_path = "build/two.zip"
}
data "archive_file" "three" {
  type        = "zip"
  source_dir  = "./three"
  output_path = "${path.module}/three.zip"
}
resource "aws_s3_object" "two" {
  bucket = "b"
  key    = "two.zip"
  source = data.archive_file.two.output_path
}
resource "aws_lambda_function" "one" {
  filename         = "one.zip"
  source_code_hash = data.archive_file.one.output_base64sha256
  handler          = "one.handler"
  runtime          = "python3.12"
}
resource "aws_lambda_function" "two" {
  s3_bucket = "b"
  s3_key    = aws_s3_object.two.key
  handler   = "two.handler"
  runtime   = "python3.12"
}
resource "aws_lambda_function" "three" {
  filename = "three.zip"
  handler  = "three.handler"
  runtime  = "python3.12"
}
resource "aws_lambda_function" "image" {
  package_type = "Image"
  image_uri    = "123.dkr.ecr.us-east-1.amazonaws.com/app:latest"
}
""",
    }
    result = run(tmp_path, files, select=["LK002"])
    links = {link.function.logical_id: link.module_file.relative_to(tmp_path.resolve()).as_posix() for link in result.project.links.values()}
    assert links == {"aws_lambda_function.one": "src/one.py", "aws_lambda_function.two": "other/two.py", "aws_lambda_function.three": "three/three.py"}
    assert functions(result)["aws_lambda_function.image"].is_image
    assert found(result) == []


def test_sqs_queue_redrive_policy_resource_counts_as_the_queues_policy(tmp_path):
    files = {
        **CODE,
        "main.tf": ARCHIVE
        + function()
        + 'resource "aws_sqs_queue" "jobs" {\n  visibility_timeout_seconds = 60\n}\nresource "aws_sqs_queue" "dlq" {}\n'
        + 'resource "aws_sqs_queue_redrive_policy" "jobs" {\n  queue_url = aws_sqs_queue.jobs.id\n'
        "  redrive_policy = jsonencode({\n    deadLetterTargetArn = aws_sqs_queue.dlq.arn\n    maxReceiveCount = 4\n  })\n}\n"
        + 'resource "aws_lambda_event_source_mapping" "jobs" {\n'
        "  event_source_arn = aws_sqs_queue.jobs.arn\n"
        "  function_name    = aws_lambda_function.fn.arn\n"
        "  batch_size       = 1\n"
        "}\n",
    }
    result = run(tmp_path, files)
    template = result.project.templates[0]
    assert template.queues["aws_sqs_queue.jobs"].has_redrive_policy is True
    assert "aws_sqs_queue.dlq" in template.failure_targets
    assert found(result) == []


# -- terraform-aws-modules/lambda/aws


MODULE = """\
resource "aws_sqs_queue" "jobs" {
  visibility_timeout_seconds = 300
  redrive_policy = jsonencode({ deadLetterTargetArn = "arn:aws:sqs:us-east-1:1:dlq", maxReceiveCount = 2 })
}

module "worker" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "worker"
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = 30
  source_path   = "${path.module}/src"

  event_source_mapping = {
    sqs = {
      event_source_arn = aws_sqs_queue.jobs.arn
    }
  }
  allowed_triggers = {
    s3 = {
      service    = "s3"
      source_arn = "arn:aws:s3:::uploads"
    }
  }
%s}

module "other" {
  source  = "./modules/lambda"
  handler = "app.handler"
}
"""


def test_the_lambda_module_is_read_from_its_inputs(tmp_path):
    result = run(tmp_path, {**CODE, "main.tf": MODULE % ""})
    assert sorted(functions(result)) == ["module.worker"]  # the local module is opaque
    worker = functions(result)["module.worker"]
    assert worker.timeout == 30 and result.project.links[worker].module_file.name == "app.py"
    assert [(t.kind, t.invocation) for t in worker.triggers] == [("sqs", Invocation.POLL), ("s3", Invocation.ASYNC)]
    assert found(result) == [("main.tf", "LK401", 6), ("main.tf", "LK501", 16)]


def test_the_lambda_module_async_config_and_dead_letter_inputs(tmp_path):
    config = (
        "  create_async_event_config = true\n"
        '  destination_on_failure    = "arn:aws:sqs:us-east-1:1:failed"\n'
    )
    result = run(tmp_path, {**CODE, "main.tf": MODULE % config}, select=["LK401"])
    assert found(result) == []
    # without create_async_event_config the module creates no event invoke config
    result = run(tmp_path, {**CODE, "main.tf": MODULE % '  destination_on_failure = "arn:aws:sqs:us-east-1:1:failed"\n'}, select=["LK401"])
    assert found(result) == [("main.tf", "LK401", 6)]
    result = run(tmp_path, {**CODE, "main.tf": MODULE % '  dead_letter_target_arn = "arn:aws:sqs:us-east-1:1:dlq"\n'}, select=["LK401"])
    assert found(result) == []


# -- bad input


def test_a_file_that_does_not_parse_is_one_lk001_and_the_root_is_still_read(tmp_path):
    files = {
        **CODE,
        "broken.tf": 'resource "aws_sqs_queue" "q" {\n  name = \n}\n',
        "main.tf": ARCHIVE + function(handler="nowhere.handler"),
    }
    result = run(tmp_path, files)
    assert found(result) == [("broken.tf", "LK001", 2), ("main.tf", "LK002", 9)]
    assert result.findings[0].message.startswith("Terraform file does not parse: Unexpected token")


def test_a_large_tf_file_is_refused_fast(tmp_path):
    block = 'resource "aws_sqs_queue" "q%d" {\n  name = "q"\n}\n'
    text = "".join(block % i for i in range(30_000))  # about 1.4 MB: under the file size limit
    (tmp_path / "main.tf").write_text(text)
    started = time.perf_counter()
    result = run_engine([tmp_path])
    assert time.perf_counter() - started < 5
    assert found(result) == [("main.tf", "LK001", 1)]
    assert "larger than the 512 KiB" in result.findings[0].message


def test_a_tf_file_named_alone_brings_its_folders_other_files(tmp_path):
    write_project(tmp_path, {**CODE, "variables.tf": 'variable "t" {\n  default = 890\n}\n', "main.tf": ARCHIVE + function().replace("= 10", "= var.t")})
    result = run_engine([tmp_path / "main.tf"])
    assert found(result) == [("main.tf", "LK601", 11)]


def test_a_heredoc_closing_marker_with_trailing_spaces_parses(tmp_path):
    files = {**CODE, "main.tf": 'locals {\n  policy = <<EOF\n{"a": 1}\nEOF  \n}\n' + ARCHIVE + function(handler="nowhere.handler")}
    assert found(run(tmp_path, files)) == [("main.tf", "LK002", 14)]


def test_a_local_module_reads_only_path_module_paths_and_layer_modules_are_no_function(tmp_path):
    files = {
        "resources/lambda.py": "def handler(event, context):\n    return 1\n",
        "main.tf": 'module "fn" {\n  source = "./modules/fn"\n}\n'
        'module "layer" {\n  source       = "terraform-aws-modules/lambda/aws"\n  create_layer = true\n'
        '  create_function = false\n  source_path  = "layer"\n}\n',
        # relative to the caller's working folder: not known inside the module
        "modules/fn/main.tf": 'data "archive_file" "code" {\n  type        = "zip"\n  source_file = "./resources/lambda.py"\n'
        '  output_path = "code.zip"\n}\n'
        'resource "aws_lambda_function" "fn" {\n  filename = data.archive_file.code.output_path\n'
        '  handler  = "lambda.handler"\n  runtime  = "python3.12"\n  timeout  = 5\n}\n',
    }
    result = run(tmp_path, files)
    assert sorted(functions(result)) == ["aws_lambda_function.fn"]
    assert functions(result)["aws_lambda_function.fn"].code_dir is None
    assert found(result) == []


# -- count / for_each note, --show-files, the cache


def test_a_count_or_for_each_block_gives_one_note_per_file_naming_each(tmp_path):
    files = {
        **CODE,
        "main.tf": ARCHIVE
        + function(extra="  count = var.enabled ? 1 : 0\n")
        + function("off", extra="  count = 0\n")
        + 'resource "aws_sqs_queue" "jobs" {\n  for_each = toset(["a", "b"])\n}\n'
        + 'resource "aws_iam_role" "r" {\n  count = 2\n}\n',
        "more.tf": 'resource "aws_sqs_queue" "more" {\n  name  = "x"\n  count = 3\n}\n',
        "plain.tf": 'resource "aws_sqs_queue" "plain" {\n  name = "y"\n}\n',
    }
    result = run(tmp_path, files)
    notes = sorted((Path(path).name, message) for path, message in result.problems)
    tail = "use count/for_each: lintkit checks each as one resource, with the settings its instances share (values that depend on count.index or each.* are unknown)"
    assert notes == [
        ("main.tf", f"aws_lambda_function.fn (line 12, count), aws_sqs_queue.jobs (line 23, for_each) {tail}"),
        ("more.tf", "aws_sqs_queue.more (line 3, count) uses count/for_each: lintkit checks it as one resource, with the settings its "
                    "instances share (values that depend on count.index or each.* are unknown)"),
    ]  # count = 0 is not modelled, and a resource lintkit does not model (aws_iam_role) needs no note


def test_show_files_lists_each_template_root_and_service_with_its_functions(monkeypatch, tmp_path):
    from helpers import invoke

    write_project(tmp_path / "infra", {
        **CODE,
        "main.tf": ARCHIVE + function() + function("other", handler="missing.handler"),
        "variables.tf": 'variable "t" {\n  default = 3\n}\n',
    })
    shutil.copytree(FIXTURES / "serverless" / "good", tmp_path / "svc")
    shutil.copytree(FIXTURES / "projects" / "demo", tmp_path / "demo")
    shutil.copytree(FIXTURES / "cdk" / "demo-app", tmp_path / "cdk")
    monkeypatch.chdir(tmp_path)
    run_ = invoke("check", "--show-files", "--no-cache", ".")
    assert run_.exit_code == 0, run_.stderr
    lines = run_.stdout.splitlines()
    assert "infra/: Terraform root (2 files): 2 functions, 1 linked" in lines
    assert "svc/serverless.yml: Serverless Framework service: 7 functions, 6 linked" in lines
    assert "demo/template.yaml: SAM template: 8 functions, 8 linked" in lines
    assert "cdk/cdk.out/DemoStack.template.json: CDK stack: 5 functions, 4 linked" in lines
    # the Python files follow, with their roles
    assert "infra/src/app.py: entry point: handler of aws_lambda_function.fn (infra/main.tf)" in lines
    assert lines.index("infra/: Terraform root (2 files): 2 functions, 1 linked") < lines.index("infra/src/app.py: entry point: handler of aws_lambda_function.fn (infra/main.tf)")


def test_a_warm_run_parses_no_hcl_and_gives_the_same_findings(tmp_path, monkeypatch):
    from lintkit.cache import Cache
    from lintkit.config import Config
    from lintkit.engine import check
    from lintkit.rule import registry
    from lintkit.templates import terraform

    root = tmp_path / "bad"
    shutil.copytree(TERRAFORM / "bad", root)
    (root / "broken.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = \n}\n')
    rules = registry()

    def go(cache: bool):
        made = Cache(tmp_path, {"enabled": sorted(rules.codes)}) if cache else None
        result = check([root], registry=rules, config=Config(path=None, root=root), enabled=set(rules.codes), cache=made)
        assert not result.internal_errors
        return sorted((f.path, f.line, f.code, f.message) for f in result.findings)

    parsed: list[str] = []
    real = terraform.parse_hcl
    monkeypatch.setattr(terraform, "parse_hcl", lambda text: parsed.append(text) or real(text))
    cold = go(cache=False)
    assert ("broken.tf", 2, "LK001") in {(Path(p).name, line, code) for p, line, code, _ in cold}
    assert len(parsed) == 3  # main.tf, variables.tf, broken.tf
    assert go(cache=True) == cold
    parsed.clear()
    assert go(cache=True) == cold
    assert parsed == [(root / "broken.tf").read_text()]  # only the file that does not parse is read again
    # an edited file is parsed again; a changed python-hcl2 is a miss for every file
    main = root / "main.tf"
    main.write_text(main.read_text().replace("timeout", "timeout ", 1))
    parsed.clear()
    go(cache=True)
    assert len(parsed) == 2
    monkeypatch.setattr(terraform, "hcl_parser_version", lambda: "version = '99'")
    parsed.clear()
    assert go(cache=True) == go(cache=False)
    assert len(parsed) == 3 + 3


def test_a_corrupt_or_hostile_cached_parse_is_a_miss_or_harmless(tmp_path):
    from lintkit.cache import Cache
    from lintkit.config import Config
    from lintkit.engine import check
    from lintkit.rule import registry

    root = tmp_path / "good"
    shutil.copytree(TERRAFORM / "good", root)
    rules = registry()

    def go():
        made = Cache(tmp_path, {"enabled": sorted(rules.codes)})
        result = check([root], registry=rules, config=Config(path=None, root=root), enabled=set(rules.codes), cache=made)
        assert not result.internal_errors
        return sorted((f.path, f.line, f.code) for f in result.findings)

    clean = go()
    entries = list((tmp_path / ".lintkit_cache").rglob("*.json"))
    for entry in entries:
        entry.write_text("[1, 2")  # corrupt: a miss
    assert go() == clean
    for entry in list((tmp_path / ".lintkit_cache").rglob("*.json")):
        entry.write_text('{"resource": [{"aws_lambda_function": {"x": {"handler": 5, "__start_line__": "a"}}}], "locals": 7}')
    go()  # a parse planted in the cache (it lives in the repository) never crashes the run
