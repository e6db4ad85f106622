"""Text from files is data: strip escape sequences and control characters before display.

Subjects, descriptions and messages come from agents' files; shown raw, an escape
sequence could move the cursor or restyle the terminal, and Rich markup could
style the screen. Everything shown goes through :func:`clean` (and is put into a
``rich.text.Text``, never parsed as markup).
"""

from __future__ import annotations

import re

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"    # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"                 # every other escape: ESC c, ESC 7, ESC ( B
    r"|\x9b[0-?]*[ -/]*[@-~]"            # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Remove escape sequences and control characters; keep newlines, tabs become spaces."""
    text = _ESCAPES.sub("", text).replace("\t", "    ").replace("\r\n", "\n")
    return _CONTROLS.sub("", text)


def one_line(text: str, limit: int | None = None) -> str:
    """:func:`clean`, on a single line, optionally cut to ``limit`` characters with an ellipsis."""
    line = " ".join(clean(text).split())
    if limit is not None and len(line) > limit:
        return line[: max(limit - 1, 0)] + "…"
    return line
