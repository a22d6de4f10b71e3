"""The lifecycle stepper on its own: marks, wrapping at 80 columns, keys and the chosen step."""

from __future__ import annotations

from screen_text import screen_text
from textual.app import App, ComposeResult

from contacts_tui import lifecycle
from contacts_tui.widgets.lifecycle_stepper import (
    GLYPH_CURRENT,
    GLYPH_DONE,
    GLYPH_LOST,
    GLYPH_SKIPPED,
    GLYPH_TODO,
    GLYPH_WON,
    LifecycleStepper,
    pieces_for,
    wrap_pieces,
)

CONFIG = lifecycle.load(lifecycle.bundled_path())
STANDARD = CONFIG.template("standard")


def kinds(stage: str) -> dict[str, str]:
    return {p.text: p.kind for p in pieces_for(STANDARD, "standard", stage) if p.step is not None}


def test_earlier_steps_are_done_and_later_ones_to_do() -> None:
    marks = kinds("qualified")
    assert marks[f"{GLYPH_DONE} New Lead"] == "done"
    assert marks[f"{GLYPH_DONE} Interested"] == "done"
    assert marks[f"{GLYPH_CURRENT} Qualified"] == "current"
    assert marks[f"{GLYPH_TODO} Proposal Sent"] == "todo"
    # Closed steps look different from open ones whatever the current step.
    assert marks[f"{GLYPH_WON} Closed – Won"] == "won"
    assert marks[f"{GLYPH_LOST} Closed – Lost"] == "lost"


def test_with_a_history_steps_never_visited_are_skipped_not_done() -> None:
    visited = frozenset({"new_lead", "qualified"})
    marks = {
        p.text: p.kind
        for p in pieces_for(STANDARD, "standard", "qualified", visited)
        if p.step is not None
    }
    assert marks[f"{GLYPH_DONE} New Lead"] == "done"
    assert marks[f"{GLYPH_SKIPPED} Interested"] == "skipped"
    assert marks[f"{GLYPH_CURRENT} Qualified"] == "current"
    assert marks[f"{GLYPH_TODO} Proposal Sent"] == "todo"


def test_a_closed_step_is_never_marked_done() -> None:
    marks = kinds("closed_lost")
    assert marks[f"{GLYPH_WON} Closed – Won"] == "won"  # an alternative, not a passed step
    assert marks[f"{GLYPH_LOST} Closed – Lost"] == "current"
    assert marks[f"{GLYPH_DONE} Client Onboarded"] == "done"


def test_unknown_step_is_shown_with_its_key_and_nothing_done() -> None:
    pieces = pieces_for(STANDARD, "standard", "removed_step")
    assert pieces[0].kind == "unknown" and "unknown: removed_step" in pieces[0].text
    assert not [p for p in pieces if p.kind in ("done", "current")]


def test_unknown_template_is_shown_not_crashed() -> None:
    pieces = pieces_for(None, "gone", "new_lead")
    assert [p.text for p in pieces] == ["unknown lifecycle: gone", "unknown: new_lead"]


def test_wrapping_fits_the_width_and_keeps_labels_with_their_first_step() -> None:
    pieces = pieces_for(STANDARD, "standard", "qualified")
    for width in (40, 78, 118):
        lines = wrap_pieces(pieces, width)
        assert len(lines) > 1 or width > 200
        for line in lines:
            drawn = sum(len(p.text) for p in line) + sum(len(p.separator) for p in line[1:])
            assert drawn <= width
            assert line[-1].kind != "category"
        assert [p for line in lines for p in line] == pieces


class StepperApp(App):
    def __init__(self, stage: str = "qualified") -> None:
        super().__init__()
        self.stage = stage
        self.chosen: list[str] = []

    def compose(self) -> ComposeResult:
        yield LifecycleStepper(id="stepper")

    def on_mount(self) -> None:
        stepper = self.query_one(LifecycleStepper)
        stepper.show(STANDARD, "standard", self.stage)
        stepper.focus()

    def on_lifecycle_stepper_step_chosen(self, message: LifecycleStepper.StepChosen) -> None:
        self.chosen.append(message.step.key)


async def test_keys_move_the_cursor_and_enter_chooses() -> None:
    app = StepperApp()
    async with app.run_test(size=(80, 24)) as pilot:
        stepper = app.query_one(LifecycleStepper)
        assert stepper.cursor_step.key == "qualified"
        await pilot.press("right", "l")
        assert stepper.cursor_step.key == "proposal_follow_up"
        await pilot.press("left", "h", "h")
        assert stepper.cursor_step.key == "interested"
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen == ["interested"]
        await pilot.press("home")
        assert stepper.cursor_step.key == "new_lead"
        await pilot.press("left")  # stays at the first step
        assert stepper.cursor_step.key == "new_lead"
        await pilot.press("end")
        assert stepper.cursor_step.key == "closed_lost"


async def test_every_step_is_visible_at_80_columns() -> None:
    app = StepperApp("contract_drafted")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        for step in STANDARD.steps():
            assert step.name in text
        assert f"{GLYPH_CURRENT} Contract Drafted" in text
        assert app.query_one(LifecycleStepper).size.height <= LifecycleStepper.MAX_LINES


async def test_clicking_a_step_chooses_it() -> None:
    app = StepperApp()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        stepper = app.query_one(LifecycleStepper)
        # Where the layout put "Proposal Sent" (the padding adds one column).
        lines = wrap_pieces(pieces_for(STANDARD, "standard", "qualified"), stepper.size.width - 2)
        line = next(n for n, ps in enumerate(lines) if any("Proposal Sent" in p.text for p in ps))
        column = 1
        for position, piece in enumerate(lines[line]):
            column += len(piece.separator) if position else 0
            if "Proposal Sent" in piece.text:
                break
            column += len(piece.text)
        await pilot.click(LifecycleStepper, offset=(column + 3, line))
        await pilot.pause()
        assert app.chosen == ["proposal_sent"]


def test_many_steps_keep_the_current_one_in_the_window() -> None:
    """A long template wraps past MAX_LINES; the lines shown include the cursor's."""
    steps = "\n".join(
        f'[[templates.categories.steps]]\nkey = "s{n}"\nname = "Step number {n}"\nstatus = "open"'
        for n in range(40)
    )
    text = (
        '[[templates]]\nkey = "long"\nname = "Long"\n'
        f'[[templates.categories]]\nkey = "c"\nname = "Only"\n{steps}\n'
    )
    template = lifecycle.loads(text).template("long")
    stepper = LifecycleStepper()
    stepper.show(template, "long", "s35")
    lines = wrap_pieces(pieces_for(template, "long", "s35"), 78)
    assert len(lines) > LifecycleStepper.MAX_LINES
    window = stepper._window(lines)
    assert len(window) == LifecycleStepper.MAX_LINES
    assert any(p.step == 35 for line in window for p in line)
