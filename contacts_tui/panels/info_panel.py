"""The top information panel of a contact: its own fields, edited in place, each checked
as the user leaves it (a message already shown is checked again at every key)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, TextArea
from textual.widgets.select import InvalidSelectValueError

from contacts_tui.dialogs.account_picker import AccountPicker, account_label, is_new
from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.safe_text import display_safe
from contacts_tui.services import AccountInfo, CompanyInfo, ContactDetail
from contacts_tui.validation import (
    ValidationError,
    clean_text,
    normalize_profile_field,
    normalize_scoring,
)
from contacts_tui.widgets.textual_key_order import keep_key_order

keep_key_order()  # this module shows a TextArea: its keys in the order typed

TENANT_WIDE_LABEL = "Tenant-Wide"
NOT_IN_CONFIG = " (not in lifecycle.toml)"
OUT_OF_CONFIG_HINT = "Not in lifecycle.toml; kept until another is picked."

# The fields saved with ctrl+s, in the order they are laid out and tabbed through.
# (Lifecycle is in the panel too, saved with them by the screen with the stage it needs.)
FIELD_LABELS = {
    "name": "Name*",
    "full_name": "Full Name",
    "scoring": "Scoring",
    "segmentation": "Segmentation",
    "accounts": "Assigned Accounts",
    "reason_code": "Reason Code",
    "company": "Company",
    # Beyond the spec's fields: what address books and other CRMs exchange.
    "job_title": "Job Title",
    "department": "Department",
    "nickname": "Nickname",
    "birthday": "Birthday",
    "website": "Website",
    "notes": "Notes",
}
PROFILE_INPUTS = ("job_title", "department", "nickname", "birthday", "website")
"""The profile fields edited in one-line inputs (notes has a text area of its own)."""


def picklist_options(values: tuple[str, ...], stored: str) -> list[tuple[Text, str]]:
    """The config's values; a stored value the config no longer has stays, marked."""
    options = [(Text(value, no_wrap=True, overflow="ellipsis"), value) for value in values]
    if stored and stored not in values:
        marked = Text(display_safe(stored) + NOT_IN_CONFIG, no_wrap=True, overflow="ellipsis")
        options.insert(0, (marked, stored))
    return options


def field_values(detail: ContactDetail) -> dict[str, object]:
    """Each editable field of a contact, as the panel's widgets hold it."""
    return {
        "name": display_safe(detail.name),
        "full_name": display_safe(detail.full_name),
        "scoring": "" if detail.scoring is None else str(detail.scoring),
        "segmentation": detail.segmentation,
        "accounts": tuple(sorted(a.id for a in detail.accounts)),
        "reason_code": detail.reason_code,
        "company": display_safe(detail.company.name) if detail.company else "",
        **{key: display_safe(getattr(detail, key)) for key in PROFILE_INPUTS},
        # Line breaks are the notes' own: only what could drive the terminal goes.
        "notes": "\n".join(display_safe(line) for line in detail.notes.split("\n")),
    }


def field_texts(detail: ContactDetail) -> dict[str, str]:
    """Each editable field as a person reads it (for the conflict dialog)."""
    texts = {key: str(value) for key, value in field_values(detail).items()}
    texts["accounts"] = ", ".join(a.name for a in detail.accounts)
    texts["company"] = detail.company.name if detail.company else TENANT_WIDE_LABEL
    return texts


class InfoPanel(Widget):
    """Name, Full Name, Scoring, Segmentation, Assigned Accounts, Reason Code, Company and
    Lifecycle; bad values are refused at their field, unsaved edits are tracked."""

    DEFAULT_CSS = """
    InfoPanel {
        height: auto;
        padding: 0 1;
        & > Grid {
            grid-size: 4;
            grid-columns: auto 1fr auto 1fr;
            grid-rows: auto;
            grid-gutter: 0 1;
            height: auto;
        }
        & .info--label { color: $text-muted; width: auto; }
        & .info--label.-invalid { color: $text-error; text-style: bold; }
        & .info--field { height: auto; }
        & .info--notes { column-span: 3; }
        & #notes { height: 3; border: none; padding: 0; }
        & .info--message { display: none; color: $text-error; width: 100%; height: auto; }
        & .info--message.-shown { display: block; }
        & .info--message.-hint { color: $text-muted; }
        & Input.-edited, & Select.-edited > SelectCurrent, & Button.-edited {
            text-style: italic;
        }
        & SelectCurrent #label { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
        & #accounts {
            width: 1fr;
            height: 1;
            padding: 0;
            text-align: left;
            content-align: left middle;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
    }
    """

    @dataclass
    class Edited(Message):
        """A field was changed by the user, or the panel was reloaded."""

        panel: InfoPanel
        dirty: bool

        @property
        def control(self) -> InfoPanel:
            return self.panel

    @dataclass
    class TemplateChosen(Message):
        """The user picked another lifecycle template in the Lifecycle field."""

        panel: InfoPanel
        template: str

        @property
        def control(self) -> InfoPanel:
            return self.panel

    def __init__(self, config: LifecycleConfig, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.detail: ContactDetail | None = None
        self.originals: dict[str, object] = {}
        """What each field held when the contact was read: edits are measured against it."""
        self.accounts: tuple[AccountInfo, ...] = ()
        """The assigned accounts as currently picked (saved with the other fields)."""
        self.companies: tuple[CompanyInfo, ...] = ()
        self._tooltips: dict[str, Any] = {}  # as each field had it
        self._template_keys = [t.key for t in config.templates]

    def compose(self) -> ComposeResult:
        scoring = f"{self.config.scoring_min}–{self.config.scoring_max}"
        profile = {key: Input(id=key, compact=True) for key in PROFILE_INPUTS}
        profile["birthday"].placeholder = "1985-04-12 or --04-12"
        profile["website"].placeholder = "https://…"
        fields: dict[str, Widget] = {
            "name": Input(id="name", compact=True, placeholder="required"),
            "full_name": Input(id="full_name", compact=True),
            "scoring": Input(id="scoring", compact=True, placeholder=scoring),
            "segmentation": Select[str]([], id="segmentation", compact=True, prompt="(none)"),
            "accounts": Button("(none)", id="accounts", compact=True),
            "reason_code": Select[str]([], id="reason_code", compact=True, prompt="(none)"),
            "company": Input(id="company", compact=True, placeholder=TENANT_WIDE_LABEL),
            "template": Select[str](
                [(Text(t.name), t.key) for t in self.config.templates],
                id="template",
                compact=True,
                allow_blank=False,
            ),
            **profile,
            "notes": TextArea(id="notes", compact=True, soft_wrap=True, tab_behavior="focus"),
        }
        fields["notes"].tooltip = "Free text; enter starts a new line"
        fields["scoring"].tooltip = f"A whole number from {scoring}, or blank"
        fields["accounts"].tooltip = "Press enter to pick accounts or create a new one"
        fields[
            "company"
        ].tooltip = "Blank for Tenant-Wide; a name not in the list creates that company on save"
        fields[
            "template"
        ].tooltip = "The lifecycle template (asks for the step if needed); saved with ctrl+s"
        self._tooltips = {key: widget.tooltip for key, widget in fields.items()}
        with Grid():
            for key, widget in fields.items():
                yield Label(
                    FIELD_LABELS.get(key, "Lifecycle"), classes="info--label", id=f"{key}-label"
                )
                classes = "info--field info--notes" if key == "notes" else "info--field"
                with Vertical(classes=classes):
                    yield widget
                    yield Label("", classes="info--message", id=f"{key}-message")

    # ----- filling the fields -----------------------------------------------------------

    def show(self, detail: ContactDetail, *, keep_edits: bool = False) -> bool:
        """Fill the fields from a freshly read contact.

        With `keep_edits`, fields the user has changed keep the typed value and their old
        baseline. Returns False when one of those fields was also changed in the database
        meanwhile (saving must then go through the conflict check).
        """
        edited = self.edited_fields() if keep_edits else set()
        new = field_values(detail)
        clean = all(new[key] == self.originals.get(key) for key in edited)
        self.detail = detail
        for key, value in new.items():
            if key not in edited:
                self.originals[key] = value
                self._set_widget(key, value, detail)
        if "segmentation" in edited:
            self._keep_stored_option("segmentation", self.config.picklists.segmentation)
        if "reason_code" in edited:
            self._keep_stored_option("reason_code", self.config.picklists.reason_codes)
        self._set_template(detail)
        self._edited()
        return clean

    def restore(self, values: dict[str, object]) -> None:
        """Put the edits of a draft being restored back into their fields."""
        for key in ("name", "full_name", "scoring", "company", *PROFILE_INPUTS):
            if key in values:
                self.query_one(f"#{key}", Input).value = display_safe(values[key])
        if "notes" in values:
            self.query_one("#notes", TextArea).text = str(values["notes"])
        for key in ("segmentation", "reason_code"):
            if values.get(key):
                with suppress(InvalidSelectValueError):  # no longer in the picklist
                    self.query_one(f"#{key}", Select).value = str(values[key])
        self._edited()

    def restore_accounts(self, accounts: tuple[AccountInfo, ...]) -> None:
        """The assigned accounts of a draft being restored (found again by the screen)."""
        self._set_accounts(accounts)
        self._edited()

    def set_config(self, config: LifecycleConfig) -> None:
        """Use a new lifecycle configuration; `show` then fills the fields from it."""
        self.config = config
        self._template_keys = []  # names may have changed: refill the Lifecycle options
        scoring = f"{config.scoring_min}–{config.scoring_max}"
        self.query_one("#scoring", Input).placeholder = scoring
        self._tooltips["scoring"] = f"A whole number from {scoring}, or blank"

    def set_companies(self, companies: tuple[CompanyInfo, ...]) -> None:
        """Existing companies, offered as completions in the Company field."""
        self.companies = companies
        self.query_one("#company", Input).suggester = SuggestFromList(
            [TENANT_WIDE_LABEL, *(c.name for c in companies)], case_sensitive=False
        )

    def _set_widget(self, key: str, value: object, detail: ContactDetail) -> None:
        if key in ("name", "full_name", "scoring", "company", *PROFILE_INPUTS):
            self.query_one(f"#{key}", Input).value = str(value)
            self._message(key, "")
        elif key == "notes":
            self.query_one("#notes", TextArea).text = str(value)
            self._message(key, "")
        elif key == "segmentation":
            self._fill_select(key, self.config.picklists.segmentation, detail.segmentation)
        elif key == "reason_code":
            self._fill_select(key, self.config.picklists.reason_codes, detail.reason_code)
        elif key == "accounts":
            self._set_accounts(detail.accounts)

    def _fill_select(self, key: str, values: tuple[str, ...], stored: str) -> None:
        select = self.query_one(f"#{key}", Select)
        select.set_options(picklist_options(values, stored))
        if stored:
            select.value = stored
        else:
            select.clear()

    def _keep_stored_option(self, key: str, values: tuple[str, ...]) -> None:
        """Refill a picklist the user changed, still offering the value stored before."""
        select = self.query_one(f"#{key}", Select)
        chosen = select.value
        select.set_options(picklist_options(values, str(self.originals.get(key) or "")))
        if isinstance(chosen, str):
            select.value = chosen

    def _set_template(self, detail: ContactDetail) -> None:
        options = [(Text(t.name), t.key) for t in self.config.templates]
        if self.config.template(detail.template) is None:
            options.insert(
                0, (Text(display_safe(detail.template) + NOT_IN_CONFIG), detail.template)
            )
        select = self.query_one("#template", Select)
        keys = [key for _, key in options]
        if keys != self._template_keys:  # refilling resets the value: only when needed
            self._template_keys = keys
            select.set_options(options)
        select.value = detail.template

    def show_template(self, template_key: str, *, edited: bool) -> None:
        """Show the lifecycle template chosen (saved, or an edit not saved yet)."""
        select = self.query_one("#template", Select)
        with suppress(InvalidSelectValueError):  # a template the config no longer has
            select.value = template_key
        select.set_class(edited, "-edited")

    def _set_accounts(self, accounts: tuple[AccountInfo, ...]) -> None:
        self.accounts = tuple(sorted(accounts, key=lambda a: a.name.casefold()))
        names = ", ".join(account_label(a) for a in self.accounts)
        self.query_one("#accounts", Button).label = Text(names or "(none)")
        new = ", ".join(f"“{display_safe(a.name)}”" for a in self.accounts if is_new(a))
        hint = f"New account {new} will be created on save." if new else ""
        self._message("accounts", hint, hint=True)

    # ----- reading the fields -----------------------------------------------------------

    def values(self) -> dict[str, object]:
        """The fields as the widgets hold them now (same shapes as `field_values`)."""

        def select_value(key: str) -> str:
            value = self.query_one(f"#{key}", Select).value
            return value if isinstance(value, str) else ""

        return {
            "name": self.query_one("#name", Input).value,
            "full_name": self.query_one("#full_name", Input).value,
            "scoring": self.query_one("#scoring", Input).value,
            "segmentation": select_value("segmentation"),
            "accounts": tuple(sorted(a.id for a in self.accounts)),
            "reason_code": select_value("reason_code"),
            "company": self.query_one("#company", Input).value,
            **{key: self.query_one(f"#{key}", Input).value for key in PROFILE_INPUTS},
            "notes": self.query_one("#notes", TextArea).text,
        }

    def edited_fields(self) -> set[str]:
        if self.detail is None:
            return set()
        return {key for key, value in self.values().items() if value != self.originals.get(key)}

    @property
    def dirty(self) -> bool:
        """True while any field holds an unsaved edit."""
        return bool(self.edited_fields())

    def _checks(self) -> dict[str, Callable[[str], object]]:
        low, high = self.config.scoring_min, self.config.scoring_max
        return {
            "name": lambda v: clean_text(v, field="Name", required=True),
            "full_name": lambda v: clean_text(v, field="Full Name"),
            "scoring": lambda v: normalize_scoring(v, low, high),
            "company": self._company_value,
            **{key: self._profile_check(key) for key in (*PROFILE_INPUTS, "notes")},
        }

    def _profile_check(self, key: str) -> Callable[[str], object]:
        region = self.config.default_phone_region
        return lambda value: normalize_profile_field(key, value, region)

    def _company_value(self, text: str) -> int | str | None:
        """None for Tenant-Wide, an existing company's id, or a new company's name."""
        name = clean_text(text, field="Company")
        if not name or name.casefold() == TENANT_WIDE_LABEL.casefold():
            return None
        known = list(self.companies)
        if self.detail and self.detail.company:
            known.append(self.detail.company)  # before the company list has loaded
        match = next((c for c in known if c.name.casefold() == name.casefold()), None)
        return match.id if match else name

    def check(self, key: str, *, quiet: bool = False) -> str:
        """Check one field; show and return its message ("" when the value is fine).

        `quiet` (while typing): a message is only updated or cleared, never newly shown,
        so nobody is told off in the middle of a word.
        """
        check = self._checks().get(key)
        if check is None:
            return ""
        try:
            value = check(str(self.values()[key]))
        except ValidationError as error:
            if not quiet or self._showing_error(key):
                self._message(key, str(error))
            return str(error)
        if key == "company" and isinstance(value, str):
            self._message(key, f"A new company “{value}” will be created on save.", hint=True)
        else:
            self._message(key, "")
        return ""

    def changes(self) -> tuple[dict[str, object], dict[str, str]]:
        """(the edited fields as update_contact takes them, {field: message} for bad ones)."""
        values = self.values()
        changes: dict[str, object] = {}
        errors: dict[str, str] = {}
        for key in sorted(self.edited_fields(), key=list(FIELD_LABELS).index):
            if key in self._checks():
                message = self.check(key)
                if message:
                    errors[key] = message
                    continue
                changes[key] = self._checks()[key](str(values[key]))
            elif key == "accounts":  # a new account goes by its name: created on save
                changes[key] = tuple(a.name if is_new(a) else a.id for a in self.accounts)
            else:
                changes[key] = values[key]
        return changes, errors

    def focus_field(self, key: str) -> None:
        self.query_one(f"#{key}").focus()

    def show_error(self, key: str, message: str) -> None:
        """A message from the service about one field (e.g. a rule checked on save)."""
        self._message(key, message)

    def _showing_error(self, key: str) -> bool:
        label = self.query_one(f"#{key}-message", Label)
        return label.has_class("-shown") and not label.has_class("-hint")

    def _message(self, key: str, text: str, *, hint: bool = False) -> None:
        label = self.query_one(f"#{key}-message", Label)
        label.update(Text(text))
        label.set_class(bool(text), "-shown")
        label.set_class(hint, "-hint")
        invalid = bool(text) and not hint
        self.query_one(f"#{key}-label", Label).set_class(invalid, "-invalid")
        self.query_one(f"#{key}").tooltip = text if invalid else self._tooltips.get(key)

    def conflict_rows(self, current: ContactDetail) -> list[tuple[str, str, str]]:
        """(field, theirs, yours) for each field you edited or they changed."""
        theirs = field_texts(current)
        values = self.values()
        edited = self.edited_fields()
        mine = {key: str(value) for key, value in values.items()}
        mine["accounts"] = ", ".join(a.name for a in self.accounts)
        mine["company"] = str(values["company"]) or TENANT_WIDE_LABEL
        current_values = field_values(current)
        rows = []
        for key, label in FIELD_LABELS.items():
            if key in edited:
                rows.append((label.rstrip("*"), theirs[key], mine[key]))
            elif current_values[key] != self.originals.get(key):
                rows.append((label.rstrip("*"), theirs[key], "(not edited: theirs kept)"))
        return rows

    # ----- the user at work -------------------------------------------------------------

    @on(Input.Changed)
    def input_changed(self, event: Input.Changed) -> None:
        if event.input.id in FIELD_LABELS:
            self.check(event.input.id, quiet=True)
            self._edited()

    @on(TextArea.Changed, "#notes")
    def notes_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.check("notes", quiet=True)
        self._edited()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        key = event.widget.id or ""
        if not isinstance(event.widget, (Input, TextArea)) or key not in self._checks():
            return
        # A field only passed through stays quiet; one the user changed is checked now.
        if key in self.edited_fields() or self._showing_error(key):
            self.check(key)

    @on(Select.Changed)
    def select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "template":
            # Refilling the options passes through other values first; only the value the
            # select still holds is a real choice.
            stale = event.value != event.select.value
            if not stale and self.detail is not None and event.value != self.detail.template:
                self.post_message(self.TemplateChosen(self, str(event.value)))
        else:
            self._edited()

    @on(Button.Pressed, "#accounts")
    def accounts_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.pick_accounts()

    def pick_accounts(self) -> None:
        """Open the accounts picker; what it returns is an edit, saved with ctrl+s."""
        if self.detail is None:
            return

        def picked(accounts: tuple[AccountInfo, ...] | None) -> None:
            if accounts is not None:
                self._set_accounts(accounts)
                self._edited()

        self.app.push_screen(AccountPicker(self.accounts), picked)

    def _edited(self) -> None:
        picklists = self.config.picklists
        for key, allowed in (
            ("segmentation", picklists.segmentation),
            ("reason_code", picklists.reason_codes),
        ):
            value = self.values()[key]
            # Shown under the field too: the option's own mark may be cut off at 80 columns.
            self._message(
                key, OUT_OF_CONFIG_HINT if value and value not in allowed else "", hint=True
            )
        edited = self.edited_fields()
        for key in FIELD_LABELS:
            self.query_one(f"#{key}").set_class(key in edited, "-edited")
        self.post_message(self.Edited(self, bool(edited)))
