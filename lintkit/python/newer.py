"""Syntax newer than the Python running lintkit, told from a real syntax error.

Lambda runs python3.12 to 3.14, whose handlers may use PEP 701 f-strings (`f"{d["k"]}"`),
PEP 695 type parameters and `type` statements, PEP 696 type parameter defaults, PEP 758
`except A, B:` or PEP 750 t-strings. CPython's `ast` on an older Python rejects them. Only when
it does, the text is parsed again with libcst (whose native parser knows every grammar up to
3.14) and the newer construct is looked for at the line `ast` stopped on: found, the file is
newer Python, not broken Python (the engine then says so in a note instead of LK001).

libcst is imported here only, on that rare path (the import alone costs about a quarter of a
second). Its parser holds the GIL, slows down much faster than linearly on long operator chains
and overflows the C stack on very deep ones: it only gets a text whose statements have at most
`MAX_OPERATORS` operators each, and it runs on a thread with a large stack."""

from __future__ import annotations

import io
import sys
import threading
import tokenize
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

T = TypeVar("T")

HOST = sys.version_info[:2]

# libcst takes about 0.3-0.8 s on a statement with 1,000 chained operators (`a + a + ...`,
# `a.b.c...`, `f()()...`), and minutes on 5,000: past this, the file stays a syntax error.
MAX_OPERATORS = 1000
_STACK_SIZE = 256 * 1024 * 1024

# tokens that deepen an expression (a flat list or dict literal, however long, does not)
_DEEPENING = frozenset(
    "+ - * / // % ** @ & | ^ ~ << >> < > <= >= == != . := ->".split() + ["not", "and", "or", "if", "lambda", "await"]
)


@dataclass(frozen=True)
class NewerSyntax:
    """The newest construct of a file that the running Python cannot parse."""

    version: tuple[int, int]  # the Python that parses the whole file
    feature: str  # what it is, in words
    line: int  # where it is written

    @property
    def python(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


def newer_syntax(text: str, error_line: int) -> NewerSyntax | None:
    """The newer syntax that explains `ast`'s syntax error at `error_line`, or None: a real
    syntax error (libcst rejects it too, or no newer construct covers that line), a file too
    complex to hand to libcst, or no libcst."""
    if not simple_enough(text):
        return None
    features = on_large_stack(lambda: _collect(text))
    if not features or not any(start <= error_line <= end for _, _, start, end in features):
        return None
    version = max(version for version, _, _, _ in features)
    if version <= HOST:
        return None
    _, feature, line, _ = min((f for f in features if f[0] == version), key=lambda f: f[2])
    return NewerSyntax(version, feature, line)


def simple_enough(text: str) -> bool:
    """No statement with more than `MAX_OPERATORS` deepening operators (see the module doc)."""
    count = 0
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, string = token.type, token.string
            if kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
                count = 0
            elif (kind == tokenize.OP or kind == tokenize.NAME) and (
                string in _DEEPENING or (string in "([" and previous in ")]")  # f()()..., a[0][0]...
            ):
                count += 1
                if count > MAX_OPERATORS:
                    return False
            if kind not in (tokenize.NL, tokenize.COMMENT):
                previous = string
    except (tokenize.TokenError, SyntaxError, ValueError):
        return False
    return True


def on_large_stack(work: Callable[[], T]) -> T | None:
    """`work()` run on a thread with a large stack (libcst's parser recurses deeply), or None
    when it raises (libcst's ParserSyntaxError, or anything odd)."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(work())
        except Exception:  # noqa: BLE001 - a parse error or anything odd: no answer
            result.append(None)

    previous = threading.stack_size()
    try:
        threading.stack_size(_STACK_SIZE)
        worker = threading.Thread(target=run, name="lintkit-libcst", daemon=True)
    except (ValueError, RuntimeError):
        run()  # a platform that refuses the stack size: the statements are small enough anyway
    else:
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous)
    return result[0] if result else None


def _collect(text: str) -> list[tuple[tuple[int, int], str, int, int]] | None:
    try:
        import libcst
        from libcst.metadata import MetadataWrapper, PositionProvider
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    module = libcst.parse_module(text)
    found: list[tuple[tuple[int, int], str, int, int]] = []

    class Finder(libcst.CSTVisitor):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def _add(self, node: Any, version: tuple[int, int], feature: str) -> None:
            where = self.get_metadata(PositionProvider, node)
            found.append((version, feature, where.start.line, where.end.line))

        def visit_TypeAlias(self, node: Any) -> None:
            self._add(node, (3, 12), "a `type` statement")

        def visit_TypeParameters(self, node: Any) -> None:
            if any(getattr(param, "default", None) is not None for param in node.params):
                self._add(node, (3, 13), "a type parameter with a default")
            else:
                self._add(node, (3, 12), "type parameters in brackets")

        def visit_ExceptHandler(self, node: Any) -> None:
            if isinstance(node.type, libcst.Tuple) and not node.type.lpar:
                self._add(node.type, (3, 14), "`except` with several exception types and no parentheses")

        def visit_ExceptStarHandler(self, node: Any) -> None:
            self.visit_ExceptHandler(node)

        def visit_TemplatedString(self, node: Any) -> None:
            self._add(node, (3, 14), "a template string (t-string)")

        def visit_FormattedString(self, node: Any) -> None:
            what = _pep701(module, node.parts, node.end)
            if what is not None:
                self._add(node, (3, 12), f"an f-string whose replacement field holds {what}")

    MetadataWrapper(module, unsafe_skip_copy=True).visit(Finder())
    return found


def _pep701(module: Any, parts: Any, quote: str) -> str | None:
    """What a replacement field holds that only Python 3.12 allows (PEP 701), if any: the
    f-string's quotes, a backslash, a `#`, or, in a one-line string, a line break."""
    import libcst

    for part in parts:
        if not isinstance(part, libcst.FormattedStringExpression):
            continue
        field = module.code_for_node(part)
        spec = "".join(module.code_for_node(p) for p in part.format_spec or ())
        expression = field[: len(field) - len(spec) - 1] if spec else field  # the spec comes last, before `}`
        if quote in expression:
            return "the string's own quotes"
        if "\\" in expression:
            return "a backslash"
        if "#" in expression:
            return "a `#`"
        if len(quote) == 1 and "\n" in expression:
            return "a line break"
        nested = _pep701(module, part.format_spec, quote) if part.format_spec else None
        if nested is not None:
            return nested
    return None
