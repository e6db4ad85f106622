"""A scripted stand-in for the Anthropic Messages API, to run the real Claude Code CLI in tests.

Adapted from the realcc kit (fake_api.py) for taskboard's own tests: used as a module only.
Standard library only. It listens on 127.0.0.1 (port 0 = any free port, written to port_file
atomically) and answers `POST /v1/messages` (streaming SSE when the request asks for it, JSON
otherwise), `POST /v1/messages/count_tokens` and `GET /v1/models`. Point Claude Code at it with
`ANTHROPIC_BASE_URL=http://127.0.0.1:PORT ANTHROPIC_API_KEY=dummy`.

Use: `api = FakeAPI(script, log).start(); ...; api.stop()`. The script format is in script.py.

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
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.claude_code.script import MAIN_LOOP_TOOLS, choose, safe_id, tool_calls_of

DEFAULT_MODEL = "claude-sonnet-4-5-20250929"


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
