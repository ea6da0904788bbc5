"""Terraform roots (`*.tf` read with python-hcl2, `*.tf.json` with the JSON loader) into the
CloudFormation-shaped model.

A folder of `.tf` / `.tf.json` files is one Terraform root and becomes one `Template`: each
resource lintkit models is translated into the CloudFormation resource that means the same
(`aws_lambda_function` -> `AWS::Lambda::Function`, `aws_lambda_event_source_mapping` ->
`AWS::Lambda::EventSourceMapping`, ...; the spellings are those of LAMBDA-FACTS §13.10), in a
`Map` whose marks are the lines of the `.tf` files. The files of a root are laid end to end
(`Template.parts` says where each starts), so a mark names one line of one file and every
finding, suppression comment and join works as for a CloudFormation template. Rules never see
Terraform.

References are resolved where Terraform itself would know them without a plan:
`aws_sqs_queue.jobs.arn` (-> `!GetAtt`), `aws_lambda_function.x.function_name` (-> `!Ref`),
`local.*`, `var.*` with a `default`, `path.module`, and `data "archive_file"` for the code
location. Everything else (a variable without default, a module output, a function call, a
conditional, `each.*`, `count.index`) is unknown: an intrinsic-looking value that resolves to
nothing, never a guess. A resource with `count`/`for_each` is modelled once (`count = 0` written
literally: not at all).

The `terraform-aws-modules/lambda/aws` module is read from its inputs (the function, its event
source mappings, allowed triggers and async event config); any other module is opaque.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from lintkit.templates.loader import Map, Mark, Seq, TemplateSyntaxError, load_text
from lintkit.templates.model import Template, build_template

__all__ = ["TerraformFile", "TerraformFileError", "is_terraform_name", "load_root", "parse_hcl", "hcl_parser_version", "HCL_MAX_SIZE"]

# python-hcl2's parser (the fallback of lintkit's reader) reads about 120-420 KB/s: a larger
# `.tf` file (real ones are a few KB) is not read, so that a 5 MB file cannot stall a run for a minute.
HCL_MAX_SIZE = 512 * 1024

LAMBDA_MODULE_SOURCES = ("terraform-aws-modules/lambda/aws",)
_LAMBDA_MODULE_GIT = re.compile(r"(^|[/:])terraform-aws-modules/terraform-aws-lambda(\.git)?([/?]|$)")

_META_KEYS = ("__start_line__", "__end_line__", "__key_lines__")
_TRAVERSAL = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\[\]]*\])*$")
_INDEX = re.compile(r"\[[^\[\]]*\]")
_ARCHIVE_REF = re.compile(r"\bdata\.archive_file\.([A-Za-z_][\w-]*)")
_S3_OBJECT_REF = re.compile(r"\b(aws_s3_object|aws_s3_bucket_object)\.([A-Za-z_][\w-]*)")
_DLQ_TARGET = re.compile(r"deadLetterTargetArn\"?\s*[:=]\s*\"?(\$\{[^{}]*\})")
_MAX_DEPTH = 20
_MODULE_PREFIX = "\x00path.module"  # `path.module` in a child module (see `_Context.child`)
_LOCAL_SOURCE = re.compile(r'\bsource\s*=\s*"(\.\.?/[^"$]*)"')


def is_terraform_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(".tf") or lowered.endswith(".tf.json")


@dataclass
class TerraformFile:
    path: str  # as shown to the user
    abs_path: Path
    text: str


class TerraformFileError(Exception):
    """One file of a root that does not parse (LK001); the rest of the root is still read."""

    def __init__(self, path: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.column = column


# --------------------------------------------------------------------------- parsing


@dataclass
class _Block:
    """A top-level block: `resource "type" "name" {...}`, `data`, `variable`, `locals`, `module`."""

    kind: str
    labels: tuple[str, ...]
    body: dict  # attributes (values as python-hcl2 gives them) and nested blocks (lists of dicts)
    lines: "_Lines"  # where each attribute and nested block is, for this body
    mark: Mark  # the block's first line (global)
    end_line: int  # global


class _Lines:
    """Positions inside one block body: `mark(key)`, `block(key, index)` for nested blocks."""

    def __init__(self, start: Mark, keys: dict[str, Mark] | None = None, nested: dict[str, list["_Lines"]] | None = None):
        self.start = start
        self.keys = keys or {}
        self.nested = nested or {}

    def mark(self, key: str) -> Mark:
        return self.keys.get(key, self.start)

    def block(self, key: str, index: int = 0) -> "_Lines":
        found = self.nested.get(key) or []
        return found[index] if index < len(found) else _Lines(self.mark(key))


_ATTRIBUTE = re.compile(r"""^\s*"?([A-Za-z_][\w-]*)"?\s*(=(?!=)|\{|")""")


_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.|\\$)*(?:"|$)|#.*|//.*')


def _strip_strings(line: str) -> str:
    """The line without string contents and comments (for counting braces): a string runs to
    its closing quote (a backslash escapes the next character) or to the end of the line."""
    if '"' not in line and "#" not in line and "//" not in line:
        return line
    return _STRING_OR_COMMENT.sub("", line)


_MARKER_LINE = re.compile(r"^([ \t]*[A-Za-z][\w.-]*)[ \t]+$", re.MULTILINE)
_HEREDOC = re.compile(r"<<-?([A-Za-z][\w.-]*)\s*$")


class _LineScan:
    """One pass over a file's lines, for the line of every attribute and nested block: the brace
    depth each line starts at, and the attribute or block name it starts with (None inside a
    heredoc). A block's keys are then the named lines one level deeper than its first line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.depths: list[int] = []
        self.names: list[tuple[str, int] | None] = []
        self.scanned = False

    def _scan(self) -> None:
        """Made on the first question only: lintkit's HCL reader says where keys are itself."""
        self.scanned = True
        depth = 0
        heredoc: str | None = None
        for raw in self.text.split("\n"):
            self.depths.append(depth)
            if heredoc is not None:
                self.names.append(None)
                if raw.strip() == heredoc:
                    heredoc = None
                continue
            match = _ATTRIBUTE.match(raw)
            self.names.append((match.group(1), match.start(1) + 1) if match else None)
            code = _strip_strings(raw)
            depth += code.count("{") + code.count("[") + code.count("(") - code.count("}") - code.count("]") - code.count(")")
            tail = _HEREDOC.search(code)
            if tail:
                heredoc = tail.group(1)

    def key_lines(self, start: int, end: int, offset: int) -> dict[str, Mark]:
        """The first line of each attribute or nested block directly inside the block spanning
        local lines `start`..`end` (1-based): keys at brace depth 1 of the block."""
        if not self.scanned:
            self._scan()
        found: dict[str, Mark] = {}
        depths, names = self.depths, self.names
        if not 0 < start <= len(depths):
            return found
        inside = depths[start - 1] + 1
        for index in range(start, min(end, len(depths))):  # the lines after the block's first
            name = names[index]
            if name is not None and depths[index] == inside and name[0] not in found:
                found[name[0]] = Mark(index + 1 + offset, name[1])
        return found


def _lines_text(text: str) -> str:
    """The text with `\n` line ends only, ending with one (CRLF files parse and count alike)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def _meta(body: dict) -> tuple[int, int] | None:
    start, end = body.get("__start_line__"), body.get("__end_line__")
    return (start, end) if isinstance(start, int) and isinstance(end, int) else None


def _hcl_lines(body: dict, scan: _LineScan, offset: int, fallback: Mark) -> _Lines:
    span = _meta(body)
    if span is None:
        return _Lines(fallback)
    start, end = span
    written = body.get("__key_lines__")  # lintkit's reader says where each key is
    if isinstance(written, dict):
        keys = {name: Mark(line + offset, column) for name, (line, column) in written.items()}
    else:  # python-hcl2 does not
        keys = scan.key_lines(start, end, offset)
    lines = _Lines(Mark(start + offset, 1), keys)
    for key, value in body.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) and _meta(v) for v in value):
            lines.nested[key] = [_hcl_lines(v, scan, offset, lines.mark(key)) for v in value]
        elif key == "dynamic" and isinstance(value, list):
            pass
    return lines


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in _META_KEYS}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def hcl_source(text: str) -> str:
    """The text of a `.tf` file as `parse_hcl` is given it: `\n` line ends (`_lines_text`), and
    a heredoc's closing marker without the spaces after it (Terraform accepts them; python-hcl2
    does not)."""
    return _MARKER_LINE.sub(r"\1", _lines_text(text))


def parse_hcl(text: str) -> Any:
    """python-hcl2's reading of a `.tf` file's text (`hcl_source`), with the lines of each
    block (`with_meta`): plain JSON values, so `Run` can keep it in its cache by text.

    Read by lintkit's own HCL reader (`lintkit.templates.hcl`, about 14 times faster), which
    gives the same structure for the forms it knows; a file with any other form, or with a
    syntax error (whose LK001 message and position are python-hcl2's), is read by python-hcl2.
    """
    from lintkit.templates import hcl

    if _hcl2_version().startswith(hcl.SAME_AS_HCL2):
        try:
            return hcl.loads(text, key_lines=True)
        except hcl.Unsupported:
            pass
    import hcl2  # imported here: only runs with Terraform files pay for it

    return hcl2.loads(text, with_meta=True)


_HCL2_VERSION = re.compile(r"""^__version__\s*=.*?['"]([^'"]+)['"]""", re.MULTILINE)


@functools.lru_cache(maxsize=None)
def _hcl2_version() -> str:
    """The installed python-hcl2's version ("?" if unknown): lintkit's reader gives the same
    structure as the versions it names (`hcl.SAME_AS_HCL2`) only."""
    match = _HCL2_VERSION.search(_hcl2_version_file())
    return match.group(1) if match else "?"


def _hcl2_version_file() -> str:
    import importlib.util

    try:
        spec = importlib.util.find_spec("hcl2")
        if spec is None or spec.origin is None:
            return "?"
        return (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8", errors="replace")
    except (OSError, ImportError, ValueError):
        return "?"


def hcl_parser_version() -> str:
    """What a parse gives depends on python-hcl2's version (7.x writes strings differently from
    4.x) and on lintkit's own reader: both are part of a cached parse's key. python-hcl2's is
    read from its `version.py`, without importing it (lark)."""
    from lintkit.templates import hcl

    return f"lintkit-hcl {hcl.READER_VERSION}\n{_hcl2_version_file()}"


def _parse_hcl(file: TerraformFile, offset: int, parse: Callable[[str], Any] = parse_hcl) -> list[_Block]:
    if len(file.text.encode("utf-8", errors="replace")) > HCL_MAX_SIZE:
        raise TerraformFileError(
            file.path,
            f"Terraform file is larger than the {HCL_MAX_SIZE // 1024} KiB lintkit reads with its HCL parser; not read",
        )
    text = hcl_source(file.text)
    try:
        data = parse(text)
    except RecursionError:
        raise TerraformFileError(file.path, "Terraform file is nested too deeply to read") from None
    except Exception as error:  # noqa: BLE001 - lark raises many kinds; any of them is a parse error
        line = getattr(error, "line", 1)
        column = getattr(error, "column", 1)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise TerraformFileError(
            file.path, f"Terraform file does not parse: {message}", line if isinstance(line, int) and line > 0 else 1,
            column if isinstance(column, int) and column > 0 else 1,
        ) from None
    scan = _LineScan(text)
    blocks: list[_Block] = []
    for kind, entries in data.items() if isinstance(data, dict) else ():
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for labels, body in _labelled(entry, _LABELS.get(kind, 0)):
                span = _meta(body)
                if span is None:
                    continue
                lines = _hcl_lines(body, scan, offset, Mark(span[0] + offset, 1))
                blocks.append(_Block(kind, labels, _clean(body), lines, Mark(span[0] + offset, 1), span[1] + offset))
    return blocks


# how many labels each top-level block kind has
_LABELS = {"resource": 2, "data": 2, "variable": 1, "module": 1, "output": 1, "locals": 0, "provider": 1}


def _labelled(entry: dict, count: int, labels: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    if count == 0:
        yield labels, entry
        return
    for label, inner in entry.items():
        if label in _META_KEYS or not isinstance(inner, dict):
            continue
        yield from _labelled(inner, count - 1, labels + (str(label),))


def _json_lines(node: Any, fallback: Mark) -> _Lines:
    if not isinstance(node, Map):
        return _Lines(fallback)
    lines = _Lines(node.mark, {k: node.key_mark(k) for k in node if isinstance(k, str)})
    for key, value in node.items():
        if isinstance(value, Map):
            lines.nested[key] = [_json_lines(value, node.key_mark(key))]
        elif isinstance(value, Seq) and value and all(isinstance(v, Map) for v in value):
            lines.nested[key] = [_json_lines(v, value.item_mark(i)) for i, v in enumerate(value)]
    return lines


def _shift(value: Any, offset: int) -> Any:
    """Marks of a loaded JSON document moved by `offset` lines (its place in the root)."""
    if isinstance(value, Map):
        value.mark = Mark(value.mark.line + offset, value.mark.column)
        value.key_marks = {k: Mark(m.line + offset, m.column) for k, m in value.key_marks.items()}
        value.value_marks = {k: Mark(m.line + offset, m.column) for k, m in value.value_marks.items()}
        for item in value.values():
            _shift(item, offset)
    elif isinstance(value, Seq):
        value.mark = Mark(value.mark.line + offset, value.mark.column)
        value.item_marks = [Mark(m.line + offset, m.column) for m in value.item_marks]
        for item in value:
            _shift(item, offset)
    return value


def _json_blocks(file: TerraformFile, offset: int, max_alias_expansion: int) -> list[_Block]:
    try:
        document = load_text(file.text, json_hint=True, max_alias_expansion=max_alias_expansion)
    except TemplateSyntaxError as error:
        raise TerraformFileError(file.path, f"Terraform JSON file does not parse: {error.message}", error.line, error.column) from None
    except RecursionError:
        raise TerraformFileError(file.path, "Terraform file is nested too deeply to read") from None
    data = _shift(document.data, offset)
    blocks: list[_Block] = []
    if not isinstance(data, Map):
        return blocks

    def walk(node: Any, count: int, labels: tuple[str, ...], mark: Mark) -> Iterator[tuple[tuple[str, ...], Any, Mark]]:
        if count == 0:
            for item_index, item in enumerate(node if isinstance(node, Seq) else [node]):
                yield labels, item, (node.item_mark(item_index) if isinstance(node, Seq) else mark)
            return
        if isinstance(node, Map):
            for label, inner in node.items():
                yield from walk(inner, count - 1, labels + (str(label),), node.key_mark(label))

    for kind, entries in data.items():
        if kind not in _LABELS:
            continue
        for labels, body, mark in walk(entries, _LABELS[kind], (), data.key_mark(kind)):
            if not isinstance(body, Map):
                continue
            end = max([mark.line] + [m.line for m in body.value_marks.values()])
            blocks.append(_Block(kind, labels, _plain(body), _json_lines(body, mark), mark, end))
    return blocks


def _plain(value: Any) -> Any:
    """JSON values as python-hcl2 gives HCL ones: blocks as lists of dicts."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- expressions


def unknown(expression: str) -> Map:
    """A value Terraform decides at plan or apply time: it looks like an intrinsic to the model
    (`is_intrinsic`), resolves to no resource, and is never a literal."""
    return Map({"Fn::ImportValue": f"terraform: {expression}"[:200]})


def _split_template(text: str) -> list[tuple[bool, str]] | None:
    """`"a-${b}-c"` -> [(False, "a-"), (True, "b"), (False, "-c")]; None when braces do not close."""
    parts: list[tuple[bool, str]] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            literal.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            depth, j, quote = 1, i + 2, False
            while j < n and depth:
                ch = text[j]
                if quote:
                    if ch == "\\":
                        j += 1
                    elif ch == '"':
                        quote = False
                elif ch == '"':
                    quote = True
                elif ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                j += 1
            if depth:
                return None
            if literal:
                parts.append((False, "".join(literal)))
                literal = []
            if text[i] == "%":
                return None  # a template directive (%{ if }...): decided at plan time
            parts.append((True, text[i + 2 : j - 1]))
            i = j
            continue
        literal.append(text[i])
        i += 1
    if literal:
        parts.append((False, "".join(literal)))
    return parts


def _unquote_index(expression: str) -> str:
    return _INDEX.sub("", expression)


# How a reference to a resource attribute reads in CloudFormation: ARNs are `!GetAtt X.Arn`,
# names, ids and URLs are `!Ref X` (what CloudFormation's Ref gives for these resources).
_ARN_ATTRIBUTES = {"arn", "invoke_arn", "qualified_arn", "qualified_invoke_arn", "stream_arn", "execution_arn"}
_REF_ATTRIBUTES = {"function_name", "id", "name", "url"}
# outputs of terraform-aws-modules/lambda/aws that name its function
_MODULE_FUNCTION_OUTPUTS = {
    "lambda_function_arn": "arn",
    "lambda_function_invoke_arn": "arn",
    "lambda_function_qualified_arn": "arn",
    "lambda_function_qualified_invoke_arn": "arn",
    "lambda_function_name": "name",
}


class _Context:
    """Everything a root declares, to resolve references."""

    def __init__(self, blocks: list[_Block], root: Path, child: bool = False) -> None:
        self.root = root
        # a module another root of the run calls (`source = "./modules/x"`): its relative paths
        # are relative to the caller's working folder, only `path.module` ones to its own
        self.child = child
        self.resources: dict[str, _Block] = {}
        self.data: dict[str, _Block] = {}
        self.variables: dict[str, _Block] = {}
        self.locals: dict[str, tuple[Any, _Block]] = {}
        self.modules: dict[str, _Block] = {}
        self.logical_ids: dict[str, str] = {}  # "aws_sqs_queue.jobs" -> logical id in the model
        for block in blocks:
            if block.kind == "resource" and len(block.labels) == 2:
                self.resources.setdefault(".".join(block.labels), block)
            elif block.kind == "data" and len(block.labels) == 2:
                self.data.setdefault(".".join(block.labels), block)
            elif block.kind == "variable" and block.labels:
                self.variables.setdefault(block.labels[0], block)
            elif block.kind == "module" and block.labels:
                self.modules.setdefault(block.labels[0], block)
            elif block.kind == "locals":
                for key, value in block.body.items():
                    self.locals.setdefault(key, (value, block))
        self._resolving: set[str] = set()

    # -- values

    def value(self, raw: Any, mark: Mark, depth: int = 0) -> Any:
        """A python-hcl2 value as the CloudFormation model reads it (Map/Seq with marks)."""
        if depth > _MAX_DEPTH:
            return unknown("...")
        if isinstance(raw, bool) or raw is None or isinstance(raw, (int, float)):
            return raw
        if isinstance(raw, str):
            return self.string(raw, mark, depth)
        if isinstance(raw, list):
            seq = Seq([self.value(item, mark, depth + 1) for item in raw])
            seq.mark = mark
            seq.item_marks = [mark] * len(seq)
            return seq
        if isinstance(raw, dict):
            return make_map(mark, [(str(k), self.value(v, mark, depth + 1), mark) for k, v in raw.items() if k not in _META_KEYS])
        return unknown(repr(raw))

    def string(self, text: str, mark: Mark, depth: int = 0) -> Any:
        if "${" not in text and "%{" not in text:
            return text.replace("$${", "${").replace("%%{", "%{")
        parts = _split_template(text)
        if parts is None:
            return unknown(text)
        if len(parts) == 1 and parts[0][0]:
            return self.expression(parts[0][1], mark, depth)
        pieces: list[Any] = []
        for is_expression, part in parts:
            pieces.append(self.expression(part, mark, depth) if is_expression else part)
        if all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in pieces):
            return "".join(str(p) for p in pieces)
        seq = Seq(pieces)
        seq.mark = mark
        seq.item_marks = [mark] * len(pieces)
        return make_map(mark, [("Fn::Join", Seq_of(mark, ["", seq]), mark)])

    def expression(self, expression: str, mark: Mark, depth: int = 0) -> Any:
        expression = expression.strip()
        if depth > _MAX_DEPTH:
            return unknown(expression)
        if expression.startswith("jsonencode(") and expression.endswith(")"):
            return self.json_value(expression[len("jsonencode(") : -1], mark, depth)
        if not _TRAVERSAL.match(expression):
            return unknown(expression)
        parts = _unquote_index(expression).split(".")
        head = parts[0]
        if head == "var" and len(parts) >= 2:
            return self.variable(parts[1], parts[2:], mark, expression, depth)
        if head == "local" and len(parts) >= 2:
            return self.local(parts[1], parts[2:], mark, expression, depth)
        if head == "path" and len(parts) == 2 and parts[1] == "module":
            return _MODULE_PREFIX if self.child else "."  # `path.root`, `path.cwd`: the caller's
        if head == "module" and len(parts) >= 3:
            module = self.modules.get(parts[1])
            kind = _MODULE_FUNCTION_OUTPUTS.get(parts[2])
            if module is not None and kind is not None and is_lambda_module(module):
                return reference("module." + parts[1], "arn" if kind == "arn" else "name", mark)
            return unknown(expression)
        if head == "data" and len(parts) >= 4:
            return reference("data." + parts[1] + "." + parts[2], parts[3], mark)
        if len(parts) >= 3 and head.startswith("aws_"):
            address = parts[0] + "." + parts[1]
            logical_id = self.logical_ids.get(address, address)
            return reference(logical_id, parts[2], mark)
        return unknown(expression)

    def variable(self, name: str, rest: list[str], mark: Mark, expression: str, depth: int) -> Any:
        block = self.variables.get(name)
        if block is None or "default" not in block.body or block.body["default"] is None:
            return unknown(expression)
        return self.attribute_path(block.body["default"], rest, mark, expression, depth)

    def local(self, name: str, rest: list[str], mark: Mark, expression: str, depth: int) -> Any:
        if name not in self.locals or name in self._resolving:
            return unknown(expression)
        raw, _ = self.locals[name]
        self._resolving.add(name)
        try:
            return self.attribute_path(raw, rest, mark, expression, depth)
        finally:
            self._resolving.discard(name)

    def attribute_path(self, raw: Any, rest: list[str], mark: Mark, expression: str, depth: int) -> Any:
        for key in rest:
            if not isinstance(raw, dict) or key not in raw:
                return unknown(expression)
            raw = raw[key]
        return self.value(raw, mark, depth + 1)

    def json_value(self, inner: str, mark: Mark, depth: int) -> Any:
        """`jsonencode({...})`: the object, with its references resolved; unknown when it is
        more than literal keys and values (python-hcl2 writes those as JSON-like text)."""
        try:
            parsed = json.loads(inner)
        except ValueError:
            target = _DLQ_TARGET.search(inner)
            if target is not None and inner.lstrip().startswith("{"):
                # an object python-hcl2 could not write as JSON: keep what the model asks of it
                return make_map(mark, [("deadLetterTargetArn", self.string(target.group(1), mark, depth + 1), mark)])
            return unknown("jsonencode(" + inner + ")")
        return self.value(parsed, mark, depth + 1)

    def literal_string(self, raw: Any, mark: Mark) -> str | None:
        value = self.value(raw, mark)
        return value if isinstance(value, str) else None

    def local_path(self, raw: Any, mark: Mark) -> str | None:
        """A path written in the root (`"${path.module}/src"`, `"./src"`), relative to it."""
        text = self.literal_string(raw, mark)
        if text is None:
            return None
        if self.child:
            if not text.startswith(_MODULE_PREFIX):
                return None
            text = "./" + text[len(_MODULE_PREFIX) :].lstrip("/")
        if not text.strip() or "://" in text or text.startswith("/") or _MODULE_PREFIX in text:
            return None
        normal = posixpath.normpath(text.replace("\\", "/"))
        return normal


def make_map(mark: Mark, items: list[tuple[str, Any, Mark]]) -> Map:
    result = Map()
    result.mark = mark
    for key, value, key_mark in items:
        result[key] = value
        result.key_marks[key] = key_mark
        result.value_marks[key] = key_mark
    return result


def Seq_of(mark: Mark, items: list[Any], marks: list[Mark] | None = None) -> Seq:  # noqa: N802
    seq = Seq(items)
    seq.mark = mark
    seq.item_marks = list(marks) if marks is not None else [mark] * len(items)
    return seq


def reference(logical_id: str, attribute: str, mark: Mark) -> Map:
    if attribute in _REF_ATTRIBUTES:
        return make_map(mark, [("Ref", logical_id, mark)])
    name = "Arn" if attribute in _ARN_ATTRIBUTES else attribute
    return make_map(mark, [("Fn::GetAtt", Seq_of(mark, [logical_id, name]), mark)])


def is_lambda_module(block: _Block) -> bool:
    source = block.body.get("source")
    if not isinstance(source, str):
        return False
    if source in LAMBDA_MODULE_SOURCES or source.split("//")[0] in LAMBDA_MODULE_SOURCES:
        return True
    return _LAMBDA_MODULE_GIT.search(source) is not None


# --------------------------------------------------------------------------- translation


class _Resource:
    """A CloudFormation resource being built from one Terraform block."""

    def __init__(self, ctx: _Context, block: _Block | None, body: dict, lines: _Lines, mark: Mark) -> None:
        self.ctx = ctx
        self.block = block
        self.body = body
        self.lines = lines
        self.mark = mark
        self.items: list[tuple[str, Any, Mark]] = []

    def put(self, cfn_key: str, value: Any, mark: Mark | None = None) -> None:
        self.items.append((cfn_key, value, mark or self.mark))

    def copy(self, cfn_key: str, tf_key: str, convert: Callable[[Any], Any] | None = None) -> None:
        if tf_key not in self.body or self.body[tf_key] is None:
            return
        mark = self.lines.mark(tf_key)
        value = self.ctx.value(self.body[tf_key], mark)
        if convert is not None:
            value = convert(value)
        if value is not None:
            self.items.append((cfn_key, value, mark))

    def nested(self, tf_key: str, index: int = 0) -> tuple[dict, _Lines] | None:
        """A nested block (`dead_letter_config { ... }`), or an attribute holding an object."""
        value = self.body.get(tf_key)
        if isinstance(value, list) and len(value) > index and isinstance(value[index], dict):
            return value[index], self.lines.block(tf_key, index)
        if isinstance(value, dict):
            return value, self.lines.block(tf_key)
        return None

    def sub(self, body: dict, lines: _Lines) -> "_Resource":
        return _Resource(self.ctx, self.block, body, lines, lines.start)

    def dynamic(self, tf_key: str) -> bool:
        """`dynamic "tf_key" {...}`: the block exists or not at plan time."""
        for entry in self.body.get("dynamic", []) if isinstance(self.body.get("dynamic"), list) else []:
            if isinstance(entry, dict) and tf_key in entry:
                return True
        return False

    def map(self) -> Map:
        return make_map(self.mark, self.items)


def _raw_text(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def _count_zero(body: dict) -> bool:
    count = body.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count == 0:
        return True
    for_each = body.get("for_each")
    return for_each == {} or for_each == []


class _Translator:
    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.resources: list[tuple[str, str, Map, Mark]] = []  # (logical id, type, properties, mark)
        self.end_lines: dict[str, int] = {}
        self.redrive: dict[str, tuple[Any, Mark]] = {}  # queue logical id -> policy from aws_sqs_queue_redrive_policy
        self.repeated: list[tuple[str, str, Mark]] = []  # (address, "count" | "for_each", mark)

    def add(self, logical_id: str, type_: str, properties: Map, mark: Mark, end_line: int) -> None:
        self.resources.append((logical_id, type_, properties, mark))
        self.end_lines[logical_id] = end_line

    def run(self) -> None:
        ctx = self.ctx
        for address, block in ctx.resources.items():
            if _count_zero(block.body):
                continue
            ctx.logical_ids[address] = address
        for address, block in ctx.resources.items():
            if address not in ctx.logical_ids:
                continue
            translate = _TRANSLATORS.get(block.labels[0])
            if translate is not None:
                self.note_repeated(address, block)
                translate(self, address, block)
        for name, block in ctx.modules.items():
            body = block.body
            if body.get("create_function") is False or body.get("create_layer") is True or body.get("create") is False:
                continue  # the module makes a layer, or nothing
            if is_lambda_module(block) and not _count_zero(body):
                self.note_repeated("module." + name, block)
                _lambda_module(self, "module." + name, block)
        for logical_id, (policy, mark) in self.redrive.items():
            for entry in self.resources:
                if entry[0] == logical_id and entry[1] == "AWS::SQS::Queue" and "RedrivePolicy" not in entry[2]:
                    entry[2]["RedrivePolicy"] = policy
                    entry[2].key_marks["RedrivePolicy"] = mark
                    entry[2].value_marks["RedrivePolicy"] = mark

    def resource(self, block: _Block) -> _Resource:
        return _Resource(self.ctx, block, block.body, block.lines, block.mark)

    def note_repeated(self, address: str, block: _Block) -> None:
        """A block with `count` / `for_each` is modelled once: remembered for the run's note."""
        for meta in ("count", "for_each"):
            if meta in block.body:
                self.repeated.append((address, meta, block.lines.mark(meta)))
                return

    # -- code location

    def archive_dir(self, name: str) -> str | None:
        archive = self.ctx.data.get("archive_file." + name)
        if archive is None:
            return None
        body = archive.body
        if "source_dir" in body:
            return self.ctx.local_path(body["source_dir"], archive.mark)
        if "source_file" in body:
            path = self.ctx.local_path(body["source_file"], archive.mark)
            return posixpath.dirname(path) or "." if path is not None else None
        return None

    def code_location(self, body: dict) -> str | None:
        """The folder whose files are the function's zip: through `data "archive_file"`
        (named by `filename`, `source_code_hash`, or the S3 object the function's `s3_key`
        names), or an `output_path` written literally in `filename`."""
        names: list[str] = []
        for key in ("filename", "source_code_hash", "s3_key", "s3_bucket", "s3_object_version"):
            raw = _raw_text(body.get(key, ""))
            names.extend(_ARCHIVE_REF.findall(raw))
            for kind, name in _S3_OBJECT_REF.findall(raw):
                s3_object = self.ctx.resources.get(f"{kind}.{name}")
                if s3_object is not None:
                    names.extend(_ARCHIVE_REF.findall(_raw_text(s3_object.body)))
        unique = list(dict.fromkeys(names))
        if len(unique) == 1:
            return self.archive_dir(unique[0])
        if unique:
            return None  # two archives: which one is the code is not known
        filename = self.ctx.local_path(body.get("filename"), Mark(1, 1)) if "filename" in body else None
        if filename is None:
            return None
        for address, archive in self.ctx.data.items():
            if not address.startswith("archive_file."):
                continue
            output = self.ctx.local_path(archive.body.get("output_path"), archive.mark)
            if output is not None and output == filename:
                return self.archive_dir(address.split(".", 1)[1])
        return None


def _dead_letter(resource: _Resource, cfn_key: str, tf_key: str, arn_key: str, cfn_arn_key: str) -> None:
    if resource.dynamic(tf_key):
        resource.put(cfn_key, unknown(f"dynamic {tf_key}"), resource.mark)
        return
    found = resource.nested(tf_key)
    if found is None:
        return
    body, lines = found
    inner = resource.sub(body, lines)
    inner.copy(cfn_arn_key, arn_key)
    resource.put(cfn_key, inner.map(), lines.start)


def _destination_config(resource: _Resource, failure_key: str) -> None:
    """`destination_config { on_failure { <failure_key> = ... } }`."""
    if resource.dynamic("destination_config"):
        resource.put("DestinationConfig", unknown("dynamic destination_config"), resource.mark)
        return
    found = resource.nested("destination_config")
    if found is None:
        return
    body, lines = found
    config = resource.sub(body, lines)
    for tf_key, cfn_key in (("on_failure", "OnFailure"), ("on_success", "OnSuccess")):
        if config.dynamic(tf_key):
            config.put(cfn_key, unknown(f"dynamic {tf_key}"), config.mark)
            continue
        inner = config.nested(tf_key)
        if inner is None:
            continue
        target = config.sub(*inner)
        target.copy("Destination", failure_key)
        config.put(cfn_key, target.map(), inner[1].start)
    resource.put("DestinationConfig", config.map(), lines.start)


# What `aws_lambda_function` and the lambda module's inputs both spell the same way.
_FUNCTION_ATTRIBUTES = (
    ("FunctionName", "function_name"), ("Handler", "handler"), ("Runtime", "runtime"), ("Timeout", "timeout"),
    ("MemorySize", "memory_size"), ("ReservedConcurrentExecutions", "reserved_concurrent_executions"),
    ("PackageType", "package_type"), ("ImageUri", "image_uri"),
)


def _lambda_function(tr: _Translator, address: str, block: _Block) -> None:
    r = tr.resource(block)
    for cfn_key, tf_key in _FUNCTION_ATTRIBUTES:
        r.copy(cfn_key, tf_key)
    r.copy("Layers", "layers")
    for tf_key, cfn_key in (("capacity_provider_config", "CapacityProviderConfig"), ("durable_config", "DurableConfig")):
        if (config := r.nested(tf_key)) is not None or r.dynamic(tf_key):
            r.put(cfn_key, r.ctx.value(config[0], config[1].start) if config else unknown(tf_key), r.lines.mark(tf_key))
    if (config := r.nested("image_config")) is not None:
        r.put("ImageConfig", r.ctx.value(config[0], config[1].start), config[1].start)
    _dead_letter(r, "DeadLetterConfig", "dead_letter_config", "target_arn", "TargetArn")
    if r.dynamic("environment"):
        r.put("Environment", unknown("dynamic environment"))
    elif (environment := r.nested("environment")) is not None:
        inner = r.sub(*environment)
        inner.copy("Variables", "variables")
        r.put("Environment", inner.map(), environment[1].start)
    code = tr.code_location(block.body)
    if code is not None:
        r.put("Code", code, r.lines.mark("filename") if "filename" in block.body else r.mark)
    tr.add(address, "AWS::Lambda::Function", r.map(), block.mark, block.end_line)


def _event_source_mapping(tr: _Translator, address: str, block: _Block) -> None:
    r = tr.resource(block)
    r.copy("FunctionName", "function_name")
    r.copy("EventSourceArn", "event_source_arn")
    r.copy("BatchSize", "batch_size")
    r.copy("MaximumBatchingWindowInSeconds", "maximum_batching_window_in_seconds")
    r.copy("FunctionResponseTypes", "function_response_types")
    r.copy("MaximumRetryAttempts", "maximum_retry_attempts")
    r.copy("MaximumRecordAgeInSeconds", "maximum_record_age_in_seconds")
    r.copy("BisectBatchOnFunctionError", "bisect_batch_on_function_error")
    r.copy("ParallelizationFactor", "parallelization_factor")
    r.copy("StartingPosition", "starting_position")
    r.copy("Topics", "topics")
    r.copy("Queues", "queues")
    r.copy("Enabled", "enabled")
    if "self_managed_event_source" in block.body:
        r.put("SelfManagedEventSource", make_map(r.mark, []), r.lines.mark("self_managed_event_source"))
    if "document_db_event_source_config" in block.body:
        r.put("DocumentDBEventSourceConfig", make_map(r.mark, []), r.lines.mark("document_db_event_source_config"))
    _destination_config(r, "destination_arn")
    tr.add(address, "AWS::Lambda::EventSourceMapping", r.map(), block.mark, block.end_line)


def _event_invoke_config(tr: _Translator, address: str, block: _Block) -> None:
    r = tr.resource(block)
    r.copy("FunctionName", "function_name")
    r.copy("Qualifier", "qualifier")
    r.copy("MaximumRetryAttempts", "maximum_retry_attempts")
    r.copy("MaximumEventAgeInSeconds", "maximum_event_age_in_seconds")
    _destination_config(r, "destination")
    tr.add(address, "AWS::Lambda::EventInvokeConfig", r.map(), block.mark, block.end_line)


def _bucket_notification(tr: _Translator, address: str, block: _Block) -> None:
    r = tr.resource(block)
    configurations = block.body.get("lambda_function")
    items, marks = [], []
    for index, body in enumerate(configurations if isinstance(configurations, list) else []):
        if not isinstance(body, dict):
            continue
        lines = block.lines.block("lambda_function", index)
        item = r.sub(body, lines)
        item.copy("Function", "lambda_function_arn")
        item.copy("Event", "events")
        items.append(item.map())
        marks.append(lines.start)
    if items or r.dynamic("lambda_function"):
        config = make_map(r.mark, [("LambdaConfigurations", Seq_of(r.mark, items, marks), r.lines.mark("lambda_function"))])
        r.put("NotificationConfiguration", config)
    tr.add(address, "AWS::S3::Bucket", r.map(), block.mark, block.end_line)


def _sns_subscription(tr: _Translator, address: str, block: _Block) -> None:
    r = tr.resource(block)
    r.copy("Protocol", "protocol")
    r.copy("Endpoint", "endpoint")
    r.copy("TopicArn", "topic_arn")
    r.copy("RedrivePolicy", "redrive_policy")
    tr.add(address, "AWS::SNS::Subscription", r.map(), block.mark, block.end_line)


def _rule_of(tr: _Translator, body: dict) -> _Block | None:
    names = re.findall(r"\baws_cloudwatch_event_rule\.([A-Za-z_][\w-]*)", _raw_text(body.get("rule", "")))
    if len(set(names)) != 1:
        return None
    return tr.ctx.resources.get("aws_cloudwatch_event_rule." + names[0])


def _retry_policy(target: _Resource) -> None:
    found = target.nested("retry_policy")
    if found is None:
        return
    policy = target.sub(*found)
    policy.copy("MaximumRetryAttempts", "maximum_retry_attempts")
    policy.copy("MaximumEventAgeInSeconds", "maximum_event_age_in_seconds")
    target.put("RetryPolicy", policy.map(), found[1].start)


def _event_target(tr: _Translator, address: str, block: _Block) -> None:
    """A rule's target: one `AWS::Events::Rule` with this one target, at the target's lines
    (the rule's `schedule_expression` decides schedule vs event pattern)."""
    r = tr.resource(block)
    rule = _rule_of(tr, block.body)
    if rule is not None and rule.body.get("schedule_expression") is not None:
        r.put("ScheduleExpression", tr.ctx.value(rule.body["schedule_expression"], rule.mark), rule.mark)
    target = tr.resource(block)
    target.copy("Arn", "arn")
    target.copy("Id", "target_id")
    _dead_letter(target, "DeadLetterConfig", "dead_letter_config", "arn", "Arn")
    _retry_policy(target)
    r.put("Targets", Seq_of(block.mark, [target.map()], [block.mark]))
    tr.add(address, "AWS::Events::Rule", r.map(), block.mark, block.end_line)


def _scheduler_schedule(tr: _Translator, address: str, block: _Block) -> None:
    r = tr.resource(block)
    r.copy("ScheduleExpression", "schedule_expression")
    found = r.nested("target")
    if found is not None:
        target = r.sub(*found)
        target.copy("Arn", "arn")
        _dead_letter(target, "DeadLetterConfig", "dead_letter_config", "arn", "Arn")
        _retry_policy(target)
        r.put("Target", target.map(), found[1].start)
    tr.add(address, "AWS::Scheduler::Schedule", r.map(), block.mark, block.end_line)


def _sqs_redrive_policy(tr: _Translator, address: str, block: _Block) -> None:
    """`aws_sqs_queue_redrive_policy`: the policy of the queue its `queue_url` names."""
    queue = tr.ctx.value(block.body.get("queue_url"), block.mark)
    if not isinstance(queue, dict) or "Ref" not in queue:
        return
    mark = block.lines.mark("redrive_policy")
    tr.redrive[queue["Ref"]] = (tr.ctx.value(block.body.get("redrive_policy"), mark), mark)


def _typed(cfn_type: str, *copied: tuple[str, str]) -> Callable[[_Translator, str, _Block], None]:
    """A resource translated attribute for attribute: each (CloudFormation key, Terraform
    attribute) pair is copied with its value and mark (none: only the type is known)."""

    def translate(tr: _Translator, address: str, block: _Block) -> None:
        if not copied:
            tr.add(address, cfn_type, make_map(block.mark, []), block.mark, block.end_line)
            return
        r = tr.resource(block)
        for cfn_key, tf_key in copied:
            r.copy(cfn_key, tf_key)
        tr.add(address, cfn_type, r.map(), block.mark, block.end_line)

    return translate


def _apigateway_integration(tr: _Translator, address: str, block: _Block) -> None:
    r = tr.resource(block)
    integration = tr.resource(block)
    integration.copy("Type", "type")
    integration.copy("Uri", "uri")
    integration.copy("TimeoutInMillis", "timeout_milliseconds")
    integration.copy("RequestParameters", "request_parameters")
    r.put("Integration", integration.map())
    tr.add(address, "AWS::ApiGateway::Method", r.map(), block.mark, block.end_line)


def _target_group_attachment(tr: _Translator, address: str, block: _Block) -> None:
    """An attachment to a target group of `target_type = "lambda"`: the target group's target."""
    names = re.findall(r"\b(aws_lb_target_group|aws_alb_target_group)\.([A-Za-z_][\w-]*)", _raw_text(block.body.get("target_group_arn", "")))
    if len(set(names)) != 1:
        return
    group = tr.ctx.resources.get(".".join(names[0]))
    if group is None or tr.ctx.value(group.body.get("target_type"), group.mark) != "lambda":
        return
    r = tr.resource(block)
    r.put("TargetType", "lambda")
    target = tr.resource(block)
    target.copy("Id", "target_id")
    r.put("Targets", Seq_of(block.mark, [target.map()], [block.lines.mark("target_id")]))
    tr.add(address, "AWS::ElasticLoadBalancingV2::TargetGroup", r.map(), block.mark, block.end_line)


_TRANSLATORS: dict[str, Callable[[_Translator, str, _Block], None]] = {
    "aws_lambda_function": _lambda_function,
    "aws_lambda_event_source_mapping": _event_source_mapping,
    "aws_lambda_function_event_invoke_config": _event_invoke_config,
    "aws_lambda_permission": _typed(
        "AWS::Lambda::Permission",
        ("FunctionName", "function_name"), ("Principal", "principal"), ("SourceArn", "source_arn"), ("Qualifier", "qualifier"),
    ),
    "aws_lambda_function_url": _typed(
        "AWS::Lambda::Url",
        ("TargetFunctionArn", "function_name"), ("Qualifier", "qualifier"), ("InvokeMode", "invoke_mode"),
        ("AuthType", "authorization_type"),
    ),
    "aws_s3_bucket_notification": _bucket_notification,
    "aws_sns_topic_subscription": _sns_subscription,
    "aws_cloudwatch_event_target": _event_target,
    "aws_scheduler_schedule": _scheduler_schedule,
    "aws_sqs_queue": _typed(
        "AWS::SQS::Queue",
        ("QueueName", "name"), ("VisibilityTimeout", "visibility_timeout_seconds"), ("FifoQueue", "fifo_queue"),
        ("MessageRetentionPeriod", "message_retention_seconds"), ("RedrivePolicy", "redrive_policy"),
    ),
    "aws_sqs_queue_redrive_policy": _sqs_redrive_policy,
    "aws_sns_topic": _typed("AWS::SNS::Topic"),
    "aws_kinesis_stream": _typed("AWS::Kinesis::Stream"),
    "aws_dynamodb_table": _typed("AWS::DynamoDB::Table"),
    "aws_api_gateway_integration": _apigateway_integration,
    "aws_apigatewayv2_integration": _typed(
        "AWS::ApiGatewayV2::Integration",
        ("ApiId", "api_id"), ("IntegrationType", "integration_type"), ("IntegrationUri", "integration_uri"),
        ("TimeoutInMillis", "timeout_milliseconds"),
    ),
    "aws_apigatewayv2_api": _typed("AWS::ApiGatewayV2::Api", ("ProtocolType", "protocol_type")),
    "aws_lb_target_group_attachment": _target_group_attachment,
    "aws_alb_target_group_attachment": _target_group_attachment,
}


# -- terraform-aws-modules/lambda/aws


def _lambda_module(tr: _Translator, logical_id: str, block: _Block) -> None:
    """The module's function from its inputs (defaults of the module: timeout 3, a package
    built from `source_path`); its event source mappings, allowed triggers and, when
    `create_async_event_config = true`, its async event config."""
    ctx = tr.ctx
    body = block.body
    r = tr.resource(block)
    for cfn_key, tf_key in _FUNCTION_ATTRIBUTES:
        r.copy(cfn_key, tf_key)
    if "environment_variables" in body:
        mark = r.lines.mark("environment_variables")
        r.put("Environment", make_map(mark, [("Variables", ctx.value(body["environment_variables"], mark), mark)]), mark)
    if body.get("dead_letter_target_arn") is not None:
        mark = r.lines.mark("dead_letter_target_arn")
        r.put("DeadLetterConfig", make_map(mark, [("TargetArn", ctx.value(body["dead_letter_target_arn"], mark), mark)]), mark)
    create_package = ctx.value(body.get("create_package", True), block.mark)
    source = body.get("source_path")
    if create_package is True and source is not None and "local_existing_package" not in body:
        path = ctx.local_path(source, block.mark) if isinstance(source, str) else None
        if isinstance(source, str) and path is None:
            resolved = ctx.value(source, block.mark)
            path = resolved if isinstance(resolved, str) and not resolved.startswith("/") else None
        if path is not None and (ctx.root / path).is_file():
            path = posixpath.dirname(path) or "."  # one file: the package holds it at its top
        if path is not None:
            r.put("Code", path, r.lines.mark("source_path"))
    tr.add(logical_id, "AWS::Lambda::Function", r.map(), block.mark, block.end_line)
    function_arn = reference(logical_id, "arn", block.mark)

    mappings = ctx.value(body.get("event_source_mapping"), r.lines.mark("event_source_mapping"))
    if isinstance(mappings, dict) and not _is_unknown(mappings):
        mark = r.lines.mark("event_source_mapping")
        for key, entry in mappings.items():
            if not isinstance(entry, dict) or _is_unknown(entry):
                continue
            items = [("FunctionName", function_arn, mark)]
            for tf_key, cfn_key in _MODULE_ESM_KEYS:
                if tf_key in entry and entry[tf_key] is not None:
                    items.append((cfn_key, entry[tf_key], mark))
            if entry.get("destination_arn_on_failure") is not None:
                on_failure = make_map(mark, [("Destination", entry["destination_arn_on_failure"], mark)])
                items.append(("DestinationConfig", make_map(mark, [("OnFailure", on_failure, mark)]), mark))
            tr.add(f"{logical_id}.event_source_mapping.{key}", "AWS::Lambda::EventSourceMapping", make_map(mark, items), mark, mark.line)

    triggers = ctx.value(body.get("allowed_triggers"), r.lines.mark("allowed_triggers"))
    if isinstance(triggers, dict) and not _is_unknown(triggers):
        mark = r.lines.mark("allowed_triggers")
        for key, entry in triggers.items():
            if not isinstance(entry, dict) or _is_unknown(entry):
                continue
            principal = entry.get("principal")
            service = entry.get("service")
            if principal is None and isinstance(service, str):
                principal = f"{service}.amazonaws.com"
            items = [("FunctionName", function_arn, mark), ("Principal", principal, mark)]
            if entry.get("source_arn") is not None:
                items.append(("SourceArn", entry["source_arn"], mark))
            tr.add(f"{logical_id}.allowed_triggers.{key}", "AWS::Lambda::Permission", make_map(mark, items), mark, mark.line)

    if ctx.value(body.get("create_async_event_config", False), block.mark) is True:
        mark = r.lines.mark("create_async_event_config")
        items = [("FunctionName", function_arn, mark)]
        if "maximum_retry_attempts" in body:
            m = r.lines.mark("maximum_retry_attempts")
            items.append(("MaximumRetryAttempts", ctx.value(body["maximum_retry_attempts"], m), m))
        if body.get("destination_on_failure") is not None:
            m = r.lines.mark("destination_on_failure")
            target = make_map(m, [("Destination", ctx.value(body["destination_on_failure"], m), m)])
            items.append(("DestinationConfig", make_map(m, [("OnFailure", target, m)]), m))
        tr.add(f"{logical_id}.async_event_config", "AWS::Lambda::EventInvokeConfig", make_map(mark, items), mark, mark.line)


_MODULE_ESM_KEYS = (
    ("event_source_arn", "EventSourceArn"),
    ("batch_size", "BatchSize"),
    ("maximum_batching_window_in_seconds", "MaximumBatchingWindowInSeconds"),
    ("function_response_types", "FunctionResponseTypes"),
    ("maximum_retry_attempts", "MaximumRetryAttempts"),
    ("maximum_record_age_in_seconds", "MaximumRecordAgeInSeconds"),
    ("bisect_batch_on_function_error", "BisectBatchOnFunctionError"),
    ("starting_position", "StartingPosition"),
    ("topics", "Topics"),
    ("queues", "Queues"),
)


def _is_unknown(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and "Fn::ImportValue" in value


# --------------------------------------------------------------------------- the root


def root_files(found: list, real_path: Callable[[Path], Path]) -> dict[Path, list[Path]]:
    """The Terraform roots of discovered files (`DiscoveredFile`s): folder -> its files. A file
    named alone (a pre-commit run, an editor) brings the other `.tf` files of its folder: its
    variables and locals are there."""
    roots: dict[Path, list[Path]] = {}
    for file in found:
        folder = real_path(file.path).parent
        members = roots.setdefault(folder, [])
        if file.path not in members:
            members.append(file.path)
        if not file.explicit:
            continue
        try:
            siblings = sorted(file.path.parent.iterdir())
        except OSError:
            continue
        known = {real_path(p) for p in members}
        for sibling in siblings:
            if is_terraform_name(sibling.name) and sibling.is_file() and real_path(sibling) not in known:
                members.append(sibling)
                known.add(real_path(sibling))
    return roots


def called_modules(texts: dict[Path, list[str]]) -> set[Path]:
    """The folders (of `texts`: folder -> its files' texts) that another one calls as a local
    module (`source = "./modules/lambda"`)."""
    called: set[Path] = set()
    for folder, contents in texts.items():
        for text in contents:
            for source in _LOCAL_SOURCE.findall(text):
                target = Path(posixpath.normpath((folder / source).as_posix()))
                if target != folder and target in texts:
                    called.add(target)
    return called


def load_root(
    files: list[TerraformFile], *, max_alias_expansion: int = 1_000_000, child: bool = False,
    parse: Callable[[str], Any] = parse_hcl,
) -> tuple[Template | None, list[TerraformFileError]]:
    """One Terraform root (the `.tf` / `.tf.json` files of one folder) as a `Template`, and the
    files that did not parse (each an LK001; the others are still read). None when no file of
    the root could be read. `parse` reads one `.tf` text as `parse_hcl` does (`Run` passes
    one that goes through its cache)."""
    files = sorted(files, key=lambda f: (Path(f.path).name != "main.tf", f.path))
    errors: list[TerraformFileError] = []
    blocks: list[_Block] = []
    parts: list[tuple[str, int]] = []
    texts: list[str] = []
    offset = 0
    read: list[TerraformFile] = []
    for file in files:
        text = file.text[1:] if file.text.startswith("\ufeff") else file.text
        file = TerraformFile(file.path, file.abs_path, text)
        try:
            if file.path.lower().endswith(".json"):
                found = _json_blocks(file, offset, max_alias_expansion)
            else:
                found = _parse_hcl(file, offset, parse)
        except TerraformFileError as error:
            errors.append(error)
            continue
        blocks.extend(found)
        parts.append((file.path, offset + 1))
        read.append(file)
        body = _lines_text(text) if text else ""
        texts.append(body)
        offset += body.count("\n")
    if not read:
        return None, errors
    first = read[0]
    ctx = _Context(blocks, first.abs_path.parent, child)
    translator = _Translator(ctx)
    translator.run()
    resources = make_map(Mark(1, 1), [])
    for logical_id, type_, properties, mark in translator.resources:
        if logical_id in resources:
            continue
        node = make_map(mark, [("Type", type_, mark), ("Properties", properties, mark)])
        resources[logical_id] = node
        resources.key_marks[logical_id] = mark
        resources.value_marks[logical_id] = mark
    data = make_map(Mark(1, 1), [("Resources", resources, Mark(1, 1))])
    template = build_template(first.path, first.abs_path, "".join(texts), data)
    template.parts = parts
    template.end_lines = dict(translator.end_lines)
    template.repeated = list(translator.repeated)
    return template, errors
