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
        self._also: dict[str, tuple[str, ...]] = {}
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
        (None: everything). Rows of changed tasks are highlighted when ``flash``."""
        self._board = board
        self._colors = {m.name: m.color for m in board.members}
        forest = build_outline(board.tasks, board.analysis, self.direction)
        if not self.task_filter.empty:
            states = board.analysis.states
            keep = {tid for tid, task in board.tasks.items()
                    if self.task_filter.matches(task, states[tid])}
            forest = prune(forest, keep)
        rows = walk(forest)
        shape = tuple((level, node.id) for level, node in rows)
        also = {node.id: node.also for _, node in rows}
        if flash and changed:
            self._flash |= changed & also.keys()
        if shape != self._shape or changed is None:
            self._rebuild(forest)
            self._shape = shape
            self._also = also
            return
        dirty = set(changed) | self._flash
        dirty |= {tid for tid, parents in also.items()
                  if parents != self._also.get(tid) or dirty.intersection(parents)}
        self._also = also
        nodes = {node.id: node for _, node in rows}
        for tid in dirty:
            tree_node = self._task_nodes.get(tid)
            if tree_node is not None and tid in nodes:
                tree_node.set_label(self._label(nodes[tid]))

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
