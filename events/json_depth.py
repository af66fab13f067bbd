"""How deeply a JSON text nests, found by scanning it, never by parsing it recursively."""

from __future__ import annotations

import re
from typing import Final

#: A JSON string, escapes included: brackets inside strings do not nest anything.
_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS: Final = re.compile(r"[^\[\]{}]+")


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text``.

    Unbalanced or unterminated text gives a number too, never an error: a text that is not JSON is
    refused by the parser afterwards, so an estimate on the high side does no harm.
    """
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for bracket in brackets:
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest
