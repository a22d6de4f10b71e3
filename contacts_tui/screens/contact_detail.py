"""One contact: the information panel, the lifecycle stepper and the Details/Documents/History
tabs."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static, TabbedContent, TabPane, TextArea

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

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="detail.save",
            tooltip="Save the edited fields of the information panel",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            id="detail.back",
            tooltip="Leave the field you are in; from outside a field, back to the list",
        ),
        Binding(
            "e",
            "edit",
            "Edit fields",
            id="detail.edit",
            tooltip="Move to the Name field of the information panel",
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
        """Saving the fields found a newer version; `changes` are the user's edits."""

        current: ContactDetail
        changes: dict = field(default_factory=dict)

    @dataclass
    class StageConflicted(Message):
        """Someone moved the stage or lifecycle meanwhile."""

        current: ContactDetail
        step: str
        template: str | None

    @dataclass
    class Missing(Message):
        message: str

    @dataclass
    class Reread(Message):
        """The contact as it is now, read because someone committed."""

        detail: ContactDetail

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
        """A save or stage change is on its way to the database."""
        self.companies_read = False
        """The Company field's completions are read when it is first focused, not on
        every open and save (the whole company table, for a field most visits skip)."""

    @property
    def config(self) -> LifecycleConfig:
        return contacts_app(self).service.config

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title")
        yield InfoPanel(self.config, id="info")
        yield LifecycleStepper(id="stepper")
        with TabbedContent(id="tabs", initial="details"):
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
        if first:
            # Start in the open tab (its keys are what the screen invites first);
            # e edits the fields, l goes to the lifecycle.
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
        for draft in drafts:
            if draft.kind == "record":
                self.action_tab("details")
                self.query_one(DetailsPanel).reopen_form(
                    str(draft.extra.get("kind")), draft.extra.get("record_id"), draft.values
                )

    def focus_tab_content(self) -> None:
        pane = self.query_one(TabbedContent).active_pane
        target = next((w for w in pane.query("*") if w.focusable), None) if pane else None
        (target or self.query_one(LifecycleStepper)).focus()

    def show(self, detail: ContactDetail, *, keep_edits: bool = False) -> None:
        """Put a freshly read contact on screen, keeping unsaved edits if asked."""
        self.detail = detail
        info = self.query_one(InfoPanel)
        if info.show(detail, keep_edits=keep_edits) or self.edit_version is None:
            self.edit_version = detail.version
        template = self.config.template(detail.template)
        stepper = self.query_one(LifecycleStepper)
        if (stepper.template, stepper.template_key, stepper.stage) != (
            template,
            detail.template,
            detail.stage,
        ):  # unchanged: the user's place on the stepper stays
            stepper.show(template, detail.template, detail.stage)
        self.query_one(DetailsPanel).show(detail)
        self.query_one(DocumentsPanel).show(detail)
        self.query_one(HistoryPanel).show(detail)
        self.update_title()

    def on_resize(self) -> None:
        self.update_title()

    def update_title(self) -> None:
        detail = self.detail
        if detail is None:
            return
        dirty = self.query_one(InfoPanel).dirty
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"  {detail.status}", "bold")
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
        keep_draft(self, Draft("contact", title, {k: values[k] for k in edited}, self.contact_id))

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
        clash = sorted(k for k in edited if theirs[k] != info.originals.get(k))
        self.show(new, keep_edits=True)
        if clash:
            who = display_safe(new.updated_by) or "Someone"
            fields = ", ".join(FIELD_LABELS[k].rstrip("*") for k in clash)
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
        if not changes:
            tell(self, "Nothing to save.")
            return
        self._write(self.save, self.edit_version or self.detail.version, changes)

    @reported_work(thread=True, exclusive=True, group="store")
    def save(self, version: int, changes: dict) -> None:
        try:
            detail = contacts_app(self).service.update_contact(self.contact_id, version, **changes)
        except ConflictError as error:
            self.post_message(self.Conflicted(error.current, changes))
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
        self.query_one(InfoPanel).reset_template()
        if message.field:
            self.query_one(InfoPanel).show_error(message.field, message.message)
            self.query_one(InfoPanel).focus_field(message.field)
        tell(self, message.message, severity="error")

    @on(Conflicted)
    def conflicted(self, message: Conflicted) -> None:
        self.writing = False
        self.resolve_conflict(message.current, message.changes)

    @reported_work(exclusive=True, group="dialog")
    async def resolve_conflict(self, current: ContactDetail, changes: dict) -> None:
        info = self.query_one(InfoPanel)
        who = current.updated_by or "Someone"
        text = (
            f"{who} saved this contact at {current.updated_at:%Y-%m-%d %H:%M} UTC, after you "
            "opened it. Reload their version (your edits are dropped) or overwrite it with "
            "yours?"
        )
        choice = await self.app.push_screen_wait(ConflictDialog(text, info.conflict_rows(current)))
        if choice == "reload":
            self.edit_version = None
            self.show(current)
            tell(self, "Reloaded their version.")
        elif choice == "overwrite":
            self._write(self.save, current.version, changes)

    # ----- the lifecycle ---------------------------------------------------------------

    @on(LifecycleStepper.StepChosen)
    def step_chosen(self, message: LifecycleStepper.StepChosen) -> None:
        self.confirm_stage(message.step)

    @reported_work(exclusive=True, group="dialog")
    async def confirm_stage(self, step: Step) -> None:
        detail = self.detail
        if detail is None or self._busy():
            return
        if step.key == detail.stage:
            tell(self, f"{display_safe(detail.name)} is already at {step.name}.")
            return
        template = self.config.template(detail.template)
        # The same questions as the pipeline board's moves.
        asked = stage_move_question(template, detail.stage, step, display_safe(detail.name))
        if asked is not None:
            question, label = asked
            dialog = ConfirmDialog(question, confirm_label=label, danger=step.outcome == "lost")
            if not await self.app.push_screen_wait(dialog):
                return
        self._write(self.write_stage, step.key, None, detail.version)

    @on(InfoPanel.TemplateChosen)
    def template_chosen(self, message: InfoPanel.TemplateChosen) -> None:
        self.change_template(message.template)

    @reported_work(exclusive=True, group="dialog")
    async def change_template(self, template_key: str) -> None:
        detail = self.detail
        template = self.config.template(template_key)
        if detail is None or template is None or self._busy():
            self.query_one(InfoPanel).reset_template()
            return
        step_key: str | None = detail.stage
        if template.step(detail.stage) is None:
            question = (
                f"The lifecycle “{template.name}” has no step "
                f"“{step_label(self.config, detail.template, detail.stage)}”. "
                f"Which step should {display_safe(detail.name)} start at?"
            )
            step_key = await self.app.push_screen_wait(ChooseStepDialog(template, question))
        if step_key is None:
            self.query_one(InfoPanel).reset_template()
            return
        self._write(self.write_stage, step_key, template_key, detail.version)

    @reported_work(thread=True, exclusive=True, group="store")
    def write_stage(self, step_key: str, template: str | None, version: int) -> None:
        service = contacts_app(self).service
        try:
            if template is not None and self.detail and step_key == self.detail.stage:
                # Same step in the new lifecycle: only the template changes (audited).
                detail = service.update_contact(self.contact_id, version, template=template)
            else:
                detail = service.set_stage(
                    self.contact_id, step_key, version=version, template=template
                )
        except ConflictError as error:
            self.post_message(self.StageConflicted(error.current, step_key, template))
        except ValidationError as error:
            self.post_message(self.Refused(str(error)))
        except NotFoundError as error:
            self.post_message(self.Missing(str(error)))
        else:
            self.post_message(self.Loaded(detail, keep_edits=True))
            note = f"Stage set to {step_label(self.config, detail.template, detail.stage)}."
            self.post_message(self.Saved(detail, note))

    @on(StageConflicted)
    def stage_conflicted(self, message: StageConflicted) -> None:
        self.writing = False
        known, current = self.detail, message.current
        if known and (known.stage, known.template) == (current.stage, current.template):
            # They changed other fields, not the lifecycle: moving the stage loses nothing.
            self._write(self.write_stage, message.step, message.template, current.version)
            return
        self.resolve_stage_conflict(message.current, message.step, message.template)

    @reported_work(exclusive=True, group="dialog")
    async def resolve_stage_conflict(
        self, current: ContactDetail, step_key: str, template: str | None
    ) -> None:
        theirs = step_label(self.config, current.template, current.stage)
        mine = step_label(self.config, template or current.template, step_key)
        rows = [("Stage", theirs, mine)]
        if template and template != current.template:
            names = {t.key: t.name for t in self.config.templates}
            rows.append(
                ("Lifecycle", names.get(current.template, current.template), names[template])
            )
        text = (
            f"{current.updated_by or 'Someone'} changed this contact's lifecycle at "
            f"{current.updated_at:%Y-%m-%d %H:%M} UTC, after you opened it."
        )
        choice = await self.app.push_screen_wait(ConflictDialog(text, rows))
        if choice == "overwrite":
            self._write(self.write_stage, step_key, template, current.version)
        else:
            self.show(current, keep_edits=True)

    def worker_failed(self, work_name: str, message: str) -> bool:
        """Expected refusals come back as messages; anything else shows as a toast, and
        the edits stay in the panel so that ctrl+s tries again."""
        self.writing = False
        return False

    # ----- keys ------------------------------------------------------------------------

    def action_focus_stepper(self) -> None:
        self.query_one(LifecycleStepper).focus()

    def action_edit(self) -> None:
        self.query_one(InfoPanel).focus_field("name")

    def action_tab(self, tab: str) -> None:
        if tab in TABS:
            self.query_one(TabbedContent).active = tab
            self.call_after_refresh(self.focus_tab_content)

    def action_back(self) -> None:
        if isinstance(self.focused, Input | TextArea):
            # Leaving a text field first lets 1/2/3/l work without a second thought.
            self.query_one(LifecycleStepper).focus()
            return
        self.leave()

    @reported_work(exclusive=True, group="dialog")
    async def leave(self, quit_app: bool = False) -> None:
        info = self.query_one(InfoPanel)
        if info.dirty:
            fields = ", ".join(FIELD_LABELS[k].rstrip("*") for k in sorted(info.edited_fields()))
            question = f"Discard your unsaved changes ({fields})?"
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
        if self.query_one(InfoPanel).dirty and not await self.app.push_screen_wait(
            ConfirmDialog("Reload and discard your unsaved changes?", confirm_label="Reload")
        ):
            return
        self.edit_version = None
        self.load()


def _field_of(message: str) -> str | None:
    """Which info panel field a service message is about (they start with its label)."""
    for key, label in FIELD_LABELS.items():
        if message.startswith(label.rstrip("*")) or message.lower().startswith(
            key.replace("_", " ")
        ):
            return key
    return None
