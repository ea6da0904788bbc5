"""Limits that keep a hostile repository from hanging or exhausting a run. Each is reported,
when hit, as an LK001 finding that names the limit and how to raise it."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # Largest file read (templates and Python). CloudFormation itself accepts templates up to
    # 1 MB, so 5 MiB leaves room for generated code without reading a 20 MB blob.
    max_file_size: int = 5 * MIB
    # Deepest expression analysed in Python (a 1,000-term `a + b + ...` chain, nested calls):
    # the resolver's questions recurse along it, and would hit Python's recursion limit.
    max_expression_depth: int = 1000
    # Most nodes a YAML document may stand for once its aliases are expanded ("billion laughs").
    max_alias_expansion: int = 1_000_000

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return ("max-file-size", "max-expression-depth", "max-alias-expansion")


DEFAULT_LIMITS = Limits()


class LimitExceeded(Exception):
    """A file was not (fully) read because a limit stopped it; reported as LK001."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def too_large(size: int, limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"file is {size / MIB:.1f} MiB, larger than the {limit / MIB:g} MiB limit; not read "
        f"(raise [tool.lintkit.limits] max-file-size to check it)"
    )


def parse_size(value: object) -> int:
    """`5242880`, `"5MB"`, `"512KB"`, `"5 MiB"` -> bytes."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 5242880 or \"5MB\"")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("must be positive")
        return value
    if isinstance(value, str):
        text = value.strip().upper().replace(" ", "").replace("IB", "B")
        for suffix, factor in (("KB", 1024), ("MB", MIB), ("GB", 1024 * MIB), ("B", 1)):
            if text.endswith(suffix):
                number = text[: -len(suffix)]
                try:
                    size = int(float(number) * factor)
                except ValueError:
                    break
                if size > 0:
                    return size
                break
    raise ValueError(f"expected a size such as 5242880 or \"5MB\", not {value!r}")
