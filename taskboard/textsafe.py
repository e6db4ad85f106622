"""Text from files is data: one sanitising path for every string taskboard displays.

Subjects, owners, ids, names, paths and messages come from agents' files (or from
anyone who can write under the Claude home). Shown raw, an escape sequence could
move the cursor, retitle the terminal, set the clipboard (OSC 52) or plant a link
(OSC 8); a bidirectional override could make text read differently from what it
is; a zero-width character could make two names look alike; and Rich or Textual
markup could restyle the screen or bind a click to an action.

So everything shown goes through :func:`clean` (or :func:`one_line`) and is put
into a ``rich.text.Text`` (:func:`safe_text`), never parsed as markup (Textual's
border titles take a ``Text`` too). Lone surrogates (a string cut mid-emoji) become
U+FFFD, since they cannot be written to a UTF-8 terminal at all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks, clipboard
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"    # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"                 # every other escape: ESC c, ESC 7, ESC ( B
    r"|\x9b[0-?]*[ -/]*[@-~]"            # 8-bit CSI
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x9c|\x1b\\)?"   # 8-bit OSC
    r"|[\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x9c|\x1b\\)?"  # 8-bit DCS, SOS, PM, APC
)
# C0 (but newline and tab), DEL, C1; bidirectional marks, embeddings, overrides and
# isolates; zero-width and invisible formatting characters; tag characters.
_INVISIBLE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u00ad\u034f\u180e\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f"
)
_CONTROLS = re.compile(f"[{_INVISIBLE}]")
_SEPARATORS = re.compile("[\u2028\u2029]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: object) -> str:
    """Remove escape sequences, control, bidi and zero-width characters; keep newlines.

    Tabs become four spaces, Unicode line separators become newlines, and a lone
    surrogate becomes U+FFFD. Anything that is not a string is shown as ``str()``.
    """
    if not isinstance(text, str):
        text = str(text)
    if text.isascii():
        if text.isprintable():
            return text
        text = _ESCAPES.sub("", text).replace("\t", "    ").replace("\r\n", "\n")
        return _CONTROLS.sub("", text)
    text = _ESCAPES.sub("", text).replace("\t", "    ").replace("\r\n", "\n")
    text = _SEPARATORS.sub("\n", text)
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return _CONTROLS.sub("", text)


def one_line(text: object, limit: int | None = None) -> str:
    """:func:`clean`, on a single line, optionally cut to ``limit`` characters with an ellipsis."""
    line = " ".join(clean(text).split())
    if limit is not None and len(line) > limit:
        return line[: max(limit - 1, 0)] + "…"
    return line


def safe_text(text: object, style: str = "", *, limit: int | None = None,
              multiline: bool = False) -> Text:
    """A ``rich.text.Text`` of cleaned text: never parsed as markup."""
    from rich.text import Text  # here: headless commands that print JSON never load rich

    shown = clean(text) if multiline else one_line(text, limit)
    return Text(shown, style=style)


def scrub_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so it can be encoded as UTF-8."""
    return _LONE_SURROGATE.sub("\ufffd", text)
