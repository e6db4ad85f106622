"""Rules about the team as a whole: ready work nobody claims, a team gone idle (naming
what gates it), requests waiting on a person or the lead, work waiting on trouble, and
the problems in the files themselves."""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter

from taskboard.board.graph import id_key
from taskboard.board.model import Board, Message, State, Task
from taskboard.board.rules.flags import Flag, Thresholds, duration
from taskboard.board.rules.signals import Life, Signals
from taskboard.board.rules.work import message_time
from taskboard.board.waves import Plan
from taskboard.textsafe import one_line

LEAD_TYPES = ("team-lead",)
REQUESTS = {
    "plan_approval_request": ("plan_approval_response", "plan approval"),
    "permission_request": ("permission_response", "permission"),
    "sandbox_permission_request": ("sandbox_permission_response", "sandbox permission"),
}
"""A request kind -> the kind of its answer, and what is asked for."""
TROUBLE = frozenset({"stalled", "failed", "idle_holding", "owner_gone", "unowned_running",
                     "started_while_blocked"})
"""Flags on a task that make the work waiting on it wait on trouble."""
PROBLEM_SEVERITY = {"asymmetric": "info", "torn": "info"}
_ORDER = attrgetter("order")


def is_lead(board: Board, name: str) -> bool:
    member = board.team.member(name) if board.team is not None else None
    return name == "team-lead" or (member is not None and member.agent_type in LEAD_TYPES)


def _names(names: list[str]) -> str:
    shown = ", ".join(one_line(n, 20) for n in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


class Unclaimed:
    """The ready-but-unclaimed flags of the last run, kept by the caller between runs:
    a flag whose text would not change is reused, and after a change of a few tasks only
    those tasks (and the tasks that wait on them) are looked at again."""

    def __init__(self) -> None:
        self.flags: dict[str, tuple[tuple[float, str], Flag]] = {}
        """Task id -> (since, how long), and its flag."""
        self.who: str | None = None
        """Who was idle (the flags name them)."""
        self.ordered: list[Flag] = []
        """The same flags, most urgent first (by ``Flag.order``): kept in order as they
        change, where sorting 2,000 of them again after each change cost ~1 ms."""

    def _drop(self, flag: Flag) -> None:
        ordered = self.ordered
        index = bisect_left(ordered, flag.order, key=_ORDER)
        while ordered[index] is not flag:  # flags of equal order: this one
            index += 1
        del ordered[index]


def unclaimed_rule(board: Board, pool: Iterable[Task], lives: dict[str, Life], now: float,
                   limits: Thresholds, signals: Signals, memo: Unclaimed | None = None,
                   changed: set[str] | None = None) -> list[Flag]:
    """Ready, nobody owns it, for longer than the threshold, while an agent sits idle.

    ``memo``: the last run's flags (updated here), reused where their text would not
    change: a big pool of ready work makes thousands of flags. With ``changed`` (the
    tasks changed since that run, which the memo must have seen), only those and the
    tasks waiting on them are looked at; the other flags stand as the last run made
    them (their "for 9 min" moves on the next run without ``changed``).

    The flags come most urgent first, in the memo's own list (:attr:`Unclaimed.ordered`):
    not to be changed by the caller."""
    idle = sorted(name for name, life in lives.items()
                  if life.working is False and not is_lead(board, name)
                  and (board.team is None or board.team.member(name) is not None)
                  and (life.activity is None or life.activity.state != "gone"))
    who = f"{_names(idle)} {'is' if len(idle) == 1 else 'are'} idle" if idle else None
    memo = memo if memo is not None else Unclaimed()
    previous, memo.flags = memo.flags if memo.who == who else {}, {}
    if who is None:
        memo.who, memo.ordered = None, []
        return memo.ordered
    states, tasks = board.analysis.states, board.tasks
    delta = changed is not None and bool(previous)
    if delta:
        look = set(changed)
        dependants = board.analysis.dependants
        for tid in changed:
            look.update(dependants.get(tid, ()))
        # The other flags stay where they are (no copy of thousands); the looked-at ones
        # are taken out, to be put back below if they still stand.
        memo.flags = previous
        previous = {tid: previous.pop(tid) for tid in look if tid in previous}
        pool = [tasks[tid] for tid in look if tid in tasks]
    memo.who = who
    task_since = signals.task_since
    for task in pool:  # the unowned open tasks
        tid = task.id
        if task.owner is not None or states.get(tid) is not State.READY or task.internal:
            continue
        since = task_since.get(tid)
        if since is None:  # ready since its last blocker was completed, as far as files tell
            since = max([task.mtime, *(tasks[b].mtime for b in task.blocked_by
                                       if b in tasks)])
        if now - since > limits.unclaimed:
            key = (since, duration(now - since))
            kept = previous.get(tid)
            if kept is None or kept[0] != key:
                kept = (key, Flag("ready_unclaimed", "warning",
                                  f"#{tid} is ready and nobody owns it, for {key[1]}, "
                                  f"while {who}", since, tid))
            memo.flags[tid] = kept
    if not delta:
        memo.ordered = sorted([flag for _, flag in memo.flags.values()], key=_ORDER)
        return memo.ordered
    for tid, (_, old) in previous.items():  # the looked-at flags: out, and the new ones in
        new = memo.flags.get(tid)
        if new is None or new[1] is not old:
            memo._drop(old)
    for tid in look:
        new = memo.flags.get(tid)
        if new is not None and (tid not in previous or previous[tid][1] is not new[1]):
            insort(memo.ordered, new[1], key=_ORDER)
    return memo.ordered


def team_idle_rule(board: Board, lives: dict[str, Life], remaining: int, now: float,
                   limits: Thresholds, get_plan: Callable[[], Plan]) -> Iterator[Flag]:
    """Open work remains and no agent has worked for longer than the threshold."""
    if board.team is not None:  # owners who left the team neither work nor idle
        lives = {name: life for name, life in lives.items() if board.team.member(name)}
    if not lives or any(life.working for life in lives.values()):
        return
    if not remaining:
        return
    states = board.analysis.states
    quiet = max((life.last_seen or 0.0 for life in lives.values()), default=0.0)
    if not quiet or now - quiet <= limits.team_idle:
        return
    plan = get_plan()
    front = [*plan.running, *(plan.waves[0] if plan.waves else ())]
    gating = most_gating(front, plan.gates_all)
    refs = []
    for tid in gating:
        task = board.tasks[tid]
        who = f" @{one_line(task.owner, 20)}" if task.owner else " (nobody)"
        word = "running" if states.get(tid) is State.IN_PROGRESS else "ready"
        refs.append(f"#{tid} {word}{who}")
    gates = f"; gated by {', '.join(refs)}" if refs else ""
    # Every agent known idle is certain; an agent merely silent (no transcript) may be
    # deep in a long piece of work, so that is a warning.
    certain = all(life.working is False for life in lives.values())
    yield Flag("team_idle", "critical" if certain else "warning",
               f"no agent has shown work for {duration(now - quiet)} while {remaining} "
               f"task{'s' if remaining != 1 else ''} remain{'s' if remaining == 1 else ''}"
               + gates, quiet, gating[0] if gating else None)


def request_rule(board: Board, messages: list[tuple[str, Message]],
                 running: dict[str, list[Task]], now: float) -> Iterator[Flag]:
    """A plan approval or permission request with no answer yet."""
    answers: list[tuple[str, str, Message]] = []
    for recipient, message in messages:
        for _request, (answer, _what) in REQUESTS.items():
            if message.kind == answer:
                answers.append((recipient, message.sender, message))
    for recipient, message in messages:
        spec = REQUESTS.get(message.kind)
        if spec is None:
            continue
        answer_kind, what = spec
        proto = message.protocol or {}
        key = proto.get("requestId") or proto.get("request_id")
        asked = message_time(message, now)
        answered = False
        for to, by, reply in answers:
            if reply.kind != answer_kind or to != message.sender:
                continue
            rproto = reply.protocol or {}
            rkey = rproto.get("requestId") or rproto.get("request_id")
            if (key and rkey == key) or (not (key and rkey) and by == recipient
                                         and message_time(reply, now) >= asked):
                answered = True
                break
        if answered:
            continue
        held = [t.id for t in running.get(message.sender, [])]
        tool = proto.get("tool_name") or proto.get("toolName")
        detail = f" ({one_line(str(tool), 30)})" if tool else ""
        yield Flag("waiting_for_person", "critical",
                   f"{one_line(message.sender, 20)} asked {one_line(recipient, 20)} for "
                   f"{what}{detail} {duration(now - asked)} ago; no answer yet",
                   asked, held[0] if len(held) == 1 else None, message.sender)


def most_gating(front: list[str], gates: dict[str, int], count: int = 3) -> list[str]:
    """The ``count`` tasks of ``front`` that gate the most work (ties by id): what
    ``sorted(front, key=(-gates, id))[:count]`` gives, without sorting the whole front
    (thousands of ready tasks at 10,000) at every run of the rules while a team idles."""
    if len(front) <= count:
        return sorted(front, key=lambda t: (-gates.get(t, 0), id_key(t)))
    top = heapq.nlargest(count, [gates.get(t, 0) for t in front])[-1]
    tied = [t for t in front if gates.get(t, 0) >= top]
    return heapq.nsmallest(count, tied, key=lambda t: (-gates.get(t, 0), id_key(t)))


_WAITING: dict[tuple[str, str, str, float | None, str | None], Flag] = {}
"""The "waiting on trouble" flags last made, by what their text says: a run of the rules
after each change makes hundreds of them on a big list (a stalled task early in a chain),
nearly all as they were."""


def trouble_rule(board: Board, flags: Iterable[Flag]) -> Iterator[Flag]:
    """Open work blocked, directly or not, by a task in trouble."""
    roots: dict[str, Flag] = {}
    trouble = [f for f in flags if f.kind in TROUBLE and f.task is not None]
    for flag in sorted(trouble, key=lambda f: -f.rank):  # the worst flag of each task
        if flag.task not in roots:
            roots[flag.task] = flag
    dependants = board.analysis.dependants
    states = board.analysis.states
    reached: dict[str, str] = {}
    for root in sorted(roots, key=lambda t: (-roots[t].rank, id_key(t))):
        frontier = [root]
        while frontier:
            for child in dependants.get(frontier.pop(), ()):
                if child in reached or child in roots or states.get(child) is State.COMPLETED:
                    continue
                reached[child] = root
                frontier.append(child)
    made = {}
    tasks = board.tasks
    for tid, via in reached.items():  # the caller sorts the flags (by their ``order``)
        task = tasks[tid]
        if task.internal:
            continue
        root = roots[via]
        key = (tid, via, root.kind, root.since, task.owner)
        flag = _WAITING.get(key)
        if flag is None:
            flag = Flag("waiting_on_trouble", "info",
                        f"#{tid} waits on #{root.task}, which is "
                        f"{root.kind.replace('_', ' ')}", root.since, tid, task.owner)
        made[key] = flag
        yield flag
    if len(_WAITING) > 4 * len(made) + 1000:
        _WAITING.clear()
    _WAITING.update(made)


def problem_rule(board: Board) -> Iterator[Flag]:
    """The model's problems: cycles, dangling references, one-sided links, bad files."""
    for problem in board.problems():
        task = board.tasks.get(problem.task or "")
        yield Flag(problem.kind, PROBLEM_SEVERITY.get(problem.kind, "warning"), problem.detail,
                   task.mtime if task is not None and task.mtime else None, problem.task)
