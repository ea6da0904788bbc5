"""Lines of source text, counted the way findings count them."""

from __future__ import annotations

import re

# Python and the template loader end a line at \r\n, \r or \n only: str.splitlines() also
# breaks at form feeds and other separators, which would shift every later line number.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their endings; line N is `split_lines(text)[N - 1]`."""
    return LINE_BREAK.split(text)
