"""Runs the real Claude Code CLI against the scripted model (fake_api.py): one ``claude -p``
run, or an interactive agent team under tmux on a private tmux socket.

Adapted from the realcc kit (run_team.py) for taskboard's own tests; the conftest beside this
file wraps it in fixtures. Everything happens under one work folder:

    WORK/home/        CLAUDE_CONFIG_DIR: projects/ (transcripts), tasks/, teams/, sessions/, ...
    WORK/cwd/         the directory Claude Code runs in
    WORK/fakehome/    HOME
    WORK/api.log      fake_api's log: every request (with its body) and every answer
    WORK/stdout.jsonl (print) the stream-json output     WORK/stderr.txt  Claude Code's stderr

    env = ClaudeEnv(claude_bin, work_dir)                 # dirs, .claude.json, settings.json
    res = run_print(env, script, prompt="Follow the plan.", task_list="t1")
    res.returncode, res.messages, res.tool_calls          # stream-json lines; lead's calls+results
    with Team(env, script) as team:                       # tmux + fake API; stops both on exit
        team.wait_answer("alice", "ALICE-DONE", timeout=60)
        team.wait_quiet(3); team.team_name(); team.config(); team.tasks()
        team.exit()                                       # /exit, until Claude Code is gone
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.claude_code.fake_api import FakeAPI

DEFAULT_MODEL = "claude-sonnet-4-5"
DEFAULT_PROMPT = "Follow the plan."
EXIT_MARK = "__CLAUDE_EXITED__"
WORK_MARK = ".realcc-work"
# Inherited variables that would leak the caller's own Claude Code / tmux session into the child.
DROP_PREFIXES = (
    "ANTHROPIC_",
    "CLAUDE",
    "TMUX",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "OTEL_",
)


class ClaudeEnv:
    """A private Claude home, HOME and project directory under `work`, ready for a scripted run.

    model: what --model gets. extra_env: added to (and overriding) the child's environment.
    todo_tools: set CLAUDE_CODE_ENABLE_TODO_TOOLS=1, which gives the task tools to models that
    are not on Claude Code's allow-list (no effect on the others). pane: settings
    teammateMode "tmux" (teammates in their own tmux panes, not in-process). allow: tools
    allowed without a permission prompt. settings: more keys for home/settings.json.
    """

    def __init__(
        self,
        claude: str,
        work,
        model: str = DEFAULT_MODEL,
        extra_env: dict | None = None,
        todo_tools: bool = True,
        pane: bool = False,
        allow=("Bash",),
        settings: dict | None = None,
        cwd=None,
        clean: bool = False,
    ):
        self.claude = str(claude)
        self.work = Path(work).resolve()
        if self.work.exists() and any(self.work.iterdir()):
            if clean and (self.work / WORK_MARK).exists():
                shutil.rmtree(self.work)
            else:
                raise SystemExit(
                    f"run_team: {self.work} is not empty"
                    + ("" if clean else " (--clean empties a folder this script made)")
                )
        self.home, self.fakehome = self.work / "home", self.work / "fakehome"
        self.cwd = Path(cwd).resolve() if cwd else self.work / "cwd"
        for d in (self.work, self.home, self.fakehome, self.cwd):
            d.mkdir(parents=True, exist_ok=True)
        (self.work / WORK_MARK).write_text("")
        self.model, self.pane, self.todo_tools = model, pane, todo_tools
        self.extra_env = dict(extra_env or {})
        self.log = self.work / "api.log"
        self._seed(list(allow), settings or {})

    def _seed(self, allow: list, settings: dict) -> None:
        # Skip the first-run screens: onboarding, "trust this folder?", "use this API key?".
        projects = {
            str(self.cwd): {"hasTrustDialogAccepted": True, "hasCompletedProjectOnboarding": True}
        }
        top = subprocess.run(
            ["git", "-C", str(self.cwd), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
        )
        if top.returncode == 0 and top.stdout.strip():
            projects[str(Path(top.stdout.strip()).resolve())] = dict(projects[str(self.cwd)])
        (self.home / ".claude.json").write_text(
            json.dumps(
                {
                    "hasCompletedOnboarding": True,
                    "theme": "dark",
                    "numStartups": 5,
                    "customApiKeyResponses": {"approved": ["dummy"], "rejected": []},
                    "projects": projects,
                },
                indent=1,
            )
        )
        s = {"permissions": {"allow": allow}}
        if self.pane:
            s["teammateMode"] = "tmux"
        s.update(settings)
        (self.home / "settings.json").write_text(json.dumps(s, indent=1))

    def environ(self, port: int, task_list: str | None = None) -> dict:
        """The child's whole environment."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(DROP_PREFIXES)}
        env.update(
            {
                "HOME": str(self.fakehome),
                "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{port}",
                "ANTHROPIC_API_KEY": "dummy",
                "CLAUDE_CONFIG_DIR": str(self.home),
                "DISABLE_TELEMETRY": "1",
                "DISABLE_ERROR_REPORTING": "1",
                "DISABLE_AUTOUPDATER": "1",
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
                "CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS": "1",
            }
        )
        if self.todo_tools:
            env["CLAUDE_CODE_ENABLE_TODO_TOOLS"] = "1"
        if task_list:
            env["CLAUDE_CODE_TASK_LIST_ID"] = task_list
        env.update(self.extra_env)
        return env

    def start_api(self, script, lean_log: bool = False) -> FakeAPI:
        if isinstance(script, (str, Path)):
            shutil.copy(script, self.work / "script.json")
        else:
            (self.work / "script.json").write_text(json.dumps(script, indent=1))
        return FakeAPI(
            str(self.work / "script.json"),
            str(self.log),
            lean_log=lean_log,
            port_file=str(self.work / "port"),
        ).start()

    # -- reading what Claude Code left ------------------------------------------------------
    def transcripts(self) -> list[Path]:
        return (
            sorted((self.home / "projects").rglob("*.jsonl"))
            if (self.home / "projects").exists()
            else []
        )

    def tasks(self, task_list: str) -> dict[str, dict]:
        """id -> task, from home/tasks/<task_list>/*.json."""
        out = {}
        d = self.home / "tasks" / task_list
        for p in sorted(d.glob("*.json")) if d.exists() else []:
            try:
                out[p.stem] = json.loads(p.read_text())
            except ValueError:
                out[p.stem] = {"_unreadable": p.read_text()}
        return out


class PrintResult:
    def __init__(self, proc: subprocess.CompletedProcess, api: FakeAPI, seconds: float):
        self.returncode, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr
        self.seconds = seconds
        self.messages = []
        for line in proc.stdout.splitlines():
            with contextlib.suppress(ValueError):
                self.messages.append(json.loads(line))
        self.tool_calls = api.tool_calls("lead")
        self.answers = list(api.answers)
        self.session_id = next(
            (m.get("session_id") for m in self.messages if m.get("session_id")), None
        )


def run_print(
    env: ClaudeEnv,
    script,
    prompt: str = DEFAULT_PROMPT,
    task_list: str | None = None,
    args: list[str] | None = None,
    timeout: float = 240,
    lean_log: bool = False,
    started=None,
) -> PrintResult:
    """One `claude -p` run. task_list sets CLAUDE_CODE_TASK_LIST_ID (the tasks/<name>/ folder);
    without it the list is tasks/<session id>/. started(pid) is called once Claude Code runs."""
    api = env.start_api(script, lean_log)
    try:
        t0 = time.time()
        cmd = [
            env.claude,
            "-p",
            prompt,
            "--output-format",
            "stream-json",
            "--verbose",
            "--model",
            env.model,
            *(args or []),
        ]
        child = subprocess.Popen(
            cmd,
            cwd=env.cwd,
            env=env.environ(api.port, task_list),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if started is not None:
            started(child.pid)
        try:
            out, err = child.communicate(timeout=timeout)
            proc = subprocess.CompletedProcess(cmd, child.returncode, out, err)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
            proc = subprocess.CompletedProcess(
                cmd, 124, out, err + f"\n[timed out after {timeout} s]"
            )
        (env.work / "stdout.jsonl").write_text(proc.stdout)
        (env.work / "stderr.txt").write_text(proc.stderr)
        return PrintResult(proc, api, time.time() - t0)
    finally:
        api.stop()


class Team:
    """The interactive CLI in a detached tmux session on a private socket, with the fake API.

    Claude Code starts with `prompt` as its first message, so the lead's script begins at once.
    With agent teams on, it makes the session team teams/session-<8 hex>/ at start-up.
    """

    def __init__(
        self,
        env: ClaudeEnv,
        script,
        prompt: str = DEFAULT_PROMPT,
        lean_log: bool = False,
        width: int = 200,
        height: int = 50,
    ):
        self.env, self.script, self.prompt = env, script, prompt
        self.lean_log, self.size = lean_log, (width, height)
        self.socket = f"realcc-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.session = "realcc"
        self.api: FakeAPI | None = None
        self.lead_pane: str | None = None
        self.t0 = time.time()

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Team:
        if not shutil.which("tmux"):
            raise SystemExit("run_team: tmux is needed for an interactive run")
        self.api = self.env.start_api(self.script, self.lean_log)
        child = self.env.environ(self.api.port)
        stderr = shlex.quote(str(self.env.work / "stderr.txt"))
        cmd = (
            " ".join(
                f"{k}={shlex.quote(child[k])}"
                for k in ("HOME", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "CLAUDE_CONFIG_DIR")
            )
            + f" {shlex.quote(self.env.claude)} --model {shlex.quote(self.env.model)}"
            + f" {shlex.quote(self.prompt)} 2> {stderr}; echo {EXIT_MARK} rc=$?; sleep 3600"
        )
        # The tmux server is started with the child's environment, so the lead and any pane
        # teammates it opens get the same variables.
        w, h = self.size
        self._tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(w),
            "-y",
            str(h),
            "-c",
            str(self.env.cwd),
            cmd,
            env=child,
            check=True,
        )
        self.lead_pane = self._tmux(
            "display-message", "-p", "-t", self.session, "#{pane_id}"
        ).stdout.strip()
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            (self.env.work / "pane-final.txt").write_text(self.pane())
        self._tmux("kill-server")
        if self.api:
            self.api.stop()

    def __enter__(self) -> Team:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- tmux -------------------------------------------------------------------------------
    def _tmux(self, *args, env=None, check=False) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=env, check=check
        )

    def pane(self, target: str | None = None) -> str:
        """The visible text of the lead's pane (or of `target`)."""
        return self._tmux(
            "capture-pane", "-p", "-t", target or self.lead_pane or self.session
        ).stdout

    def send_keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.lead_pane or self.session, *keys)

    def panes(self) -> list[str]:
        out = self._tmux(
            "list-panes", "-a", "-F", "#{pane_id} #{pane_pid} #{pane_current_command}"
        ).stdout
        return out.splitlines()

    # -- waiting ----------------------------------------------------------------------------
    def log(self, what: str) -> None:
        print(f"[{time.time() - self.t0:6.1f}s] {what}", file=sys.stderr, flush=True)

    def wait(self, fn, timeout: float, what: str = "", interval: float = 0.2):
        """Poll fn() until it returns something true; that value, or None after timeout."""
        end = time.time() + timeout
        while time.time() < end:
            v = fn()
            if v:
                if what:
                    self.log(what)
                return v
            time.sleep(interval)
        if what:
            self.log(f"TIMEOUT after {timeout:.0f} s: {what}")
        return None

    def wait_answer(
        self, who: str, trigger: str | None = None, k: int | None = None, timeout: float = 60
    ):
        """Until the fake answered conversation `who` from segment `trigger` (turn k)."""
        return self.wait(
            lambda: self.api.answered(who, trigger, k),
            timeout,
            f"answered {who} {trigger or ''} {'' if k is None else k}".rstrip(),
        )

    def wait_quiet(self, seconds: float = 5, timeout: float = 120) -> bool:
        """Until the fake has had no main-loop request for `seconds` (after at least one)."""

        def quiet():
            last = self.api.last_answer_time()
            return last is not None and time.time() - last >= seconds

        return bool(self.wait(quiet, timeout, f"quiet for {seconds:g} s"))

    # -- what Claude Code made --------------------------------------------------------------
    def team_dir(self) -> Path | None:
        teams = (
            sorted((self.env.home / "teams").glob("session-*/config.json"))
            if (self.env.home / "teams").exists()
            else []
        )
        return teams[0].parent if teams else None

    def team_name(self) -> str | None:
        d = self.team_dir()
        return d.name if d else None

    def config(self) -> dict | None:
        d = self.team_dir()
        try:
            return json.loads((d / "config.json").read_text()) if d else None
        except (OSError, ValueError):
            return None

    def members(self) -> list[str]:
        return [m.get("name") for m in (self.config() or {}).get("members", [])]

    def tasks(self) -> dict[str, dict]:
        name = self.team_name()
        return self.env.tasks(name) if name else {}

    def exited(self) -> bool:
        return EXIT_MARK in self.pane()

    def exit(self, tries: int = 5, timeout: float = 10) -> bool:
        """/exit in the lead's pane (taken only while the lead is idle: Escape first, retried).
        With teammates still running (pane teammates), Claude Code asks "Exit and stop tasks /
        Move to background and exit / Stay": the first choice is confirmed."""
        for _ in range(tries):
            self.send_keys("Escape")
            time.sleep(0.5)
            self.send_keys("/exit", "Enter")
            end, confirmed = time.time() + timeout, False
            while time.time() < end:
                if self.exited():
                    self.log("claude exited")
                    return True
                if not confirmed and "Exit and stop" in self.pane():
                    self.send_keys("Enter")
                    confirmed = True
                time.sleep(0.2)
            self.log(f"no exit after {timeout:.0f} s; trying again")
        return False
