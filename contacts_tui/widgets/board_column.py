"""One column of the pipeline board: a step's name, its count and its contacts as cards."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from contacts_tui.lifecycle import Step
from contacts_tui.safe_text import display_safe
from contacts_tui.services.board import BoardCard

DIM = Style(dim=True)
BOLD = Style(bold=True)
CARD_WIDTH = 23
"""Cells of a card's line: the column's width less its scroll bar and padding."""
MORE_MARGIN = 5
"""Cards left below the cursor when the column asks for its next page."""


class CardList(OptionList):
    """The cards of a column: `enter` opens the contact under the cursor."""


class BoardColumn(Vertical):
    """A step's header (name, count, open or the outcome) and its cards, scrolling alone.

    The screen reads the cards; the column asks for more with `MoreWanted` when the
    cursor comes near the last card read.
    """

    DEFAULT_CSS = """
    BoardColumn {
        width: 26;
        height: 1fr;
        & > .board-column--header { height: 2; padding: 0 1; background: $panel; }
        & > CardList { height: 1fr; border: none; padding: 0; scrollbar-size-vertical: 1; }
        &:focus-within > .board-column--header { background: $accent; color: $text; }
    }
    """

    @dataclass
    class MoreWanted(Message):
        column: BoardColumn

        @property
        def control(self) -> BoardColumn:
            return self.column

    def __init__(self, step: Step) -> None:
        super().__init__(id=f"column-{step.key}")
        self.step = step
        self.count: int | None = None
        self.cards: list[BoardCard] = []
        self.has_more = False
        self.loading_more = False
        self.generation = 0
        """Bumped by every `show`: a next page read for an older one is dropped."""

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="board-column--header")
        yield CardList(id=f"cards-{self.step.key}")

    @property
    def card_list(self) -> CardList:
        return self.query_one(CardList)

    @property
    def current_card(self) -> BoardCard | None:
        index = self.card_list.highlighted
        return self.cards[index] if index is not None and index < len(self.cards) else None

    def _header(self) -> Text:
        text = Text(display_safe(self.step.name), style=BOLD, no_wrap=True, overflow="ellipsis")
        text.append("\n")
        count = "…" if self.count is None else f"{self.count:,}"
        text.append(count)
        if self.step.is_closed:
            text.append(f" · closed {self.step.outcome or ''}".rstrip(), style=DIM)
        return text

    def show(self, count: int, cards: tuple[BoardCard, ...], has_more: bool) -> None:
        """Replace the cards; the cursor stays on the same contact, or the same place."""
        keep = self.current_card
        index = self.card_list.highlighted
        self.generation += 1
        self.count = count
        self.cards = list(cards)
        self.has_more = has_more
        self.loading_more = False
        self.query_one(".board-column--header", Static).update(self._header())
        cards_list = self.card_list
        cards_list.clear_options()
        cards_list.add_options(self._option(card) for card in cards)
        if not self.cards:
            return
        ids = [card.id for card in self.cards]
        if keep is not None and keep.id in ids:
            cards_list.highlighted = ids.index(keep.id)
        else:
            cards_list.highlighted = min(index or 0, len(ids) - 1)

    def append(self, generation: int, cards: tuple[BoardCard, ...], has_more: bool) -> None:
        """Add the next page read for the cards of `generation` (none if shown anew since)."""
        if generation != self.generation:
            return
        self.cards.extend(cards)
        self.has_more = has_more
        self.loading_more = False
        self.card_list.add_options(self._option(card) for card in cards)

    def _option(self, card: BoardCard) -> Option:
        company = display_safe(card.company) or "Tenant-Wide"
        days = "1 day" if card.days == 1 else f"{card.days} days"
        name = Text(display_safe(card.name))
        detail = Text(f"{days} · {company}", style=DIM)
        for line in (name, detail):  # one line each: a card is always two lines high
            line.truncate(CARD_WIDTH, overflow="ellipsis")
        return Option(Text("\n").join((name, detail)), id=str(card.id))

    @on(OptionList.OptionHighlighted)
    def _near_the_end(self, event: OptionList.OptionHighlighted) -> None:
        if (
            self.has_more
            and not self.loading_more
            and event.option_index >= len(self.cards) - MORE_MARGIN
        ):
            self.loading_more = True
            self.post_message(self.MoreWanted(self))
