"""Text from files is shown as data: no escape sequence or control character reaches the screen."""

from __future__ import annotations

import pytest

from taskboard.textsafe import clean, one_line, safe_text


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
    ("up\x1b[2Aover", "upover"),
    ("\x1b[?25lhidden cursor", "hidden cursor"),
    ("\x9b31mred", "red"),
], ids=["colour", "256-colour", "cursor-move", "private-mode", "8-bit-csi"])
def test_csi_sequences_are_removed(raw: str, shown: str) -> None:
    assert clean(raw) == shown


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b]0;evil title\x07after", "after"),
    ("\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1b]2;no terminator", ""),
], ids=["title-bel", "hyperlink-st", "unterminated"])
def test_osc_sequences_are_removed(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_other_escapes_are_removed() -> None:
    assert clean("a\x1bPdevice control\x1b\\b") == "ab"
    assert clean("a\x1bcb") == "ab"  # reset the terminal
    assert clean("a\x1b7b\x1b8") == "ab"  # save and restore the cursor
    assert clean("\x1b(Bplain\x1b)0") == "plain"  # character sets


def test_control_characters_are_removed_but_newlines_kept() -> None:
    assert clean("a\x00b\x07c\x08d\x7fe\x85f\rg\nh") == "abcdefg\nh"
    assert clean("line\r\nnext") == "line\nnext"


def test_tabs_become_spaces() -> None:
    assert clean("a\tb") == "a    b"


def test_ordinary_text_is_unchanged() -> None:
    text = "Réécrire [bold]l’analyseur[/bold] ☃ 解析 — 100% {json}"
    assert clean(text) == text


def test_nothing_dangerous_survives_a_mix() -> None:
    cleaned = clean("\x1b[2J\x1b]0;x\x07\x1b[H\x00ok\x1b[31m\x9b1m\x1bZ")
    assert cleaned == "ok"
    assert all(ch == "\n" or ord(ch) >= 0x20 for ch in cleaned)


def test_one_line_joins_lines_and_squeezes_spaces() -> None:
    assert one_line("  first\n\n second \x1b[31m line\t") == "first second line"


def test_one_line_cuts_to_the_limit_with_an_ellipsis() -> None:
    assert one_line("abcdefghij", 5) == "abcd…"
    assert one_line("abcde", 5) == "abcde"
    assert len(one_line("x" * 100, 10)) == 10


@pytest.mark.parametrize("raw", [
    "a\u202eb", "a\u202ab\u202c", "a\u2066b\u2069", "a\u200fb\u200e", "a\u061cb",
], ids=["rlo", "lre-pdf", "lri-pdi", "rlm-lrm", "alm"])
def test_bidirectional_controls_are_removed(raw: str) -> None:
    assert clean(raw) == "ab"


@pytest.mark.parametrize("raw", [
    "a\u200bb", "a\u200cb", "a\u200db", "a\u2060b", "a\ufeffb", "a\u00adb",
    "a\U000e0041b",
], ids=["zwsp", "zwnj", "zwj", "word-joiner", "bom", "soft-hyphen", "tag"])
def test_zero_width_and_invisible_characters_are_removed(raw: str) -> None:
    assert clean(raw) == "ab"


def test_eight_bit_osc_and_dcs_are_removed() -> None:
    assert clean("a\x9d52;c;ZXZpbA==\x07b") == "ab"
    assert clean("a\x90payload\x9cb") == "ab"


def test_clipboard_and_title_escapes_leave_nothing() -> None:
    assert clean("\x1b]52;c;ZXZpbA==\x07x\x1b]2;title\x1b\\") == "x"


def test_lone_surrogates_become_replacement_characters() -> None:
    assert clean("cut \ud83d") == "cut \ufffd"
    assert clean("cut \ud83d").encode("utf-8")


def test_line_separators_become_newlines() -> None:
    assert clean("a\u2028b\u2029c") == "a\nb\nc"


def test_safe_text_is_never_markup() -> None:
    text = safe_text("[bold]x[/] [@click=app.quit]q[/]")
    assert text.plain == "[bold]x[/] [@click=app.quit]q[/]"
    assert not text.spans


def test_non_strings_are_shown_as_text() -> None:
    assert clean(12) == "12"
    assert one_line(None) == "None"
