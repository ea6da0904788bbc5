"""Finding the handler: from a template's `CodeUri` + `Handler` to a file and a function, and,
without a template, recognising functions of the Lambda handler shape."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from lintkit.python.nodes import FunctionNode, parameters

EVENT_NAMES = frozenset({"event", "evt", "_event", "lambda_event", "events"})
CONTEXT_NAMES = frozenset({"context", "ctx", "_context", "lambda_context", "_ctx", "_"})


@dataclass(frozen=True)
class HandlerTarget:
    """Where a `Handler` string points: `module_file` may not exist (then LK002 reports it)."""

    handler: str
    module_name: str  # "pkg.app" or "src/app" as written, without the function
    function_name: str
    code_dir: Path
    candidates: tuple[Path, ...]  # files that would hold the module, in lookup order

    def existing_file(self) -> Path | None:
        """The first candidate that is a file; one whose folder cannot be read is taken as the
        module (reading it then reports LK001 "cannot read"), since it may well be there."""
        for candidate in self.candidates:
            try:
                if stat.S_ISREG(os.stat(candidate).st_mode):
                    return candidate
            except PermissionError:
                return candidate
            except OSError:
                continue
        return None


class HandlerFormatError(ValueError):
    pass


def handler_target(code_dir: Path, handler: str) -> HandlerTarget:
    """Split `Handler` into module and function and list the files the module may be.

    Both styles work: `CodeUri: src/` + `Handler: app.handler`, and `Handler: src/app.handler`
    or the dotted `src.app.handler`. The module must stay inside the code location: a handler
    that climbs out of it (`../../x.handler`) is not followed."""
    module_name, dot, function_name = handler.rpartition(".")
    if not dot or not module_name or not function_name or not function_name.isidentifier():
        raise HandlerFormatError(f"Handler {handler!r} is not of the form 'module.function'")
    relative = module_name.replace(".", "/") if "/" not in module_name else module_name
    relative = relative.strip("/")
    if not relative or any(part in ("", "..") for part in relative.split("/")) or os.path.isabs(module_name):
        raise HandlerFormatError(f"Handler {handler!r} points outside its code location")
    base = code_dir / relative
    candidates = (base.with_name(base.name + ".py"), base / "__init__.py")
    if "/" in module_name and "." in module_name.rsplit("/", 1)[-1]:
        # "src/pkg.app.handler": the part after the last slash is dotted too
        head, tail = module_name.rsplit("/", 1)
        dotted = code_dir / head / tail.replace(".", "/")
        candidates += (dotted.with_name(dotted.name + ".py"), dotted / "__init__.py")
    return HandlerTarget(handler, module_name, function_name, code_dir, candidates)


def looks_like_handler(function: FunctionNode) -> bool:
    """A function with the Lambda handler shape: two positional parameters named like
    (event, context). Used only when no template says which function is the handler."""
    positional = parameters(function)
    if len(positional) != 2:
        return False
    first, second = (p.arg for p in positional)
    return first in EVENT_NAMES and second in CONTEXT_NAMES
