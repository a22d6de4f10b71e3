"""The client engagement lifecycle: a template's categories and steps on wrapping lines."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from contacts_tui.lifecycle import Step, Template
from contacts_tui.safe_text import display_safe
from contacts_tui.widgets.terminal_glyphs import limited_font


@dataclass(frozen=True)
class StepGlyphs:
    """The mark before each step: what colour alone cannot say (16 colours, NO_COLOR,
    colour-blind users)."""

    done: str  # the contact was at this step
    skipped: str  # an earlier step the contact never was at
    todo: str
    current: str
    won: str
    lost: str


GLYPHS = StepGlyphs(done="✓", skipped="–", todo="○", current="●", won="◆", lost="✗")
CONSOLE_GLYPHS = StepGlyphs(done="√", skipped="-", todo="○", current="•", won="♦", lost="x")
"""For a Linux console, whose font (code page 437) has none of ✓ – ● ◆ ✗."""
GLYPH_DONE, GLYPH_SKIPPED, GLYPH_TODO = GLYPHS.done, GLYPHS.skipped, GLYPHS.todo
GLYPH_CURRENT, GLYPH_WON, GLYPH_LOST = GLYPHS.current, GLYPHS.won, GLYPHS.lost


def step_glyphs() -> StepGlyphs:
    return CONSOLE_GLYPHS if limited_font() else GLYPHS


STEP_SEPARATOR = " › "
CATEGORY_SEPARATOR = " │ "


@dataclass(frozen=True)
class Piece:
    """One unbreakable bit of the stepper line: a category label or a step chip."""

    text: str
    kind: str  # component class suffix: category, done, skipped, todo, current, won, lost, unknown
    separator: str = ""  # drawn before the piece unless it starts a line
    step: int | None = None  # index into the template's steps, for step chips
    keep_with_next: bool = False  # a category label never ends a line


def step_kind(
    step: Step, index: int, current: int | None, visited: frozenset[str] | None = None
) -> str:
    """How a step is drawn: current, won/lost, done (the contact was there), skipped (an
    earlier step it never was at), or to do.

    `visited`: the steps of the contact's stage history; None when it has none (a
    contact from before the history was kept), and then every earlier step counts as done.
    """
    if index == current:
        return "current"
    if step.is_closed:
        return "lost" if step.outcome == "lost" else "won"
    if visited is not None and step.key in visited:
        return "done"  # also a later step, left when the contact was moved back
    if current is not None and index < current:
        return "done" if visited is None else "skipped"
    return "todo"


def step_glyph(step: Step, kind: str) -> str:
    glyphs = step_glyphs()
    if kind == "current":
        if step.is_closed:
            return glyphs.lost if step.outcome == "lost" else glyphs.won
        return glyphs.current
    return {
        "done": glyphs.done,
        "skipped": glyphs.skipped,
        "won": glyphs.won,
        "lost": glyphs.lost,
    }.get(kind, glyphs.todo)


def pieces_for(
    template: Template | None,
    template_key: str,
    stage: str,
    visited: frozenset[str] | None = None,
) -> list[Piece]:
    """Everything the stepper shows, in reading order (`visited`: see `step_kind`)."""
    pieces: list[Piece] = []
    if template is None:
        # The contact's lifecycle was removed from lifecycle.toml: show what is stored.
        pieces.append(Piece(f"unknown lifecycle: {display_safe(template_key)}", "unknown"))
        pieces.append(Piece(f"unknown: {display_safe(stage)}", "unknown", CATEGORY_SEPARATOR))
        return pieces
    current = template.index_of(stage)
    if current is None:
        # An admin removed the step; keep showing the stored key until someone sets a new one.
        pieces.append(Piece(f"{step_glyphs().current} unknown: {display_safe(stage)}", "unknown"))
    index = 0
    for category in template.categories:
        separator = CATEGORY_SEPARATOR if pieces else ""
        pieces.append(Piece(category.name, "category", separator, keep_with_next=True))
        for position, step in enumerate(category.steps):
            kind = step_kind(step, index, current, visited)
            pieces.append(
                Piece(
                    f"{step_glyph(step, kind)} {step.name}",
                    kind,
                    " " if position == 0 else STEP_SEPARATOR,
                    step=index,
                )
            )
            index += 1
    return pieces


def wrap_pieces(pieces: list[Piece], width: int) -> list[list[Piece]]:
    """Greedy line filling; a category label always stays with its first step."""
    units: list[list[Piece]] = []
    for piece in pieces:
        if units and units[-1][-1].keep_with_next:
            units[-1].append(piece)
        else:
            units.append([piece])
    lines: list[list[Piece]] = [[]]
    used = 0
    for unit in units:
        unit_width = sum(len(p.separator) + len(p.text) for p in unit)
        if lines[-1] and used + unit_width > width:
            lines.append([])
            used = 0
        if not lines[-1]:
            unit_width -= len(unit[0].separator)
        lines[-1].extend(unit)
        used += unit_width
    return lines if lines[0] else []


class LifecycleStepper(Widget, can_focus=True):
    """Shows where a contact is in its lifecycle; ←/→ move, enter asks to set the step."""

    HELP_GROUP = "Lifecycle stepper (l)"

    BINDINGS = [
        Binding(
            "left,h",
            "move(-1)",
            "Previous step",
            id="stepper.previous",
            tooltip="Move the cursor to the previous lifecycle step",
        ),
        Binding(
            "right,l",
            "move(1)",
            "Next step",
            id="stepper.next",
            tooltip="Move the cursor to the next lifecycle step",
        ),
        Binding(
            "home",
            "jump(0)",
            "First step",
            show=False,
            id="stepper.first",
            tooltip="Move the cursor to the first step",
        ),
        Binding(
            "end",
            "jump(-1)",
            "Last step",
            show=False,
            id="stepper.last",
            tooltip="Move the cursor to the last step",
        ),
        Binding(
            "enter",
            "choose",
            "Set stage",
            id="stepper.set_stage",
            tooltip="Choose the step under the cursor as the stage (saved with ctrl+s)",
        ),
    ]

    COMPONENT_CLASSES = {
        "lifecycle-stepper--category",
        "lifecycle-stepper--done",
        "lifecycle-stepper--skipped",
        "lifecycle-stepper--todo",
        "lifecycle-stepper--current",
        "lifecycle-stepper--won",
        "lifecycle-stepper--lost",
        "lifecycle-stepper--unknown",
        "lifecycle-stepper--cursor",
    }

    DEFAULT_CSS = """
    LifecycleStepper {
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $surface;
        & > .lifecycle-stepper--category { color: $text-muted; text-style: bold; }
        & > .lifecycle-stepper--done { color: $text-success; }
        & > .lifecycle-stepper--skipped { color: $text-muted; text-style: strike; }
        & > .lifecycle-stepper--todo { color: $text; }
        & > .lifecycle-stepper--current {
            background: $accent;
            color: $text;
            text-style: bold;
        }
        & > .lifecycle-stepper--won { color: $text-success; text-style: italic; }
        & > .lifecycle-stepper--lost { color: $text-error; text-style: italic; }
        & > .lifecycle-stepper--unknown {
            background: $warning-muted;
            color: $text-warning;
            text-style: bold;
        }
        & > .lifecycle-stepper--cursor { text-style: bold reverse underline; }
        &:focus { background-tint: $foreground 5%; }
    }
    """

    MAX_LINES = 4
    """Lines shown at most; beyond that the lines around the cursor are shown."""

    cursor: reactive[int] = reactive(0)
    """Index (in the template's step order) of the step under the keyboard cursor."""

    @dataclass
    class StepChosen(Message):
        """The user pressed enter (or clicked) on a step."""

        stepper: LifecycleStepper
        step: Step

        @property
        def control(self) -> LifecycleStepper:
            return self.stepper

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.template: Template | None = None
        self.template_key = ""
        self.stage = ""
        self.visited: frozenset[str] | None = None

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.template.steps() if self.template else ()

    @property
    def current_index(self) -> int | None:
        return self.template.index_of(self.stage) if self.template else None

    def show(
        self,
        template: Template | None,
        template_key: str,
        stage: str,
        visited: frozenset[str] | None = None,
    ) -> None:
        """Draw the contact's lifecycle; the cursor goes back to the current step.

        `visited`: the steps the contact's stage history went through (see `step_kind`).
        """
        self.template = template
        self.template_key = template_key
        self.stage = stage
        self.visited = visited
        self.cursor = self.current_index or 0
        self.refresh(layout=True)

    @property
    def cursor_step(self) -> Step | None:
        steps = self.steps
        return steps[self.cursor] if 0 <= self.cursor < len(steps) else None

    # ----- keys and mouse --------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        if self.steps:
            self.cursor = max(0, min(len(self.steps) - 1, self.cursor + delta))

    def action_jump(self, index: int) -> None:
        if self.steps:
            self.cursor = index % len(self.steps)

    def action_choose(self) -> None:
        step = self.cursor_step
        if step is not None:
            self.post_message(self.StepChosen(self, step))

    def on_click(self, event: events.Click) -> None:
        index = event.style.meta.get("step") if event.style else None
        if isinstance(index, int):
            self.focus()
            self.cursor = index
            self.action_choose()

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # ----- drawing ---------------------------------------------------------------------

    def _lines(self, width: int) -> list[list[Piece]]:
        pieces = pieces_for(self.template, self.template_key, self.stage, self.visited)
        return wrap_pieces(pieces, max(1, width))

    def _window(self, lines: list[list[Piece]]) -> list[list[Piece]]:
        """The lines that fit, always including the cursor's (and so the current step's)."""
        if len(lines) <= self.MAX_LINES:
            return lines
        focus_step = self.cursor if self.has_focus else self.current_index
        target = next(
            (n for n, line in enumerate(lines) if any(p.step == focus_step for p in line)), 0
        )
        start = max(0, min(target - self.MAX_LINES // 2, len(lines) - self.MAX_LINES))
        return lines[start : start + self.MAX_LINES]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return min(self.MAX_LINES, max(1, len(self._lines(width))))

    def render(self) -> Text:
        width = self.content_region.width or self.size.width
        lines = self._window(self._lines(width))
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for number, line in enumerate(lines):
            if number:
                text.append("\n")
            for position, piece in enumerate(line):
                if position:
                    text.append(piece.separator)
                style = self.get_component_rich_style(f"lifecycle-stepper--{piece.kind}")
                if piece.step is not None:
                    if self.has_focus and piece.step == self.cursor:
                        style += self.get_component_rich_style("lifecycle-stepper--cursor")
                    style += Style.from_meta({"step": piece.step})
                text.append(piece.text, style)
        return text
