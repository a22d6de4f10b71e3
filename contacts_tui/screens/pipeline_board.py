"""The pipeline board: a lifecycle's steps as columns of contacts, moved along with a key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, HorizontalScroll, Vertical
from textual.widgets import OptionList, Static
from textual.worker import get_current_worker

from contacts_tui.lifecycle import Step, Template
from contacts_tui.safe_text import display_safe, error_message
from contacts_tui.screens.binding_commands import ScreenBindingCommands
from contacts_tui.screens.list_view_screen import ListViewScreen
from contacts_tui.services import ConflictError, ContactFilter
from contacts_tui.services.board import BoardCard, BoardService, ColumnPage
from contacts_tui.stage_moves import stage_move_question
from contacts_tui.validation import ValidationError
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.board_column import BoardColumn
from contacts_tui.widgets.keys_footer import KeysFooter
from contacts_tui.widgets.reporting import reported_work, tell
from contacts_tui.widgets.title_bar import TitleBar

PAGE = 30
"""Cards a column reads at a time: more than a column shows on a tall terminal."""


@dataclass(frozen=True)
class BoardRead:
    counts: dict[str, int]
    pages: dict[str, ColumnPage]


class PipelineBoardScreen(ListViewScreen):
    """One lifecycle template's steps as columns, grouped under their categories."""

    COMMAND_GROUP = "Pipeline board"
    AUTO_FOCUS = "CardList"  # the first column's cards, not the scrolling board
    COMMANDS: ClassVar = {ScreenBindingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="board.back", tooltip="Back to the list"),
        Binding(
            "left,h", "column(-1)", "Column", show=False, id="board.left",
            tooltip="The column on the left",
        ),
        Binding(
            "right,l", "column(1)", "Column", show=False, id="board.right",
            tooltip="The column on the right",
        ),
        Binding(
            "right_square_bracket", "move_by(1)", "Next step", key_display="]",
            id="board.next_step", tooltip="Move the contact under the cursor to the next step",
        ),
        Binding(
            "left_square_bracket", "move_by(-1)", "Previous step", key_display="[",
            id="board.previous_step",
            tooltip="Move the contact under the cursor back to the previous step (asks)",
        ),
        Binding(
            "m", "move_to", "Move to…", id="board.move",
            tooltip="Move the contact under the cursor to any step (closing or going back asks)",
        ),
        Binding(
            "t", "next_template", "Lifecycle", id="board.template",
            tooltip="Show the next lifecycle template's pipeline",
        ),
        Binding(
            "ctrl+r", "reload", "Reload", show=False, id="board.reload",
            tooltip="Read the counts and contacts again",
        ),
    ]  # fmt: skip

    def __init__(self, contact_filter: ContactFilter, template: str | None = None) -> None:
        super().__init__(contact_filter, template)
        self.board = BoardService(contacts_app(self).service)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(self._summary(None), id="board-summary")
        with HorizontalScroll(id="board"):
            yield from self._categories()
        yield KeysFooter()

    def _categories(self) -> list[Vertical]:
        groups = []
        for category in self.template.categories:
            columns = Horizontal(
                *(BoardColumn(step) for step in category.steps), classes="board-category--columns"
            )
            group = Vertical(columns, classes="board-category")
            group.border_title = display_safe(category.name)
            groups.append(group)
        return groups

    def on_screen_resume(self) -> None:
        # Back from a contact: it may have moved, changed or been archived.
        if self.is_mounted:
            self.reload()

    @property
    def columns(self) -> list[BoardColumn]:
        return list(self.query(BoardColumn))

    @property
    def current_column(self) -> BoardColumn | None:
        focused = self.focused
        for column in self.columns:
            if focused is not None and focused in column.walk_children():
                return column
        return None

    def _summary(self, total: int | None) -> Text:
        text = Text(f"Pipeline · {display_safe(self.template.name)}")
        if total is not None:
            text.append(f" · {total:,} contacts", style="bold")
        return self.describe_view(text, " · the list's filter applies")

    # ----- reading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the counts and every column's cards again (as many as each shows now):
        after a move, on ctrl+r, and for the live refresh of other sessions' changes."""
        wanted = {column.step.key: max(PAGE, len(column.cards)) for column in self.columns}
        self._read(self.template, self.contact_filter, wanted)

    @reported_work(thread=True, exclusive=True, group="store.board")
    def _read(self, template: Template, contact_filter: ContactFilter, wanted: dict) -> None:
        counts, pages = self.board.first_screen(template, contact_filter, wanted)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, template, BoardRead(counts, pages))

    def _show(self, template: Template, read: BoardRead) -> None:
        if template != self.template:
            return
        for column in self.columns:
            page = read.pages.get(column.step.key)
            if page is not None:
                column.show(read.counts.get(column.step.key, 0), page.cards, page.has_more)
        self.query_one("#board-summary", Static).update(self._summary(sum(read.counts.values())))

    @on(BoardColumn.MoreWanted)
    def _more(self, event: BoardColumn.MoreWanted) -> None:
        column = event.column
        after = column.cards[-1].sort_key if column.cards else None
        self._read_more(column, column.generation, after)

    @reported_work(thread=True, group="store.board_more")
    def _read_more(
        self, column: BoardColumn, generation: int, after: tuple[str, int] | None
    ) -> None:
        page = self.board.column(
            self.template, column.step.key, self.contact_filter, after=after, limit=PAGE
        )
        self.app.call_from_thread(column.append, generation, page.cards, page.has_more)

    # ----- moving around --------------------------------------------------------------------

    def action_column(self, delta: int) -> None:
        columns = self.columns
        current = self.current_column
        index = columns.index(current) if current in columns else 0
        target = columns[max(0, min(len(columns) - 1, index + delta))]
        target.card_list.focus()
        # The whole column in view, not only its cursor: at 80 columns the board scrolls.
        self.query_one("#board", HorizontalScroll).scroll_to_widget(target, animate=False)

    async def action_next_template(self) -> None:
        self.take_next_template()
        self.query_one("#board-summary", Static).update(self._summary(None))
        board = self.query_one("#board", HorizontalScroll)
        await self._swap_columns(board)

    async def _swap_columns(self, board: HorizontalScroll) -> None:
        await board.remove_children()
        await board.mount_all(self._categories())
        self.reload()
        columns = self.columns
        if columns:
            columns[0].card_list.focus()

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        from contacts_tui.screens.contact_detail import ContactDetailScreen

        self.app.push_screen(ContactDetailScreen(int(event.option.id)))

    # ----- moving contacts ------------------------------------------------------------------

    def _card(self) -> tuple[BoardColumn, BoardCard] | None:
        column = self.current_column
        card = column.current_card if column is not None else None
        if column is None or card is None:
            self.app.bell()
            return None
        return column, card

    def action_move_by(self, delta: int) -> None:
        chosen = self._card()
        if chosen is None:
            return
        column, card = chosen
        steps = self.template.steps()
        index = [s.key for s in steps].index(column.step.key) + delta
        if not 0 <= index < len(steps):
            tell(self, "There is no step that way.", severity="warning")
            return
        self.confirm_move(column.step, card, steps[index])

    def action_move_to(self) -> None:
        from contacts_tui.dialogs.choose_step import ChooseStepDialog

        chosen = self._card()
        if chosen is None:
            return
        column, card = chosen

        def picked(key: str | None) -> None:
            step = self.template.step(key) if key else None
            if step is not None and step.key != column.step.key:
                self.confirm_move(column.step, card, step)

        question = f"Move {display_safe(card.name)} to which step?"
        dialog = ChooseStepDialog(self.template, question, preselect=column.step.key)
        self.app.push_screen(dialog, picked)

    @reported_work(exclusive=True, group="dialog")
    async def confirm_move(self, here: Step, card: BoardCard, step: Step) -> None:
        from contacts_tui.dialogs.confirm import ConfirmDialog

        asked = stage_move_question(self.template, here.key, step, display_safe(card.name))
        if asked is not None:
            question, label = asked
            dialog = ConfirmDialog(question, confirm_label=label, danger=step.outcome == "lost")
            if not await self.app.push_screen_wait(dialog):
                return
        self._write_move(card, step)

    @reported_work(thread=True, exclusive=True, group="store.board_move")
    def _write_move(self, card: BoardCard, step: Step) -> None:
        service = contacts_app(self).service
        try:
            service.set_stage(card.id, step.key, version=card.version, template=self.template.key)
        except ConflictError as conflict:
            who = display_safe(conflict.current.updated_by) or "Someone"
            message = f"{who} changed {display_safe(card.name)} meanwhile; nothing was moved."
            self.app.call_from_thread(self._moved, message, "warning")
            return
        except ValidationError as error:
            self.app.call_from_thread(self._moved, error_message(error), "error")
            return
        name = display_safe(card.name)
        self.app.call_from_thread(self._moved, f"Moved {name} to {step.name}.", "information")

    def _moved(self, message: str, severity: str) -> None:
        tell(self, message, title="Pipeline", severity=severity)  # type: ignore[arg-type]
        self.reload()
