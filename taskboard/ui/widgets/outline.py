"""The dependency outline: a Tree of tasks that updates in place.

When the shape of the outline is unchanged (the usual case: a status, owner or
subject changed), only the labels of the affected rows are replaced, so an update
costs what changed, not the size of the list. When the shape changes, the tree is
rebuilt the way Textual's ``DirectoryTree._reload`` does: the collapsed nodes and
the cursor stay on the tasks the operator left them on.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from taskboard.filtering import TaskFilter
from taskboard.model import Board
from taskboard.outline import Direction, OutlineNode, build_outline, prune, walk
from taskboard.render import outline_label

FLASH_STYLE = "on #264d3a"


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
        self._also_children: dict[str, set[str]] = {}
        self._structure: tuple[object, str] | None = None
        """The analysis structure (and direction) the outline was built from."""
        self._flash: set[str] = set()
        self._board: Board | None = None
        self._colors: dict[str, str | None] = {}
        self.marked: set[str] = set()
        """Tasks the operator marked (space) to act on together."""

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
                and self._structure[0] is analysis.dependants \
                and self._structure[1] == self.direction:
            if flash:
                self._flash |= changed & self._outline_nodes.keys()
            self._relabel(self._affected(changed, analysis.dependants) | self._flash)
            return
        forest = build_outline(board.tasks, analysis, self.direction)
        if not self.task_filter.empty:
            states = analysis.states
            keep = {tid for tid, task in board.tasks.items()
                    if self.task_filter.matches(task, states[tid])}
            forest = prune(forest, keep)
        rows = walk(forest)
        shape = tuple((level, node.id) for level, node in rows)
        previous = self._outline_nodes
        self._outline_nodes = {node.id: node for _, node in rows}
        self._also_children = {}
        for _, node in rows:
            for parent in node.also:
                self._also_children.setdefault(parent, set()).add(node.id)
        self._structure = (analysis.dependants, self.direction)
        if flash and changed:
            self._flash |= changed & self._outline_nodes.keys()
        if shape != self._shape or changed is None:
            self._rebuild(forest)
            self._shape = shape
            return
        dirty = self._affected(changed, analysis.dependants) | self._flash
        dirty |= {tid for tid, node in self._outline_nodes.items()
                  if tid in previous and previous[tid].also != node.also}
        self._relabel(dirty)

    def _affected(self, changed: set[str], dependants: dict[str, tuple[str, ...]]) -> set[str]:
        """The rows whose label may differ after ``changed`` tasks changed."""
        dirty = set(changed)
        for tid in changed:
            dirty.update(dependants.get(tid, ()))
        for tid in list(dirty):
            dirty.update(self._also_children.get(tid, ()))
        return dirty

    def _relabel(self, ids: set[str]) -> None:
        for tid in ids:
            tree_node = self._task_nodes.get(tid)
            node = self._outline_nodes.get(tid)
            if tree_node is not None and node is not None:
                tree_node.set_label(self._label(node))

    def clear_flash(self) -> None:
        """Drop the highlight of recently changed rows."""
        if not self._flash or self._board is None:
            self._flash.clear()
            return
        flashed, self._flash = self._flash, set()
        self.show_board(self._board, flashed)

    def _label(self, node: OutlineNode) -> Text:
        assert self._board is not None
        label = outline_label(self._board, node, owner_colors=self._colors)
        if node.id in self.marked:
            label = Text.assemble(("◆ ", "bold magenta"), label)
        if node.id in self._flash:
            label.stylize(FLASH_STYLE)
        return label

    def _rebuild(self, forest: list[OutlineNode]) -> None:
        cursor = self.task_id
        cursor_line = self.cursor_line
        for tid, node in self._task_nodes.items():
            if node.allow_expand and not node.is_expanded:
                self._collapsed.add(tid)
        self.clear()
        self._task_nodes = {}
        stack: list[tuple[TreeNode[str], OutlineNode]] = [
            (self.root, node) for node in reversed(forest)]
        while stack:
            parent, node = stack.pop()
            label = self._label(node)
            if node.children:
                tree_node = parent.add(label, data=node.id,
                                       expand=node.id not in self._collapsed)
                stack.extend((tree_node, child) for child in reversed(node.children))
            else:
                tree_node = parent.add_leaf(label, data=node.id)
            self._task_nodes[node.id] = tree_node
        self.root.expand()
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
