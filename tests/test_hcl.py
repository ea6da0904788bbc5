"""lintkit's HCL reader (`lintkit.templates.hcl`) gives exactly what python-hcl2 7.3 gives
(`hcl2.loads(text, with_meta=True)`), or leaves the file to python-hcl2 (`Unsupported`): never
another value, never a crash, and never a valid reading of a file python-hcl2 rejects."""

from __future__ import annotations

import hcl2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_engine

from lintkit.templates import hcl, terraform
from lintkit.templates.terraform import hcl_source, parse_hcl

pytestmark = pytest.mark.skipif(
    not terraform._hcl2_version().startswith(hcl.SAME_AS_HCL2), reason="the reader reproduces python-hcl2 7.3"
)


def expected(text: str):
    return hcl2.loads(hcl_source(text), with_meta=True)


def read(text: str):
    return hcl.loads(hcl_source(text))


# Real-shaped snippets of every form; each is read by lintkit's reader (no fallback) and gives
# python-hcl2's structure.
FORMS = {
    "blocks with labels, nested blocks, lines": """\
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  handler       = "app.handler"

  environment {
    variables = {
      QUEUE_URL = aws_sqs_queue.jobs.url
    }
  }
  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }
}

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
locals {}
""",
    "the same block type twice, and a block on one line": """\
resource "aws_sqs_queue" "a" { name = "a" }
resource "aws_sqs_queue" "b" {
  name = "b"
}
provider "aws" {
  alias  = "east"
  region = "us-east-1"
}
""",
    "numbers, bools, null, type keywords": """\
variable "timeout" {
  type    = number
  default = 30
}
variable "ratio" {
  type    = list(string)
  default = 1.5
}
a = -1
b = -2.25
c = 1e5
d = 2E3
e = true
f = false
g = null
h = 007
i = bool
j = - 1
""",
    "strings: escapes, interpolations, escaped interpolations, directives": r"""
a = "python3.12"
b = "${path.module}/src"
c = "arn:aws:sqs:${var.region}:${data.aws_caller_identity.current.account_id}:${local.name}"
d = "line\nnext\t\"quoted\" back\\slash \u00e9"
e = "$${not.interpolated} and $5"
f = "%{ if var.x }yes%{ endif }"
g = "${var.a}${var.b}"
h = "${ var.spaced }"
i = "${replace(var.name, "-", "_")}"
j = "${"nested"}"
k = "é ü"
l = ""
m = "${var.x == "a" ? "b" : "c"}"
n = "${true}"
o = "${1}"
""",
    "heredocs": """\
resource "aws_iam_role" "r" {
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}]
}
EOF
  policy = <<-POLICY
    {
      "Resource": "${aws_sqs_queue.q.arn}",
      "Escapes": "a\\nb"
    }
  POLICY
  empty = <<EOT
EOT
  code = <<-PYTHON

      def handler(event, context):
          return None
    PYTHON
  next = 1
}
""",
    "lists and objects, with = and :, commas and newlines": """\
a = []
b = [1, "two", var.three, null, true, [4, 5], { six = 6 }]
c = [
  "x", # comment
  "y", // comment
  /* comment */
  "z",
]
d = {}
e = { a = 1, b = "2" }
f = {
  "quoted key" = 1
  "${var.k}"   = 2
  (var.k2)     = 3
  dotted.key   = 4
  5            = 5
  1.5          = 6
  plain: 7,
  true = 8
  dup = 1
  dup = 2
}
g = {
  Statement = [
    {
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage"]
      Resource = aws_sqs_queue.jobs.arn
    },
  ]
}
""",
    "references and traversals": """\
a = aws_sqs_queue.jobs.arn
b = var.x
c = local.y[0]
d = local.m["key"].name
e = aws_instance.web[*].id
f = aws_instance.web.*.id
g = aws_mq_broker.b.instances.0.console_url
h = aws_mq_broker.b.instances.0.endpoints.0
i = each.value.name
j = count.index
k = module.lambda.lambda_function_arn
l = data.aws_iam_policy_document.p.json
m = path.module
n = var.with-dash
o = local.list[count.index]
p = x[var.i].y[*].z
q = x . spaced
""",
    "function calls": """\
a = jsonencode({
  deadLetterTargetArn = aws_sqs_queue.dlq.arn
  maxReceiveCount     = 5
  nested              = { list = ["a", var.b, 1, null, true], obj = { k = "${var.v}" } }
  unicode             = "é"
})
b = file("${path.module}/policy.json")
c = filebase64sha256("lambda.zip")
d = merge(local.tags, { Name = "x" })
e = concat([1], [var.x], ["s"])
f = lookup(var.m, "k", null)
g = format("%s-%s", var.a, true)
h = length(var.list) > 0 ? var.list[0] : ""
i = coalesce(
  var.a,
  var.b,
)
j = max(var.list...)
k = templatefile("${path.module}/t.tpl", {
  name = var.name
})
l = tolist(toset(["a"]))
m = f()
n = f(<<EOF
heredoc argument
EOF
)
o = f(1.5, 1e5, -1)
p = f(
)
q = f(a
  , b)
""",
    "conditionals": """\
a = var.x ? 1 : 0
b = var.enabled ? aws_sqs_queue.q[0].arn : null
c = var.x == "a" ? true : false
d = var.a ? var.b ? 1 : 2 : 3
e = var.x ? ["a"] : []
f = var.x ? { k = 1 } : {}
g = var.x ?
  "long" :
  "other"
h = var.x ? "y"
  : "z"
i = var.x ? true : false == var.y
""",
    "for expressions": """\
a = [for s in var.list : upper(s)]
b = [for i, s in var.list : "${i}-${s}" if s != ""]
c = { for k, v in var.map : k => v }
d = { for k, v in var.map : v => k... }
e = { for k, v in var.map : k => v if v != null }
f = [
  for s in var.list :
  upper(s)
  if s != ""
]
g = {
  for k, v in var.map :
  k => v
}
h = toset([for s in var.list : s])
""",
    "operators": """\
a = var.a + 1
b = var.a - var.b * 2 / 3 % 4
c = var.a == var.b && var.c != var.d || !var.e
d = var.a <= 1 || var.b >= 2 || var.c < 3 || var.d > 4
e = -var.x
f = !var.enabled
g = (var.a + 1) * 2
h = var.x == null
i = null == var.x
j = var.x == null == var.y
k = true == var.x
l = var.a +
  var.b
m = (
  var.x
)
n = var.a-1
o = (true)
p = var.a / 2 // a comment, not a division
""",
    "comments everywhere": """\
# a comment
// another
/* a block
   comment */
resource "aws_sqs_queue" "q" { # after the brace
  # inside
  name = "q" # after a value
  /* before */ delay_seconds = 0
} # after the block

resource "x" "y"
{
}
""",
    "dynamic blocks and for_each": """\
resource "aws_lambda_event_source_mapping" "m" {
  for_each         = toset(var.queues)
  event_source_arn = each.value
  function_name    = aws_lambda_function.f.arn

  dynamic "filter_criteria" {
    for_each = var.filters
    content {
      filter {
        pattern = jsonencode(filter_criteria.value)
      }
    }
  }
}
""",
}


@pytest.mark.parametrize("name", list(FORMS))
def test_every_form_is_read_as_python_hcl2_reads_it(name):
    text = FORMS[name]
    assert read(text) == expected(text)


def test_a_few_readings_spelled_out():
    # the same as python-hcl2 7.3, quirks included: checked above, shown here
    text = 'resource "a" "b" {\n  x = var.y ? true : null\n  z = f({k = var.v})\n  w = ["s", var.t]\n}\n'
    assert read(text) == {"resource": [{"a": {"b": {
        "x": "${var.y ? True : null}",
        "z": '${f({"k": "${var.v}"})}',
        "w": ["s", "${var.t}"],
        "__start_line__": 1,
        "__end_line__": 5,
    }}}]}


# Forms python-hcl2 reads but lintkit's reader leaves to it (rare, or where python-hcl2's
# grammar is looser than Terraform's): `Unsupported`, and `parse_hcl` gives python-hcl2's reading.
FALLBACKS = [
    "a = 1 b = 2\n",  # two attributes on one line
    'a = "a\nb"\n',  # a newline inside a quoted string
    "a = 1 2\n",  # python-hcl2 reads the digits as 12
    "a = -1 -2\n",
    "a = { b = 1 c = 2 }\n",
    "a = provider::aws::arn_parse(x)\n",
    "a = {for = 1}\n",
    'a = "${x}"[0]\n',
    "a = [1, 2][0]\n",
    "for = 1\n",
]


@pytest.mark.parametrize("text", FALLBACKS)
def test_forms_the_reader_leaves_to_python_hcl2(text):
    with pytest.raises(hcl.Unsupported):
        read(text)
    assert parse_hcl(hcl_source(text)) == expected(text)


# Not valid for python-hcl2: never read as valid (the LK001 is python-hcl2's).
INVALID = [
    'resource "a" "b" {\n  name = \n}\n',
    'resource "a" "b" {\n',
    "a = 1\na = 2\n",
    "b {}\nb = 1\n",
    "a = (x\n+ 1)\n",
    "a = x\n  + 1\n",
    "a = f(a\n,)\n",
    "a = /* c */ x\n",
    "a = <<E\nx\nE\n",
    "a = <<EOF  \nx\nEOF\n",
    "a = <<EOF\nx\nEOF b = 1\n",
    'a = "unclosed\n',
    "a = [1,,2]\n",
    "a = x ? y\n",
    "}\n",
    "a == 1\n",
    '"a" = 1\n',
    "a = \\x\n",
    "\ufeffa = 1\n",
]


@pytest.mark.parametrize("text", INVALID)
def test_an_invalid_file_is_left_to_python_hcl2(text):
    with pytest.raises(hcl.Unsupported):
        read(text)
    with pytest.raises(Exception):  # noqa: B017 - python-hcl2 raises lark's errors and RuntimeError
        expected(text)


def test_a_syntax_error_keeps_python_hcl2s_message_and_position(tmp_path):
    text = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n  delay = \n}\n'
    with pytest.raises(Exception) as raised:  # noqa: B017 - lark's error
        expected(text)
    (tmp_path / "main.tf").write_text(text)
    result = run_engine([tmp_path])
    [finding] = [f for f in result.findings if f.code == "LK001"]
    assert (finding.path.endswith("main.tf"), finding.line, finding.column) == (True, 3, 11)
    assert (raised.value.line, raised.value.column) == (3, 11)
    assert finding.message == f"Terraform file does not parse: {str(raised.value).splitlines()[0]}"
    assert finding.message.startswith("Terraform file does not parse: Unexpected token Token('STRING_CHARS'")


def test_parse_hcl_reads_with_lintkits_reader_and_python_hcl2_only_as_fallback(monkeypatch):
    calls = []
    real = hcl2.loads
    monkeypatch.setattr(hcl2, "loads", lambda text, **options: calls.append(text) or real(text, **options))
    text = hcl_source(FORMS["function calls"])
    assert without_key_lines(parse_hcl(text)) == real(text, with_meta=True)
    assert calls == []  # python-hcl2 was not asked
    fallback = hcl_source("a = 1 b = 2\n")
    assert parse_hcl(fallback) == {"a": 1, "b": 2}
    assert calls == [fallback]


def test_another_python_hcl2_version_is_read_by_python_hcl2_only(monkeypatch):
    monkeypatch.setattr(terraform, "_hcl2_version", lambda: "6.1.1")
    monkeypatch.setattr(hcl, "loads", lambda text: pytest.fail("lintkit's reader must not run"))
    assert parse_hcl(hcl_source("a = 1\n")) == {"a": 1}


def test_the_cache_key_of_a_parse_names_the_readers_version(monkeypatch):
    key = terraform.hcl_parser_version()
    assert key.startswith(f"lintkit-hcl {hcl.READER_VERSION}\n") and "7.3" in key
    monkeypatch.setattr(hcl, "READER_VERSION", "next")
    assert terraform.hcl_parser_version() != key


def test_deep_nesting_is_left_to_python_hcl2():
    with pytest.raises(hcl.Unsupported):
        read("a = " + "[" * 500 + "]" * 500 + "\n")


# -- random mutations of a valid file: lintkit's reader gives python-hcl2's result or falls back

SEED = "\n".join(FORMS[name] for name in ("blocks with labels, nested blocks, lines", "heredocs", "function calls", "operators"))
SMALL_SEEDS = [FORMS[name] for name in FORMS]
PIECES = [
    '"', "{", "}", "[", "]", "(", ")", ",", "=", "\n", "#", "//", "/*", "*/", "${", "$${", "%{", "<<EOF\n", "EOF\n",
    "<<-EOF\n", "?", ":", " ", ".", "-", "1", "1.5", "x", "for ", " in ", " if ", "=>", "...", "\\", "*", "[*]",
    ".*", "!", "==", "&&", "null", "true", '"a"', "\t", "é", ".0", "e5", "::", ".*.", "[*].", ".x", "[0]", ".1",
]


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SMALL_SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if action == "insert":
            text = text[:position] + draw(st.sampled_from(PIECES)) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 8)):]
        elif action == "replace":
            text = text[:position] + draw(st.sampled_from(PIECES)) + text[position + 1:]
        else:
            end = min(len(text), position + draw(st.integers(1, 30)))
            text = text[:position] + text[position:end] + text[position:]
    return text


def without_key_lines(value):
    if isinstance(value, dict):
        return {k: without_key_lines(v) for k, v in value.items() if k != "__key_lines__"}
    if isinstance(value, list):
        return [without_key_lines(v) for v in value]
    return value


def key_lines_agree_with_the_line_scan(text: str) -> None:
    """The reader's `__key_lines__` (where each key of a block is written) are what the Terraform
    loader's scan of the lines finds for the same block: a file read by python-hcl2 instead is
    located the same. (Only the block's real keys are compared: the scan, reading lines, can take
    a continuation line of a multi-line expression that starts with `"a":` for a key; the reader
    knows better, and the loader never asks for a key the block does not have. And a string the
    scan cannot read, such as `"${"a\\"b"}"`, can throw its brace count off so that it misses
    the keys after it: every key the scan finds, the reader finds at the same place.)"""
    source = hcl_source(text)
    scan = terraform._LineScan(source)

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("__start_line__"), int):
                theirs = scan.key_lines(value["__start_line__"], value["__end_line__"], 0)
                mine = {k: tuple(v) for k, v in value["__key_lines__"].items()}
                scanned = {k: (m.line, m.column) for k, m in theirs.items() if k in value}
                assert {k: mine.get(k) for k in scanned} == scanned
                assert set(mine) <= set(value)  # the reader names the block's own keys only
            for key, item in value.items():
                if key != "__key_lines__":
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(hcl.loads(source, key_lines=True))


@pytest.mark.parametrize("name", list(FORMS))
def test_the_readers_key_lines_are_the_line_scans(name):
    key_lines_agree_with_the_line_scan(FORMS[name])


def check_against_python_hcl2(text: str) -> None:
    try:
        got = read(text)
    except hcl.Unsupported:
        return
    assert got == expected(text)  # python-hcl2 reads it too, to the same structure
    key_lines_agree_with_the_line_scan(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_random_mutations_give_python_hcl2s_result_or_fall_back(text):
    check_against_python_hcl2(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SEED)), st.integers(0, len(SEED)))
def test_every_cut_of_a_valid_file_gives_python_hcl2s_result_or_falls_back(start, length):
    check_against_python_hcl2(SEED[:start] + SEED[start + length // 8:])


# -- random well-formed expressions of every form, with blanks and newlines where HCL takes them

NAMES = ["var.x", "local.y", "aws_sqs_queue.q.arn", "each.value", "count.index", "x", "true", "false", "null", "string"]
BLANKS = st.sampled_from(["", " ", "  ", "\t"])
BREAKS = st.sampled_from(["", " ", "\n", "\n  ", " # c\n", " // c\n", " /* c */ ", "\n\n"])


@st.composite
def expressions(draw, depth: int = 0):
    leaf = st.one_of(
        st.sampled_from(NAMES),
        st.integers(-50, 5000).map(str),
        st.sampled_from(["1.5", "-0.25", "1e5", "2E3", "10.0"]),
        st.sampled_from(['"s"', '""', '"a\\nb\\"c\\\\"', '"$${x}"', '"%{ if x }y%{ endif }"', '"é"', '"a $ b"']),
        st.sampled_from(["x[0]", 'x["k"]', "x[*].id", "x.*.id", "x.0.y", "f()", "var.a-1"]),
    )
    if depth >= 3:
        return draw(leaf)
    inner = expressions(depth + 1)
    kind = draw(st.sampled_from(["leaf", "leaf", "string", "list", "object", "call", "conditional", "binary", "unary",
                                 "parens", "for_list", "for_object", "index", "heredoc"]))
    b, n = BLANKS, BREAKS
    if kind == "string":
        parts = draw(st.lists(st.one_of(st.sampled_from(["a", "-", "/", " ", "\\n"]), inner.map(lambda e: "${" + e + "}")), max_size=3))
        return '"' + "".join(parts).replace("\n", " ") + '"' if all("\n" not in p for p in parts) else '"x"'
    if kind == "list":
        items = draw(st.lists(inner, max_size=3))
        return "[" + draw(n) + ("," + draw(n)).join(items) + draw(st.sampled_from(["", ","])) * bool(items) + draw(n) + "]"
    if kind == "object":
        keys = draw(st.lists(st.sampled_from(["a", "b", '"c d"', "e.f", "(var.k)", "1", '"${x}"']), max_size=3))
        items = [k + draw(b) + draw(st.sampled_from(["=", ":"])) + draw(b) + draw(inner) for k in keys]
        return "{" + draw(n) + "".join(item + draw(st.sampled_from([",", "\n", ",\n"])) for item in items) + draw(n) + "}"
    if kind == "call":
        args = draw(st.lists(inner, max_size=3))
        return draw(st.sampled_from(["f", "jsonencode", "merge"])) + "(" + draw(n) + (", " + draw(n)).join(args) + draw(n) + ")"
    if kind == "conditional":
        return draw(inner) + draw(b) + "?" + draw(n) + draw(inner) + draw(n) + ":" + draw(n) + draw(inner)
    if kind == "binary":
        return draw(inner) + draw(b) + draw(st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"])) + draw(n) + draw(inner)
    if kind == "unary":
        return draw(st.sampled_from(["-", "!"])) + draw(b) + draw(st.sampled_from(NAMES + ["(x)", "f(1)"]))
    if kind == "parens":
        return "(" + draw(n) + draw(inner) + draw(n) + ")"
    if kind == "for_list":
        cond = draw(st.sampled_from(["", " if x", "\nif x != null"]))
        return "[" + draw(n) + "for" + draw(st.sampled_from([" k", " k, v"])) + " in " + draw(inner) + " :" + draw(n) + draw(inner) + cond + draw(n) + "]"
    if kind == "for_object":
        return "{" + draw(n) + "for k, v in " + draw(inner) + " : k =>" + draw(n) + draw(inner) + draw(st.sampled_from(["", "...", " if v"])) + draw(n) + "}"
    if kind == "index":
        return draw(st.sampled_from(NAMES[:5])) + "[" + draw(inner) + "]"
    if kind == "heredoc":
        marker = draw(st.sampled_from(["EOF", "EOT", "POLICY"]))
        body = draw(st.sampled_from(["", "x", "  a\n b", "${var.x}\n\\n", "{\n  \"k\": 1\n}"]))
        return draw(st.sampled_from(["<<", "<<-"])) + marker + "\n" + body + "\n" + draw(st.sampled_from(["", "  "])) + marker + "\n"
    return draw(leaf)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(expressions(), min_size=1, max_size=3), st.booleans())
def test_random_expressions_give_python_hcl2s_result_or_fall_back(values, in_block):
    lines = [f"a{index} = {value}" for index, value in enumerate(values)]
    text = "\n".join(lines) + "\n"
    if in_block:
        text = 'resource "t" "n" {\n' + text + "  nested {\n    k = 1\n  }\n}\n"
    check_against_python_hcl2(text)
