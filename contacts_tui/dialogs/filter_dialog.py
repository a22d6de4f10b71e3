"""Dialog: the list's filters — status, lifecycle, company, picklists, scoring, account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.safe_text import display_safe
from contacts_tui.services import (
    MISSING_PRIMARY,
    TENANT_WIDE,
    UNKNOWN_STEP,
    AccountInfo,
    CompanyInfo,
    ContactFilter,
)
from contacts_tui.validation import ValidationError, normalize_scoring
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.reporting import reported_work, tell_error
from contacts_tui.widgets.toggles import MarkedCheckbox

TENANT_WIDE_LABEL = "Tenant-Wide"
NOT_SET = "(not set)"
SEPARATOR = " · "

# The Select widgets and the ContactFilter field each one sets.
SELECT_FIELDS = {
    "filter-status": "status",
    "filter-category": "category",
    "filter-stage": "stage",
    "filter-company": "company",
    "filter-segmentation": "segmentation",
    "filter-reason": "reason_code",
    "filter-account": "account",
    "filter-attention": "attention",
}

ATTENTION_LABELS = {
    MISSING_PRIMARY: "Missing a primary e-mail or phone",
    UNKNOWN_STEP: "At a step no longer configured",
}
"""The dashboard's warnings, as the filter offers them."""


def _names(items: Mapping[int, str] | Iterable[CompanyInfo | AccountInfo]) -> dict[int, str]:
    if isinstance(items, Mapping):
        return dict(items)
    return {item.id: item.name for item in items}


def describe_filter(
    f: ContactFilter,
    config: LifecycleConfig,
    companies: Mapping[int, str] | Iterable[CompanyInfo] = (),
    accounts: Mapping[int, str] | Iterable[AccountInfo] = (),
) -> str:
    """The active filters in one line, e.g. "Status: Open · Company: Tenant-Wide".

    "" when no filter is set. The search text is not included (the list shows it in its
    search bar). Plain text with terminal-unsafe characters removed; not Rich markup, so
    show it with `Text(...)` or `markup=False`.
    """
    parts: list[str] = []
    if f.status:
        parts.append(f"Status: {f.status}")
    if f.category is not None:
        parts.append(f"Category: {config.category_names().get(f.category, f.category)}")
    if f.stage:
        parts.append(f"Step: {config.step_names().get(f.stage, f.stage)}")
    if f.company == TENANT_WIDE:
        parts.append(f"Company: {TENANT_WIDE_LABEL}")
    elif f.company is not None:
        parts.append(f"Company: {_names(companies).get(f.company, f'#{f.company}')}")
    if f.segmentation is not None:
        parts.append(f"Segmentation: {f.segmentation or NOT_SET}")
    if f.reason_code is not None:
        parts.append(f"Reason code: {f.reason_code or NOT_SET}")
    if f.scoring_min is not None and f.scoring_max is not None:
        parts.append(f"Scoring: {f.scoring_min}-{f.scoring_max}")
    elif f.scoring_min is not None:
        parts.append(f"Scoring: from {f.scoring_min}")
    elif f.scoring_max is not None:
        parts.append(f"Scoring: up to {f.scoring_max}")
    if f.account is not None:
        parts.append(f"Account: {_names(accounts).get(f.account, f'#{f.account}')}")
    if f.attention in ATTENTION_LABELS:
        parts.append(ATTENTION_LABELS[f.attention])
    if f.archived:
        parts.append("Archived contacts")
    return SEPARATOR.join(display_safe(part) for part in parts)


def _scoring_input(value: int | None, placeholder: str, input_id: str, tooltip: str) -> Input:
    """One end of the scoring range (empty: no limit at that end)."""
    return Input(
        "" if value is None else str(value),
        placeholder=placeholder,
        type="integer",
        max_length=7,
        compact=True,
        id=input_id,
        tooltip=tooltip,
    )


def _picklist(values: Iterable[str], current: str | None) -> list[tuple[Text, str]]:
    """A picklist's options, "(not set)" first; a value no longer listed stays choosable."""
    options = [(Text(NOT_SET), "")]
    options += [(Text(display_safe(v)), v) for v in values]
    if current and current not in values:
        options.append((Text(f"{display_safe(current)} (no longer in the list)"), current))
    return options


class FilterDialog(Dialog[ContactFilter | None]):
    """Edits every filter of the list; dismisses the new filter, or None when cancelled.

    Keys: tab between fields, space or ↓ opens a list, enter applies (inside an open list
    it picks), delete clears the focused field, ctrl+r clears all, escape cancels.
    The search text of `current` is kept as it is.
    """

    DEFAULT_CSS = layout_css(__file__, "filter_dialog.tcss")

    BINDINGS = [
        # A priority binding, so enter applies from an Input or a closed Select too;
        # check_action hands enter back to an open list or a focused button.
        Binding(
            "enter",
            "apply",
            "Apply",
            priority=True,
            id="filter.apply",
            tooltip="Show the contacts matching these filters",
        ),
        cancel_binding("filter.cancel", "Close without changing the filters"),
        Binding(
            "ctrl+r",
            "clear_all",
            "Clear all",
            id="filter.clear_all",
            tooltip="Empty every field (the search is kept)",
        ),
        Binding(
            "delete,backspace",
            "clear_field",
            "Clear field",
            id="filter.clear_field",
            tooltip="Empty the focused field",
        ),
    ]

    @dataclass
    class Loaded(Message):
        """The companies and accounts to choose from, read from the store."""

        companies: tuple[CompanyInfo, ...]
        accounts: tuple[AccountInfo, ...]

    def __init__(self, current: ContactFilter) -> None:
        super().__init__()
        self.current = current

    # ----- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        config: LifecycleConfig = contacts_app(self).service.config
        f = self.current
        with Vertical():
            yield Label("Filter contacts", id="filter-title", classes="dialog--title")
            yield from self._row(
                "Status",
                "filter-status",
                [(Text("Open"), "Open"), (Text("Closed"), "Closed")],
                f.status,
                "Any status",
            )
            categories = [
                (Text(display_safe(name)), key) for key, name in config.category_names().items()
            ]
            yield from self._row(
                "Category", "filter-category", categories, f.category, "Any category"
            )
            yield from self._row(
                "Step", "filter-stage", self._step_options(f.category), f.stage, "Any step"
            )
            yield from self._row(
                "Company",
                "filter-company",
                self._company_options(None),
                f.company,
                "Any company",
            )
            picked = config.picklists
            picklists = (
                ("Segmentation", "filter-segmentation", picked.segmentation, f.segmentation),
                ("Reason code", "filter-reason", picked.reason_codes, f.reason_code),
            )
            for label, select_id, values, chosen in picklists:
                options = _picklist(values, chosen)
                yield from self._row(label, select_id, options, chosen, f"Any {label.lower()}")
            with Horizontal(classes="filter-row", id="filter-scoring-row"):
                yield Label("Scoring", classes="filter-label")
                yield _scoring_input(
                    f.scoring_min,
                    f"{config.scoring_min}…",
                    "filter-scoring-min",
                    "Lowest scoring to show; empty: no lower limit",
                )
                yield Label("to", id="filter-scoring-to")
                yield _scoring_input(
                    f.scoring_max,
                    f"…{config.scoring_max}",
                    "filter-scoring-max",
                    "Highest scoring to show; empty: no upper limit",
                )
            yield Label(id="filter-scoring-error")
            yield from self._row(
                "Account",
                "filter-account",
                self._account_options(None),
                f.account,
                "Any account",
            )
            yield from self._row(
                "Attention",
                "filter-attention",
                [(Text(label), key) for key, label in ATTENTION_LABELS.items()],
                f.attention,
                "Any contact",
            )
            with Horizontal(classes="filter-row"):
                yield Label("Archived", classes="filter-label")
                yield MarkedCheckbox(
                    "Show archived contacts instead",
                    f.archived,
                    id="filter-archived",
                    tooltip="Archived contacts are hidden from the list unless this is on",
                )
            with Horizontal(id="filter-buttons"):
                yield Button("Apply", variant="primary", compact=True, id="filter-apply")
                yield Button("Clear all", compact=True, id="filter-clear-all")
                yield Button("Cancel", compact=True, id="filter-cancel")
            yield Label(
                "enter apply · space list · del clear · ctrl+r clear all · esc cancel",
                id="filter-hint",
                classes="dialog--hint",
            )

    def _row(self, label: str, select_id: str, options, value, prompt: str) -> ComposeResult:
        legal = {v for _, v in options}
        with Horizontal(classes="filter-row"):
            yield Label(label, classes="filter-label")
            yield Select(
                options,
                prompt=prompt,
                value=value if value in legal else Select.NULL,
                compact=True,
                id=select_id,
            )

    # ----- options --------------------------------------------------------------------

    def _step_options(self, category: str | None) -> list[tuple[Text, str]]:
        """Steps of the chosen category (every template's), or all steps without one."""
        config: LifecycleConfig = contacts_app(self).service.config
        seen: dict[str, Text] = {}
        for template in config.templates:
            for cat in template.categories:
                if category is not None and cat.key != category:
                    continue
                for step in cat.steps:
                    label = step.name if category else f"{step.name} ({cat.name})"
                    seen.setdefault(step.key, Text(display_safe(label)))
        options = [(label, key) for key, label in seen.items()]
        current = self.current.stage
        if current and current not in seen and category == self.current.category:
            options.append((Text(f"{display_safe(current)} (unknown step)"), current))
        return options

    def _company_options(self, companies: tuple[CompanyInfo, ...] | None) -> list:
        options: list[tuple[Text, int]] = [(Text(TENANT_WIDE_LABEL), TENANT_WIDE)]
        options += [(Text(display_safe(c.name)), c.id) for c in companies or ()]
        wanted = self.current.company
        if wanted not in (None, TENANT_WIDE) and all(c.id != wanted for c in companies or ()):
            label = "loading…" if companies is None else "no longer exists"
            options.append((Text(f"Company #{wanted} ({label})"), wanted))
        return options

    def _account_options(self, accounts: tuple[AccountInfo, ...] | None) -> list:
        options = [
            (Text(display_safe(a.name) + (" (archived)" if a.archived else "")), a.id)
            for a in accounts or ()
        ]
        wanted = self.current.account
        if wanted is not None and all(a.id != wanted for a in accounts or ()):
            label = "loading…" if accounts is None else "no longer exists"
            options.append((Text(f"Account #{wanted} ({label})"), wanted))
        return options

    # ----- loading companies and accounts ---------------------------------------------

    def on_mount(self) -> None:
        self.query_one("#filter-status", Select).focus()
        self.load_choices()

    @reported_work(thread=True, exclusive=True, group="store")
    def load_choices(self) -> None:
        service = contacts_app(self).service
        companies = service.companies()
        accounts = service.accounts(include_archived=True)
        self.post_message(self.Loaded(companies, accounts))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._replace_options("#filter-company", self._company_options(message.companies))
        self._replace_options("#filter-account", self._account_options(message.accounts))

    def _replace_options(self, selector: str, options: list) -> None:
        select = self.query_one(selector, Select)
        value = select.value
        select.set_options(options)
        if value != Select.NULL and value in {v for _, v in options}:
            select.value = value

    def worker_failed(self, work_name: str, message: str) -> bool:
        tell_error(self, f"Could not read the companies and accounts: {message}")
        return True

    @on(Select.Changed, "#filter-category")
    def _category_changed(self, event: Select.Changed) -> None:
        category = None if event.value == Select.NULL else str(event.value)
        stage = self.query_one("#filter-stage", Select)
        kept = stage.value
        options = self._step_options(category)
        stage.set_options(options)
        if kept != Select.NULL and kept in {key for _, key in options}:
            stage.value = kept

    # ----- scoring --------------------------------------------------------------------

    @on(Input.Changed, "#filter-scoring-min, #filter-scoring-max")
    def _scoring_changed(self) -> None:
        self._scoring()

    def _scoring(self) -> tuple[int | None, int | None] | None:
        """The scoring range, or None after showing why it is not valid."""
        config: LifecycleConfig = contacts_app(self).service.config
        low_input = self.query_one("#filter-scoring-min", Input)
        high_input = self.query_one("#filter-scoring-max", Input)
        error = self.query_one("#filter-scoring-error", Label)
        values: list[int | None] = []
        message, bad = "", None
        for field in (low_input, high_input):
            try:
                values.append(
                    normalize_scoring(field.value, config.scoring_min, config.scoring_max)
                )
            except ValidationError as problem:
                values.append(None)
                if bad is None:
                    message, bad = str(problem), field
        low, high = values
        if bad is None and low is not None and high is not None and low > high:
            message, bad = f"The lowest scoring ({low}) is above the highest ({high}).", low_input
        for field in (low_input, high_input):
            field.set_class(field is bad, "-invalid")
        error.update(message)
        error.set_class(bool(message), "-shown")
        if bad is not None:
            return None
        return low, high

    # ----- actions --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            # Enter belongs to an open list (it picks) and to a focused button (it presses).
            if isinstance(self.focused, Button):
                return False
            if any(select.expanded for select in self.query(Select)):
                return False
        if action == "clear_field":
            return isinstance(self.focused, (Select, Checkbox)) and not any(
                select.expanded for select in self.query(Select)
            )
        return True

    @on(Button.Pressed, "#filter-apply")
    def action_apply(self) -> None:
        self.after_typed_keys(self._apply)  # not the 8 of a scoring of 80

    def _apply(self) -> None:
        scoring = self._scoring()
        if scoring is None:
            bad = next(i for i in self.query(Input) if i.has_class("-invalid"))
            bad.focus()
            return
        values: dict[str, Any] = {}
        for select_id, field in SELECT_FIELDS.items():
            value = self.query_one(f"#{select_id}", Select).value
            values[field] = None if value == Select.NULL else value
        chosen = replace(
            self.current,
            **values,
            scoring_min=scoring[0],
            scoring_max=scoring[1],
            archived=self.query_one("#filter-archived", Checkbox).value,
        )
        self.dismiss(chosen)

    @on(Button.Pressed, "#filter-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#filter-clear-all")
    def action_clear_all(self) -> None:
        for select in self.query(Select):
            select.clear()
        for field in self.query(Input):
            field.value = ""
        self.query_one("#filter-archived", Checkbox).value = False

    def action_clear_field(self) -> None:
        focused = self.focused
        if isinstance(focused, Select):
            focused.clear()
        elif isinstance(focused, Checkbox):
            focused.value = False
