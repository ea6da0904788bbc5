"""Check the text of an editor buffer (or of stdin) in place of a file on disk.

An editor that pipes its buffer to `lintkit check - --stdin-filename src/app.py`, or flake8
handing the plugin the lines it read, wants the findings for *that text*, under *that path*,
with the context of the files around it (the template beside it, the handlers a template
links). `buffers({path: text})` makes a run of the engine see `text` wherever it would read
`path`, and see `path` even when it does not exist yet.

The engine has no hook for this yet, so for the duration of the `with` block this module
replaces the three functions through which a run reads files: discovery (`lintkit.engine.
discover`), template loading (`lintkit.engine.load_template`) and Python loading
(`lintkit.python.module.load_python`). Every other path goes to the original functions, so
error handling (LK001 and friends) is the engine's own. The replacement is process-wide: do
not run two checks in threads at once while it is active.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from pathlib import Path
from typing import Iterator, Mapping, Sequence, Union

import lintkit.engine as engine
import lintkit.python.module as python_module
from lintkit.discovery import DiscoveredFile, Discovery, FileKind, classify
from lintkit.templates.loader import TemplateSyntaxError, load_text
from lintkit.templates.model import build_template

# Text as the editor has it (already decoded), or bytes as read from stdin (decoded here the way
# the file would be: BOM and, for Python, its coding cookie).
Buffer = Union[str, bytes]


def kind_of(path: Path, buffer: Buffer) -> FileKind | None:
    """What lintkit would take the file to be if it held `buffer`."""
    head = buffer.encode("utf-8") if isinstance(buffer, str) else buffer
    return classify(path, head=head)


def _template_text(buffer: Buffer) -> str:
    if isinstance(buffer, str):
        return buffer
    try:
        return buffer.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateSyntaxError("file is not UTF-8 text") from None


def _check_size(buffer: Buffer, limits) -> None:
    """The engine's file size limit applies to a buffer as to the file it stands for."""
    limit = getattr(limits, "max_file_size", None)
    size = len(buffer.encode("utf-8") if isinstance(buffer, str) else buffer)
    if limit is not None and size > limit:
        from lintkit.limits import too_large

        raise too_large(size, limit)


def _call(function, *args, **options):
    """Call a loader with the options it takes (None means "its default"), so that this module
    follows the loaders' signatures as the engine's limits are added to them."""
    accepted = inspect.signature(function).parameters
    return function(*args, **{k: v for k, v in options.items() if v is not None and k in accepted})


@contextlib.contextmanager
def buffers(texts: Mapping[str | os.PathLike, Buffer]) -> Iterator[dict[Path, Buffer]]:
    overlay: dict[Path, Buffer] = {Path(os.path.abspath(p)).resolve(): text for p, text in texts.items()}
    original_discover = engine.discover
    original_load_template = engine.load_template
    original_load_python = python_module.load_python

    def discover(paths: Sequence[str | os.PathLike], **options) -> Discovery:
        on_disk = [p for p in paths if Path(os.path.abspath(p)).resolve() not in overlay]
        found = original_discover(on_disk, **options) if on_disk else Discovery()
        given = [Path(p) for p in paths if Path(os.path.abspath(p)).resolve() in overlay]
        known = {Path(os.path.abspath(f.path)).resolve() for f in found.files}
        for path in given:
            resolved = Path(os.path.abspath(path)).resolve()
            if resolved in known:
                continue
            kind = kind_of(path, overlay[resolved])
            if kind is None:
                found.problems.append((path, "not a Python file or template; skipped"))
                continue
            found.files.append(DiscoveredFile(path, kind, True))
            known.add(resolved)
        found.files.sort(key=lambda f: f.path.as_posix())
        return found

    def load_template(file: Path, *, path: str, **options):
        buffer = overlay.get(Path(os.path.abspath(file)).resolve())
        if buffer is None:
            return original_load_template(file, path=path, **options)
        limits = options.get("limits")
        _check_size(buffer, limits)
        text = _template_text(buffer)
        if text.startswith("\ufeff"):
            text = text[1:]
        json_hint = os.fspath(file).lower().endswith(".json")
        document = _call(load_text, text, json_hint=json_hint, max_alias_expansion=getattr(limits, "max_alias_expansion", None))
        return build_template(path, Path(os.path.abspath(file)).resolve(), text, document.data, document.duplicate_keys)

    def load_python(file: Path, *, path: str, **options):
        buffer = overlay.get(Path(os.path.abspath(file)).resolve())
        if buffer is None:
            return original_load_python(file, path=path, **options)
        limits = options.get("limits")
        _check_size(buffer, limits)
        text = buffer if isinstance(buffer, str) else python_module.decode_source(buffer)
        if text.startswith("\ufeff"):
            text = text[1:]
        abs_path = Path(os.path.abspath(file)).resolve()
        return _call(python_module.parse_python, text, path=path, abs_path=abs_path, max_depth=getattr(limits, "max_expression_depth", None))

    engine.discover = discover  # type: ignore[assignment]
    engine.load_template = load_template  # type: ignore[assignment]
    python_module.load_python = load_python  # type: ignore[assignment]
    try:
        yield overlay
    finally:
        engine.discover = original_discover  # type: ignore[assignment]
        engine.load_template = original_load_template  # type: ignore[assignment]
        python_module.load_python = original_load_python  # type: ignore[assignment]
