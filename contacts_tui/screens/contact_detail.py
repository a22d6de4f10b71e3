"""One contact: the information panel, the lifecycle stepper and the Details/Documents/History
tabs.

One saving model for the contact's own values: every field of the information panel,
its assigned accounts, its lifecycle template and its stage are edits, marked unsaved
until ctrl+s saves them together (one transaction); escape, q and ctrl+r ask before
dropping them. The records and documents of the tabs are things of their own, each
saved by its own form (ctrl+s) or action, as contacts are on the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static, TabPane, TextArea

from contacts_tui.dialogs.choose_step import ChooseStepDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.conflict_dialog import ConflictDialog
from contacts_tui.dialogs.dialog import layout_css
from contacts_tui.lifecycle import LifecycleConfig, Step
from contacts_tui.panels.details_panel import DetailsPanel
from contacts_tui.panels.documents_panel import DocumentsPanel
from contacts_tui.panels.history_panel import HistoryPanel
from contacts_tui.panels.info_panel import FIELD_LABELS, InfoPanel, field_values
from contacts_tui.recovery import Draft
from contacts_tui.safe_text import display_safe
from contacts_tui.screens.binding_commands import ScreenBindingCommands
from contacts_tui.services import (
    AccountInfo,
    CompanyInfo,
    ConflictError,
    ContactDetail,
    NotFoundError,
)
from contacts_tui.stage_moves import stage_move_question
from contacts_tui.validation import ValidationError
from contacts_tui.widgets.app_access import contacts_app
from contacts_tui.widgets.drafts import drop_draft, keep_draft
from contacts_tui.widgets.keys_footer import KeysFooter
from contacts_tui.widgets.lifecycle_stepper import LifecycleStepper
from contacts_tui.widgets.panel_tabs import PanelTabs
from contacts_tui.widgets.reporting import reported_work, tell

TABS = ("details", "documents", "history")
NAME_MIN_CELLS = 12  # what a long name keeps when the status and step fill the line


def step_label(config: LifecycleConfig, template_key: str, stage: str) -> str:
    template = config.template(template_key)
    step = template.step(stage) if template else None
    return step.name if step else f"unknown: {display_safe(stage)}"


class ContactDetailScreen(Screen[bool]):
    """Opened with enter on a contact in the list; escape goes back (asking about edits).

    Dismisses with True when anything was saved, so the list knows to refresh.
    """

    COMMAND_GROUP = "Contact"
    DEFAULT_CSS = layout_css(__file__, "contact_detail.tcss")
    COMMANDS = {ScreenBindingCommands}
    # Not the Name field (Textual's default, the first focusable): keys pressed while
    # the contact loads (2 for Documents) would be typed into the name.
    AUTO_FOCUS = "#stepper"

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="detail.save",
            tooltip="Save the contact: its edited fields, accounts, lifecycle and stage",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            id="detail.back",
            tooltip="Leave the field you are in; from outside a field, back to the list",
        ),
        # 0 as 1 2 3 go to the tabs: e is export everywhere (see the README's key map).
        Binding(
            "0",
            "edit",
            "Fields",
            id="detail.edit",
            tooltip="Move to the Name field of the information panel",
        ),
        Binding(
            "A",
            "accounts",
            "Assigned accounts",
            show=False,
            id="detail.accounts",
            tooltip="Pick the accounts this contact is assigned to (saved with ctrl+s)",
        ),
        Binding(
            "l",
            "focus_stepper",
            "Lifecycle",
            id="detail.stepper",
            tooltip="Focus the lifecycle stepper: ←/→ move, enter sets the stage",
        ),
        Binding("1", "tab('details')", "Details", id="detail.tab_details", tooltip="Details tab"),
        Binding(
            "2",
            "tab('documents')",
            "Documents",
            id="detail.tab_documents",
            tooltip="Documents tab",
        ),
        Binding(
            "3",
            "tab('history')",
            "History",
            id="detail.tab_history",
            tooltip="History tab: stage changes and field changes, newest first",
        ),
        Binding(
            "q",
            "quit",
            "Quit",
            show=False,
            id="detail.quit",
            tooltip="Leave contacts-tui (asks first if you have unsaved changes)",
        ),
        Binding(
            "ctrl+r",
            "reload",
            "Reload",
            id="detail.reload",
            tooltip="Read the contact again from the database (asks if you have edits)",
        ),
    ]

    # ----- messages from the store workers -----------------------------------------------

    @dataclass
    class Loaded(Message):
        detail: ContactDetail
        keep_edits: bool = False

    @dataclass
    class CompaniesRead(Message):
        """The company names the Company field completes from."""

        companies: tuple[CompanyInfo, ...]

    @dataclass
    class Saved(Message):
        detail: ContactDetail
        note: str

    @dataclass
    class Refused(Message):
        """The service refused a value; `field` is the info panel field it belongs to."""

        message: str
        field: str | None = None

    @dataclass
    class Conflicted(Message):
        """Saving found a newer version; `changes` and `lifecycle` are the user's edits."""

        current: ContactDetail
        changes: dict = field(default_factory=dict)
        lifecycle: tuple[str, str] | None = None

    @dataclass
    class Missing(Message):
        message: str

    @dataclass
    class Reread(Message):
        """The contact as it is now, read because someone committed."""

        detail: ContactDetail

    @dataclass
    class AccountsRestored(Message):
        """The assigned accounts of a restored draft, as they are in the database now."""

        accounts: tuple[AccountInfo, ...]
        missing: tuple[str, ...]
        """Names of the draft's accounts that no longer exist."""

    def __init__(self, contact_id: int, restored: tuple[Draft, ...] = ()) -> None:
        """`restored`: drafts of this contact's forms a session that died left unsaved."""
        super().__init__()
        self.contact_id = contact_id
        self.restored = restored
        self.detail: ContactDetail | None = None
        self.edit_version: int | None = None
        """The version the user's edits are based on; saving checks it."""
        self.changed = False
        """Something was written; the list refreshes when we go back."""
        self.writing = False
        """A save is on its way to the database."""
        self.companies_read = False
        """The Company field's completions are read when it is first focused, not on
        every open and save (the whole company table, for a field most visits skip)."""
        self.lifecycle: tuple[str, str] | None = None
        self.wanted_tab = ""
        """A tab asked for (1 2 3) before the contact was shown."""
        """(template, step) chosen on the stepper or in the Lifecycle field, not saved yet."""

    @property
    def config(self) -> LifecycleConfig:
        return contacts_app(self).service.config

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title")
        yield InfoPanel(self.config, id="info")
        yield LifecycleStepper(id="stepper")
        with PanelTabs(id="tabs", initial="details"):
            with TabPane("Details (1)", id="details"):
                yield DetailsPanel(self.contact_id, id="details-panel")
            with TabPane("Documents (2)", id="documents"):
                yield DocumentsPanel(self.contact_id, id="documents-panel")
            with TabPane("History (3)", id="history"):
                yield HistoryPanel(self.config, id="history-panel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-title", Static).update(Text("Loading…"))
        self.load()
        contacts_app(self).store_changed.subscribe(self, self._store_changed)
        contacts_app(self).lifecycle_changed.subscribe(self, self._lifecycle_changed)

    # ----- reading ---------------------------------------------------------------------

    @reported_work(thread=True, exclusive=True, group="store")
    def load(self, keep_edits: bool = False) -> None:
        service = contacts_app(self).service
        try:
            detail = service.get_contact(self.contact_id)
        except NotFoundError as error:
            self.post_message(self.Missing(str(error)))
            return
        self.post_message(self.Loaded(detail, keep_edits))

    def on_contact_detail_screen_loaded(self, message: Loaded) -> None:
        first = self.detail is None
        self.show(message.detail, keep_edits=message.keep_edits)
        if first and self.restored:
            self.call_after_refresh(self._restore_drafts)
        if first and self.wanted_tab:
            self._switch_tab(self.wanted_tab)
        if first:
            # Start in the open tab (its keys are what the screen invites first);
            # 0 goes to the fields, l to the lifecycle.
            self.call_after_refresh(self.focus_tab_content)

    @on(events.DescendantFocus, "#company")
    def company_focused(self) -> None:
        if not self.companies_read:
            self.companies_read = True
            self.read_companies()

    @reported_work(thread=True, exclusive=True, group="store.companies")
    def read_companies(self) -> None:
        self.post_message(self.CompaniesRead(contacts_app(self).service.companies()))

    def on_contact_detail_screen_companies_read(self, message: CompaniesRead) -> None:
        self.query_one(InfoPanel).set_companies(message.companies)

    def _restore_drafts(self) -> None:
        drafts, self.restored = self.restored, ()
        for draft in drafts:
            if draft.kind == "contact":
                self.query_one(InfoPanel).restore(draft.values)
                if "accounts" in draft.values:
                    self.find_restored_accounts(draft.extra.get("accounts", ()))
        for draft in drafts:
            if draft.kind == "record":
                self._switch_tab("details")
                self.query_one(DetailsPanel).reopen_form(
                    str(draft.extra.get("kind")), draft.extra.get("record_id"), draft.values
                )

    @reported_work(thread=True, exclusive=True, group="store.restore_accounts")
    def find_restored_accounts(self, wanted: list[list]) -> None:
        """The draft's accounts by id, or by name for one made again since; the others
        are gone and said so."""
        known = contacts_app(self).service.accounts(include_archived=True)
        by_id = {a.id: a for a in known}
        by_name = {a.name.casefold(): a for a in known}
        found: list[AccountInfo] = []
        missing: list[str] = []
        for account_id, name in wanted:
            account = by_id.get(account_id)
            if account is None or account.name.casefold() != str(name).casefold():
                account = by_name.get(str(name).casefold(), account)
            if account is None and int(account_id) < 0:  # typed into the picker, not made
                account = AccountInfo(int(account_id), str(name))  # yet: the save makes it
            if account is None:
                missing.append(str(name))
            elif account not in found:
                found.append(account)
        self.post_message(self.AccountsRestored(tuple(found), tuple(missing)))

    def on_contact_detail_screen_accounts_restored(self, message: AccountsRestored) -> None:
        self.query_one(InfoPanel).restore_accounts(message.accounts)
        if message.missing:
            names = ", ".join(f"“{name}”" for name in message.missing)
            gone = "no longer exists" if len(message.missing) == 1 else "no longer exist"
            tell(self, f"Not restored: account {names} {gone}.", severity="warning", timeout=10)

    def focus_tab_content(self) -> None:
        pane = self.query_one(PanelTabs).active_pane
        target = next((w for w in pane.query("*") if w.focusable), None) if pane else None
        (target or self.query_one(LifecycleStepper)).focus()

    def show(self, detail: ContactDetail, *, keep_edits: bool = False) -> None:
        """Put a freshly read contact on screen, keeping unsaved edits if asked."""
        self.detail = detail
        info = self.query_one(InfoPanel)
        if info.show(detail, keep_edits=keep_edits) or self.edit_version is None:
            self.edit_version = detail.version
        if not keep_edits or self.lifecycle == (detail.template, detail.stage):
            self.lifecycle = None
        self._show_lifecycle()
        self.query_one(DetailsPanel).show(detail)
        self.query_one(DocumentsPanel).show(detail)
        self.query_one(HistoryPanel).show(detail)
        self.update_title()

    def _show_lifecycle(self) -> None:
        """The stepper and the Lifecycle field show the chosen lifecycle, saved or not."""
        if self.detail is None:
            return
        template_key, stage = self.lifecycle or (self.detail.template, self.detail.stage)
        template = self.config.template(template_key)
        stepper = self.query_one(LifecycleStepper)
        visited = visited_steps(self.detail)
        if (stepper.template, stepper.template_key, stepper.stage, stepper.visited) != (
            template,
            template_key,
            stage,
            visited,
        ):  # unchanged: the user's place on the stepper stays
            stepper.show(template, template_key, stage, visited)
        self.query_one(InfoPanel).show_template(
            template_key, edited=template_key != self.detail.template
        )

    def _set_lifecycle(self, template_key: str, stage: str) -> None:
        """Choose a lifecycle and step: an edit like the fields', saved with ctrl+s."""
        if self.detail is None:
            return
        chosen = (template_key, stage)
        self.lifecycle = None if chosen == (self.detail.template, self.detail.stage) else chosen
        self._show_lifecycle()
        self.update_title()

    @property
    def dirty(self) -> bool:
        """True while a field, the accounts, the lifecycle or the stage is unsaved."""
        return self.query_one(InfoPanel).dirty or self.lifecycle is not None

    def unsaved_names(self) -> str:
        """What is unsaved, as a person reads it: "Name, Stage"."""
        info = self.query_one(InfoPanel)
        names = [FIELD_LABELS[k].rstrip("*") for k in sorted(info.edited_fields())]
        if self.lifecycle and self.detail and self.lifecycle[0] != self.detail.template:
            names.append("Lifecycle")
        if self.lifecycle and self.detail and self.lifecycle[1] != self.detail.stage:
            names.append("Stage")
        return ", ".join(names)

    def on_resize(self) -> None:
        self.update_title()

    def update_title(self) -> None:
        detail = self.detail
        if detail is None:
            return
        dirty = self.dirty
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"  {detail.status}", "bold")
        if self.lifecycle:
            template_key, stage = self.lifecycle
            title.append(f" · {step_label(self.config, template_key, stage)}", "italic")
        else:
            title.append(f" · {step_label(self.config, detail.template, detail.stage)}")
        if detail.archived:
            title.append(" · archived", "italic")
        if dirty:
            title.append("  ● unsaved changes", "bold italic")
        if dirty and self.edit_version != detail.version:
            who = display_safe(detail.updated_by) or "someone"
            title.append(f" · changed by {who} meanwhile (ctrl+r: theirs)", "bold")
        # The name gives way, never the status after it: a long name is cut with an
        # ellipsis to what the line has left (but always keeps a few cells).
        line = self.query_one("#detail-title", Static)
        name = Text(display_safe(detail.name), "bold")
        room = line.content_region.width - title.cell_len
        if line.content_region.width and name.cell_len > room:
            name.truncate(max(room, NAME_MIN_CELLS), overflow="ellipsis")
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append_text(name)
        header.append_text(title)
        line.update(header)
        self.query_one("#detail-title").set_class(dirty, "-dirty")
        self.sub_title = display_safe(detail.name)

    @on(InfoPanel.Edited)
    def edited(self) -> None:
        self.update_title()
        info = self.query_one(InfoPanel)
        edited = info.edited_fields()
        if not edited or self.detail is None:
            drop_draft(self)
            return
        values = info.values()
        fields = ", ".join(FIELD_LABELS[k].rstrip("*") for k in sorted(edited))
        title = f"{self.detail.name}: {fields}"
        extra = {}
        if "accounts" in edited:  # by name too: an id alone says nothing once it is gone
            extra["accounts"] = [[a.id, a.name] for a in info.accounts]
        draft = Draft("contact", title, {k: values[k] for k in edited}, self.contact_id, extra)
        keep_draft(self, draft)

    def on_unmount(self) -> None:
        drop_draft(self)

    @on(DetailsPanel.Changed)
    @on(DocumentsPanel.Changed)
    def records_changed(self) -> None:
        self.changed = True
        self.load(keep_edits=True)

    # ----- other sessions' changes ---------------------------------------------------

    def _store_changed(self, _committed: object) -> None:
        # Whatever changed: its documents, history and e-mails are not in the counters.
        if self.detail is not None and not self.writing:
            self.reread()

    @reported_work(thread=True, exclusive=True, group="store.reread")
    def reread(self) -> None:
        try:
            detail = contacts_app(self).service.get_contact(self.contact_id)
        except NotFoundError as error:
            self.post_message(self.Missing(str(error)))
            return
        self.post_message(self.Reread(detail))

    def on_contact_detail_screen_reread(self, message: Reread) -> None:
        """Show what others changed; the fields being edited keep what the user typed."""
        known, new = self.detail, message.detail
        if known is None or self.writing or new == known:
            return  # unchanged, or a save of ours is on its way and brings the answer
        if (new.version, new.updated_at) < (known.version, known.updated_at):
            return  # read before a save of ours that has landed since
        info = self.query_one(InfoPanel)
        edited = info.edited_fields()
        theirs = field_values(new)
        clash = [
            FIELD_LABELS[k].rstrip("*")
            for k in sorted(edited)
            if theirs[k] != info.originals.get(k)
        ]
        if self.lifecycle and (new.template, new.stage) != (known.template, known.stage):
            clash.append("Stage")
        self.show(new, keep_edits=True)
        if clash:
            who = display_safe(new.updated_by) or "Someone"
            fields = ", ".join(clash)
            tell(
                self,
                f"{who} changed {fields} while you were editing it. Your edits stay on "
                "screen: ctrl+r reloads their version, ctrl+s asks which to keep.",
                title="Changed meanwhile",
                severity="warning",
                timeout=15,
            )

    def _lifecycle_changed(self, config: LifecycleConfig) -> None:
        """Renamed, added or removed steps and picklist values show; edits stay."""
        self.query_one(InfoPanel).set_config(config)
        self.query_one(HistoryPanel).config = config
        if self.detail is not None:
            self.show(self.detail, keep_edits=True)

    def on_contact_detail_screen_missing(self, message: Missing) -> None:
        self.writing = False
        tell(self, message.message, severity="error")
        self.changed = True
        self.dismiss(self.changed)

    # ----- saving the information panel ------------------------------------------------

    def _write(self, worker, *args) -> None:
        """Start a write; until its answer is back, further writes wait (no double saves)."""
        self.writing = True
        worker(*args)

    def _busy(self) -> bool:
        if self.writing:
            tell(self, "Still saving the last change…", severity="warning")
        return self.writing

    def action_save(self) -> None:
        if self.detail is None or self._busy():
            return
        info = self.query_one(InfoPanel)
        changes, errors = info.changes()
        if errors:
            info.focus_field(next(iter(errors)))
            tell(
                self,
                "Not saved: fix the marked field first. " + " ".join(errors.values()),
                severity="error",
            )
            return
        if not changes and self.lifecycle is None:
            tell(self, "Nothing to save.")
            return
        version = self.edit_version or self.detail.version
        self._write(self.save, version, changes, self.lifecycle)

    @reported_work(thread=True, exclusive=True, group="store")
    def save(self, version: int, changes: dict, lifecycle: tuple[str, str] | None) -> None:
        service = contacts_app(self).service
        template, stage = lifecycle or (None, None)
        try:
            detail = service.save_contact(
                self.contact_id, version, changes, template=template, stage=stage
            )
        except ConflictError as error:
            self.post_message(self.Conflicted(error.current, changes, lifecycle))
        except ValidationError as error:
            self.post_message(self.Refused(str(error), _field_of(str(error))))
        except NotFoundError as error:
            self.post_message(self.Missing(str(error)))
        else:
            # Shown first, then the all-clear: a new save never starts from the old version.
            self.post_message(self.Loaded(detail))
            self.post_message(self.Saved(detail, "Saved."))

    def on_contact_detail_screen_saved(self, message: Saved) -> None:
        self.writing = False
        self.changed = True
        self.companies_read = False  # the save may have created one: read them when wanted
        tell(self, message.note)

    def on_contact_detail_screen_refused(self, message: Refused) -> None:
        self.writing = False
        if message.field:
            self.query_one(InfoPanel).show_error(message.field, message.message)
            self.query_one(InfoPanel).focus_field(message.field)
        tell(self, message.message, severity="error")

    @on(Conflicted)
    def conflicted(self, message: Conflicted) -> None:
        self.writing = False
        self.resolve_conflict(message.current, message.changes, message.lifecycle)

    @reported_work(exclusive=True, group="dialog")
    async def resolve_conflict(
        self, current: ContactDetail, changes: dict, lifecycle: tuple[str, str] | None
    ) -> None:
        info = self.query_one(InfoPanel)
        who = current.updated_by or "Someone"
        text = (
            f"{who} saved this contact at {current.updated_at:%Y-%m-%d %H:%M} UTC, after you "
            "opened it. Reload their version (your edits are dropped) or overwrite it with "
            "yours?"
        )
        rows = info.conflict_rows(current)
        known = self.detail
        theirs = step_label(self.config, current.template, current.stage)
        if lifecycle:
            rows.append(("Stage", theirs, step_label(self.config, *lifecycle)))
        elif known and (known.template, known.stage) != (current.template, current.stage):
            rows.append(("Stage", theirs, "(not edited: theirs kept)"))
        choice = await self.app.push_screen_wait(ConflictDialog(text, rows))
        if choice == "reload":
            self.edit_version = None
            self.show(current)
            tell(self, "Reloaded their version.")
        elif choice == "overwrite":
            self._write(self.save, current.version, changes, lifecycle)

    # ----- the lifecycle ---------------------------------------------------------------

    @on(LifecycleStepper.StepChosen)
    def step_chosen(self, message: LifecycleStepper.StepChosen) -> None:
        self.confirm_stage(message.step)

    @reported_work(exclusive=True, group="dialog")
    async def confirm_stage(self, step: Step) -> None:
        detail = self.detail
        if detail is None:
            return
        template_key, stage = self.lifecycle or (detail.template, detail.stage)
        if step.key == stage:
            tell(self, f"{display_safe(detail.name)} is already at {step.name}.")
            return
        template = self.config.template(template_key)
        # The same questions as the pipeline board's moves, asked when the step is chosen.
        asked = stage_move_question(template, stage, step, display_safe(detail.name))
        if asked is not None:
            question, label = asked
            dialog = ConfirmDialog(question, confirm_label=label, danger=step.outcome == "lost")
            if not await self.app.push_screen_wait(dialog):
                return
        self._set_lifecycle(template_key, step.key)
        if self.lifecycle is not None:
            tell(self, f"Stage: {step.name}, not saved yet: ctrl+s saves it.")

    @on(InfoPanel.TemplateChosen)
    def template_chosen(self, message: InfoPanel.TemplateChosen) -> None:
        chosen = self.lifecycle[0] if self.lifecycle else None
        if message.template != chosen:  # (showing a chosen template reports it again)
            self.change_template(message.template)

    @reported_work(exclusive=True, group="dialog")
    async def change_template(self, template_key: str) -> None:
        detail = self.detail
        template = self.config.template(template_key)
        if detail is None or template is None:
            self._show_lifecycle()
            return
        stage = self.lifecycle[1] if self.lifecycle else detail.stage
        if template_key == detail.template and template.step(detail.stage) is not None:
            stage = detail.stage  # back to its own lifecycle: its own step
        step_key: str | None = stage
        if template.step(stage) is None:
            question = (
                f"The lifecycle “{template.name}” has no step "
                f"“{step_label(self.config, *(self.lifecycle or (detail.template, stage)))}”. "
                f"Which step should {display_safe(detail.name)} start at?"
            )
            step_key = await self.app.push_screen_wait(ChooseStepDialog(template, question))
        if step_key is None:
            self._show_lifecycle()  # the Lifecycle field shows the chosen one again
            return
        self._set_lifecycle(template_key, step_key)

    def worker_failed(self, work_name: str, message: str) -> bool:
        """Expected refusals come back as messages; anything else shows as a toast, and
        the edits stay on screen so that ctrl+s tries again."""
        self.writing = False
        return False

    # ----- keys ------------------------------------------------------------------------

    def action_focus_stepper(self) -> None:
        self.query_one(LifecycleStepper).focus()

    def action_edit(self) -> None:
        self.query_one(InfoPanel).focus_field("name")

    def action_accounts(self) -> None:
        self.query_one(InfoPanel).pick_accounts()

    def action_tab(self, tab: str) -> None:
        if tab not in TABS:
            return
        if self.detail is None:
            # Pressed as the screen opens: again once the contact is shown, or the tabs'
            # own mount (which sets the first tab) could undo it.
            self.wanted_tab = tab
            self.call_after_refresh(self._switch_tab, tab)
        else:
            self._switch_tab(tab)

    def _switch_tab(self, tab: str) -> None:
        self.query_one(PanelTabs).switch_to(tab)
        self.call_after_refresh(self.focus_tab_content)

    def action_back(self) -> None:
        if isinstance(self.focused, Input | TextArea):
            # Leaving a text field first lets 1/2/3/l work without a second thought.
            self.query_one(LifecycleStepper).focus()
            return
        self.leave()

    @reported_work(exclusive=True, group="dialog")
    async def leave(self, quit_app: bool = False) -> None:
        if self.dirty:
            question = f"Discard your unsaved changes ({self.unsaved_names()})?"
            if not await self.app.push_screen_wait(
                ConfirmDialog(question, confirm_label="Discard", danger=True)
            ):
                return
        if quit_app:
            self.app.exit()
        else:
            self.dismiss(self.changed)

    def action_quit(self) -> None:
        # The app's own q would quit at once; here it must not drop unsaved edits.
        self.leave(quit_app=True)

    def action_reload(self) -> None:
        self.reload()

    @reported_work(exclusive=True, group="dialog")
    async def reload(self) -> None:
        if self.dirty and not await self.app.push_screen_wait(
            ConfirmDialog("Reload and discard your unsaved changes?", confirm_label="Reload")
        ):
            return
        self.edit_version = None
        self.lifecycle = None
        self.load()


def _field_of(message: str) -> str | None:
    """Which info panel field a service message is about (they start with its label)."""
    for key, label in FIELD_LABELS.items():
        if message.startswith(label.rstrip("*")) or message.lower().startswith(
            key.replace("_", " ")
        ):
            return key
    return None


def visited_steps(detail: ContactDetail) -> frozenset[str] | None:
    """The steps the contact has been at, from its stage history; None without one."""
    if not detail.stage_history:
        return None
    visited = {change.to_stage for change in detail.stage_history}
    visited.update(change.from_stage for change in detail.stage_history if change.from_stage)
    return frozenset(visited | {detail.stage})
