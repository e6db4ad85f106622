"""JSON in, JSON out, whatever is on disk: the one decoder and the output encoder.

Claude Code reads JSON with JavaScript's ``JSON.parse``; Python's ``json`` differs
in ways a hostile or broken file can turn into a crash:

- ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON. Python accepts them and
  writes them back, and Claude Code then rejects the whole file. :func:`loads`
  refuses them (the file is shown as a problem, as Claude Code would ignore it).
- A number too large for a double (``1e400``, a 5,000-digit integer) is
  ``Infinity`` to JavaScript. Python turns the first into ``inf`` and refuses the
  second (``sys.set_int_max_str_digits``). :func:`loads` reads both as ``inf``,
  as JavaScript does; a write of such a value is refused (:func:`check_finite`),
  and output documents show it as ``null``, as ``JSON.stringify`` would.
- Deep nesting raises ``RecursionError``, here or later in whatever walks the
  value. :func:`loads` refuses a document nested deeper than :data:`MAX_DEPTH`.
- A ``\\ud83d`` escape without its pair decodes to a lone surrogate, which
  cannot be encoded as UTF-8. :func:`dumps` writes it back as an escape.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
"""Nesting deeper than this is refused: no task, config or message needs it."""
MAX_INT_DIGITS = 4000
"""Integers with more digits are read as JavaScript reads them: Infinity."""

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_INVISIBLE = re.compile("[\x7f-\x9f\u00ad\u034f\u061c\u180e\u200b-\u200f\u2028-\u202e"
                        "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]")


class JSONLimit(ValueError):
    """A document that is valid JSON to Python but that taskboard will not take."""


def _no_constant(name: str) -> Any:
    raise JSONLimit(f"{name} is not JSON (Claude Code cannot read this file)")


def _parse_int(text: str) -> int | float:
    digits = len(text) - (text[0] == "-")
    if digits > MAX_INT_DIGITS:
        return -math.inf if text[0] == "-" else math.inf
    return int(text)


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests lists and objects, counting stops just past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, dict | list))
    return deepest


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_int=_parse_int)
"""One decoder for every read: ``json.loads`` with hooks builds a new one (and its
scanner) per call, a tenth of reading 10,000 task files. Shared as ``json.loads``'s own
default decoder is."""
_SCAN = _DECODER.scan_once
_SPACE = json.decoder.WHITESPACE.match
"""What ``JSONDecoder.decode`` skips before and after the document."""


def _decode(text: str) -> Any:
    """``JSONDecoder.decode`` (and its ``raw_decode``) without their two calls: the same
    value, the same errors, a twentieth less per task file read."""
    try:
        value, end = _SCAN(text, _SPACE(text, 0).end())
    except StopIteration as err:
        raise json.JSONDecodeError("Expecting value", text, err.value) from None
    end = _SPACE(text, end).end()
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def loads(text: str) -> Any:
    """``json.loads`` with JavaScript's view of numbers and limits on nesting.

    Raises ``json.JSONDecodeError`` for what is not JSON and :class:`JSONLimit`
    (a ValueError) for NaN/Infinity literals and for nesting deeper than
    :data:`MAX_DEPTH`; never RecursionError.
    """
    try:
        if isinstance(text, str) and not text.startswith("\ufeff"):
            value = _decode(text)
        else:  # bytes, or a BOM: json.loads says what is wrong, as it always did
            value = json.loads(text, parse_constant=_no_constant, parse_int=_parse_int)
    except RecursionError:
        raise JSONLimit(f"nested more than {MAX_DEPTH} levels deep") from None
    if (isinstance(value, dict | list)
            and text.count("[") + text.count("{") > MAX_DEPTH
            and depth(value) > MAX_DEPTH):
        raise JSONLimit(f"nested more than {MAX_DEPTH} levels deep")
    return value


def find_non_finite(value: Any) -> str | None:
    """The path (``metadata.x``) of the first NaN or infinite number in ``value``, or None."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return where or "the value"
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))
    return None


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite number replaced by None (``JSON.stringify``'s
    ``null``), for documents taskboard prints."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def escape_surrogates(text: str) -> str:
    """Write each lone surrogate as a ``\\uXXXX`` escape, as ``JSON.stringify`` does."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def escape_invisible(text: str) -> str:
    """JSON text with every character a terminal would act on or hide (DEL, C1 controls,
    bidi overrides, zero-width characters, line separators, lone surrogates) written as a
    ``\\uXXXX`` escape: the same JSON value, inert when printed."""
    if text.isascii() and "\x7f" not in text:
        return text  # the common case, checked at memory speed: DEL is the only ASCII match
    return _INVISIBLE.sub(_escape, text)


def dumps(value: Any, *, indent: int | None = 2,
          separators: tuple[str, str] | None = None) -> str:
    """A JSON document for output: valid JSON whatever the value (no NaN, no Infinity),
    encodable as UTF-8, and inert on a terminal (see :func:`escape_invisible`)."""
    text = json.dumps(finite(value), indent=indent, ensure_ascii=False, allow_nan=False,
                      default=str, separators=separators)
    return escape_invisible(text)


class Encoded(str):
    """JSON text already encoded and made inert (:func:`escape_invisible`): a document
    writer puts it in as it is."""

    __slots__ = ()


_STRICT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=str).encode


def encode_value(value: Any) -> str:
    """``value`` as one line of JSON, not yet made inert: what :func:`dumps` writes for it
    with ``indent=None`` before :func:`escape_invisible`."""
    try:
        return _STRICT(value)
    except ValueError:  # NaN or Infinity (1e400 in a file): null, as JSON.stringify
        return _STRICT(finite(value))
