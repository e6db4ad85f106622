"""The per-agent state machine, line by line, and the tail's survival rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from taskboard.claude.activity import AgentActivity, context_window, epoch
from taskboard.claude.transcripts import Tail, is_bulky


def ts(second: float) -> str:
    whole = int(second)
    return f"2026-12-02T02:23:{whole:02d}.{int(round((second - whole) * 1000)):03d}Z"


def request(second: float, betas: list[str] | None = None) -> dict[str, Any]:
    return {"type": "api-request", "id": f"r{second}", "timestamp": ts(second),
            "params": {"model": "claude-sonnet-4-5", "betas": betas or []}}


def assistant(second: float, *, tools: list[tuple[str, str]] = (), stop: str = "tool_use",
              model: str = "claude-sonnet-4-5", mid: str = "m1",
              usage: dict[str, int] | None = None, text: str = "ok",
              **extra: Any) -> dict[str, Any]:
    content = [{"type": "tool_use", "id": tid, "name": name, "input": {}}
               for tid, name in tools] or [{"type": "text", "text": text}]
    return {"type": "assistant", "timestamp": ts(second), **extra,
            "message": {"id": mid, "model": model, "content": content, "stop_reason": stop,
                        "usage": usage or {"input_tokens": 5, "cache_creation_input_tokens": 100,
                                           "cache_read_input_tokens": 1000,
                                           "output_tokens": 50}}}


def result(second: float, tid: str) -> dict[str, Any]:
    return {"type": "user", "timestamp": ts(second),
            "message": {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": tid, "content": "done"}]}}


def user(second: float, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "user", "timestamp": ts(second), **extra,
            "message": {"role": "user", "content": text}}


def fed(*lines: dict[str, Any]) -> AgentActivity:
    activity = AgentActivity("alice")
    for line in lines:
        activity.feed(line)
    return activity


def test_a_request_in_flight_is_thinking_since_it_was_sent() -> None:
    a = fed(request(1.0))
    assert (a.state, a.since) == ("thinking", epoch(ts(1.0)))
    assert a.describe(epoch(ts(13.0)) or 0) == "thinking 12 s"


def test_a_tool_call_without_its_result_is_running_that_tool() -> None:
    a = fed(request(1.0), assistant(2.0, tools=[("t1", "Bash")]))
    assert (a.state, a.tool, a.since) == ("tool", "Bash", epoch(ts(2.0)))
    assert a.describe(epoch(ts(44.0)) or 0) == "running Bash 42 s"


def test_parallel_tools_stay_running_until_the_last_result() -> None:
    a = fed(request(1.0), assistant(2.0, tools=[("t1", "Bash")]),
            assistant(2.0, tools=[("t2", "Read")]), result(3.0, "t1"))
    assert (a.state, a.tool) == ("tool", "Read")
    a.feed(result(4.0, "t2"))
    assert (a.state, a.since) == ("thinking", epoch(ts(4.0)))


def test_the_end_of_a_turn_is_idle_since_that_line() -> None:
    a = fed(request(1.0), assistant(2.0, stop="end_turn"))
    assert (a.state, a.since, a.turn_ended) == ("idle", epoch(ts(2.0)), epoch(ts(2.0)))
    assert a.idle_since == epoch(ts(2.0)) and a.working is False


def test_end_turn_with_a_tool_still_waiting_is_not_idle() -> None:
    a = fed(assistant(2.0, tools=[("t1", "Bash")]), assistant(2.5, stop="end_turn"))
    assert a.state == "tool"


def test_a_teammate_message_wakes_an_idle_agent_naming_the_sender() -> None:
    a = fed(assistant(2.0, stop="end_turn"),
            user(3.0, '<teammate-message teammate_id="bob" summary="hi">\nHello\n'
                      '</teammate-message>'))
    assert (a.state, a.woken_by, a.since) == ("woken", "bob", epoch(ts(3.0)))
    assert a.received[-1].text == "Hello" and a.received[-1].summary == "hi"
    assert a.describe(epoch(ts(6.0)) or 0) == "woken by bob 3 s"


def test_a_typed_prompt_wakes_it_too_but_meta_lines_do_not() -> None:
    a = fed(assistant(2.0, stop="end_turn"), user(3.0, "caveat", isMeta=True))
    assert a.state == "idle"
    a.feed(user(4.0, "Follow the plan."))
    assert (a.state, a.woken_by) == ("woken", "prompt")


def test_an_interrupted_request_ends_the_turn() -> None:
    a = fed(request(1.0), assistant(2.0, tools=[("t1", "Bash")]),
            user(3.0, "[Request interrupted by user for tool use]"))
    assert a.state == "idle" and not a.pending


def test_gone_sticks_and_keeps_counting_life() -> None:
    a = fed(assistant(2.0, stop="end_turn"))
    a.mark_gone()
    a.feed(request(9.0))
    assert a.state == "gone" and a.last_seen == epoch(ts(9.0))


def test_the_last_sign_of_life_is_the_largest_timestamp_not_the_last_line() -> None:
    a = fed(request(16.0), assistant(14.0, tools=[("t1", "Bash")]))
    assert a.last_seen == epoch(ts(16.0))


def test_an_unknown_line_type_counts_as_life_and_changes_nothing_else() -> None:
    a = fed(assistant(2.0, stop="end_turn"), {"type": "brand-new-kind", "timestamp": ts(5.0),
                                               "payload": [1, 2]}, {"no": "type"})
    assert a.state == "idle" and a.last_seen == epoch(ts(5.0)) and a.lines == 3


def test_tokens_are_summed_once_per_message_id_and_context_is_the_last_usage() -> None:
    a = fed(assistant(1.0, tools=[("t1", "TaskCreate")], mid="m1"),
            assistant(1.0, tools=[("t2", "TaskCreate")], mid="m1"),
            assistant(2.0, stop="end_turn", mid="m2",
                      usage={"input_tokens": 1, "cache_read_input_tokens": 2000,
                             "output_tokens": 10}))
    assert a.tokens.input == 6 and a.tokens.output == 60 and a.tokens.cache_read == 3000
    assert a.context == 2011
    assert a.context_pct == 100 * 2011 / 200_000


def test_an_unknown_model_shows_tokens_but_no_percentage() -> None:
    a = fed(assistant(2.0, stop="end_turn", model="some-new-model"))
    assert a.window is None and a.context == 1155 and a.context_pct is None


def test_the_window_follows_the_model_table_the_1m_flags_and_dated_ids() -> None:
    assert context_window("claude-sonnet-4-5-20250929") == 200_000
    assert context_window("claude-opus-4-8") == 1_000_000
    assert context_window("claude-sonnet-4-5[1m]") == 1_000_000
    assert context_window("claude-sonnet-4-5", one_m=True) == 1_000_000
    assert context_window("claude-sonnet-5-5-20270101") == 1_000_000
    assert context_window("gpt-9") is None and context_window(None) is None
    a = fed(request(1.0, betas=["context-1m-2025-08-07"]), assistant(2.0, stop="end_turn"))
    assert a.window == 1_000_000
    b = fed(assistant(2.0, stop="end_turn", requestedModel="claude-sonnet-4-5[1m]"))
    assert b.window == 1_000_000


def test_a_compacted_session_drops_the_context_until_the_next_usage() -> None:
    a = fed(assistant(1.0, stop="end_turn", mid="m1",
                      usage={"input_tokens": 5, "cache_read_input_tokens": 180_000}))
    assert a.context == 180_005
    a.feed({"type": "system", "subtype": "compact_boundary", "timestamp": ts(2.0),
            "compactMetadata": {"trigger": "auto", "preTokens": 180_005}})
    a.feed(user(2.1, "This session is being continued from a previous conversation",
                isCompactSummary=True))
    assert a.compactions == 1 and a.context is None and a.state == "idle"
    a.feed(request(3.0))
    a.feed(assistant(4.0, stop="end_turn", mid="m2",
                     usage={"input_tokens": 5, "cache_read_input_tokens": 12_000}))
    assert a.context == 12_005 and a.state == "idle"


def test_messages_sent_are_kept_with_their_text() -> None:
    line = assistant(1.0, tools=[("t1", "SendMessage")])
    line["message"]["content"][0]["input"] = {"to": "bob", "message": "Stand by",
                                              "summary": "wait"}
    a = fed(line)
    assert [(m.recipient, m.text, m.summary) for m in a.sent] == [("bob", "Stand by", "wait")]


def test_bulky_lines_are_told_by_their_prefix() -> None:
    assert is_bulky(b'{"type":"api-request-shape","x":1}')
    assert is_bulky(b'{"type":"api-request-blob"}')
    assert is_bulky(b'{"parentUuid":"b314e133-fa51-4ded-bd0a-570f38862cc8","isSidechain":false,'
                    b'"attachment":{"type":"prompt_snapshot","systemPrompt":[]}}')
    assert not is_bulky(b'{"parentUuid":null,"isSidechain":false,'
                        b'"attachment":{"type":"total_tokens_reminder"}}')
    assert not is_bulky(b'{"type":"api-request","id":"x"}')


def _jsonl(*objs: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objs)


def test_a_partial_last_line_waits_for_its_end(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    whole = _jsonl(request(1.0), assistant(2.0, stop="end_turn"))
    cut = len(_jsonl(request(1.0))) + 30
    path.write_bytes(whole[:cut])
    tail = Tail(path)
    assert [d["type"] for d in tail.read().lines] == ["api-request"]
    with open(path, "ab") as handle:
        handle.write(whole[cut:])
    assert [d["type"] for d in tail.read().lines] == ["assistant"]


def test_a_truncated_then_rewritten_file_is_read_again_from_the_top(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(_jsonl(request(1.0), assistant(2.0, tools=[("t1", "Bash")])))
    tail = Tail(path)
    a = AgentActivity("alice")
    for line in tail.read().lines:
        a.feed(line)
    assert a.state == "tool"
    path.write_bytes(b"")  # truncated
    chunk = tail.read()
    assert chunk.reset and chunk.lines == []
    a.reset()
    path.write_bytes(_jsonl(assistant(5.0, stop="end_turn")))  # rewritten
    for line in tail.read().lines:
        a.feed(line)
    assert a.state == "idle" and not a.pending


def test_a_rewrite_that_does_not_shrink_the_file_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(_jsonl(request(1.0)))
    tail = Tail(path)
    assert len(tail.read().lines) == 1
    path.write_bytes(_jsonl(user(3.0, "another session, longer than before"),
                            assistant(4.0, stop="end_turn")))
    chunk = tail.read()
    assert chunk.reset and [d["type"] for d in chunk.lines] == ["user", "assistant"]


def test_a_missing_file_reads_as_nothing_and_is_read_once_it_appears(tmp_path: Path) -> None:
    path = tmp_path / "later.jsonl"
    tail = Tail(path)
    assert tail.read().missing
    path.write_bytes(_jsonl(request(1.0)))
    assert len(tail.read().lines) == 1


def test_a_protocol_message_followed_by_instructions_is_still_read_as_such() -> None:
    a = fed(user(3.0, '<teammate-message teammate_id="team-lead">\n{"type":"shutdown_request",'
                      '"reason":"Your tasks are done; thanks."}\n\nThis is a shutdown request. '
                      'To approve it, call SendMessage.\n</teammate-message>'))
    message = a.received[-1]
    assert message.kind == "shutdown_request"
    assert message.headline == "shutdown_request: Your tasks are done; thanks."
    assert "To approve it" in message.text
