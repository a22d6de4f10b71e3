"""Dialog: a new contact — its name and its company (Tenant-Wide, existing or new)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label

from contacts_tui.dialogs.dialog import Dialog, cancel_binding, layout_css
from contacts_tui.recovery import Draft
from contacts_tui.safe_text import display_safe
from contacts_tui.services import CompanyInfo, NotFoundError, fold
from contacts_tui.validation import ValidationError, clean_text
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.drafts import drop_draft, keep_draft
from contacts_tui.widgets.reporting import reported_work

TENANT_WIDE_LABEL = "Tenant-Wide"
SHOWN_MATCHES = 3


class AddContactDialog(Dialog[int | None]):
    """Creates a contact; dismisses with its id, or None when cancelled.

    Company: empty or "Tenant-Wide" for none, an existing company (→ completes what is
    typed), or a new name, which is created with the contact (the dialog says so).
    """

    DEFAULT_CSS = layout_css(__file__, "add_contact.tcss")

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="add_contact.save",
            tooltip="Create the contact and open it",
        ),
        cancel_binding("add_contact.cancel", "Close without creating a contact"),
    ]

    @dataclass
    class CompaniesLoaded(Message):
        companies: tuple[CompanyInfo, ...]

    @dataclass
    class Saved(Message):
        contact_id: int

    @dataclass
    class Refused(Message):
        """The service refused the contact; `field` is "name", "company" or None."""

        message: str
        field: str | None = None

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        """`initial`: the name and company typed before (a draft being restored)."""
        super().__init__()
        self.initial = initial or {}
        self.companies: tuple[CompanyInfo, ...] | None = None
        self._by_folded: dict[str, CompanyInfo] = {}
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New contact", id="add-title", classes="dialog--title")
            yield Label("Name (required)", classes="add-label")
            yield Input(placeholder="e.g. Ada Lovelace", max_length=200, id="add-name")
            yield Label(classes="add-message", id="add-name-message")
            yield Label("Company", classes="add-label")
            yield Input(
                placeholder=f"{TENANT_WIDE_LABEL} — or type a company",
                max_length=200,
                id="add-company",
            )
            yield Label(classes="add-message", id="add-company-message")
            yield Label(id="add-company-hint")
            yield Label(classes="add-message", id="add-message")
            with Horizontal(id="add-buttons"):
                yield Button("Save", variant="primary", id="add-save")
                yield Button("Cancel", id="add-cancel")
            yield Label(
                "enter / ctrl+s save · → complete a company · esc cancel",
                id="add-hint",
                classes="dialog--hint",
            )

    def on_mount(self) -> None:
        for key in ("name", "company"):
            self.query_one(f"#add-{key}", Input).value = str(self.initial.get(key, ""))
        self.query_one("#add-name", Input).focus()
        self._show_company_hint()
        self.load_companies()

    # ----- companies ------------------------------------------------------------------

    @on(Input.Changed)
    def _keep_draft(self) -> None:
        values = {key: self.query_one(f"#add-{key}", Input).value for key in ("name", "company")}
        if any(values.values()):
            keep_draft(self, Draft("new_contact", f"New contact {values['name']}", values))
        else:
            drop_draft(self)

    def on_unmount(self) -> None:
        drop_draft(self)

    @reported_work(thread=True, exclusive=True, group="store")
    def load_companies(self) -> None:
        companies = contacts_app(self).service.companies()
        self.post_message(self.CompaniesLoaded(companies))

    @on(CompaniesLoaded)
    def _companies_loaded(self, message: CompaniesLoaded) -> None:
        self.companies = message.companies
        self._by_folded = {fold(c.name): c for c in message.companies}
        names = [display_safe(c.name) for c in message.companies]
        self.query_one("#add-company", Input).suggester = SuggestFromList(
            names, case_sensitive=False
        )
        self._show_company_hint()

    def resolve_company(self, text: str) -> int | str | None:
        """What create_contact gets: None (Tenant-Wide), a company id or a new name."""
        if not text or fold(text) == fold(TENANT_WIDE_LABEL):
            return None
        existing = self._by_folded.get(fold(text))
        return existing.id if existing else text

    @on(Input.Changed, "#add-company")
    def _show_company_hint(self) -> None:
        hint = self.query_one("#add-company-hint", Label)
        field = self.query_one("#add-company", Input)
        self._say("#add-company-message", "")
        text = " ".join(field.value.split())
        new = False
        if not text:
            message = f"{TENANT_WIDE_LABEL}: the contact belongs to no particular company."
        elif fold(text) == fold(TENANT_WIDE_LABEL):
            message = f"{TENANT_WIDE_LABEL}: no particular company."
        elif self.companies is None:
            message = "Looking up the companies…"
        elif fold(text) in self._by_folded:
            name = self._by_folded[fold(text)].name
            message = f"Existing company «{display_safe(name)}»."
        else:
            new = True
            message = f"New company «{display_safe(text)}» will be created."
            folded = fold(text)
            similar = [c.name for c in self.companies if folded in fold(c.name)]
            if similar:
                shown = ", ".join(display_safe(n) for n in similar[:SHOWN_MATCHES])
                more = f" and {len(similar) - SHOWN_MATCHES} more" if len(similar) > 3 else ""
                message += f" Existing: {shown}{more}."
        hint.update(Text(message))
        hint.set_class(new, "-new")

    # ----- saving ---------------------------------------------------------------------

    @on(Input.Changed, "#add-name")
    def _name_changed(self) -> None:
        self._say("#add-name-message", "")

    def _say(self, selector: str, message: str) -> None:
        label = self.query_one(selector, Label)
        label.update(Text(message))
        label.set_class(bool(message), "-shown")

    @on(Input.Submitted)
    @on(Button.Pressed, "#add-save")
    def action_save(self) -> None:
        if self.saving:
            return
        for selector in ("#add-name-message", "#add-company-message", "#add-message"):
            self._say(selector, "")
        name_input = self.query_one("#add-name", Input)
        company_input = self.query_one("#add-company", Input)
        try:
            name = clean_text(name_input.value, field="Name", required=True)
        except ValidationError as error:
            self._refuse(str(error), "name")
            return
        try:
            company_text = clean_text(company_input.value, field="Company")
        except ValidationError as error:
            self._refuse(str(error), "company")
            return
        self.saving = True
        self._say("#add-message", "Saving…")
        self.create(name, self.resolve_company(" ".join(company_text.split())))

    @reported_work(thread=True, exclusive=True, group="store")
    def create(self, name: str, company: int | str | None) -> None:
        service = contacts_app(self).service
        try:
            detail = service.create_contact(name, company)
        except ValidationError as error:
            text = str(error)
            field = "company" if text.startswith("Company") else "name"
            self.post_message(self.Refused(text, field))
        except NotFoundError:
            self.post_message(
                self.Refused(
                    "That company was just removed by someone else; choose another.", "company"
                )
            )
            self.app.call_from_thread(self.load_companies)
        else:
            self.post_message(self.Saved(detail.id))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.dismiss(message.contact_id)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._refuse(message.message, message.field)

    def _refuse(self, message: str, field: str | None) -> None:
        self.saving = False
        self._say("#add-message", "")
        selector = {"name": "#add-name", "company": "#add-company"}.get(field or "")
        if selector is None:
            self._say("#add-message", message)
            return
        self._say(f"{selector}-message", message)
        self.query_one(selector, Input).focus()

    def worker_failed(self, work_name: str, message: str) -> bool:
        """Say it under the form, which keeps what was typed."""
        if work_name == "create":
            self._refuse(f"The contact was not saved: {message}", None)
        else:
            self._say("#add-message", f"Could not read the companies: {message}")
        return True

    def show_waiting(self, message: str) -> bool:
        self._say("#add-message", message)
        return True

    @on(Button.Pressed, "#add-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
