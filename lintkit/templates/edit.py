"""Format-preserving edits of a CloudFormation/SAM template: set a key of a mapping, or add one,
as text edits at the places the YAML parser knows, so comments, quoting, key order and layout
stay as the user wrote them. A document is never serialized again (PyYAML cannot round-trip).

`TemplateEditor(path, text).put(mapping, {key: value, ...})` returns the `Edit`s that give the
loaded `mapping` (a `Map` of this text) those values, or `()` when it cannot be done certainly:

- a key that exists is set when its value is a one-line scalar (plain or quoted; a quoted one
  keeps its quotes; an inline comment after it stays);
- missing keys are added together, after the mapping's last key: in block style at the keys'
  indentation, after the last key's whole subtree (its nested blocks and the comments indented
  under it), before a blank line or a comment that belongs to what follows; in a flow mapping on
  one line before its `}` (`, Key: value`); in a flow mapping over several lines (JSON) after the
  last member, on a line of its own at the members' indentation, JSON-quoted when the file is
  JSON or the mapping's keys are double-quoted.
- Values are scalars (int, bool, str), lists of scalars (written `[A, B]`) or mappings of those
  (written as a nested block, or a flow mapping).

Nothing is offered (`()`) for text where the positions could mean two things: anchors or
aliases (an edit would change every copy), tabs in indentation, YAML-only line breaks (NEL, LS,
PS), a value written with a tag (`!If`, `!Ref`), a block scalar, a mapping the parser cannot
match with the loaded one (a SAM `Globals` merge, a mapping the model made up), or a flow
mapping whose last member is followed by a comma or a comment. Every answer is checked before it
is returned: the edited text is loaded again and must be the original document with exactly the
intended values changed, so an edit can never break a template or touch another value.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lintkit.findings import Edit
from lintkit.templates.loader import Map, Mark, TemplateSyntaxError, load_text
from lintkit.text import LINE_BREAK

__all__ = ["TemplateEditor"]

_YAML = "tag:yaml.org,2002:"
_MAP, _STR = _YAML + "map", _YAML + "str"
_PLAIN_SCALAR_TAGS = {_STR, _YAML + "int", _YAML + "float", _YAML + "bool"}
_Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")
# A word that YAML reads back as the same string (not a number, bool or null)
_PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NOT_PLAIN = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}

@dataclass
class _Node:
    """A composed mapping with what an edit needs to know around it."""

    node: MappingNode
    path: tuple[Any, ...]  # keys and indexes from the document's root
    parent_column: int | None  # the column of the key that holds it (block step), when known


class TemplateEditor:
    """Edits of one template's text (see the module docs). Built once per template; the text is
    read on the first edit only."""

    def __init__(self, path: str, text: str, document: Any = None) -> None:
        """`document`: the text as loaded already (the template's data), else it is loaded here."""
        self.path = path
        self.text = text
        self._analysed = False
        self._mappings: dict[Mark, list[_Node]] = {}
        self._json = False
        self._document: Any = document

    # -- analysis ----------------------------------------------------------------------------

    def _analyse(self) -> None:
        self._analysed = True
        text = self.text
        if _TAB_INDENT.search(text) or _YAML_ONLY_BREAK.search(text):
            return
        try:
            if _has_anchors(text):
                return
            root = yaml.compose(text, Loader=_Loader)
            if self._document is None:
                self._document = load_text(text).data
        except (yaml.YAMLError, TemplateSyntaxError, RecursionError, ValueError):
            return
        if not isinstance(root, MappingNode) or not isinstance(self._document, Map):
            return
        self._json = bool(root.flow_style)
        starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
        self._starts = starts
        self._lines = [text[start:end] for start, end in zip(starts, starts[1:] + [len(text)])]
        stack: list[tuple[Node, tuple[Any, ...], int | None, bool]] = [(root, (), None, True)]
        while stack:
            node, path, parent_column, plain = stack.pop()
            if isinstance(node, MappingNode):
                if plain and node.tag == _MAP:
                    mark = Mark(node.start_mark.line + 1, node.start_mark.column + 1)
                    self._mappings.setdefault(mark, []).append(_Node(node, path, parent_column))
                for key, value in node.value:
                    key_plain = isinstance(key, ScalarNode) and key.tag == _STR
                    child_plain = plain and key_plain and not value.tag.startswith("!")
                    stack.append((value, path + (key.value if key_plain else None,), key.start_mark.column, child_plain))
            elif isinstance(node, SequenceNode):
                for index, item in enumerate(node.value):
                    stack.append((item, path + (index,), None, plain and not item.tag.startswith("!")))

    def _find(self, mapping: Map) -> _Node | None:
        if not self._analysed:
            self._analyse()
        found = self._mappings.get(mapping.mark, [])
        if len(found) != 1 or not isinstance(mapping, Map):
            return None
        entry = found[0]
        pairs = entry.node.value
        # the composed mapping must be the loaded one: same keys, in order, at the same places
        # (a SAM Globals merge or a mapping the model made up has no such node)
        if len(pairs) != len(mapping) or any(
            not (isinstance(key, ScalarNode) and key.tag == _STR) for key, _ in pairs
        ):
            return None
        for (key, _), (name, mark) in zip(pairs, mapping.key_marks.items()):
            if key.value != name or Mark(key.start_mark.line + 1, key.start_mark.column + 1) != mark:
                return None
        if list(mapping) != [key.value for key, _ in pairs]:
            return None
        return entry

    # -- the operation -----------------------------------------------------------------------

    def put(self, mapping: Map, items: dict[str, Any]) -> tuple[Edit, ...]:
        """Edits that make `mapping[key] == value` for every item (setting the keys that exist,
        adding the others after the last key), or () when that cannot be done certainly."""
        try:
            return self._put(mapping, items)
        except (ValueError, TypeError, IndexError, KeyError, RecursionError):
            return ()

    def _put(self, mapping: Map, items: dict[str, Any]) -> tuple[Edit, ...]:
        entry = self._find(mapping)
        if entry is None or not items:
            return ()
        node = entry.node
        flow = bool(node.flow_style)
        quote_keys = self._json or any(key.style == '"' for key, _ in node.value)
        pairs = {key.value: value for key, value in node.value}
        spans: list[tuple[int, int, str]] = []
        expected: dict[str, Any] = {}
        adding: dict[str, Any] = {}
        for key, value in items.items():
            if key in pairs:
                change = self._set(pairs[key], value, quote_keys)
                if change is None:
                    return ()
                if change[0] is not None:
                    spans.append(change[0])
                expected[key] = change[1]
            else:
                adding[key] = value
                expected[key] = _loaded(value)
        if adding:
            insertion = self._flow_add(entry, adding, quote_keys) if flow else self._block_add(entry, adding)
            if insertion is None:
                return ()
            spans.append(insertion)
        if not spans:
            return ()
        merged: list[tuple[int, int, str]] = []
        for start, end, content in sorted(spans):  # one edit where two touch (a set, then an add)
            if merged and merged[-1][1] == start:
                merged[-1] = (merged[-1][0], end, merged[-1][2] + content)
            else:
                merged.append((start, end, content))
        edits = tuple(self._edit(start, end, content) for start, end, content in merged)
        return edits if self._verified(entry.path, edits, expected) else ()

    def _set(self, value: Node, new: Any, quote: bool) -> tuple[tuple[int, int, str] | None, Any] | None:
        """The span that sets a scalar value (None when it already holds `new`), and the value
        the loader then reads."""
        if not isinstance(value, ScalarNode) or value.tag not in _PLAIN_SCALAR_TAGS or isinstance(new, (list, dict)):
            return None
        if value.start_mark.line != value.end_mark.line or value.style not in (None, "", "'", '"'):
            return None
        if value.style in ("'", '"'):
            if isinstance(new, bool) or not isinstance(new, (int, str)):
                return None
            word = str(new)
            content = "'" + word.replace("'", "''") + "'" if value.style == "'" else json.dumps(word)
            loaded: Any = word
        else:
            content, loaded = _scalar(new, quote or self._json), _loaded(new)
        start, end = self._offset(value.start_mark), self._offset(value.end_mark)
        if self.text[start:end] == content:
            return None, loaded
        return (start, end, content), loaded

    def _block_add(self, entry: _Node, items: dict[str, Any]) -> tuple[int, int, str] | None:
        node = entry.node
        if not node.value:
            return None
        column = node.value[0][0].start_mark.column
        if any(key.start_mark.column != column for key, _ in node.value):
            return None
        last_key, last_value = node.value[-1]
        lines = self._lines
        last = last_key.start_mark.line
        if isinstance(last_value, ScalarNode) or getattr(last_value, "flow_style", False):
            end = last_value.end_mark
            last = max(last, end.line - (1 if end.column == 0 and end.line > last else 0))
        index = last + 1
        while index < len(lines):  # the last key's subtree: every line indented deeper
            stripped = lines[index].strip()
            indent = len(lines[index]) - len(lines[index].lstrip(" "))
            if stripped and not stripped.startswith("#"):
                # a sequence may sit at its key's indentation (`Policies:` then `- Item`)
                indentless_item = indent == column and (stripped == "-" or stripped.startswith("- "))
                if indent < column or (indent == column and not indentless_item):
                    break
                last = index
            index += 1
        while last + 1 < len(lines):  # comments indented under it, right after it, are its own
            line = lines[last + 1]
            if not line.strip().startswith("#") or len(line) - len(line.lstrip(" ")) <= column:
                break
            last += 1
        step = column - entry.parent_column if entry.parent_column is not None else 0
        body = _block_lines(items, column, step)
        if body is None:
            return None
        line_text = lines[last]
        ending = line_text[len(line_text.rstrip("\r\n")):]
        if ending:
            offset = self._starts[last] + len(line_text)
            return offset, offset, "".join(row + ending for row in body)
        newline = _newline(self.text)
        offset = len(self.text)
        return offset, offset, "".join(newline + row for row in body)

    def _flow_add(self, entry: _Node, items: dict[str, Any], quote: bool) -> tuple[int, int, str] | None:
        node = entry.node
        close = self._offset(node.end_mark) - 1
        if close < 0 or self.text[close] != "}":
            return None
        if not node.value:
            if node.start_mark.line != node.end_mark.line or self.text[self._offset(node.start_mark) + 1 : close].strip():
                return None
            return close, close, ", ".join(_flow_member(k, v, quote) for k, v in items.items())
        last_key, last_value = node.value[-1]
        after = self._offset(last_value.end_mark)
        if self.text[after:close].strip():
            return None  # a trailing comma or a comment: not a place to guess at
        if node.start_mark.line == node.end_mark.line:
            return after, after, "".join(", " + _flow_member(k, v, quote) for k, v in items.items())
        # several lines (JSON): each member on a line of its own, at the members' indentation
        key_line = self._lines[last_key.start_mark.line]
        indent = key_line[: len(key_line) - len(key_line.lstrip(" "))]
        if len(indent) != last_key.start_mark.column or any(
            self._lines[key.start_mark.line][: key.start_mark.column].strip() for key, _ in node.value[:1]
        ):
            return None
        opening = self._lines[node.start_mark.line]
        step = len(indent) - (len(opening) - len(opening.lstrip(" ")))
        newline = _newline(self.text)
        rows = []
        for key, value in items.items():
            rows.append("," + newline + indent + _json_member(key, value, len(indent), step, newline, quote))
        return after, after, "".join(rows)

    # -- positions and the check ---------------------------------------------------------------

    def _offset(self, mark: Any) -> int:
        return self._starts[mark.line] + mark.column

    def _edit(self, start: int, end: int, content: str) -> Edit:
        line, column = self._position(start)
        end_line, end_column = self._position(end)
        return Edit(self.path, line, column, end_line, end_column, content)

    def _position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def _verified(self, path: tuple[Any, ...], edits: Iterable[Edit], expected: dict[str, Any]) -> bool:
        """The edited text loads, and is the original document with `expected` set at `path`."""
        from lintkit.fixes import apply_edits

        try:
            new = load_text(apply_edits(self.text, edits)).data
        except (TemplateSyntaxError, RecursionError, ValueError):
            return False
        original = _copy(self._document)
        target = original
        for step in path:
            if step is None:
                return False
            target = target[step]
        if not isinstance(target, dict):
            return False
        target.update(expected)
        return _same(new, original)


# `&name` or `*name` where YAML could read an anchor or an alias (not `s3:*`, `"*"`, `a * b`)
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,])[&*][^\s,\[\]{}]", re.MULTILINE)


def _has_anchors(text: str) -> bool:
    if _MAYBE_ANCHOR.search(text) is None:
        return False
    documents = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            return True
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
    return documents > 1


def _newline(text: str) -> str:
    match = LINE_BREAK.search(text)
    return match.group() if match else "\n"


def _scalar(value: Any, quote: bool) -> str:
    """A scalar as YAML (or JSON, `quote`) writes it, read back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if not quote and _PLAIN_WORD.fullmatch(value) and value.lower() not in _NOT_PLAIN:
            return value
        return json.dumps(value)
    raise TypeError(f"cannot write {type(value).__name__}")


def _inline(value: Any, quote: bool) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item, quote) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(_flow_member(k, v, quote) for k, v in value.items()) + "}"
    return _scalar(value, quote)


def _flow_member(key: str, value: Any, quote: bool) -> str:
    return f"{_scalar(key, quote)}: {_inline(value, quote)}"


def _block_lines(items: dict[str, Any], column: int, step: int) -> list[str] | None:
    rows: list[str] = []
    for key, value in items.items():
        if isinstance(value, dict):
            if step <= 0:
                return None
            rows.append(" " * column + _scalar(key, False) + ":")
            nested = _block_lines(value, column + step, step)
            if nested is None:
                return None
            rows.extend(nested)
        else:
            rows.append(" " * column + f"{_scalar(key, False)}: {_inline(value, False)}")
    return rows


def _json_member(key: str, value: Any, column: int, step: int, newline: str, quote: bool) -> str:
    head = f"{_scalar(key, quote)}: "
    if isinstance(value, dict) and step > 0 and value:
        inner = ("," + newline).join(
            " " * (column + step) + _json_member(k, v, column + step, step, newline, quote) for k, v in value.items()
        )
        return head + "{" + newline + inner + newline + " " * column + "}"
    return head + _inline(value, quote)


def _loaded(value: Any) -> Any:
    """What the loader reads back for a value written by `_scalar` / `_inline`."""
    if isinstance(value, dict):
        return {k: _loaded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_loaded(v) for v in value]
    return value


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal as loaded data, telling 1 from True and 1 from 1.0 (== does not)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b
