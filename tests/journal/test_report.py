"""Reports: the figures of a session, and every format escaping what came from the files."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from taskboard.journal import events as ev
from taskboard.journal.events import Event
from taskboard.journal.report import build_report
from taskboard.journal.report_html import to_html
from taskboard.journal.report_text import (
    dot_label,
    dump_json,
    md,
    mermaid_label,
    to_dot,
    to_markdown,
    to_mermaid,
)
from taskboard.sim.session import synthetic_session

T0 = 1_780_000_000.0
HOSTILE = ('Parse <script>alert(1)</script> [bold red]loud[/] "quoted" \\back `code` | pipe '
           '#5 --> *em* <img src="https://evil.example/x.png"> & done')


def hostile_session() -> list[Event]:
    def task(tid: str, subject: str, blocked_by: list[str], blocks: list[str]) -> dict:
        return {"id": tid, "subject": subject, "description": "", "status": "pending",
                "blocks": blocks, "blockedBy": blocked_by}

    return [
        Event(T0, "team-<b>", ev.TEAM_APPEARED),
        Event(T0, "team-<b>", ev.LIST_APPEARED),
        Event(T0 + 1, "team-<b>", ev.MEMBER_JOINED, agent="ann<i>", after={"isActive": False}),
        Event(T0 + 10, "team-<b>", ev.TASK_CREATED, task="1", after=task("1", HOSTILE, [], ["2"])),
        Event(T0 + 11, "team-<b>", ev.TASK_CREATED, task="2",
              after=task("2", "Test [link](https://evil.example)", ["1"], [])),
        Event(T0 + 70, "team-<b>", ev.TASK_CHANGED, task="1", agent="ann<i>",
              before={"status": "pending", "owner": None},
              after={"status": "in_progress", "owner": "ann<i>"}),
        Event(T0 + 100, "team-<b>", ev.MEMBER_IDLE, agent="ann<i>"),
        Event(T0 + 130, "team-<b>", ev.MEMBER_ACTIVE, agent="ann<i>"),
        Event(T0 + 400, "team-<b>", ev.TASK_CHANGED, task="1", agent="ann<i>",
              before={"status": "in_progress"}, after={"status": "completed"}),
        Event(T0 + 401, "team-<b>", ev.MESSAGE, agent="team-lead",
              detail={"from": "ann<i>", "text": "done", "summary": "<b>finished</b>"}),
        Event(T0 + 450, "team-<b>", ev.OPERATOR_WRITE, source="operator", task="2",
              detail={"verb": "assign", "target": "#2", "result": "ok",
                      "summary": "assign #2 to <script>x</script>"}),
        Event(T0 + 460, "team-<b>", ev.TASK_CHANGED, task="2", agent="bob",
              before={"owner": None}, after={"owner": "bob"}),
        Event(T0 + 900, "team-<b>", ev.TASK_REMOVED, task="1", detail={"auto_clear": True}),
    ]


def test_figures_of_a_session() -> None:
    report = build_report(hostile_session(), session="3")
    one, two = report.tasks["1"], report.tasks["2"]
    assert (report.created, report.completed, report.duration) == (2, 1, 900)
    assert one.to_first_claim == 60
    assert one.unclaimed == 60 and one.longest_wait == 60
    assert one.running == 330
    assert one.final_state == "done" and one.removed == T0 + 900
    assert two.blocked == 389  # from its creation until #1 was completed
    assert two.unclaimed == 60 and two.owner == "bob"
    assert two.to_first_claim == 449
    ann = report.agents["ann<i>"]
    assert (ann.completed, ann.running, ann.idle_holding, ann.sent) == (1, 330, 30, 1)
    assert [i.task for i in ann.lane] == ["1"]
    assert report.longest_waits(1)[0].id in ("1", "2")
    assert [e.detail["verb"] for e in report.operator] == ["assign"]
    kinds = [kind for _, kind, _ in report.key_events]
    assert ev.OPERATOR_WRITE in kinds and kinds[-1] == ev.TASK_REMOVED
    assert report.key_events[-1][2] == "auto-clear removed 1 completed tasks"
    states = [counts for _, counts in report.chart]
    assert {"blocked": 1, "ready": 0, "running": 1, "done": 0} in states
    assert [c for _, c, _ in report.throughput] and sum(c for _, c, _ in report.throughput) == 2


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_report_parses_loads_nothing_and_escapes_every_subject() -> None:
    page = to_html(build_report(hostile_session(), session="3"))
    parser = Collector()
    parser.feed(page)
    parser.close()
    tags = [tag for tag, _ in parser.tags]
    assert tags[0] == "html" and "svg" in tags and "table" in tags
    assert "script" not in tags and "img" not in tags and "a" not in tags
    assert "link" not in tags and "iframe" not in tags
    for _tag, attrs in parser.tags:
        for name, value in attrs.items():
            assert not (name in ("src", "href", "xlink:href") and value), (name, value)
    assert "http://" not in page.replace("https://evil.example", "")
    assert "default-src 'none'" in page
    text = "".join(parser.text)
    assert HOSTILE in text  # shown exactly as typed
    assert "[bold red]loud[/]" in text
    assert "<script>" not in page.replace(escape_once("<script>"), "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "ann&lt;i&gt;" in page and "<b>finished</b>" not in page


def escape_once(text: str) -> str:
    from html import escape

    return escape(text)


def test_markdown_escapes_markup_links_html_and_table_pipes() -> None:
    text = to_markdown(build_report(hostile_session(), session="3"))
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text
    assert "\\[bold red\\]loud\\[/\\]" in text
    assert "\\[link\\]\\(https://evil.example\\)" in text
    task_rows = [line for line in text.splitlines() if line.startswith("| \\#1 | Parse")]
    assert len(task_rows) == 2  # in the longest waits and in the tasks
    for line in task_rows:  # the pipe in the subject does not open a cell
        assert len(re.findall(r"(?<!\\)\|", line)) in (5, 9)
    assert md("a|b") == "a\\|b" and md("<x> & *y*") == "&lt;x&gt; &amp; \\*y\\*"
    assert "```mermaid" in text and "# Session report: team\\-&lt;b&gt;" not in text


def test_graph_labels_escape_every_special_character() -> None:
    report = build_report(hostile_session())
    mermaid = to_mermaid(report)
    node = next(line for line in mermaid.splitlines() if line.strip().startswith("t1["))
    label = node.split('["', 1)[1].rsplit('"]', 1)[0]
    assert '"' not in label and "<" not in label and "`" not in label and "[" not in label
    assert "#60;script#62;" in label
    assert "t1 --> t2" in mermaid
    assert mermaid_label('a"b') == "a#34;b"
    dot = to_dot(report)
    for line in dot.splitlines()[1:]:  # every quoted string closes on its line
        assert len(re.findall(r'(?<!\\)"', line.replace("\\\\", ""))) % 2 == 0, line
    assert '#1 Parse <script>alert(1)</script> [bold red]loud[/] \\"quoted\\"' in dot
    assert dot_label('x"y\\z') == 'x\\"y\\\\z'
    assert "t1 -> t2;" in dot and dot.startswith('digraph "team-<b>" {')


def test_json_holds_every_figure_and_the_text_as_data() -> None:
    data = json.loads(dump_json(build_report(hostile_session(), session="3")))
    assert data["tasksCreated"] == 2 and data["tasksCompleted"] == 1
    assert data["tasks"][0]["subject"] == HOSTILE
    assert data["agents"][0]["name"] == "ann<i>"
    assert data["operatorWrites"][0]["detail"]["verb"] == "assign"
    assert data["statesOverTime"] and data["throughput"]["buckets"]


def test_a_large_session_reports_in_every_format() -> None:
    report = build_report(synthetic_session(300, 3000, seed=9), session="1")
    assert report.created == 300 and report.completed == 300
    page = to_html(report)
    assert page.count("<svg") == 3
    assert "more tasks" in to_markdown(report)  # the tasks table is cut at 200 rows
    assert to_mermaid(report).count("-->") > 100


def test_report_and_review_on_the_command_line(tmp_path, capsys) -> None:
    from taskboard.cli import main
    from taskboard.journal.store import Journal

    data = tmp_path / "data"
    with Journal.open(data) as journal:
        sid = journal.session_for("team-<b>", now=T0)
        journal.record(e.with_session(sid) for e in hostile_session())
        other = journal.session_for("other", now=T0)
        journal.record([Event(T0, "other", ev.LIST_APPEARED, session=other)])
    options = ["--data-dir", str(data), "--claude-dir", str(tmp_path / "claude")]
    assert main(["report", "team-<b>", *options]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Session report: team\\-&lt;b&gt;") or "Session report" in out
    assert "&lt;script&gt;" in out
    target = tmp_path / "r.html"
    assert main(["report", "team-<b>", "--session", sid, "--format", "html", "-o",
                 str(target), *options]) == 0
    assert "wrote the html report" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["report", "team-<b>", "--session", other, *options]) == 1
    assert f"session {other} is of team 'other'" in capsys.readouterr().err
    assert main(["report", "team-<b>", "--session", "999", *options]) == 1
    assert main(["review", "nosuch", *options]) == 1
    assert "nothing recorded for 'nosuch'" in capsys.readouterr().err
    assert main(["report", "team-<b>", "--format", "pdf", *options]) == 2
