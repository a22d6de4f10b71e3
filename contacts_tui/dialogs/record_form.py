"""The add/edit form of an e-mail, phone number, address or bank account, built from its Section.

Each field is checked as the user leaves it (once it holds something typed), and a
message under a field is checked again at every key, so it goes as soon as the value is
fixed. Saving asks the service to validate and save, in a worker, and shows each problem
under the field it belongs to; nothing is saved until every field is valid. The form
closes with the saved record, or None when cancelled.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.dialogs.duplicate_dialog import SAVE_ANYWAY, DuplicateDialog
from contacts_tui.dialogs.unsaved_dialog import LeaveChoice, UnsavedDialog
from contacts_tui.recovery import Draft
from contacts_tui.safe_text import display_safe
from contacts_tui.services import ConflictError, NotFoundError, RecordInvalid
from contacts_tui.validation import (
    ValidationError,
    bank_from_iban,
    country_choices,
    format_iban,
    format_phone,
    normalize_bic,
    normalize_iban,
    state_choices,
)
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.drafts import drop_draft, keep_draft
from contacts_tui.widgets.keys_footer import KeysFooter
from contacts_tui.widgets.record_table import FieldSpec, Section
from contacts_tui.widgets.reporting import reported_work
from contacts_tui.widgets.toggles import MarkedCheckbox
from contacts_tui.widgets.type_ahead_select import TypeAheadSelect


class RecordForm(Dialog[Any]):
    """Add a record to a contact (record=None) or edit one; returns the saved record or None."""

    DEFAULT_CSS = layout_css(__file__, "record_form.tcss")

    class OpenContact(Message):
        """Show contact `contact_id` over the form (the owner of a duplicate, say).

        Handled by the app: the contact screen is a floor above this dialog, which must
        not import it.
        """

        def __init__(self, contact_id: int) -> None:
            super().__init__()
            self.contact_id = contact_id

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="record_form.save", tooltip="Check and save"),
        cancel_binding("record_form.cancel", "Close (asks first if anything is unsaved)"),
        Binding(
            "ctrl+b",
            "use_bic",
            "Use suggested SWIFT",
            id="record_form.use_bic",
            tooltip="Fill in the SWIFT code of the IBAN's bank",
        ),
    ]

    def __init__(
        self,
        section: Section,
        contact_id: int,
        record: Any | None = None,
        *,
        has_primary: bool = True,
        initial: dict[str, str] | None = None,
    ) -> None:
        """`has_primary`: the contact has a primary of this kind already (else this one is).
        `initial`: what the fields held before (a draft being restored)."""
        super().__init__()
        self.initial = initial or {}
        self.section = section
        self.contact_id = contact_id
        self.record = record
        self.has_primary = has_primary
        self.suggested_bic: str | None = None
        self.record_gone = False
        """Saving found the record (or its contact) deleted by someone else."""
        self.saving = False
        # What the fields held when the form opened: escape asks only when they differ.
        self._opened_with: tuple[dict[str, str], bool] | None = None
        # The fields the user has changed: checked when left, even if put back as opened.
        self._typed_in: set[str] = set()

    # ----- building the form -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        verb = "Edit" if self.record else "Add"
        with Vertical(id="record-form"):
            yield Label(
                f"{verb} {self.section.noun}", id="record-form-title", classes="dialog--title"
            )
            with VerticalScroll(id="record-fields", can_focus=False):
                for spec in self.section.fields:
                    with Horizontal(classes="field-row"):
                        yield Label(f"{spec.label}{'*' if spec.required else ''}")
                        yield from self._inputs(spec)
                    yield Static("", id=f"error-{spec.key}", classes="field-message field-error")
                    if spec.key == "bic":
                        yield Static("", id="hint-bic", classes="field-message field-hint")
                if self.section.has_primary:
                    yield from self._primary_box()
            yield Static("", id="record-form-error")
            with Horizontal(id="record-form-buttons"):
                yield Button("Save", variant="primary", id="record-form-save", compact=True)
                yield Button("Cancel", id="record-form-cancel", compact=True)
        yield KeysFooter()

    def _initial(self, spec: FieldSpec) -> str:
        if spec.key in self.initial:
            return display_safe(self.initial[spec.key])
        if self.record is None:
            return ""
        if spec.key == "number":  # show what the user typed, as they typed it
            value = self.record.typed or format_phone(self.record.number)
        elif spec.key == "iban":
            value = format_iban(self.record.iban)
        else:
            value = getattr(self.record, spec.key) or ""
        # Saved text is shown (and so saved again) without anything that could drive the
        # terminal, should some have reached the database around the services.
        return display_safe(value)

    def _inputs(self, spec: FieldSpec) -> ComposeResult:
        value = self._initial(spec)
        field_id = f"field-{spec.key}"
        if spec.kind == "type":
            choices = list(getattr(contacts_app(self).service.config.picklists, spec.picklist))
            if value and value not in choices:
                choices.append(value)  # a saved type the config no longer lists stays shown
            yield _select(field_id, [(Text(display_safe(c)), c) for c in choices], value, "—")
        elif spec.kind == "country":
            options = [(Text(f"{name} ({code})"), code) for code, name in country_choices()]
            yield _select(field_id, options, value, "— (type to search)")
        elif spec.kind == "state":
            yield _select(field_id, [], "", "—")
            yield Input(
                value,
                id=f"{field_id}-text",
                compact=True,
                max_length=spec.max_length,
                select_on_focus=False,
            )
        else:
            yield Input(
                value,
                placeholder=spec.placeholder,
                id=field_id,
                compact=True,
                max_length=spec.max_length,
                select_on_focus=False,  # back at a bad field, the cursor waits at the end
            )

    def _primary_box(self) -> ComposeResult:
        noun = self.section.noun
        if self.record is not None and self.record.is_primary:
            hint = f"To change the primary {noun}, make another one primary."
            box = MarkedCheckbox("Primary", True, id="field-primary", disabled=True, compact=True)
        elif self.record is None and not self.has_primary:
            hint = f"The contact's first {noun} is its primary one."
            box = MarkedCheckbox("Primary", True, id="field-primary", disabled=True, compact=True)
        else:
            hint = ""
            box = MarkedCheckbox("Primary", False, id="field-primary", compact=True)
        with Horizontal(classes="field-row"):
            yield Label("")
            yield box
        if hint:
            yield Static(hint, classes="field-message")

    def on_mount(self) -> None:
        if any(spec.kind == "state" for spec in self.section.fields):
            self._show_states(keep=self._initial(self.section.field("state")))
        self._update_bank_hint()
        self.query(".field-error").set(display=False)
        self.query_one("#record-form-error").display = False
        first = self.section.fields[0]
        self.query_one(f"#field-{first.key}").focus()
        self._opened_with = (self.values(), self.primary)

    @property
    def unsaved(self) -> bool:
        """The fields hold something not saved: typed here, or restored from a draft."""
        if self.initial:
            return True
        return self._opened_with is not None and self._opened_with != (
            self.values(),
            self.primary,
        )

    # ----- reading the fields ------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    def _keep_draft(self) -> None:
        if not self.is_mounted:
            return
        extra = {"kind": self.section.kind, "record_id": getattr(self.record, "id", None)}
        verb = "edited" if self.record else "new"
        title = f"{verb} {self.section.noun}"
        keep_draft(self, Draft("record", title, self.values(), self.contact_id, extra))

    def on_unmount(self) -> None:
        drop_draft(self)

    def field_widget(self, key: str) -> Widget:
        """The widget the user types or picks the field `key` in (for states: the visible one)."""
        widget = self.query_one(f"#field-{key}")
        if key == "state" and not widget.display:
            return self.query_one("#field-state-text")
        return widget

    def values(self) -> dict[str, str]:
        """What the form holds now, field by field, as typed."""
        values = {}
        for spec in self.section.fields:
            widget = self.field_widget(spec.key)
            if isinstance(widget, Select):
                values[spec.key] = "" if widget.is_blank() else str(widget.value)
            else:
                values[spec.key] = widget.value  # type: ignore[attr-defined]
        return values

    @property
    def primary(self) -> bool:
        if not self.section.has_primary:
            return False
        box = self.query_one("#field-primary", Checkbox)
        return box.value and not box.disabled

    # ----- each field checked as the user leaves it -------------------------------------

    def _field_key(self, widget: Widget) -> str | None:
        """The field `widget` is for ("state" for either of its widgets), else None."""
        widget_id = widget.id or ""
        if not widget_id.startswith("field-") or widget_id == "field-primary":
            return None
        return widget_id.removeprefix("field-").removesuffix("-text")

    def _showing_error(self, key: str) -> bool:
        return self.query_one(f"#error-{key}", Static).display

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        key = self._field_key(event.widget)
        if key is None or not isinstance(event.widget, Input) or self.saving:
            return
        # A field only passed through on the way to another stays quiet until saving.
        if key in self._typed_in or self._showing_error(key):
            self._check_field(key)

    @on(Input.Changed)
    def _recheck_shown_error(self, event: Input.Changed) -> None:
        key = self._field_key(event.input)
        if key is None or not self.is_mounted or self._opened_with is None:
            return
        if event.value != self._opened_with[0].get(key):
            self._typed_in.add(key)
        if self._showing_error(key):
            self._check_field(key)

    @on(Select.Changed)
    def _check_choice(self, event: Select.Changed) -> None:
        key = self._field_key(event.select)
        if key is None or not self.is_mounted or self._opened_with is None:
            return
        self._check_field(key)
        if key == "country" and self._showing_error("state"):
            self._check_field("state")  # whether a state is known depends on the country

    def _check_field(self, key: str) -> None:
        """Show the message for field `key` alone, or clear it when the value is fine.

        The service's checks need no database, so they run here, as the user moves on.
        """
        try:
            contacts_app(self).service.records.validate(
                self.section.kind, self.values(), current_type=getattr(self.record, "type", "")
            )
        except RecordInvalid as error:
            self._show_field_message(key, error.errors.get(key, ""))
        else:
            self._show_field_message(key, "")

    def _show_field_message(self, key: str, message: str) -> None:
        label = self.query_one(f"#error-{key}", Static)
        label.update(Text(display_safe(message)))
        label.display = bool(message)
        self.field_widget(key).set_class(bool(message), "-invalid")

    # ----- states follow the country; bank hints follow IBAN and SWIFT ------------------

    @on(Select.Changed, "#field-country")
    def _country_changed(self) -> None:
        self._show_states()

    def _show_states(self, keep: str = "") -> None:
        country = self.query_one("#field-country", Select)
        code = "" if country.is_blank() else str(country.value)
        choices = state_choices(code) if code else []
        states = self.query_one("#field-state", Select)
        text = self.query_one("#field-state-text", Input)
        codes = {c for c, _ in choices}
        # A saved state that is not one of the country's codes is shown as the text it is.
        use_list = bool(choices) and (not keep or keep in codes)
        if use_list:
            states.set_options([(Text(f"{name} ({c})"), c) for c, name in choices])
            if keep:
                states.value = keep
        states.display = use_list
        text.display = not use_list
        if keep and not use_list:
            text.value = keep

    @on(Input.Changed, "#field-iban, #field-bic")
    def _bank_fields_changed(self) -> None:
        self._update_bank_hint()

    def _update_bank_hint(self) -> None:
        """Offer the IBAN's bank's SWIFT code when SWIFT is empty; warn when they disagree."""
        if self.section.kind != "bank_account":
            return
        iban_text = self.query_one("#field-iban", Input).value
        bic_text = self.query_one("#field-bic", Input).value
        hint = ""
        self.suggested_bic = None
        try:
            iban = normalize_iban(iban_text)
        except ValidationError:
            iban = None
        if iban and not bic_text.strip():
            bic, bank = bank_from_iban(iban)
            if bic:
                self.suggested_bic = bic
                hint = f"{bank or 'The bank'}: SWIFT {bic} — press ctrl+b to use it."
            elif bank:
                hint = f"Bank: {bank}"
        elif iban:
            try:
                _, warning = normalize_bic(bic_text, iban)
            except ValidationError:
                warning = None  # the error shows at the field on saving
            hint = f"⚠ {warning}" if warning else ""
        label = self.query_one("#hint-bic", Static)
        label.update(Text(display_safe(hint)))
        label.display = bool(hint)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "use_bic":
            return self.suggested_bic is not None
        return True

    def action_use_bic(self) -> None:
        if self.suggested_bic:
            self.query_one("#field-bic", Input).value = self.suggested_bic

    # ----- saving ------------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#record-form-save")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#record-form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close; with unsaved values, ask first: Save, Discard or keep editing."""
        if not self.unsaved:
            self.dismiss(None)
            return

        def answered(choice: LeaveChoice | None) -> None:
            if choice == "save":
                self.action_save()
            elif choice == "discard":
                self.dismiss(None)

        self.app.push_screen(UnsavedDialog(self.section.noun), answered)

    def action_save(self, allow_duplicate: bool = False) -> None:
        if self.saving:
            return
        self._show_errors({})
        self.saving = True
        self.query_one("#record-form-save", Button).disabled = True
        self.save(self.values(), self.primary, allow_duplicate)

    @reported_work(thread=True, exclusive=True, group="store")
    def save(self, values: dict[str, str], primary: bool, allow_duplicate: bool) -> None:
        """Validate, look for the value on other contacts, then save (a worker thread)."""
        service = contacts_app(self).service
        section = self.section
        record = self.record
        try:
            check = service.records.validate(
                section.kind, values, current_type=getattr(record, "type", "")
            )
            key = section.duplicate_field
            value = check.values.get(key or "", "")
            unchanged = record is not None and getattr(record, key or "", None) == value
            if key and not allow_duplicate and not unchanged:
                owners = service.records.find_duplicates(section.kind, value, self.contact_id)
                if owners:
                    self.app.call_from_thread(self._ask_about_duplicate, values[key], owners)
                    return
            if record is None:
                saved = service.records.add(section.kind, self.contact_id, values, primary=primary)
            else:
                saved = service.records.update(
                    section.kind, record.id, values, primary=primary, expected=record
                )
        except RecordInvalid as error:
            self.app.call_from_thread(self._show_errors, error.errors)
        except ConflictError as error:
            self.app.call_from_thread(
                self._show_form_error,
                f"{error} Your edit was not saved: press escape to see their change.",
            )
        except NotFoundError as error:
            self.app.call_from_thread(self._record_is_gone, str(error))
        except ValidationError as error:
            self.app.call_from_thread(self._show_form_error, str(error))
        else:
            self.app.call_from_thread(self.dismiss, saved)

    def _ask_about_duplicate(self, typed: str, owners: list[tuple[int, str]]) -> None:
        self._done_saving()

        def answered(choice: str | int | None) -> None:
            if choice == SAVE_ANYWAY:
                self.action_save(allow_duplicate=True)
            elif isinstance(choice, int):
                self._open_contact(choice)

        self.app.push_screen(DuplicateDialog(self.section.noun, typed.strip(), owners), answered)

    def _open_contact(self, contact_id: int) -> None:
        """Open the other contact on top of this form, which keeps what was typed."""
        self.post_message(self.OpenContact(contact_id))

    def _done_saving(self) -> None:
        self.saving = False
        self.query_one("#record-form-save", Button).disabled = False

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Show each message under its field (clearing the others); focus the first bad one."""
        self._done_saving()
        self.query_one("#record-form-error").display = False
        first = None
        for spec in self.section.fields:
            message = errors.get(spec.key, "")
            self._show_field_message(spec.key, message)
            if message and first is None:
                first = self.field_widget(spec.key)
        if first is not None:
            first.focus()

    def _record_is_gone(self, message: str) -> None:
        """Deleted in another session while being edited: the form keeps what was typed;
        whoever opened it reads the contact again once it closes (`record_gone`)."""
        self.record_gone = True
        self._show_form_error(f"{message} What you typed stays here until you close the form.")

    def _show_form_error(self, message: str) -> None:
        self._done_saving()
        label = self.query_one("#record-form-error", Static)
        label.update(Text(display_safe(message)))
        label.display = True

    def worker_failed(self, work_name: str, message: str) -> bool:
        """An unexpected failure (the database went away, or stayed busy): say so under
        the form, which keeps what was typed; saving again is the retry."""
        self._show_form_error(f"Could not save: {message}")
        return True

    def show_waiting(self, message: str) -> bool:
        label = self.query_one("#record-form-error", Static)
        label.update(Text(message))
        label.display = True
        return True


def _select(field_id: str, options: list, value: str, prompt: str) -> Select:
    known = any(v == value for _, v in options)
    initial = value if value and known else Select.NULL
    return TypeAheadSelect(options, prompt=prompt, value=initial, id=field_id, compact=True)
