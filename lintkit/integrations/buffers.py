"""Editor buffers and stdin: text that stands in for a file on disk.

An editor that pipes its buffer to `lintkit check - --stdin-filename src/app.py`, or flake8
handing the plugin the lines it read, wants the findings for *that text*, under *that path*,
with the context of the files around it. The engine takes such text through `check(...,
sources={path: text})`; this module only says what kind of file a buffer is."""

from __future__ import annotations

from pathlib import Path
from typing import Union

from lintkit.discovery import FileKind, classify

# Text as the editor has it (already decoded), or bytes as read from stdin (decoded the way the
# file would be: BOM and, for Python, its coding cookie).
Buffer = Union[str, bytes]


def kind_of(path: Path, buffer: Buffer) -> FileKind | None:
    """What lintkit would take the file to be if it held `buffer`."""
    head = buffer.encode("utf-8") if isinstance(buffer, str) else buffer
    return classify(path, head=head)
