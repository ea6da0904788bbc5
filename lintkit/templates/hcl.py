"""A fast reader of HCL2 (`.tf` files) that gives exactly what python-hcl2 7.3 gives.

python-hcl2 is a lark LALR parser in pure Python (about 420 KB/s); reading Terraform roots
spent 85 % of its time there. This module is a hand-written tokenizer (regular expressions for
the tokens) and recursive descent that returns, for the forms real Terraform uses, the same
structure as `hcl2.loads(text, with_meta=True)`: its values as python-hcl2's `DictTransformer`
writes them (strings with `${...}` interpolations, expressions as text, blocks as lists of
dicts with `__start_line__`/`__end_line__`), quirks included (`true` inside a conditional is
written `True`, a dict inside a function call is JSON, escapes are processed once at the
attribute, ...). Each `_*` rule function below returns what the transformer method of the same
grammar rule returns; the small helpers at the end copy the transformer's own.

Whatever this reader does not handle with certainty raises `Unsupported`, and the caller reads
the file with python-hcl2 instead: a form it does not know, a newline where python-hcl2's
grammar may or may not take one, and every syntax error (so an invalid file is never read as a
valid one, and its LK001 message and position are python-hcl2's). `bench/hcl_equivalence.py`
and `tests/test_hcl.py` compare both readers.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

__all__ = ["Unsupported", "loads", "READER_VERSION", "SAME_AS_HCL2"]

# part of the cache key of a parsed file: change it whenever what `loads` returns changes
READER_VERSION = "2"
# the python-hcl2 versions whose output this reader reproduces (checked by the caller)
SAME_AS_HCL2 = ("7.3.",)

_MAX_DEPTH = 120  # deeper nesting is left to python-hcl2 (and its RecursionError handling)


class Unsupported(Exception):
    """The text holds a form this reader does not read with certainty (or is not valid HCL):
    read it with python-hcl2."""


# -- tokens (the terminals of python-hcl2's `hcl2.lark`)

_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")
_WS = re.compile(r"[ \t]*")
# one or more NL_OR_COMMENT tokens (`\n[ \t]*`, `#.*\n`, `//.*\n`, `/* ... */`) and the blanks around them
_NLS = re.compile(r"(?:[ \t]*(?:\n|#[^\n]*\n|//[^\n]*\n|/\*[\s\S]*?\*/))+[ \t]*")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_BINARY_OP = re.compile(r"==|!=|<=|>=|&&|\|\||[-+*/%<>]")
_SIMPLE_STRING = re.compile(r'"[^"\\$\n]*"')
_STRING_CHARS = re.compile(r"(?:(?!\$\$\{)(?!\$\{)[^\"\\]|\\.|(?:\$(?!\$?\{)))+")
_ESCAPED_INTERPOLATION = re.compile(r"\$\$\{[^}]*\}")
_HEREDOC = re.compile(r"<<(?P<heredoc>[a-zA-Z][a-zA-Z0-9._-]+)\n?[\s\S]*?\n\s*(?P=heredoc)\n")
_HEREDOC_TRIM = re.compile(r"<<-(?P<heredoc_trim>[a-zA-Z][a-zA-Z0-9._-]+)\n?[\s\S]*?\n\s*(?P=heredoc_trim)\n")
# the transformer's patterns for a heredoc token
_HEREDOC_PATTERN = re.compile(r"<<([a-zA-Z][a-zA-Z0-9._-]+)\n([\s\S]*)\1", re.S)
_HEREDOC_TRIM_PATTERN = re.compile(r"<<-([a-zA-Z][a-zA-Z0-9._-]+)\n([\s\S]*)\1", re.S)
_INTERPOLATED_KEY = re.compile(r".*?(\${).*}.*")
_KEYWORDS = frozenset(("for", "in", "if"))  # identifiers python-hcl2's lexer types apart
_LITERALS = {"true": True, "false": False, "null": None}
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_DIGITS = frozenset("0123456789")
_DIGITS_RUN = re.compile(r"[0-9]+")


def loads(text: str, *, key_lines: bool = False) -> dict:
    """`hcl2.loads(text, with_meta=True)` for python-hcl2 7.3, or `Unsupported`. With
    `key_lines`, each block's body also holds `__key_lines__`: the 1-based (line, column) where
    each of its attributes and nested blocks is first written (what python-hcl2 does not say,
    and the Terraform loader would otherwise find by scanning the lines again)."""
    try:
        return _Reader(text + "\n", key_lines).start()  # python-hcl2 appends a newline too
    except (IndexError, RecursionError):  # ran off the end of the text, or nested too deeply
        raise Unsupported("unexpected end or depth") from None


class _Reader:
    def __init__(self, text: str, key_lines: bool = False) -> None:
        self.text = text
        self.key_lines = key_lines
        self.pos = 0
        self.depth = 0
        self._line_pos = 0  # `line()` counts forward from here (it is asked in text order)
        self._after_newline = -1  # where the last newline or comment (`new_line_or_comment`) ended
        self._line = 1

    # -- helpers

    def line(self, pos: int) -> int:
        if pos < self._line_pos:
            return self.text.count("\n", 0, pos) + 1
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()

    def nl(self) -> bool:
        """Skips blanks and any newlines and comments; whether there was one (a `new_line_or_comment`)."""
        match = _NLS.match(self.text, self.pos)
        if match is None:
            self.ws()
            return False
        self.pos = self._after_newline = match.end()
        return True

    def expect(self, char: str) -> None:
        if self.text[self.pos] != char:
            raise Unsupported(f"expected {char!r} at {self.pos}")
        self.pos += 1

    def keyword(self, word: str) -> bool:
        """Whether the name `word` (not a longer name) is at the position; consumed if so."""
        text, pos = self.text, self.pos
        end = pos + len(word)
        if text.startswith(word, pos) and text[end] not in _NAME_CHARS:
            self.pos = end
            return True
        return False

    def name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise Unsupported(f"expected a name at {self.pos}")
        self.pos = match.end()
        value = match.group()
        if value in _KEYWORDS:
            raise Unsupported(f"keyword {value!r} as a name")
        return value

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise Unsupported("nested too deeply")

    # -- start, body, block, attribute

    def start(self) -> dict:
        result = self.body(top=True)
        if self.pos != len(self.text):
            raise Unsupported(f"unexpected text at {self.pos}")
        return result

    def body(self, top: bool) -> dict:
        text = self.text
        end = len(text)
        result: dict[str, Any] = {}
        attributes: set[str] = set()
        keys: dict[str, list[int]] | None = {} if self.key_lines and not top else None
        separated = True  # python-hcl2 takes items on one line; this reader leaves that to it
        while True:
            if self.nl():
                separated = True
            pos = self.pos
            if pos >= end:
                if top:
                    return result
                raise Unsupported("unclosed block")
            if text[pos] == "}" and not top:
                if keys is not None:
                    result["__key_lines__"] = keys
                return result
            if not separated:
                raise Unsupported(f"two items on one line at {pos}")
            name_at = pos
            name = self.name()
            self.ws()
            pos = self.pos
            if keys is not None and name not in keys:
                self._key_line(keys, name, name_at, text[pos : pos + 2])
            if text[pos] == "=" and text[pos + 1] not in "=>":
                self.pos = pos + 1
                self.ws()
                value = _to_string_dollar(self.expression())
                if name in result:
                    raise Unsupported(f"{name} already defined")
                result[name] = value
                attributes.add(name)
                # a heredoc ends with its newline (the blanks after it are the next line's)
                last = self.pos - 1
                while text[last] in " \t":
                    last -= 1
                separated = text[last] == "\n"
            else:
                block = self.block(name, pos)
                if name in result:
                    if name in attributes:
                        raise Unsupported(f"{name} already defined")
                    result[name].append(block)
                else:
                    result[name] = [block]
                separated = False

    def _key_line(self, keys: dict[str, list[int]], name: str, at: int, after: str) -> None:
        """Where the item `name` starting at `at` is written, when it starts its line and is
        followed (`after`: the next two characters past the blanks) by `=` (not `==`), `{` or a
        quoted label: the items a scan of the lines finds (`terraform._LineScan`)."""
        line_start = self.text.rfind("\n", 0, at) + 1
        follows = after[:1] in ('{', '"') or (after[:1] == "=" and after[1:2] != "=")
        if follows and not self.text[line_start:at].strip(" \t"):
            keys[name] = [self.line(at), at - line_start + 1]

    def block(self, name: str, name_end: int) -> Any:
        """After the block type: its labels and body, as `{label: {label: body}}` (the body with
        its lines)."""
        text = self.text
        start = self.line(name_end)
        labels = []
        while True:
            char = text[self.pos]
            if char == '"':
                labels.append(_strip_quotes(self.string()))
            elif char == "{" or char == "\n" or char == "#" or char == "/":
                break
            else:
                labels.append(self.name())
            self.ws()
        self.nl()
        self.expect("{")
        self.enter()
        body = self.body(top=False)
        self.depth -= 1
        body["__start_line__"] = start
        body["__end_line__"] = self.line(self.pos)
        self.pos += 1  # the `}`
        result: Any = body
        for label in reversed(labels):
            result = {label: result}
        return result

    # -- expressions

    def expression(self) -> Any:
        """An expression (`expr_term`, `operation` or `conditional`). python-hcl2's LALR parser
        shifts on every conflict: operators and conditionals group to the right."""
        self.enter()
        left = self.operand()
        self.ws()
        text, pos = self.text, self.pos
        char = text[pos]
        if char == "?":
            self.pos = pos + 1
            self.nl()
            then = self.expression()
            self.nl()
            self.expect(":")
            self.nl()
            other = self.expression()
            self.depth -= 1
            parts = _process_nulls([left, then, other])
            return f"{parts[0]} ? {parts[1]} : {parts[2]}"
        if char in "=!<>&|+-*/%" and not (char == "/" and text[pos + 1] in "/*"):
            match = _BINARY_OP.match(text, pos)
            if match is not None:
                self.pos = match.end()
                self.nl()
                right = self.expression()
                self.depth -= 1
                term = " ".join(_to_tf_inline(part) for part in _process_nulls([match.group(), right]))
                return " ".join([_unwrap_string_dollar(_to_tf_inline(left)), _unwrap_string_dollar(term)])
        self.depth -= 1
        return left

    def operand(self) -> Any:
        """An `expr_term`, or a `unary_op` (`-` or `!` before an `expr_term`)."""
        text, pos = self.text, self.pos
        char = text[pos]
        if (char == "-" and text[pos + 1] not in _DIGITS) or (char == "!" and text[pos + 1] != "="):
            self.pos = pos + 1
            self.ws()
            value = self.term()
            return "".join(_to_tf_inline(part) for part in _process_nulls([char, value]))
        return self.term()

    def term(self) -> Any:
        """An `expr_term`: a literal, a collection, a name, a call or parentheses, with its
        traversals (`.name`, `[index]`, `.*`, `[*]`)."""
        text, pos = self.text, self.pos
        char = text[pos]
        if char == '"':
            return self.after_literal(self.string())
        if char in _DIGITS or char == "-":
            return self.number()
        if char == "[":
            return self.after_literal(self.tuple())
        if char == "{":
            return self.after_literal(self.object())
        if char == "<" and text.startswith("<<", pos):
            return self.after_literal(self.heredoc())
        if char == "(":
            self.pos = pos + 1
            self.nl()
            inner = self.expression()
            self.nl()
            self.expect(")")
            value: Any = "(" + str(inner) + ")"
        else:
            value = self.name()
            self.ws()
            pos = self.pos
            if text[pos] == "(":
                value = self.call(value)
            elif text.startswith("::", pos):
                raise Unsupported("provider function")
            elif value in _LITERALS:
                return self.after_literal(_LITERALS[value])
        return self.traversals(value)

    def after_literal(self, value: Any) -> Any:
        """A literal, string or collection followed by a traversal is left to python-hcl2."""
        match = _WS.match(self.text, self.pos)
        following = self.text[match.end()]
        if following == "[" or (following == "." and not self.text.startswith("...", match.end())):
            raise Unsupported("traversal of a literal")
        return value

    def traversals(self, value: str) -> str:
        text = self.text
        splats = 0
        in_attr_splat = False  # after `.*` python-hcl2 takes `.name` only, up to a `[`
        while True:
            pos = _WS.match(text, self.pos).end()
            char = text[pos]
            if char == ".":
                if text.startswith("...", pos):
                    return value
                if text[pos + 1] == "*":
                    splats += 1
                    in_attr_splat = True
                    self.pos = pos + 2
                    value += ".*"
                else:
                    self.pos = pos + 1
                    self.ws()
                    digits = _DIGITS_RUN.match(text, self.pos)
                    if digits is None:
                        value += "." + self.name()
                        continue
                    # `.0` is the index `[0]` (python-hcl2 keeps the first digit)
                    self.pos = digits.end()
                    if in_attr_splat or text[_WS.match(text, self.pos).end()] in _DIGITS:
                        raise Unsupported("digits after an index or a splat")
                    value += f"[{digits.group()[0]}]"
            elif char == "[":
                in_attr_splat = False
                if text.startswith("[*]", pos):
                    splats += 1
                    self.pos = pos + 3
                    value += "[*]"
                else:
                    self.pos = pos + 1
                    self.nl()
                    index = self.expression()
                    self.nl()
                    self.expect("]")
                    value += f"[{index}]"
            else:
                return value
            if splats > 1:
                raise Unsupported("two splats")

    def number(self) -> Any:
        text = self.text
        match = _NUMBER.match(text, self.pos)
        if match is None:
            raise Unsupported(f"not a number at {self.pos}")
        if text[self.pos] == "-" and (self.pos == self._after_newline or match.group(2) is not None):
            # after a newline python-hcl2's lexer may read `-1` as `-` and `1` (`[x,\n-1]` gives
            # "${-1}"), which shows in a list item and in `-1e5`
            raise Unsupported("a negative number after a newline, or with an exponent")
        self.pos = match.end()
        following = text[_WS.match(text, self.pos).end()]
        if following in _DIGITS or following in ".-" or text[self.pos] in _NAME_CHARS:
            raise Unsupported("a number followed by digits, a dot or a minus")
        literal = match.group()
        if match.group(1) is None and match.group(2) is None:
            return int(literal)
        if "e" in literal:
            return _to_string_dollar(literal)
        return float(literal)

    def string(self) -> str:
        """A quoted template, as the `string` rule gives it: `"..."` with its escapes as written
        and each interpolation as `${expression}`."""
        text = self.text
        simple = _SIMPLE_STRING.match(text, self.pos)
        if simple is not None:
            self.pos = simple.end()
            return simple.group()
        parts = []
        pos = self.pos + 1
        while True:
            match = _ESCAPED_INTERPOLATION.match(text, pos)
            if match is not None:
                if '"' in match.group() or "\n" in match.group():
                    raise Unsupported("escaped interpolation across a string")
                parts.append(match.group())
                pos = match.end()
                continue
            match = _STRING_CHARS.match(text, pos)
            if match is not None:
                if "\n" in match.group():
                    raise Unsupported("newline in a string")
                parts.append(match.group())
                pos = match.end()
                continue
            if text.startswith("${", pos):
                self.pos = pos + 2
                self.ws()
                value = self.expression()
                self.ws()
                self.expect("}")
                pos = self.pos
                parts.append("${" + str(value) + "}")
                continue
            if text[pos] == '"':
                self.pos = pos + 1
                return '"' + "".join(parts) + '"'
            raise Unsupported(f"unexpected character in a string at {pos}")

    def heredoc(self) -> str:
        text, pos = self.text, self.pos
        trim = text.startswith("<<-", pos)
        match = (_HEREDOC_TRIM if trim else _HEREDOC).match(text, pos)
        if match is None:
            raise Unsupported("heredoc")
        self.pos = match.end()
        token = match.group()
        found = (_HEREDOC_TRIM_PATTERN if trim else _HEREDOC_PATTERN).match(token)
        if found is None:
            raise Unsupported("heredoc token")  # python-hcl2: "Invalid Heredoc token"
        content = found.group(2).rstrip("\n\t ")
        if not trim:
            return f'"{content}"'
        lines = content.split("\n")
        least = sys.maxsize
        for line in lines:
            least = min(least, len(line) - len(line.lstrip(" ")))
        return '"%s"' % "\n".join(line[least:] for line in lines)

    def tuple(self) -> Any:
        self.pos += 1  # `[`
        self.nl()
        if self.keyword("for"):
            return self.for_expression("[")
        items = []
        text = self.text
        while text[self.pos] != "]":
            items.append(_to_string_dollar(self.expression()))
            self.nl()
            if text[self.pos] == ",":
                self.pos += 1
                self.nl()
            elif text[self.pos] != "]":
                raise Unsupported(f"expected ',' or ']' at {self.pos}")
        self.pos += 1
        return items

    def object(self) -> Any:
        self.pos += 1  # `{`
        self.nl()
        if self.keyword("for"):
            return self.for_expression("{")
        text = self.text
        result: dict[str, Any] = {}
        while text[self.pos] != "}":
            key = self.object_key()
            self.ws()
            pos = self.pos
            if text[pos] == ":" or (text[pos] == "=" and text[pos + 1] not in "=>"):
                self.pos = pos + 1
            else:
                raise Unsupported(f"expected '=' or ':' at {pos}")
            self.ws()
            result.update({key: _to_string_dollar(self.expression())})
            self.ws()
            separated = False
            if text[self.pos] == ",":
                self.pos += 1
                separated = True
            if self.nl():
                separated = True
            if not separated and text[self.pos] != "}":
                raise Unsupported(f"two object items on one line at {self.pos}")
        self.pos += 1
        return result

    def object_key(self) -> str:
        text, pos = self.text, self.pos
        char = text[pos]
        if char == '"':
            key = self.string()
            return key if _INTERPOLATED_KEY.match(key) else _strip_quotes(key)
        if char in _DIGITS or char == "-":
            return str(self.number())
        if char == "(":
            self.pos = pos + 1
            self.ws()
            inner = self.expression()
            self.ws()
            self.expect(")")
            if not isinstance(inner, str):
                raise Unsupported("key expression")
            return _to_string_dollar("(" + inner + ")")
        key = self.name()
        while True:
            after = _WS.match(text, self.pos).end()
            if text[after] != ".":
                return key
            self.pos = after + 1
            self.ws()
            key += "." + self.name()

    def call(self, name: str) -> str:
        self.pos += 1  # `(`
        self.nl()
        text = self.text
        arguments = []
        while text[self.pos] != ")":
            arguments.append(self.expression())
            before = self.nl()
            char = text[self.pos]
            if char == ",":
                self.pos += 1
                self.nl()
                if text[self.pos] == ")" and before:
                    raise Unsupported("newline before a trailing comma")
            elif text.startswith("...", self.pos):
                if before:
                    raise Unsupported("newline before '...'")
                self.pos += 3
                self.nl()
                if text[self.pos] != ")":
                    raise Unsupported("'...' before the last argument")
            elif char != ")":
                raise Unsupported(f"expected ',' or ')' at {self.pos}")
        self.pos += 1
        return f"{name}({', '.join(_to_tf_inline(argument) for argument in _process_nulls(arguments))})"

    def for_expression(self, opening: str) -> str:
        """After `[for` / `{for`: the rest of a `for_tuple_expr` / `for_object_expr`."""
        text = self.text
        parts: list[Any] = ["for"]
        self.nl()
        parts.append(self.name())
        self.ws()
        if text[self.pos] == ",":
            self.pos += 1
            self.ws()
            parts += [",", self.name()]
        self.nl()
        if not self.keyword("in"):
            raise Unsupported("expected 'in'")
        self.nl()
        parts += ["in", self.expression()]
        self.nl()
        self.expect(":")
        self.nl()
        parts.append(":")
        intro = " ".join(_to_tf_inline(part) for part in parts)
        items: list[Any] = [intro, self.expression()]
        if opening == "{":
            self.ws()
            if not text.startswith("=>", self.pos):
                raise Unsupported("expected '=>'")
            self.pos += 2
            self.nl()
            items += ["=>", self.expression()]
            self.nl()
            if text.startswith("...", self.pos):
                self.pos += 3
                items.append("...")
        self.nl()
        if self.keyword("if"):
            self.nl()
            items.append("if " + _to_tf_inline(self.expression()))
            self.nl()
        closing = "]" if opening == "[" else "}"
        self.expect(closing)
        self.after_literal(None)
        inside = " ".join(_to_tf_inline(item) for item in items)
        return f"[{inside}]" if opening == "[" else f"{{{inside}}}"


# -- python-hcl2's `DictTransformer` helpers (7.3), the same behaviour


def _to_string_dollar(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value.startswith("${") and value.endswith("}"):
        return value
    if value.startswith('"') and value.endswith('"'):
        return _process_escape_sequences(value[1:-1])
    if value in ("bool", "number", "string"):
        return value
    return f"${{{value}}}"


def _unwrap_string_dollar(value: str) -> str:
    if value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value


def _strip_quotes(value: str) -> str:
    if value.startswith('"') and value.endswith('"'):
        return _process_escape_sequences(value[1:-1])
    return value


def _process_escape_sequences(value: str) -> str:
    value = value.replace("\\n", "\n")
    value = value.replace("\\r", "\r")
    value = value.replace("\\t", "\t")
    value = value.replace('\\"', '"')
    return value.replace("\\\\", "\\")


def _process_nulls(values: list) -> list:
    return ["null" if value is None else value for value in values]


def _to_tf_inline(value: Any) -> str:
    if isinstance(value, dict):
        return _reverse_quotes_within_interpolation(json.dumps(value))
    if isinstance(value, list):
        return f"[{', '.join(_to_tf_inline(item) for item in value)}]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "None"
    raise Unsupported(f"value of type {type(value).__name__}")


_INTERPOLATION = re.compile(r"\$\{(.*)}")


def _reverse_quotes_within_interpolation(text: str) -> str:
    return _INTERPOLATION.sub(lambda match: match.group(0).replace('\\"', '"'), text)
