"""Dialog: which step of a lifecycle template a contact starts at."""

from __future__ import annotations

from rich.text import Text
from textual.widgets.option_list import Option

from contacts_tui.dialogs.dialog import cancel_binding, layout_css
from contacts_tui.dialogs.pick_one import PickOneDialog
from contacts_tui.lifecycle import Template


class ChooseStepDialog(PickOneDialog[str | None]):
    """Lists the template's steps by category; enter picks one, escape cancels (None)."""

    DEFAULT_CSS = layout_css(__file__, "choose_step.tcss")

    BINDINGS = [cancel_binding("choose_step.cancel", "Keep the current lifecycle and step")]

    ID_PREFIX = "choose-step"
    HINT = "enter: start here · escape: cancel"

    def __init__(self, template: Template, question: str, preselect: str | None = None) -> None:
        self.template = template
        self.question = question
        self.preselect = preselect
        options: list[Option] = []
        highlight = None
        for category in template.categories:
            options.append(Option(Text(category.name, style="bold"), disabled=True))
            for step in category.steps:
                if step.key == preselect:
                    highlight = len(options)
                closed = f"  ({step.outcome or 'closed'})" if step.is_closed else ""
                options.append(Option(Text(f"  {step.name}{closed}"), id=step.key))
        # The first real step (or the one asked for) is where the cursor starts.
        super().__init__(Text(question), options, highlight if highlight is not None else 1)

    def picked(self, option: Option) -> str | None:
        return option.id
