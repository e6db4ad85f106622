"""The dependency outline: a Tree of tasks that updates in place.

When the shape of the outline is unchanged (the usual case: a status, owner or
subject changed), only the labels of the affected rows are replaced, so an update
costs what changed, not the size of the list. When the shape changes, the tree is
rebuilt the way Textual's ``DirectoryTree._reload`` does: the collapsed nodes and
the cursor stay on the tasks the operator left them on.
"""

from __future__ import annotations

from typing import Literal

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets._tree import TOGGLE_STYLE
from textual.widgets.tree import TreeNode

from taskboard.board.filtering import TaskFilter
from taskboard.board.graph import Analysis
from taskboard.board.model import Board, State
from taskboard.board.outline import Direction, OutlineNode, build_outline, prune, walk
from taskboard.board.rules import Flag
from taskboard.board.waves import SECTION, Plan, plan, section_title, waves_forest
from taskboard.render import fit, outline_label

FLASH_STYLE = "on #264d3a"
_UNSEEN = object()
View = Literal["tree", "waves"]


class DependencyOutline(Tree[str]):
    """Tasks as a tree along their dependencies; each task once, other parents as badges."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="outline.down"),
        Binding("k", "cursor_up", "Up", show=False, id="outline.up"),
        Binding("left", "collapse", "Collapse", show=False, id="outline.collapse"),
        Binding("right", "expand", "Expand", show=False, id="outline.expand"),
        Binding("g,home", "scroll_home", "Top", show=False, id="outline.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="outline.bottom"),
        Binding("space", "screen.mark", "Mark", show=False, id="outline.mark"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("tasks", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 3
        self.direction: Direction = "blockers"
        self.task_filter = TaskFilter()
        self._task_nodes: dict[str, TreeNode[str]] = {}
        self._shape: tuple[tuple[int, str], ...] | None = None
        self._collapsed: set[str] = set()
        self._outline_nodes: dict[str, OutlineNode] = {}
        self._label_cache: dict[str, Text] = {}
        self._also_children: dict[str, set[str]] = {}
        self._row_states: dict[str, State | None] = {}
        """The state each changed task was last drawn with (see ``_affected``)."""
        self._structure: tuple[object, str] | None = None
        """The analysis structure (and direction) the outline was built from."""
        self._flash: set[str] = set()
        self._widths: tuple[int, int] | None = None
        """The width and the scrollable width the lines were last laid out for."""
        self._board: Board | None = None
        self._colors: dict[str, str | None] = {}
        self.marked: set[str] = set()
        """Tasks the operator marked (space) to act on together."""
        self.view: View = "tree"
        """The dependency tree, or the remaining work in waves."""
        self.flags: dict[str, list[Flag]] = {}
        """Each flagged task's flags, most urgent first (set by :meth:`set_attention`)."""
        self.critical: frozenset[str] = frozenset()
        self.plan: Plan | None = None
        self._forest: list[OutlineNode] = []
        self._folded: set[str] = set()
        self._opened: set[str] = set()
        """Sections the operator opened that start folded (the done work)."""

    # -- reading ---------------------------------------------------------------

    @property
    def task_id(self) -> str | None:
        """The task under the cursor."""
        node = self.cursor_node
        return node.data if node is not None else None

    @property
    def row_count(self) -> int:
        return len(self._task_nodes)

    def select_task(self, task_id: str) -> bool:
        """Move the cursor to a task, expanding its ancestors. False if it is not shown."""
        node = self._task_nodes.get(task_id)
        if node is None:
            return False
        parent = node.parent
        while parent is not None and not parent.is_root:
            parent.expand()
            self._collapsed.discard(parent.data or "")
            parent = parent.parent
        self.move_cursor(node)
        self.scroll_to_node(node)
        return True

    # -- updating ----------------------------------------------------------------

    @property
    def owner_colors(self) -> dict[str, str | None]:
        """The members' colours the rows were labelled with (an owner's name shows in it)."""
        return self._colors

    def show_board(self, board: Board, changed: set[str] | None = None,
                   *, flash: bool = False) -> None:
        """Bring the outline in line with ``board``. ``changed``: the task ids that changed
        (None: everything). Rows of changed tasks are highlighted when ``flash``.

        When no link moved (the board's analysis shares its structure with the one the
        outline was built from) and no filter is on, only the affected rows are
        relabelled: the changed tasks, the tasks waiting on them (their state may
        flip), and the rows whose "also after" badges name any of those.
        """
        self._board = board
        self._colors = {m.name: m.color for m in board.members}
        analysis = board.analysis
        if changed is not None and self.task_filter.empty and self._structure is not None \
                and self.view == "tree" and self._structure[0] is analysis.dependants \
                and self._structure[1] == self.direction + self.view:
            if flash:
                self._flash |= changed & self._outline_nodes.keys()
            self._relabel(self._affected(changed, analysis))
            return
        if self.view == "waves":
            # The waves move with every state change: this view pays O(tasks) per change.
            self.plan = plan(board.tasks, analysis.states)
            self.critical = frozenset(self.plan.critical_path)
            forest = waves_forest(self.plan)
        else:
            forest = build_outline(board.tasks, analysis, self.direction, self.critical)
        if not self.task_filter.empty:
            states = analysis.states
            keep = {tid for tid, task in board.tasks.items()
                    if self.task_filter.matches(task, states[tid])}
            forest = prune(forest, keep)
        self._forest = forest
        rows = walk(forest)
        shape = tuple((level, node.id) for level, node in rows)
        previous = self._outline_nodes
        self._outline_nodes = {node.id: node for _, node in rows}
        self._also_children = {}
        for _, node in rows:
            for parent in node.also:
                self._also_children.setdefault(parent, set()).add(node.id)
        self._structure = (analysis.dependants, self.direction + self.view)
        self._row_states = dict(analysis.states)
        if flash and changed:
            self._flash |= changed & self._outline_nodes.keys()
        if shape != self._shape or changed is None:
            self._rebuild(forest)
            self._shape = shape
            return
        dirty = self._affected(changed, analysis)
        dirty |= {tid for tid, node in self._outline_nodes.items()
                  if tid in previous and previous[tid].also != node.also}
        self._relabel(dirty)

    def _affected(self, changed: set[str], analysis: Analysis) -> set[str]:
        """The rows whose label may differ after ``changed`` tasks changed: theirs and,
        for a task whose state moved, the rows that show that state (the tasks waiting on
        it, whose own state may flip with it, and the "also after" badges naming either).
        A subject or an owner shows on the task's own row only."""
        dirty = set(changed)
        states, seen, dependants = analysis.states, self._row_states, analysis.dependants
        moved = set()
        for tid in changed:
            state = states.get(tid)
            if seen.get(tid, _UNSEEN) != state:
                seen[tid] = state
                moved.add(tid)
                dirty.update(dependants.get(tid, ()))
        for tid in moved | (dirty - changed):
            dirty.update(self._also_children.get(tid, ()))
        return dirty

    def _refresh_line(self, line: int) -> None:
        """Tree's repaint of one line, keeping the widget's component styles. Every
        ``refresh`` clears them, and Tree works out five of them again for each line it
        renders (~2 ms a line here: most of what a relabelled row cost). When they really
        change (a theme, focus, a rule), Textual refreshes the whole widget or notifies a
        style update, and those still clear them."""
        kept = dict(self._rich_style_cache)
        super()._refresh_line(line)
        self._rich_style_cache.update(kept)

    def _on_resize(self, event: events.Resize) -> None:
        """A change of height alone (the "Needs you" pane grew by an alert, the detail
        opened) keeps the lines: they depend on the width, not on how many show. Tree
        would drop every rendered line and its list of lines (10,000 at 10,000 tasks),
        then lay the screen out once more; only a new width does that here."""
        widths = (self.size.width, self.scrollable_content_region.width)
        if widths == self._widths:
            self._line_cache.grow(event.size.height)
            event.prevent_default()  # Tree's handler: the invalidation
        self._widths = widths

    def _relabel(self, ids: set[str]) -> None:
        """Repaint these rows; their labels are rebuilt when next drawn. A row off screen
        is only marked stale (Tree's line cache is keyed by its nodes' update counts):
        thousands of flags rising at once (the first rules' run at 10,000 tasks) would
        otherwise each work out a repaint region that lies outside the view."""
        top = self.scroll_offset.y
        bottom = top + self.size.height
        nodes, cache = self._task_nodes, self._label_cache
        for tid in ids:
            cache.pop(tid, None)
            tree_node = nodes.get(tid)
            if tree_node is None:
                continue
            if top <= tree_node.line < bottom:
                tree_node.refresh()
            else:
                tree_node._updates += 1

    # -- labels, built lazily: only rows on screen pay for their rich text ---------------

    def process_label(self, label: str | Text) -> Text:
        """Nodes are added with their id; the real label comes from :meth:`render_label`."""
        return label if isinstance(label, Text) else Text(label)

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        if node.data is None:  # the (hidden) root
            return super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None and not parent.is_root:
            depth += 1
            parent = parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth - \
            (2 if node.allow_expand else 0)
        label = fit(self.row_label(node.data), room).copy()
        label.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            return Text.assemble((icon, base_style + TOGGLE_STYLE), label)
        return label

    def get_label_width(self, node: TreeNode[str]) -> int:
        """An estimate from the subject's length: Tree asks this of every node to size the
        view, and rendering 10,000 labels to measure them would cost a second."""
        board = getattr(self, "_board", None)  # Tree asks for the root's before __init__ ends
        task = board.tasks.get(node.data) if board is not None and node.data else None
        return 4 + len(node.data or "") + (min(len(task.subject), 80) if task else 0)

    def row_label(self, task_id: str) -> Text:
        """The label of a task's row as it is drawn now."""
        label = self._label_cache.get(task_id)
        if label is None and task_id.startswith(SECTION) and self.plan is not None:
            label = self._label_cache[task_id] = Text(
                section_title(task_id, self.plan), style="bold underline", no_wrap=True)
        if label is None:
            node = self._outline_nodes.get(task_id)
            if node is None or self._board is None or task_id not in self._board.tasks:
                return Text(f"#{task_id}")
            label = self._label_cache[task_id] = self._label(node)
        return label

    def row_text(self, task_id: str) -> str | None:
        """A shown row's text (None when the task is not in the outline): for tests."""
        return self.row_label(task_id).plain if task_id in self._task_nodes else None

    def clear_flash(self) -> None:
        """Drop the highlight of recently changed rows."""
        flashed, self._flash = self._flash, set()
        self._relabel(flashed)

    def refresh_rows(self, task_ids: set[str] | None = None) -> None:
        """Repaint rows whose look changed for reasons outside the board (marks)."""
        self._relabel(set(self._task_nodes) if task_ids is None else task_ids)

    def _label(self, node: OutlineNode) -> Text:
        assert self._board is not None
        label = outline_label(self._board, node, owner_colors=self._colors,
                              flags=self.flags.get(node.id, ()),
                              critical=node.id in self.critical,
                              reverse=self.direction == "dependants")
        if node.id in self.marked:
            label = Text.assemble(("◆ ", "bold magenta"), label)
        if node.id in self._flash:
            label.stylize(FLASH_STYLE)
        return label

    def _rebuild(self, forest: list[OutlineNode]) -> None:
        """Replace every node, keeping the collapsed ones collapsed and the cursor in place.

        Nodes are created directly rather than through ``TreeNode.add``, which
        invalidates the whole tree once per node (10,000 times for 10,000 tasks);
        here the tree is invalidated once at the end.
        """
        cursor = self.task_id
        cursor_line = self.cursor_line
        collapsed_now = {tid for tid, node in self._task_nodes.items()
                         if node.allow_expand and not node.is_expanded}
        self._collapsed = (self._collapsed - self._task_nodes.keys()) | collapsed_now
        self._label_cache.clear()
        self.clear()
        self._task_nodes = {}
        stack: list[tuple[TreeNode[str], OutlineNode]] = [
            (self.root, node) for node in reversed(forest)]
        while stack:
            parent, node = stack.pop()
            has_children = bool(node.children)
            folded = node.id in self._collapsed or node.id == SECTION + "done" and \
                SECTION + "done" not in self._opened
            tree_node = TreeNode(self, parent, self._new_id(), Text(), node.id,
                                 expanded=has_children and not folded,
                                 allow_expand=has_children)
            self._tree_nodes[tree_node._id] = tree_node
            parent._children.append(tree_node)
            self._task_nodes[node.id] = tree_node
            stack.extend((tree_node, child) for child in reversed(node.children))
        self.root.expand()
        self._invalidate()
        if cursor is not None and cursor in self._task_nodes:
            self.call_after_refresh(self._restore_cursor, cursor)
        elif self._task_nodes:
            self.cursor_line = min(max(cursor_line, 0), len(self._task_nodes) - 1)

    def _restore_cursor(self, task_id: str) -> None:
        node = self._task_nodes.get(task_id)
        if node is not None:
            self.move_cursor(node, animate=False)

    # -- actions -------------------------------------------------------------------

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
            self._collapsed.add(node.data or "")
        else:
            self.action_cursor_parent()

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()
            self._collapsed.discard(node.data or "")
            self._opened.add(node.data or "")

    # -- attention, waves, folding -------------------------------------------------

    def set_attention(self, flags: dict[str, list[Flag]], critical: frozenset[str]) -> None:
        """Mark flagged tasks and the critical path; only rows whose marks moved repaint."""
        if flags is self.flags and (critical == self.critical or self.view != "tree"):
            return  # the same flags (the console keeps them while no rule input moved)
        old = self.flags
        # Lists of the same flags compare equal fast (the rules reuse flags that stand).
        dirty = {tid for tid in flags.keys() | old.keys()
                 if flags.get(tid) != old.get(tid)
                 and _badge(flags.get(tid)) != _badge(old.get(tid))}
        if self.view == "tree":
            dirty |= critical ^ self.critical
            self.critical = critical
        self.flags = flags
        self._relabel(dirty)

    def toggle_view(self, board: Board) -> View:
        """Switch between the dependency tree and the waves view."""
        self.view = "waves" if self.view == "tree" else "tree"
        if self.view == "tree" and self.plan is not None:
            self.critical = frozenset(self.plan.critical_path)
        self.show_board(board, None)
        return self.view

    def done_subtrees(self) -> list[str]:
        """Rows whose task and everything under it are completed, and that have children."""
        board = self._board
        if board is None:
            return []
        states = board.analysis.states
        out: list[str] = []
        done: dict[int, bool] = {}
        stack: list[tuple[OutlineNode, bool]] = [(n, False) for n in self._forest]
        while stack:
            node, visited = stack.pop()
            if not visited:
                stack.append((node, True))
                stack.extend((child, False) for child in node.children)
                continue
            own = node.id.startswith(SECTION) or states.get(node.id) is State.COMPLETED
            whole = own and all(done[id(child)] for child in node.children)
            done[id(node)] = whole
            if whole and node.children:
                out.append(node.id)
        return out

    def fold_done(self) -> bool:
        """Fold every completed subtree; when all are folded already, unfold them.
        Returns True when folded."""
        ids = [tid for tid in self.done_subtrees() if tid in self._task_nodes]
        nodes = [self._task_nodes[tid] for tid in ids]
        fold = any(node.is_expanded for node in nodes)
        for tid, node in zip(ids, nodes, strict=True):
            if fold:
                node.collapse()
                self._collapsed.add(tid)
            else:
                node.expand()
                self._collapsed.discard(tid)
        return fold

    def open_on_work(self) -> None:
        """Fold the finished work and put the cursor on the first running (else ready) task."""
        board = self._board
        if board is None:
            return
        self.fold_done()
        states = board.analysis.states
        order = [tid for tid in self._task_nodes if tid in board.tasks]
        for wanted in (State.IN_PROGRESS, State.READY):
            first = next((tid for tid in order if states.get(tid) is wanted), None)
            if first is not None:
                self.select_task(first)
                return


def _badge(flags: list[Flag] | None) -> tuple[object, ...]:
    """What a row shows of its flags (see :func:`taskboard.render.flag_badge`): their kinds
    and severities. A flag's reason and age move with the clock; the row does not."""
    return tuple((f.kind, f.severity, f.rank) for f in flags or ())
