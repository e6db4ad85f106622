"""A scripted stand-in for the Anthropic Messages API, to run the real Claude Code CLI in tests.

Adapted from the realcc kit (fake_api.py) for taskboard's own tests: used as a module only.
Standard library only. It listens on 127.0.0.1 (port 0 = any free port, written to port_file
atomically) and answers `POST /v1/messages` (streaming SSE when the request asks for it, JSON
otherwise), `POST /v1/messages/count_tokens` and `GET /v1/models`. Point Claude Code at it with
`ANTHROPIC_BASE_URL=http://127.0.0.1:PORT ANTHROPIC_API_KEY=dummy`.

Use: `api = FakeAPI(script, log).start(); ...; api.stop()`.

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

Log (--log, JSON lines, appended)
---------------------------------
    {"n", "t", "method", "path", "headers", "body"}     every request (no body with --lean-log;
                                                         api keys are never logged)
    {"n", "t", "answer": NAME|"side", "seg", "k", "main", "t_recv", "msg_id", "stop", "usage",
     "req_bytes", "blocks", "model"}                     every Messages answer; n joins the two
    {"pre": [...], "pid", "seen"}, {"delta_delay_start"|"delta_delay_end": msg_id}
The last main-loop request of a conversation holds the whole conversation, tool results
included: `tool_calls_from_log(log, "lead")` pairs each tool_use with its result.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_MODEL = "claude-sonnet-4-5-20250929"
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


class FakeAPI:
    """The server. script: a path (re-read per request), or a dict/list. log: a path or None."""

    def __init__(
        self,
        script,
        log: str | None = None,
        model: str = DEFAULT_MODEL,
        lean_log: bool = False,
        port: int = 0,
        port_file: str | None = None,
    ):
        self.script, self.log_path, self.model = script, log, model
        self.lean_log, self.port_file = lean_log, port_file
        self.lock = threading.Lock()
        self.n = 0
        self.answers: list[dict] = []  # every answer record, in order
        self.last_body: dict[str, dict] = {}  # conversation name -> its last main-loop request
        self.done_pre: set = set()
        self.pre_procs: list[subprocess.Popen] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread: threading.Thread | None = None
        if port_file:
            with open(port_file + ".tmp", "w") as f:
                f.write(str(self.port))
            os.replace(port_file + ".tmp", port_file)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> FakeAPI:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        if self.thread is not None:
            self.server.shutdown()
            self.thread = None
        self.server.server_close()
        for p in self.pre_procs:
            if p.poll() is None:
                p.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- for tests: where the run stands -------------------------------------------------------
    def answered(self, who: str, trigger: str | None = None, k: int | None = None) -> bool:
        """True once conversation `who` got an answer from segment `trigger` (turn k)."""
        with self.lock:
            return any(
                a["answer"] == who
                and (trigger is None or a["seg"] == trigger)
                and (k is None or a["k"] == k)
                for a in self.answers
            )

    def last_answer_time(self) -> float | None:
        with self.lock:
            main = [a["t"] for a in self.answers if a["main"]]
        return main[-1] if main else None

    def tool_calls(self, who: str = "lead") -> list[dict]:
        """Tool calls of conversation `who`, in order, with what Claude Code answered."""
        with self.lock:
            body = self.last_body.get(who)
        return tool_calls_of(body)

    # -- internals --------------------------------------------------------------------------
    def _load(self):
        if isinstance(self.script, (dict, list)):
            return self.script
        with open(self.script) as f:
            return json.load(f)

    def _log(self, rec: dict) -> None:
        rec.setdefault("t", time.time())
        if self.log_path:
            line = json.dumps(rec) + "\n"
            with self.lock, open(self.log_path, "a") as f:
                f.write(line)

    def _run_pre(self, pre: dict) -> None:
        proc = subprocess.Popen(
            pre["cmd"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.pre_procs.append(proc)
        deadline = time.time() + pre.get("timeout", 20)
        want, seen = pre.get("wait_for", "held"), []
        while time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line.rstrip())
            if want in line:
                break
        self._log({"pre": pre["cmd"], "pid": proc.pid, "seen": seen})
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()

    def _answer(
        self, raw: bytes, body: dict, n: int, t_recv: float
    ) -> tuple[str, list, str, dict, dict]:
        names = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
        main = bool(names & MAIN_LOOP_TOOLS)
        msgs = body.get("messages") or []
        who, turn, seg, k = "side", {"text": "ok"}, None, 0
        if main:
            who, turn, seg, k = choose(self._load(), msgs)
            with self.lock:
                self.last_body[who] = body
            if "pre" in turn and (who, seg, k) not in self.done_pre:
                self.done_pre.add((who, seg, k))
                self._run_pre(turn["pre"])
        size = len(raw)
        if main:
            usage = {
                "input_tokens": 3 + n % 5,
                "cache_creation_input_tokens": 350 + (n * 37) % 900,
                "cache_read_input_tokens": 12000 + size // 4,
                "output_tokens": 40 + (n * 53) % 400,
            }
        else:
            usage = {
                "input_tokens": 120,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": 8,
            }
        tag = f"{safe_id(who)}_{n:03d}"
        if "text" in turn:
            blocks, stop = [{"type": "text", "text": turn["text"]}], "end_turn"
        else:
            pairs = turn["tools"] if "tools" in turn else [[turn["tool"], turn.get("input", {})]]
            blocks = [
                {"type": "tool_use", "id": f"toolu_{tag}_{i}", "name": nm, "input": inp}
                for i, (nm, inp) in enumerate(pairs)
            ]
            if turn.get("pre_text"):
                blocks.insert(0, {"type": "text", "text": turn["pre_text"]})
            stop = "tool_use"
        if turn.get("thinking"):
            blocks.insert(0, {"type": "thinking", "thinking": turn["thinking"]})
        if turn.get("sleep"):
            time.sleep(turn["sleep"])
        msg_id = f"msg_{tag}"
        rec = {
            "n": n,
            "answer": who,
            "seg": seg,
            "k": k,
            "main": main,
            "t_recv": t_recv,
            "msg_id": msg_id,
            "stop": stop,
            "usage": usage,
            "req_bytes": size,
            "blocks": [b.get("name") or b.get("text") or b.get("type") for b in blocks],
            "model": body.get("model"),
        }
        rec["t"] = time.time()
        with self.lock:
            self.answers.append(rec)
        self._log(dict(rec))
        return msg_id, blocks, stop, usage, turn

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _send_json(self, code, obj):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            def _request_record(self, n, body, size):
                rec = {
                    "n": n,
                    "method": self.command,
                    "path": self.path,
                    "headers": {
                        k.lower(): v
                        for k, v in self.headers.items()
                        if k.lower() not in ("x-api-key", "authorization")
                    },
                }
                if api.lean_log:
                    rec["req_bytes"] = size
                else:
                    rec["body"] = body
                api._log(rec)

            def _next_n(self):
                with api.lock:
                    api.n += 1
                    return api.n

            def do_GET(self):
                self._request_record(self._next_n(), None, 0)
                if self.path.startswith("/v1/models"):
                    m = api.model
                    return self._send_json(
                        200,
                        {
                            "data": [
                                {
                                    "type": "model",
                                    "id": m,
                                    "display_name": "fake",
                                    "created_at": "2025-01-01T00:00:00Z",
                                }
                            ],
                            "has_more": False,
                            "first_id": m,
                            "last_id": m,
                        },
                    )
                self._send_json(
                    404, {"type": "error", "error": {"type": "not_found_error", "message": "no"}}
                )

            def do_HEAD(self):
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def do_POST(self):
                t_recv = time.time()
                n = self._next_n()
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = {"_raw": raw.decode("utf8", "replace")}
                self._request_record(n, body, len(raw))
                path = self.path.split("?")[0]
                if path.endswith("/count_tokens"):
                    return self._send_json(200, {"input_tokens": 1000})
                if not path.endswith("/v1/messages"):
                    return self._send_json(
                        404,
                        {"type": "error", "error": {"type": "not_found_error", "message": "no"}},
                    )
                body = body if isinstance(body, dict) else {}
                try:
                    msg_id, blocks, stop, usage, turn = api._answer(raw, body, n, t_recv)
                except (
                    Exception
                ) as e:  # a broken script: say so loudly, in the log and to Claude Code
                    api._log({"n": n, "script_error": repr(e)})
                    return self._send_json(
                        500,
                        {
                            "type": "error",
                            "error": {
                                "type": "api_error",
                                "message": f"fake_api script error: {e!r}",
                            },
                        },
                    )
                model = body.get("model") or api.model
                if body.get("stream"):
                    return self._stream(msg_id, model, blocks, stop, usage, turn)
                self._send_json(
                    200,
                    {
                        "id": msg_id,
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [
                            dict(b, signature="RmFrZVNpZ25hdHVyZQ==")
                            if b["type"] == "thinking"
                            else b
                            for b in blocks
                        ],
                        "stop_reason": stop,
                        "stop_sequence": None,
                        "usage": usage,
                    },
                )

            def _stream(self, msg_id, model, blocks, stop, usage, turn):
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("request-id", "req_fake")
                self.send_header("connection", "close")
                self.end_headers()

                def ev(name, obj):
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(obj)}\n\n".encode())
                    self.wfile.flush()

                def delta(i, d):
                    ev(
                        "content_block_delta",
                        {"type": "content_block_delta", "index": i, "delta": d},
                    )

                ev(
                    "message_start",
                    {
                        "type": "message_start",
                        "message": {
                            "id": msg_id,
                            "type": "message",
                            "role": "assistant",
                            "model": model,
                            "content": [],
                            "stop_reason": None,
                            "stop_sequence": None,
                            "usage": dict(usage, output_tokens=1),
                        },
                    },
                )
                for i, b in enumerate(blocks):
                    if b["type"] == "thinking":
                        ev(
                            "content_block_start",
                            {
                                "type": "content_block_start",
                                "index": i,
                                "content_block": {
                                    "type": "thinking",
                                    "thinking": "",
                                    "signature": "",
                                },
                            },
                        )
                        delta(i, {"type": "thinking_delta", "thinking": b["thinking"]})
                        delta(i, {"type": "signature_delta", "signature": "RmFrZVNpZ25hdHVyZQ=="})
                    elif b["type"] == "text":
                        ev(
                            "content_block_start",
                            {
                                "type": "content_block_start",
                                "index": i,
                                "content_block": {"type": "text", "text": ""},
                            },
                        )
                        gap = turn.get("stream_delay")
                        words = b["text"].split(" ") if gap else [b["text"]]
                        for j, w in enumerate(words):
                            if j and gap:
                                time.sleep(gap)
                            delta(i, {"type": "text_delta", "text": (" " if j else "") + w})
                    else:
                        ev(
                            "content_block_start",
                            {
                                "type": "content_block_start",
                                "index": i,
                                "content_block": {
                                    "type": "tool_use",
                                    "id": b["id"],
                                    "name": b["name"],
                                    "input": {},
                                },
                            },
                        )
                        if turn.get("tool_delay"):
                            time.sleep(turn["tool_delay"])
                        delta(
                            i, {"type": "input_json_delta", "partial_json": json.dumps(b["input"])}
                        )
                    ev("content_block_stop", {"type": "content_block_stop", "index": i})
                if turn.get("delta_delay"):
                    api._log({"delta_delay_start": msg_id})
                    time.sleep(turn["delta_delay"])
                    api._log({"delta_delay_end": msg_id})
                ev(
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": stop, "stop_sequence": None},
                        "usage": {"output_tokens": usage["output_tokens"]},
                    },
                )
                ev("message_stop", {"type": "message_stop"})
                self.close_connection = True

        return Handler


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
