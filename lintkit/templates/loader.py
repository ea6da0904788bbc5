"""Safe YAML/JSON loading of CloudFormation/SAM templates, with a position for every key, value and item.

`load_text` / `load_path` return a `LoadedDocument` whose mappings are `Map` (a dict) and whose lists are
`Seq` (a list); both carry 1-based `Mark`s on the side, so rules can work on plain dict/list data and
still point at the line the user wrote.

How it works: libyaml (or pyyaml's pure-Python parser when libyaml is missing) composes the text into a
node graph using the *safe* loader's resolver; this module then builds the Python values itself from
the nodes. Only the YAML 1.1 core types (str, int, float, bool, null, binary, seq, map, set, omap,
pairs) and CloudFormation short-form tags (`!Ref`, `!GetAtt`, `!Sub`, any `!Name`) are understood;
every other tag (`!!python/object...` included) is a `TemplateSyntaxError`. Nothing is ever executed
and pyyaml's own constructors are never run. Timestamps stay strings (`2010-09-09`).

JSON goes through the same YAML parser (JSON is nearly a YAML subset). When that fails and the text
looks like JSON, `json.loads` decides whether it is valid; valid JSON is then read by the small JSON
parser at the bottom of this module (same `Map`/`Seq`/`Mark` output), invalid JSON reports json's
message and position.

Lines are counted as YAML counts them: LF, CRLF, lone CR (and NEL, LS, PS) each end a line, so CRLF
files get the same line numbers as LF files. Columns count characters (a tab is one column).
This module deliberately does not import cfn-lint (slow to import).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from lintkit.limits import LimitExceeded, too_large
from lintkit.runtime import paused_gc

__all__ = [
    "LoadedDocument",
    "Map",
    "Mark",
    "Seq",
    "TemplateSyntaxError",
    "load_path",
    "load_text",
]


class Mark(NamedTuple):
    """A 1-based line and column."""

    line: int
    column: int


_START = Mark(1, 1)
_tuple_new = tuple.__new__  # Mark(...) without the Python-level NamedTuple.__new__ (hot path)


class Map(dict):
    """A YAML/JSON mapping. Behaves as a plain dict; positions on the side.

    `mark` is where the mapping starts (for a short-form tag such as `!Ref X`, where the tag is);
    `key_marks[key]` / `value_marks[key]` are where each key and its value start.
    """

    __slots__ = ("mark", "key_marks", "value_marks")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        dict.__init__(self, *args, **kwargs)
        self.mark = _START
        self.key_marks: dict[Any, Mark] = {}
        self.value_marks: dict[Any, Mark] = {}

    def key_mark(self, key: Any, default: Mark | None = None) -> Mark:
        """The key's position; else `default`; else where the mapping starts."""
        try:
            found = self.key_marks.get(key)
        except TypeError:  # unhashable lookup key
            found = None
        if found is not None:
            return found
        return default if default is not None else self.mark

    def value_mark(self, key: Any, default: Mark | None = None) -> Mark:
        """The value's position; else `key_mark(key, default)`."""
        try:
            found = self.value_marks.get(key)
        except TypeError:
            found = None
        if found is not None:
            return found
        return self.key_mark(key, default)

    def __repr__(self) -> str:
        return f"Map({dict.__repr__(self)})"


class Seq(list):
    """A YAML/JSON sequence. Behaves as a plain list; `item_marks[i]` is where item `i` starts."""

    __slots__ = ("mark", "item_marks")

    def __init__(self, iterable: Any = ()) -> None:
        list.__init__(self, iterable)
        self.mark = _START
        self.item_marks: list[Mark] = []

    def item_mark(self, index: int) -> Mark:
        """Item `index`'s position (negative indexes work as for lists); else where the sequence starts."""
        try:
            return self.item_marks[index]
        except (IndexError, TypeError):
            return self.mark

    def __repr__(self) -> str:
        return f"Seq({list.__repr__(self)})"


class TemplateSyntaxError(Exception):
    """The text is not a loadable template: bad YAML/JSON, bad encoding, unsupported tag, ...

    `line`/`column` are the 1-based position of the problem (1, 1 when unknown); `str()` is the message.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.line, self.column))

    def __repr__(self) -> str:
        return f"TemplateSyntaxError({self.message!r}, line={self.line}, column={self.column})"


@dataclass
class LoadedDocument:
    data: object
    """Usually a `Map`; any value (Seq, str, None, ...) for odd files; None for empty/comment-only text."""
    duplicate_keys: list[tuple[Any, Mark]] = field(default_factory=list)
    """Every key that appeared again in the same mapping, with the later occurrence's key mark."""


# A loaded document as JSON, for the result cache (loading the text again costs three times more
# than reading this back). Maps are ["M", line, column, [key, key line, key column, value line,
# value column, value, ...]], sequences ["S", line, column, [line, column, item, ...]]; scalars
# are themselves. Only plain trees of str, int, float, bool and None are written: an alias
# (shared nodes), binary values or `!!omap` pairs make a document that is not cached.

_JSON_SCALARS = (str, int, float, bool, type(None))


def document_to_json(document: LoadedDocument) -> dict | None:
    """The document as JSON-ready data, or None when it holds something JSON cannot carry."""
    seen: set[int] = set()

    def encode(value: Any) -> Any:
        kind = value.__class__
        if kind is Map or kind is Seq:
            if id(value) in seen:
                raise TypeError("shared node")
            seen.add(id(value))
            items: list[Any] = []
            if kind is Map:
                for key, item in value.items():
                    if key.__class__ not in _JSON_SCALARS:
                        raise TypeError("key")
                    key_mark, value_mark = value.key_marks[key], value.value_marks[key]
                    items += [key, key_mark[0], key_mark[1], value_mark[0], value_mark[1], encode(item)]
                return ["M", value.mark[0], value.mark[1], items]
            marks = value.item_marks
            if len(marks) != len(value):
                raise TypeError("marks")
            for mark, item in zip(marks, value):
                items += [mark[0], mark[1], encode(item)]
            return ["S", value.mark[0], value.mark[1], items]
        if kind in _JSON_SCALARS:
            return value
        raise TypeError(kind.__name__)

    try:
        duplicates = [[key, mark[0], mark[1]] for key, mark in document.duplicate_keys if key.__class__ in _JSON_SCALARS]
        if len(duplicates) != len(document.duplicate_keys):
            return None
        return {"data": encode(document.data), "duplicates": duplicates}
    except (TypeError, KeyError, RecursionError):
        return None


def document_from_json(data: Any) -> LoadedDocument | None:
    """The document `document_to_json` wrote, or None when `data` is not one (a corrupt entry)."""

    def decode(value: Any) -> Any:
        if value.__class__ is not list:
            return value
        tag, line, column, items = value
        if tag == "M":
            built: Any = dict.__new__(Map)
            key_marks: dict[Any, Mark] = {}
            value_marks: dict[Any, Mark] = {}
            built.key_marks, built.value_marks = key_marks, value_marks
            for index in range(0, len(items), 6):
                key = items[index]
                key_marks[key] = _tuple_new(Mark, (items[index + 1], items[index + 2]))
                value_marks[key] = _tuple_new(Mark, (items[index + 3], items[index + 4]))
                built[key] = decode(items[index + 5])
        elif tag == "S":
            built = list.__new__(Seq)
            marks: list[Mark] = []
            built.item_marks = marks
            for index in range(0, len(items), 3):
                marks.append(_tuple_new(Mark, (items[index], items[index + 1])))
                built.append(decode(items[index + 2]))
        else:
            raise ValueError(tag)
        built.mark = _tuple_new(Mark, (line, column))
        return built

    try:
        duplicates = [(key, _tuple_new(Mark, (line, column))) for key, line, column in data["duplicates"]]
        return LoadedDocument(decode(data["data"]), duplicates)
    except (TypeError, ValueError, KeyError, IndexError, RecursionError):
        return None


# --------------------------------------------------------------------------------------------------
# YAML


_C_PARSER = getattr(getattr(yaml, "cyaml", None), "CParser", None)


def _make_loader(base: type) -> type:
    """A private subclass of a pyyaml safe loader. It is only used to compose nodes (parser + the safe
    resolver); values are built by `_Builder`, so pyyaml's constructors never run."""

    class _Loader(base):  # type: ignore[misc, valid-type]
        # libyaml reports reader errors at a UTF-8 byte offset, pyyaml at a character offset
        offsets_in_bytes = _C_PARSER is not None and issubclass(base, _C_PARSER)

    _Loader.__name__ = _Loader.__qualname__ = "_LintkitLoader"
    return _Loader


_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
_Loader = _make_loader(yaml.CSafeLoader if _LIBYAML else yaml.SafeLoader)

_YAML = "tag:yaml.org,2002:"
_STR = _YAML + "str"
_MAP = _YAML + "map"
_SEQ = _YAML + "seq"
_SET = _YAML + "set"
_OMAP = _YAML + "omap"
_PAIRS = _YAML + "pairs"
_MERGE = _YAML + "merge"

_SafeConstructor = yaml.constructor.SafeConstructor


def _as_text(loader: Any, node: ScalarNode) -> str:
    return node.value


# Scalar tags other than str. Timestamps stay text; `=` and `<<` (outside a key) are plain text too.
_SCALAR_BUILDERS = {
    _YAML + "null": _SafeConstructor.construct_yaml_null,
    _YAML + "bool": _SafeConstructor.construct_yaml_bool,
    _YAML + "int": _SafeConstructor.construct_yaml_int,
    _YAML + "float": _SafeConstructor.construct_yaml_float,
    _YAML + "binary": _SafeConstructor.construct_yaml_binary,
    _YAML + "timestamp": _as_text,
    _YAML + "value": _as_text,
    _MERGE: _as_text,
}
_COLLECTION_TAGS = {_MAP: "mapping", _SET: "mapping", _SEQ: "sequence", _OMAP: "sequence", _PAIRS: "sequence"}
_NODE_KINDS = {ScalarNode: "scalar", SequenceNode: "sequence", MappingNode: "mapping"}

# The line breaks YAML (libyaml and pyyaml alike) counts: CRLF, LF, CR, NEL, LS, PS.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")

_BUSY = object()  # memo marker: the node is being built (an alias back to it is a cycle)


def _node_mark(node: Any) -> Mark:
    sm = node.start_mark
    return _tuple_new(Mark, (sm.line + 1, sm.column + 1))


class _Builder:
    """Builds Map/Seq/scalars from a composed node graph."""

    __slots__ = ("loader", "text", "memo", "duplicates", "lines")

    def __init__(self, loader: Any, text: str) -> None:
        self.loader = loader
        self.text = text
        self.memo: dict[int, Any] = {}  # id(collection node) -> built value, for aliases
        self.duplicates: list[tuple[Any, Mark]] = []
        self.lines: list[str] | None = None

    def build(self, node: Any) -> Any:
        cls = node.__class__
        tag = node.tag
        if cls is ScalarNode:
            if tag == _STR:
                return node.value
            builder = _SCALAR_BUILDERS.get(tag)
            if builder is not None:
                try:
                    return builder(self.loader, node)
                except (ValueError, KeyError, TypeError, yaml.YAMLError):
                    raise TemplateSyntaxError(
                        f"invalid value {node.value!r} for tag {_short_tag(tag)}", *_node_mark(node)
                    ) from None
            if tag[:1] == "!":
                return self._intrinsic(node)
            raise self._bad_tag(node)

        memo = self.memo
        key = id(node)
        built = memo.get(key)
        if built is not None:
            if built is _BUSY:
                raise TemplateSyntaxError("found a recursive alias (an anchor used inside itself)", *_node_mark(node))
            return built
        memo[key] = _BUSY
        if cls is MappingNode and tag == _MAP:
            built = self._map(node, _node_mark(node))
        elif cls is SequenceNode and tag == _SEQ:
            built = self._seq(node, _node_mark(node))
        elif tag[:1] == "!":
            built = self._intrinsic(node)
        elif cls is MappingNode and tag == _SET:
            built = self._set(node)
        elif cls is SequenceNode and (tag == _OMAP or tag == _PAIRS):
            built = self._pairs(node)
        else:
            raise self._bad_tag(node)
        memo[key] = built
        return built

    def _bad_tag(self, node: Any) -> TemplateSyntaxError:
        tag = node.tag
        expected = _COLLECTION_TAGS.get(tag) or ("scalar" if tag in _SCALAR_BUILDERS or tag == _STR else None)
        if expected is not None:
            message = f"expected a {expected} node for tag {_short_tag(tag)}, but found a {_NODE_KINDS[node.__class__]}"
        else:
            message = f"could not determine a constructor for the tag {tag!r}"
        return TemplateSyntaxError(message, *_node_mark(node))

    # -- mappings

    def _map(self, node: MappingNode, mark: Mark) -> Map:
        result = dict.__new__(Map)
        result.mark = mark
        key_marks: dict[Any, Mark] = {}
        value_marks: dict[Any, Mark] = {}
        result.key_marks = key_marks
        result.value_marks = value_marks
        duplicates = None  # this mapping's own repeats; published at the end (a merge key restarts)
        build = self.build
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.tag == _STR:
                key = key_node.value
            elif key_node.tag == _MERGE:
                return self._merged_map(node, mark)
            else:
                key = self._key(key_node)
            sm = key_node.start_mark
            key_mark = _tuple_new(Mark, (sm.line + 1, sm.column + 1))
            sm = value_node.start_mark
            value_mark = _tuple_new(Mark, (sm.line + 1, sm.column + 1))
            if value_node.__class__ is ScalarNode and value_node.tag == _STR:
                value = value_node.value
            else:
                value = build(value_node)
            if key in result:
                if duplicates is None:
                    duplicates = []
                duplicates.append((key, key_mark))
            result[key] = value
            key_marks[key] = key_mark
            value_marks[key] = value_mark
        if duplicates:
            self.duplicates.extend(duplicates)
        return result

    def _key(self, key_node: Any) -> Any:
        key = self.build(key_node)
        try:
            hash(key)
        except TypeError:
            raise TemplateSyntaxError("found unhashable key", *_node_mark(key_node)) from None
        return key

    def _merged_map(self, node: MappingNode, mark: Mark) -> Map:
        """A mapping with YAML merge keys (`<<: *anchor`): merged pairs first, the mapping's own keys
        override them. Only repeats among the mapping's own keys count as duplicates."""
        merged: list[tuple[Any, Any]] = []
        own: list[tuple[Any, Any]] = []
        for pair in node.value:
            if pair[0].tag == _MERGE:
                merged.extend(self._merge_source(pair[1], {id(node)}))
            else:
                own.append(pair)
        result = Map()
        result.mark = mark
        seen = set()
        for pairs, record in ((merged, False), (own, True)):
            for key_node, value_node in pairs:
                key = self._key(key_node)
                key_mark = _node_mark(key_node)
                if record:
                    if key in seen:
                        self.duplicates.append((key, key_mark))
                    seen.add(key)
                result[key] = self.build(value_node)
                result.key_marks[key] = key_mark
                result.value_marks[key] = _node_mark(value_node)
        return result

    def _merge_source(self, value_node: Any, active: set[int]) -> list[tuple[Any, Any]]:
        if value_node.__class__ is MappingNode:
            return self._flat_pairs(value_node, active)
        if value_node.__class__ is SequenceNode:
            pairs: list[tuple[Any, Any]] = []
            for sub in reversed(value_node.value):  # the first mapping listed wins
                if sub.__class__ is not MappingNode:
                    raise TemplateSyntaxError(
                        f"expected a mapping for merging, but found a {_NODE_KINDS[sub.__class__]}", *_node_mark(sub)
                    )
                pairs.extend(self._flat_pairs(sub, active))
            return pairs
        raise TemplateSyntaxError(
            "expected a mapping or list of mappings for merging, but found a scalar", *_node_mark(value_node)
        )

    def _flat_pairs(self, node: MappingNode, active: set[int]) -> list[tuple[Any, Any]]:
        if id(node) in active:
            raise TemplateSyntaxError("found a recursive merge (an anchor merged into itself)", *_node_mark(node))
        active = active | {id(node)}
        merged: list[tuple[Any, Any]] = []
        own: list[tuple[Any, Any]] = []
        for pair in node.value:
            if pair[0].tag == _MERGE:
                merged.extend(self._merge_source(pair[1], active))
            else:
                own.append(pair)
        return merged + own

    # -- sequences

    def _seq(self, node: SequenceNode, mark: Mark) -> Seq:
        result = list.__new__(Seq)
        result.mark = mark
        marks: list[Mark] = []
        result.item_marks = marks
        build = self.build
        append = result.append
        append_mark = marks.append
        for item in node.value:
            sm = item.start_mark
            append_mark(_tuple_new(Mark, (sm.line + 1, sm.column + 1)))
            if item.__class__ is ScalarNode and item.tag == _STR:
                append(item.value)
            else:
                append(build(item))
        return result

    def _set(self, node: MappingNode) -> set[Any]:
        return {self._key(key_node) for key_node, _ in node.value}

    def _pairs(self, node: SequenceNode) -> Seq:
        """`!!omap` / `!!pairs`: a list of (key, value) tuples, as pyyaml's SafeLoader gives."""
        result = Seq()
        result.mark = _node_mark(node)
        for item in node.value:
            if item.__class__ is not MappingNode or len(item.value) != 1:
                raise TemplateSyntaxError(
                    f"expected a single mapping item for tag {_short_tag(node.tag)}", *_node_mark(item)
                )
            key_node, value_node = item.value[0]
            result.append((self.build(key_node), self.build(value_node)))
            result.item_marks.append(_node_mark(item))
        return result

    # -- CloudFormation short forms

    def _intrinsic(self, node: Any) -> Map:
        """`!Ref X` -> {"Ref": "X"}, `!Condition X` -> {"Condition": "X"}, `!GetAtt A.B.C` ->
        {"Fn::GetAtt": ["A", "B.C"]}, any other `!Name v` -> {"Fn::Name": v}. Tagged scalars are text."""
        name = node.tag[1:]
        mark = _node_mark(node)
        content_mark = self._content_mark(node) or mark
        cls = node.__class__
        if cls is ScalarNode:
            value: Any = node.value
            if name == "GetAtt":
                value = self._split_get_att(node, value, content_mark)
        elif cls is SequenceNode:
            value = self._seq(node, content_mark)
        else:
            value = self._map(node, content_mark)
        key = name if name == "Ref" or name == "Condition" else "Fn::" + name
        result = dict.__new__(Map)
        result[key] = value
        result.mark = mark
        result.key_marks = {key: mark}
        result.value_marks = {key: content_mark}
        return result

    @staticmethod
    def _split_get_att(node: ScalarNode, value: str, content_mark: Mark) -> Seq:
        resource, dot, attribute = value.partition(".")
        result = list.__new__(Seq)
        result.mark = content_mark
        if not dot:
            result.append(resource)
            result.item_marks = [content_mark]
            return result
        result.append(resource)
        result.append(attribute)
        attribute_mark = content_mark
        style = node.style
        if node.start_mark.line == node.end_mark.line and style in (None, "", "'", '"'):  # libyaml: "" = plain
            offset = len(resource) + 1 + (1 if style else 0)
            attribute_mark = Mark(content_mark.line, content_mark.column + offset)
        result.item_marks = [content_mark, attribute_mark]
        return result

    def _content_mark(self, node: Any) -> Mark | None:
        """Where a tagged node's content starts: past its tag/anchor, spaces, comments and line breaks."""
        lines = self.lines
        if lines is None:
            lines = self.lines = _LINE_BREAK.split(self.text)
        start, end = node.start_mark, node.end_mark
        row, col = start.line, start.column
        if row >= len(lines):
            return None
        line = lines[row]
        in_properties = True
        while True:
            if col >= len(line):
                row += 1
                if row > end.line or row >= len(lines):
                    return None
                line = lines[row]
                col = 0
                continue
            char = line[col]
            if char == " " or char == "\t":
                col += 1
            elif char == "#":
                col = len(line)
            elif in_properties and (char == "!" or char == "&"):
                while col < len(line) and line[col] not in " \t":
                    col += 1
            else:
                break
        if (row, col) >= (end.line, end.column):
            return None
        return _tuple_new(Mark, (row + 1, col + 1))


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag


def _yaml_error(error: yaml.YAMLError, text: str, offsets_in_bytes: bool) -> TemplateSyntaxError:
    if isinstance(error, yaml.MarkedYAMLError):
        context = error.context or ""
        if context.startswith("expected a single document"):
            message = "expected a single document in the stream, but found another document"
        elif "nesting depth" in (error.problem or ""):
            # PyYAML 6.0.4+ caps nesting itself ("exceeded maximum nesting depth"): the same
            # error as lintkit's own depth check, in lintkit's words whatever the PyYAML version
            message = "the document is nested too deeply"
        else:
            message = error.problem or context or "invalid YAML"
            # "while scanning a simple key (line 34)": where the construct that failed began,
            # which is often the line to fix when the problem is only noticed further down
            if error.problem and context and error.context_mark is not None and error.problem_mark is not None:
                if error.context_mark.line != error.problem_mark.line:
                    message = f"{message} ({context} that starts on line {error.context_mark.line + 1})"
        mark = error.problem_mark or error.context_mark
        if mark is None:
            return TemplateSyntaxError(message)
        return TemplateSyntaxError(message, mark.line + 1, mark.column + 1)
    if isinstance(error, yaml.reader.ReaderError):
        character = error.character
        if isinstance(character, int):
            message = f"unacceptable character #x{character:04x}: {error.reason}"
        else:
            message = f"cannot decode {character!r}: {error.reason}"
        position = error.position
        prefix = text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore") if offsets_in_bytes else text[:position]
        lines = _LINE_BREAK.split(prefix)
        return TemplateSyntaxError(message, len(lines), len(lines[-1]) + 1)
    return TemplateSyntaxError(str(error) or "invalid YAML")


def _by_mark(duplicate: tuple[Any, Mark]) -> Mark:
    return duplicate[1]


_MAX_FLOW_DEPTH = 5000  # far deeper than the builder's recursion allows anyway
_BRACKET = re.compile(r"[\[\]{}]")


def _check_flow_depth(text: str) -> None:
    """libyaml's composer recurses in C: tens of thousands of nested `[`/`{` crash the interpreter
    (segfault) instead of raising. Reject such text first; the scan only runs on bracket-heavy text."""
    if text.count("[") + text.count("{") <= _MAX_FLOW_DEPTH:
        return
    depth = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > _MAX_FLOW_DEPTH:
                lines = _LINE_BREAK.split(text[: match.start()])
                raise TemplateSyntaxError("the document is nested too deeply", len(lines), len(lines[-1]) + 1)
        elif depth:
            depth -= 1


def _expanded_size(root: Any, limit: int) -> None:
    """Refuse a document whose aliases stand for more than `limit` nodes ("billion laughs").
    Built values are shared, so loading one costs nothing, but any rule that walks a value would
    walk every expansion; counting with a memo is linear in the distinct nodes."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if node.__class__ is ScalarNode:
            continue
        key = id(node)
        children = [item for pair in node.value for item in pair] if node.__class__ is MappingNode else node.value
        if done:
            visiting.discard(key)
            total = 1 + sum(sizes.get(id(child), 1) for child in children)
            if total > limit:
                raise LimitExceeded(
                    f"aliases expand to more than {limit:,} nodes (an alias bomb?); not read "
                    f"(raise [tool.lintkit.limits] max-alias-expansion to read it anyway)",
                    *_node_mark(node),
                )
            sizes[key] = total
        elif key not in sizes and key not in visiting:
            visiting.add(key)  # a recursive alias is left for the builder to report
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)


DEFAULT_MAX_ALIAS_EXPANSION = 1_000_000


def _load_yaml(text: str, max_alias_expansion: int = DEFAULT_MAX_ALIAS_EXPANSION) -> LoadedDocument:
    _check_flow_depth(text)
    loader_class = _Loader
    try:
        loader = loader_class(text)
    except yaml.YAMLError as error:  # the pure-Python reader checks characters up front
        raise _yaml_error(error, text, loader_class.offsets_in_bytes) from None
    except UnicodeError:
        raise TemplateSyntaxError("text is not valid Unicode (lone surrogate)") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedDocument(None, [])
        if "&" in text:  # an alias needs an anchor (`&name`): without one nothing expands
            _expanded_size(node, max_alias_expansion)
        builder = _Builder(loader, text)
        data = builder.build(node)
        duplicates = builder.duplicates
        duplicates.sort(key=_by_mark)  # children publish before their parents; report in text order
        return LoadedDocument(data, duplicates)
    except yaml.YAMLError as error:
        raise _yaml_error(error, text, loader_class.offsets_in_bytes) from None
    except RecursionError:
        raise TemplateSyntaxError("the document is nested too deeply") from None
    finally:
        loader.dispose()


# --------------------------------------------------------------------------------------------------
# Public entry points

_LOOKS_LIKE_JSON = re.compile(r"[ \t\r\n]*[\[{]")
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")


# Markup of a text-templating language (Jinja, cookiecutter, Helm/Go templates): `{% ... %}`,
# `{# ... #}`, or `{{ ... }}` that is not a CloudFormation dynamic reference (`{{resolve:...}}`).
_TEMPLATING = re.compile(r"\{%.*?%\}|\{#.*?#\}|\{\{(?!\s*resolve:)[^{}\n]*\}\}")


def templating_markup(text: str) -> Mark | None:
    """Where the first Jinja/cookiecutter-style markup is in `text`, or None. A file holding it
    is a template of a template: it must be rendered before it is YAML that can be read."""
    match = _TEMPLATING.search(text)
    if match is None:
        return None
    before = text[: match.start()]
    line = before.count("\n") + 1
    return Mark(line, match.start() - (before.rfind("\n") + 1) + 1)


def load_text(text: str, *, json_hint: bool = False, max_alias_expansion: int = DEFAULT_MAX_ALIAS_EXPANSION) -> LoadedDocument:
    """Load one YAML or JSON template from text. Raises `TemplateSyntaxError`.

    `json_hint` (the file is named *.json) makes a YAML failure fall back to JSON even when the
    text does not start with `{` or `[`; JSON's error is then the one reported.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    # Building a large node graph would trigger repeated full garbage collections that cost several
    # times the parse itself (0.9 s instead of 0.2 s for 1,000 resources); nothing here makes cycles.
    with paused_gc():
        return _load_text(text, json_hint, max_alias_expansion)


def _load_text(text: str, json_hint: bool, max_alias_expansion: int) -> LoadedDocument:
    if _YAML_ONLY_BREAK.search(text) is not None and _LOOKS_LIKE_JSON.match(text):
        # YAML folds NEL inside quoted strings and counts NEL/LS/PS as line breaks; JSON does neither.
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            return _load_json(text)
    try:
        return _load_yaml(text, max_alias_expansion)
    except TemplateSyntaxError as yaml_error:
        if not (json_hint or _LOOKS_LIKE_JSON.match(text)):
            raise
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            raise TemplateSyntaxError(error.msg, error.lineno, error.colno) from None
        except (ValueError, RecursionError):  # e.g. an integer too long to convert
            raise yaml_error from None
        return _load_json(text)


_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def load_path(
    path: str | os.PathLike[str],
    *,
    max_size: int | None = None,
    max_alias_expansion: int = DEFAULT_MAX_ALIAS_EXPANSION,
) -> tuple[LoadedDocument, str]:
    """Read and load a template file; returns the document and the decoded text (BOM removed, line
    endings untouched). Raises `TemplateSyntaxError` for undecodable, invalid or (past `max_size`
    bytes) oversized input (`LimitExceeded`); `OSError` propagates."""
    with open(path, "rb") as handle:
        if max_size is not None:
            size = os.fstat(handle.fileno()).st_size
            if size > max_size:
                raise too_large(size, max_size)
        raw = handle.read()
    text = decode_template(raw)
    json_hint = os.fspath(path).lower().endswith(".json")
    return load_text(text, json_hint=json_hint, max_alias_expansion=max_alias_expansion), text



def decode_template(raw: bytes) -> str:
    """Template bytes to text: UTF-8 (BOM removed) or UTF-16 with a BOM; TemplateSyntaxError for
    anything else (binary, NUL bytes, another encoding)."""
    return _decode(raw)


def _decode(raw: bytes) -> str:
    for bom, encoding in _UTF16_BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise TemplateSyntaxError("file is not valid UTF-16 text") from None
            if "\x00" in text:
                raise TemplateSyntaxError("file contains NUL bytes (binary?)")
            return text
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM):]
    if b"\x00" in raw:
        raise TemplateSyntaxError("file contains NUL bytes (binary?)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateSyntaxError("file is not UTF-8 text") from None


# --------------------------------------------------------------------------------------------------
# JSON (fallback for JSON that the YAML parser rejects; only ever run on text json.loads accepted)

_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_JSON_CONSTANTS = (
    ("null", None),
    ("true", True),
    ("false", False),
    ("NaN", float("nan")),
    ("Infinity", float("inf")),
    ("-Infinity", float("-inf")),
)
_scan_string = json.decoder.scanstring


def _load_json(text: str) -> LoadedDocument:
    parser = _JsonParser(text)
    try:
        pos = parser.space(0)
        data, pos = parser.value(pos)
        pos = parser.space(pos)
    except RecursionError:
        raise TemplateSyntaxError("the document is nested too deeply") from None
    except (IndexError, ValueError) as error:  # not expected after json.loads accepted the text
        raise TemplateSyntaxError(f"invalid JSON: {error}") from None
    if pos != len(text):
        raise TemplateSyntaxError("Extra data", *parser.mark(pos))
    return LoadedDocument(data, parser.duplicates)


class _JsonParser:
    """Recursive descent over valid JSON, tracking lines (newlines only occur between tokens)."""

    __slots__ = ("text", "line", "line_start", "duplicates")

    def __init__(self, text: str) -> None:
        self.text = text
        self.line = 1
        self.line_start = 0
        self.duplicates: list[tuple[Any, Mark]] = []

    def space(self, pos: int) -> int:
        end = _JSON_SPACE.match(self.text, pos).end()  # type: ignore[union-attr]
        if end != pos:
            newline = self.text.rfind("\n", pos, end)
            if newline >= 0:
                self.line += self.text.count("\n", pos, end)
                self.line_start = newline + 1
        return end

    def mark(self, pos: int) -> Mark:
        return _tuple_new(Mark, (self.line, pos - self.line_start + 1))

    def value(self, pos: int) -> tuple[Any, int]:
        text = self.text
        char = text[pos]
        if char == '"':
            return _scan_string(text, pos + 1, True)
        if char == "{":
            return self.object(pos)
        if char == "[":
            return self.array(pos)
        match = _JSON_NUMBER.match(text, pos)
        if match is not None:
            integer, fraction, exponent = match.groups()
            if fraction or exponent:
                return float(integer + (fraction or "") + (exponent or "")), match.end()
            return int(integer), match.end()
        for word, constant in _JSON_CONSTANTS:
            if text.startswith(word, pos):
                return constant, pos + len(word)
        raise TemplateSyntaxError("Expecting value", *self.mark(pos))

    def object(self, pos: int) -> tuple[Map, int]:
        text = self.text
        result = dict.__new__(Map)
        result.mark = self.mark(pos)
        key_marks: dict[Any, Mark] = {}
        value_marks: dict[Any, Mark] = {}
        result.key_marks = key_marks
        result.value_marks = value_marks
        pos = self.space(pos + 1)
        if text[pos] == "}":
            return result, pos + 1
        while True:
            if text[pos] != '"':
                raise TemplateSyntaxError("Expecting property name enclosed in double quotes", *self.mark(pos))
            key_mark = self.mark(pos)
            key, pos = _scan_string(text, pos + 1, True)
            pos = self.space(pos)
            if text[pos] != ":":
                raise TemplateSyntaxError("Expecting ':' delimiter", *self.mark(pos))
            pos = self.space(pos + 1)
            value_mark = self.mark(pos)
            value, pos = self.value(pos)
            if key in result:
                self.duplicates.append((key, key_mark))
            result[key] = value
            key_marks[key] = key_mark
            value_marks[key] = value_mark
            pos = self.space(pos)
            char = text[pos]
            if char == "}":
                return result, pos + 1
            if char != ",":
                raise TemplateSyntaxError("Expecting ',' delimiter", *self.mark(pos))
            pos = self.space(pos + 1)

    def array(self, pos: int) -> tuple[Seq, int]:
        text = self.text
        result = list.__new__(Seq)
        result.mark = self.mark(pos)
        marks: list[Mark] = []
        result.item_marks = marks
        pos = self.space(pos + 1)
        if text[pos] == "]":
            return result, pos + 1
        while True:
            marks.append(self.mark(pos))
            value, pos = self.value(pos)
            result.append(value)
            pos = self.space(pos)
            char = text[pos]
            if char == "]":
                return result, pos + 1
            if char != ",":
                raise TemplateSyntaxError("Expecting ',' delimiter", *self.mark(pos))
            pos = self.space(pos + 1)
