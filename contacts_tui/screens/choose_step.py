"""Dialog: which step of a lifecycle template a contact starts at."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from contacts_tui.lifecycle import Template


class ChooseStepDialog(ModalScreen[str | None]):
    """Lists the template's steps by category; enter picks one, escape cancels (None)."""

    DEFAULT_CSS = """
    ChooseStepDialog {
        align: center middle;
        & > Vertical {
            width: 60;
            max-width: 100%;
            height: auto;
            max-height: 90%;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
        & #choose-step-question { width: 100%; margin-bottom: 1; }
        & OptionList { height: auto; max-height: 16; }
        & #choose-step-hint { color: $text-muted; margin-top: 1; }
    }
    """

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="choose_step.cancel",
            tooltip="Keep the current lifecycle and step",
        ),
    ]

    def __init__(self, template: Template, question: str, preselect: str | None = None) -> None:
        super().__init__()
        self.template = template
        self.question = question
        self.preselect = preselect

    def compose(self) -> ComposeResult:
        options: list[Option] = []
        highlight = None
        for category in self.template.categories:
            options.append(Option(Text(category.name, style="bold"), disabled=True))
            for step in category.steps:
                if step.key == self.preselect:
                    highlight = len(options)
                closed = f"  ({step.outcome or 'closed'})" if step.is_closed else ""
                options.append(Option(Text(f"  {step.name}{closed}"), id=step.key))
        with Vertical():
            yield Label(Text(self.question), id="choose-step-question")
            option_list = OptionList(*options, id="choose-step-options")
            yield option_list
            yield Label("enter: start here · escape: cancel", id="choose-step-hint")
        # The first real step (or the one asked for) is where the cursor starts.
        self._highlight = highlight if highlight is not None else 1

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self._highlight
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
