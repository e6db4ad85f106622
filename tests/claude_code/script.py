"""The fake model's script: which conversation a request belongs to, which turn answers it,
and reading back the tool calls Claude Code made (with what it answered).

Which requests are scripted
---------------------------
A *main-loop* request is one that offers the agent's tools (any of TaskCreate, TaskList, Bash,
Read, ToolSearch). Only those follow the script. Every other request (titles, summaries, quota
probes: no tools) gets a short end_turn text "ok".

Script format
-------------
The script is a JSON file (or, through the module API, a dict or list). It is re-read on every
request, so a test may rewrite it while Claude Code runs. Three shapes are accepted:

1. A list of turns: one conversation. The k-th main-loop answer of the conversation (k = number
   of assistant messages already in the request) is turn k.

       [{"tool": "ToolSearch", "input": {"query": "select:TaskCreate,TaskUpdate"}},
        {"tool": "TaskCreate", "input": {"subject": "A", "description": "a"}},
        {"text": "Done."}]

2. {"lead": [turns], "agents": {MARKER: [turns], ...}}: a conversation whose first message
   contains MARKER (put it in the teammate's spawn prompt) follows that list; every other
   conversation follows "lead". Turns are counted over the whole conversation, as in 1.

3. {"convs": {NAME: CONV, ...}}, the general form. CONV is
       {"marker": STR or null, "turns": [turns]}               counted as in 1, or
       {"marker": STR or null, "segments": [SEGMENT, ...]}      trigger-based.
   A conversation belongs to the first NAME whose marker occurs in its first user message; the
   conversation with "marker": null takes the rest (the lead). With segments, the *current turn*
   starts after the last assistant message that has no tool_use, and its *prompt* is the text of
   the user messages before the turn's first assistant message (a typed prompt, or the
   <teammate-message ...> lines that woke the agent). The first SEGMENT
   {"trigger": STR, "turns": [turns]} whose trigger occurs in that prompt answers, and
   k = assistant messages in the current turn so far picks its turn. So an agent can react to
   each message it receives: put the most specific triggers first.

Past the end of a list, or when no segment matches, the answer is a short end_turn text "ok".

A turn is one assistant message:
    {"tool": NAME, "input": {...}}                      one tool_use block
    {"tools": [[NAME, {...}], [NAME, {...}], ...]}      parallel tool_use blocks, one message
    {"text": "..."}                                     a final answer (stop_reason end_turn)
with any of these options:
    "thinking": "..."      a thinking block first (with a dummy signature)
    "pre_text": "..."      a text block before the tool_use block(s)
    "sleep": S             model latency: wait S seconds before answering
    "stream_delay": S      stream text blocks word by word, S seconds apart
    "tool_delay": S        wait S seconds between a tool_use block's start and its input
    "delta_delay": S       wait S seconds before message_delta (the response stays incomplete)
    "pre": {"cmd": [...], "wait_for": "held", "timeout": 20}
                           before answering (once per server run), start cmd and wait until a
                           line of its output contains wait_for: e.g. take a lock that Claude
                           Code's tool call will then meet
"$REQ_ID" anywhere in an input is replaced by the last request_id/requestId seen in the prompt
(for answering a shutdown_request: {"type": "shutdown_response", "request_id": "$REQ_ID",
"approve": true}).

Task tools are *deferred* in Claude Code 2.1.3xx: a conversation must first call
{"tool": "ToolSearch",
 "input": {"query": "select:TaskCreate,TaskGet,TaskList,TaskUpdate,SendMessage"}}
before it can call them.

Answers look real: message ids msg_<conv>_<nnn>, tool ids toolu_<conv>_<nnn>_<i>, and a usage
that grows with the request (input_tokens 3-7, cache_creation 350-1,250, cache_read about
12,000 + request bytes / 4, output_tokens 40-440).
"""

from __future__ import annotations

import json
import re

MAIN_LOOP_TOOLS = {"TaskCreate", "TaskList", "Bash", "Read", "ToolSearch"}
REMINDER = re.compile(r"\s*<system-reminder>.*?</system-reminder>\s*", re.S)
REQ_ID = re.compile(r'(?:request_id|requestId)\\?"\s*:\s*\\?"([^"\\]+)')


def text_of(content) -> str:
    """The text blocks of a message content (a string or a list of blocks)."""
    if isinstance(content, str):
        return content
    return "\n".join(
        b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text"
    )


def has_tool_use(msg: dict) -> bool:
    return isinstance(msg.get("content"), list) and any(
        isinstance(b, dict) and b.get("type") == "tool_use" for b in msg["content"]
    )


def subst(obj, req_id):
    if isinstance(obj, str):
        return obj.replace("$REQ_ID", req_id or "none")
    if isinstance(obj, list):
        return [subst(x, req_id) for x in obj]
    if isinstance(obj, dict):
        return {k: subst(v, req_id) for k, v in obj.items()}
    return obj


def normalise(script) -> dict:
    """Any accepted script shape -> {"convs": {NAME: {"marker", "turns"|"segments"}}}."""
    if isinstance(script, list):
        return {"convs": {"lead": {"marker": None, "turns": script}}}
    if isinstance(script, dict) and "convs" in script:
        return script
    if isinstance(script, dict):
        convs = {
            marker: {"marker": marker, "turns": seq}
            for marker, seq in (script.get("agents") or {}).items()
        }
        convs["lead"] = {"marker": None, "turns": script.get("lead", [])}
        return {"convs": convs}
    raise ValueError("script must be a list or an object")


def safe_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:40] or "x"


def choose(script, msgs: list) -> tuple[str, dict, str | None, int]:
    """For a main-loop request: (conversation name, turn, segment trigger, k)."""
    convs = normalise(script)["convs"]
    first = msgs[0].get("content") if msgs else ""
    first_text = text_of(first)
    first_raw = json.dumps(first)
    who = next(
        (
            nm
            for nm, c in convs.items()
            if c.get("marker") and (c["marker"] in first_text or c["marker"] in first_raw)
        ),
        None,
    )
    if who is None:
        who = next((nm for nm, c in convs.items() if not c.get("marker")), None)
    if who is None:
        return "unscripted", {"text": "ok"}, None, 0
    conv = convs[who]
    if "segments" not in conv:
        k = sum(1 for m in msgs if m.get("role") == "assistant")
        seq = conv.get("turns") or []
        return who, (seq[k] if k < len(seq) else {"text": "ok"}), None, k
    start = 0
    for i, m in enumerate(msgs):
        if m.get("role") == "assistant" and not has_tool_use(m):
            start = i + 1
    parts, k = [], 0
    for m in msgs[start:]:
        if m.get("role") == "assistant":
            k += 1
        elif k == 0:
            parts.append(text_of(m.get("content")))
    prompt = "\n".join(parts)
    ids = REQ_ID.findall(prompt)
    for seg in conv["segments"]:
        if seg["trigger"] in prompt:
            turns = seg.get("turns") or []
            turn = subst(turns[k], ids[-1] if ids else None) if k < len(turns) else {"text": "ok"}
            return who, turn, seg["trigger"], k
    return who, {"text": "ok"}, None, k


def result_text(block: dict) -> str:
    """A tool_result block's text, without Claude Code's <system-reminder> suffixes."""
    content = block.get("content")
    if isinstance(
        content, list
    ):  # text blocks; others as [type name], e.g. ToolSearch's tool_reference
        content = "\n".join(
            c.get("text", "")
            if c.get("type") == "text"
            else f"[{c.get('type')} {c.get('tool_name') or c.get('name') or ''}]".replace(" ]", "]")
            for c in content
            if isinstance(c, dict)
        )
    return REMINDER.sub("", content or "").strip()


def tool_calls_of(body: dict | None) -> list[dict]:
    """[{"id", "name", "input", "result", "is_error"}] from one request body, in call order."""
    calls: dict[str, dict] = {}
    for msg in (body or {}).get("messages", []):
        if not isinstance(msg.get("content"), list):
            continue
        for b in msg["content"]:
            if not isinstance(b, dict):
                continue
            if b.get("type") == "tool_use":
                calls[b["id"]] = {"id": b["id"], "name": b["name"], "input": b.get("input")}
            elif b.get("type") == "tool_result" and b.get("tool_use_id") in calls:
                calls[b["tool_use_id"]].update(
                    result=result_text(b), is_error=bool(b.get("is_error"))
                )
    return list(calls.values())


def tool_calls_from_log(log: str, who: str = "lead") -> list[dict]:
    """tool_calls_of() on the last main-loop request of conversation `who` in a --log file."""
    bodies, last = {}, None
    with open(log) as f:
        for line in f:
            rec = json.loads(line)
            if "body" in rec and "n" in rec:
                bodies[rec["n"]] = rec["body"]
            elif rec.get("answer") == who and rec.get("main"):
                last = bodies.get(rec.get("n"))
    return tool_calls_of(last)
