"""The contact detail screen, driven by the keyboard: fields, saving, conflicts, lifecycle,
history and leaving."""

from __future__ import annotations

from datetime import UTC

import pytest
from pilot_helpers import screen_text, until
from pilot_helpers import settle as settle_workers
from textual.widgets import Input, OptionList, Select, TabbedContent

from contacts_tui import lifecycle
from contacts_tui.app import ContactsApp
from contacts_tui.dialogs.account_picker import AccountPicker
from contacts_tui.dialogs.choose_step import ChooseStepDialog
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.conflict_dialog import ConflictDialog
from contacts_tui.panels.history_panel import HistoryPanel
from contacts_tui.panels.info_panel import OUT_OF_CONFIG_HINT, InfoPanel
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.services import ContactService
from contacts_tui.widgets.lifecycle_stepper import LifecycleStepper

SIZE = (100, 30)


async def settle(app: ContactsApp, pilot) -> None:
    """Let workers finish and their messages land (again: a worker may start another)."""
    await settle_workers(pilot, rounds=3)


async def open_detail(app: ContactsApp, pilot, contact_id: int) -> ContactDetailScreen:
    await settle(app, pilot)
    screen = ContactDetailScreen(contact_id)
    await app.push_screen(screen)
    await settle(app, pilot)
    assert app.screen is screen
    return screen


async def type_into(pilot, field_id: str, text: str) -> None:
    """Focus a field of the information panel and replace its text, as a user would."""
    field = pilot.app.screen.query_one(f"#{field_id}", Input)
    field.focus()
    await pilot.pause()
    field.value = ""  # select-on-focus would do the same with the first key
    if text:
        await pilot.press(*text)
    await pilot.pause()


async def choose_option(pilot, select_id: str, prompt_start: str) -> None:
    """Open a Select with enter and move down to the option whose prompt starts so."""
    select = pilot.app.screen.query_one(f"#{select_id}", Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    overlay = select.query_one("SelectOverlay", OptionList)
    prompts = [str(overlay.get_option_at_index(n).prompt) for n in range(overlay.option_count)]
    target = next(n for n, p in enumerate(prompts) if p.startswith(prompt_start))
    current = overlay.highlighted or 0
    key = "down" if target >= current else "up"
    await pilot.press(*[key] * abs(target - current), "enter")
    await pilot.pause()


def message_of(screen: ContactDetailScreen, field_id: str) -> str:
    label = screen.query_one(f"#{field_id}-message")
    return str(label.render()) if label.has_class("-shown") else ""


@pytest.fixture
def contact(service: ContactService):
    return service.create_contact("Ada Lovelace", "Analytical Engines")


# ----- showing -------------------------------------------------------------------------


async def test_shows_the_contact_header_fields_and_stepper(workspace, service, contact):
    account = service.create_account("Babbage & Co")
    service.update_contact(
        contact.id,
        contact.version,
        full_name="Augusta Ada King",
        scoring=80,
        segmentation="Enterprise",
        reason_code="Referral",
        accounts=[account.id],
    )
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        text = screen_text(app)
        assert "Ada Lovelace" in text and "Open" in text and "New Lead" in text
        assert screen.query_one("#full_name", Input).value == "Augusta Ada King"
        assert screen.query_one("#scoring", Input).value == "80"
        assert screen.query_one("#segmentation", Select).value == "Enterprise"
        assert screen.query_one("#reason_code", Select).value == "Referral"
        assert screen.query_one("#company", Input).value == "Analytical Engines"
        assert screen.query_one("#template", Select).value == "standard"
        assert "Babbage & Co" in text
        assert "unsaved" not in text
        assert screen.query_one(LifecycleStepper).cursor_step.key == "new_lead"
        assert screen.focused in screen.query_one("#details").query("*")  # the open tab


async def test_a_long_name_gives_way_to_the_status_in_the_header(workspace, service):
    long_name = " ".join(["Maximiliana Wolfeschlegelsteinhausenbergerdorff"] * 8)[
        :200
    ]  # the longest a name may be
    contact = service.create_contact(long_name)
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, contact.id)
        for width in (80, 120, 50):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            lines = screen_text(app).splitlines()
            header = next(line for line in lines if line.strip().startswith("Maximiliana"))
            assert "…  Open · New Lead" in header, header


async def test_a_picklist_value_no_longer_in_the_config_is_shown_marked_and_kept(
    workspace, service, contact
):
    # Stored before an admin took "Government" out of the segmentation picklist.
    service.update_contact(contact.id, contact.version, segmentation="Government")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        select = screen.query_one("#segmentation", Select)
        assert select.value == "Government"
        assert "Government (not in" in screen_text(app)  # cut to the field's width
        assert message_of(screen, "segmentation") == OUT_OF_CONFIG_HINT
        await type_into(pilot, "full_name", "Countess of Lovelace")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    saved = service.get_contact(contact.id)
    assert saved.full_name == "Countess of Lovelace"
    assert saved.segmentation == "Government"


# ----- editing and saving ------------------------------------------------------------------


async def test_edit_and_save_every_field(backend, workspace, service, contact):
    service.create_company("Difference Engines")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Ada King")
        assert "unsaved" in screen_text(app)
        await type_into(pilot, "full_name", "Augusta Ada King")
        await type_into(pilot, "scoring", "75")
        await choose_option(pilot, "segmentation", "SMB")
        await choose_option(pilot, "reason_code", "Event")
        await type_into(pilot, "company", "Difference Engines")
        # Assigned accounts: open the picker, name a new one, done: nothing written yet.
        screen.query_one("#accounts").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountPicker), "AccountPicker")
        assert isinstance(app.screen, AccountPicker)
        await pilot.press(*"Royal Society", "enter")
        await settle(app, pilot)
        assert "Royal Society (new)" in screen_text(app)
        assert service.accounts() == ()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen, "back on the contact")
        assert app.screen is screen
        assert "Royal Society (new)" in screen_text(app)
        assert "will be created on save" in message_of(screen, "accounts")
        assert service.accounts() == ()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "unsaved" not in screen_text(app)
        assert not screen.query_one(InfoPanel).dirty
    saved = service.get_contact(contact.id)
    assert saved.name == "Ada King"
    assert saved.full_name == "Augusta Ada King"
    assert saved.scoring == 75
    assert saved.segmentation == "SMB"
    assert saved.reason_code == "Event"
    assert saved.company is not None and saved.company.name == "Difference Engines"
    assert [a.name for a in saved.accounts] == ["Royal Society"]
    assert saved.version == contact.version + 1  # one save, one version
    changed = {entry.field for entry in saved.audit if entry.by == workspace.user}
    assert {"name", "full_name", "scoring", "segmentation", "reason_code"} <= changed
    assert {"company", "accounts"} <= changed


async def test_a_new_company_name_creates_it_and_blank_is_tenant_wide(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "company", "Brand New Ltd")
        assert "will be created" in message_of(screen, "company")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert service.get_contact(contact.id).company.name == "Brand New Ltd"
        assert "Brand New Ltd" in [c.name for c in service.companies()]
        await type_into(pilot, "company", "")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert service.get_contact(contact.id).company is None


async def test_picking_existing_accounts_and_unticking(workspace, service, contact):
    first = service.create_account("Acme")
    service.create_account("Globex")
    service.update_contact(contact.id, contact.version, accounts=[first.id])
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        screen.query_one("#accounts").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        # Typing an existing name (any case) ticks it instead of creating a twin.
        await pilot.press(*"globex", "enter")
        await pilot.pause()
        await pilot.press("down")  # into the list: Acme is first
        await pilot.press("space")  # untick Acme
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert [a.name for a in service.get_contact(contact.id).accounts] == ["Globex"]
    assert len(service.accounts()) == 2


async def test_a_new_account_named_in_the_picker_is_created_only_by_the_contacts_save(
    workspace, service, contact
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await pilot.press("A")  # the contact's accounts, from anywhere outside a field
        await settle(app, pilot)
        assert isinstance(app.screen, AccountPicker)
        await pilot.press(*"Initech", "enter", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert "unsaved" in str(screen.query_one("#detail-title").render())
        assert service.accounts() == ()
        # Leaving without saving: the account is never made.
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Assigned Accounts" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
    assert service.accounts() == ()
    assert service.get_contact(contact.id).accounts == ()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("name", "", "Name is required."),
        ("name", "   ", "Name is required."),
        ("scoring", "abc", "Scoring must be a whole number from 0 to 100."),
        ("scoring", "101", "Scoring must be a whole number from 0 to 100."),
        ("scoring", "-1", "Scoring must be a whole number from 0 to 100."),
        ("scoring", "7.5", "Scoring must be a whole number from 0 to 100."),
        ("full_name", "x" * 201, "Full Name must be at most 200 characters long."),
    ],
)
async def test_bad_values_are_refused_at_the_field_and_nothing_is_saved(
    workspace, service, contact, field, typed, message
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "full_name", "A good edit")
        if field == "full_name":
            screen.query_one("#full_name", Input).value = typed
            await pilot.pause()
        else:
            await type_into(pilot, field, typed)
        if field != "full_name":  # while typing, nobody is told off mid-word
            assert message_of(screen, field) == ""
        await pilot.press("tab")  # leaving the field checks it
        await until(pilot, lambda: message_of(screen, field) == message, "the field's message")
        assert screen.query_one(f"#{field}-label").has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.focused is screen.query_one(f"#{field}")  # sent back to the bad field
        assert "unsaved" in screen_text(app)
        # Fixing the field clears the message, and then saving works.
        await type_into(pilot, field, "42" if field == "scoring" else "Fine")
        assert message_of(screen, field) == ""
    saved = service.get_contact(contact.id)
    assert saved.version == contact.version  # nothing saved while a field was bad
    assert saved.full_name == ""


async def test_scoring_range_comes_from_the_config(workspace, service, contact):
    text = workspace.config_path.read_text().replace("scoring_max = 100", "scoring_max = 10")
    workspace.config_path.write_text(text)  # the services check writes against the file
    workspace.config = lifecycle.loads(text)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "scoring", "50")
        await pilot.press("tab")
        expected = "Scoring must be a whole number from 0 to 10."
        await until(pilot, lambda: message_of(screen, "scoring") == expected, "the range message")
        await type_into(pilot, "scoring", "9")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert service.get_contact(contact.id).scoring == 9


# ----- conflicts -------------------------------------------------------------------------


async def test_conflict_shows_both_values_and_overwrite_saves_mine(
    backend, workspace, service, contact
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Mine")
        # Another user saves while this one is typing.
        other = ContactService(workspace.config, "bob")
        other.update_contact(contact.id, contact.version, name="Theirs", full_name="Bob's edit")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictDialog)
        text = screen_text(app)
        assert "bob saved this contact" in text
        assert "Theirs" in text and "Mine" in text and "Bob's edit" in text
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactDetailScreen)
    saved = service.get_contact(contact.id)
    assert saved.name == "Mine"
    assert saved.full_name == "Bob's edit"  # the field I did not touch keeps their value


async def test_conflict_reload_takes_their_version(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Mine")
        ContactService(workspace.config, "bob").update_contact(
            contact.id, contact.version, name="Theirs"
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        assert screen.query_one("#name", Input).value == "Theirs"
        assert not screen.query_one(InfoPanel).dirty
    assert service.get_contact(contact.id).name == "Theirs"


async def test_conflict_keep_editing_saves_nothing(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Mine")
        ContactService(workspace.config, "bob").update_contact(
            contact.id, contact.version, name="Theirs"
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.query_one("#name", Input).value == "Mine"
    assert service.get_contact(contact.id).name == "Theirs"


async def test_their_edit_to_a_field_i_am_editing_is_not_lost_by_a_reload(
    workspace, service, contact
):
    """A stage change re-reads the contact; my edit must still go through the conflict check."""
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Mine")
        ContactService(workspace.config, "bob").update_contact(
            contact.id, contact.version, name="Theirs"
        )
        await pilot.press("escape", "l", "right", "enter")  # stage change re-reads
        await settle(app, pilot)
        assert screen.query_one("#name", Input).value == "Mine"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictDialog)
    assert service.get_contact(contact.id).name == "Theirs"


# ----- the lifecycle ---------------------------------------------------------------------


async def test_stage_forward_is_an_edit_saved_with_ctrl_s(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await pilot.press("l", "right", "right", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        title = str(screen.query_one("#detail-title").render())
        assert "Interested" in title and "unsaved" in title
        assert service.get_contact(contact.id).stage == "new_lead"  # not saved yet
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        title = str(screen.query_one("#detail-title").render())
        assert "Interested" in title and "unsaved" not in title
    saved = service.get_contact(contact.id)
    assert (saved.stage, saved.status) == ("interested", "Open")
    last = saved.stage_history[-1]
    assert (last.from_stage, last.to_stage, last.by) == ("new_lead", "interested", workspace.user)


async def test_stage_backward_asks_first(workspace, service, contact):
    service.set_stage(contact.id, "qualified")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        await pilot.press("l", "left", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "back" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert service.get_contact(contact.id).stage == "qualified"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y", "ctrl+s")
        await settle(app, pilot)
    assert service.get_contact(contact.id).stage == "interested"


async def test_closing_asks_and_updates_status_and_dashboard(backend, workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await pilot.press("l", "end", "enter")  # Closed – Lost
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Closed – Lost" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert service.get_contact(contact.id).stage == "new_lead"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Closed" in str(screen.query_one("#detail-title").render())
    saved = service.get_contact(contact.id)
    assert (saved.stage, saved.status) == ("closed_lost", "Closed")
    dashboard = service.dashboard()
    assert (dashboard.open, dashboard.closed) == (0, 1)


async def test_fields_and_stage_are_saved_together_in_one_version(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "full_name", "Still typing")
        await pilot.press("escape", "right", "enter")
        await settle(app, pilot)
        assert service.get_contact(contact.id).stage == "new_lead"
        assert screen.query_one("#full_name", Input).value == "Still typing"
        assert screen.unsaved_names() == "Full Name, Stage"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert not screen.dirty
    saved = service.get_contact(contact.id)
    assert (saved.full_name, saved.stage) == ("Still typing", "contacted")
    assert saved.version == contact.version + 2  # fields, then the stage: one transaction


async def test_escape_with_an_unsaved_stage_asks_and_discard_keeps_the_stored_one(
    workspace, service, contact
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        await pilot.press("l", "right", "enter")
        await settle(app, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Stage" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert not isinstance(app.screen, ContactDetailScreen)
    assert service.get_contact(contact.id).stage == "new_lead"


async def test_someone_elses_stage_change_is_a_conflict(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        # Bob's change lands before this session hears of it (live updates would
        # otherwise show it first, and the move would start from his step)
        app.live.stop()
        ContactService(workspace.config, "bob").set_stage(contact.id, "qualified")
        await pilot.press("l", "right", "enter", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictDialog)
        assert "Qualified" in screen_text(app) and "Contacted" in screen_text(app)
        await pilot.press("r")
        await settle(app, pilot)
    assert service.get_contact(contact.id).stage == "qualified"


async def test_their_other_edits_do_not_block_a_stage_change(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        ContactService(workspace.config, "bob").update_contact(
            contact.id, contact.version, full_name="Bob was here"
        )
        for _ in range(100):  # their change shows (live updates, polled each second)
            if app.screen.detail.full_name == "Bob was here":
                break
            await pilot.pause(0.05)
        await settle(app, pilot)
        await pilot.press("l", "right", "enter", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactDetailScreen)
    saved = service.get_contact(contact.id)
    assert (saved.stage, saved.full_name) == ("contacted", "Bob was here")


async def test_template_change_asks_which_step_to_start_at(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await choose_option(pilot, "template", "Partner")
        await until(pilot, lambda: isinstance(app.screen, ChooseStepDialog), "ChooseStepDialog")
        assert isinstance(app.screen, ChooseStepDialog)
        assert "Which step" in screen_text(app)
        await pilot.press("down", "enter")  # Referred → Intro Meeting
        await settle(app, pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        stepper = screen.query_one(LifecycleStepper)
        assert stepper.template.key == "partner"
        assert stepper.cursor_step.key == "intro_meeting"
        assert screen.unsaved_names() == "Lifecycle, Stage"
        assert service.get_contact(contact.id).template == "standard"  # not saved yet
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not screen.dirty
        assert screen.query_one("#template", Select).value == "partner"
    saved = service.get_contact(contact.id)
    assert (saved.template, saved.stage) == ("partner", "intro_meeting")
    assert any(a.field == "template" and a.new_value == "partner" for a in saved.audit)


async def test_cancelling_the_step_question_keeps_the_template(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await choose_option(pilot, "template", "Partner")
        await pilot.pause()
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen.query_one("#template", Select).value == "standard"
    saved = service.get_contact(contact.id)
    assert (saved.template, saved.stage) == ("standard", "new_lead")


async def test_template_with_the_same_step_switches_without_asking(workspace, service, contact):
    # A second template that shares the step key "new_lead".
    text = workspace.config_path.read_text().replace('key = "referred"', 'key = "new_lead"')
    workspace.config_path.write_text(text)  # the services check writes against the file
    workspace.config = lifecycle.loads(text)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        await choose_option(pilot, "template", "Partner")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    saved = app.service.get_contact(contact.id)
    assert (saved.template, saved.stage) == ("partner", "new_lead")


async def test_a_step_removed_from_the_config_shows_as_unknown_and_is_kept(
    workspace, service, contact
):
    service.set_stage(contact.id, "contacted")
    # An admin deletes the "Contacted" step from lifecycle.toml.
    text = workspace.config_path.read_text()
    start = text.index('[[templates.categories.steps]]\nkey = "contacted"')
    end = text.index("[[templates.categories]]", start)
    workspace.config_path.write_text(text[:start] + text[end:])
    workspace.config = lifecycle.loads(text[:start] + text[end:])
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        assert "unknown: contacted" in screen_text(app)
        await type_into(pilot, "full_name", "Edited anyway")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert service.get_contact(contact.id).stage == "contacted"  # kept
        # Setting a real step replaces it; moving on from an unknown step is not "back".
        # (escape left the field for the stepper)
        await pilot.press("escape", "right", "enter", "ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert "unknown" not in screen_text(app)
    assert service.get_contact(contact.id).stage == "interested"


# ----- history ---------------------------------------------------------------------------


async def test_history_shows_stage_changes_and_field_changes_by_the_os_user(
    workspace, service, contact
):
    app = ContactsApp(workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Ada King")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("escape", "right", "enter", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("3")
        tabs = screen.query_one(TabbedContent)
        await until(pilot, lambda: tabs.active == "history", "the History tab")
        text = screen_text(app)
        assert "New Lead → Contacted" in text and "so far" in text
        assert "Ada Lovelace → Ada King" in text
        assert text.count(workspace.user) >= 3
        lines = [line for line in text.splitlines() if "Contacted" in line or "Ada King" in line]
        assert "Contacted" in lines[0]  # newest first


async def test_history_at_80_columns_cuts_changes_with_an_ellipsis_and_names_its_zone(
    workspace, service, contact
):
    long_full_name = "Augusta Ada King, Countess of Lovelace, " * 3
    service.update_contact(contact.id, contact.version, full_name=long_full_name.strip())
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        screen.query_one(HistoryPanel).timezone = UTC
        screen.query_one(HistoryPanel).show(screen.detail)
        screen.query_one(TabbedContent).active = "history"
        await pilot.pause()
        lines = screen_text(app).splitlines()
        header = next(n for n, line in enumerate(lines) if "When (UTC)" in line)
        lines = lines[header:]
        change = next(line for line in lines if "Full Name" in line)
        assert change.rstrip(" ▁▂▃▄▅▆▇█┃│").endswith("…"), change
        assert "Augusta Ada King" in change
        stage = next(line for line in lines if "New Lead" in line)
        assert "New Lead — less than a minute in stage" in stage


# ----- keys and leaving ------------------------------------------------------------------


async def test_number_keys_switch_tabs(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        tabs = screen.query_one(TabbedContent)
        for key, tab in (("2", "documents"), ("3", "history"), ("1", "details")):
            await pilot.press(key)
            await until(pilot, lambda tab=tab: tabs.active == tab, f"the {tab} tab")


async def test_escape_leaves_a_field_first_then_goes_back(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await pilot.press("0")  # the fields, as 1 2 3 are the tabs (e is export everywhere)
        assert screen.focused is screen.query_one("#name")
        await pilot.press("escape")
        assert isinstance(screen.focused, LifecycleStepper)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is not screen


async def test_escape_asks_before_discarding_edits(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Unsaved")
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Discard your unsaved changes (Name)" in screen_text(app)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen, "back on the contact")
        assert app.screen is screen
        assert screen.query_one("#name", Input).value == "Unsaved"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is not screen
    assert service.get_contact(contact.id).name == "Ada Lovelace"


async def test_every_detail_key_is_in_the_command_palette(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Contact: History")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.query_one(TabbedContent).active == "history"
    for binding in ContactDetailScreen.BINDINGS:
        assert binding.id and binding.id.startswith("detail.")
        assert binding.description and binding.tooltip


async def test_a_contact_deleted_meanwhile_goes_back_with_a_message(workspace, service):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = ContactDetailScreen(4242)
        await app.push_screen(screen)
        await settle(app, pilot)
        assert app.screen is not screen


@pytest.mark.parametrize("change_feed", ["on", "off"])
async def test_enter_on_the_list_opens_the_contact_and_escape_keeps_the_cursor(
    workspace, service, monkeypatch, change_feed
):
    """Back from a changed contact the list shows the change at once, without waiting
    for the change feed, which may not have noticed the commit yet ("off")."""
    if change_feed == "off":
        monkeypatch.setattr(ContactsApp, "on_contacts_app_store_committed", lambda *_: None)
    for name in ("Ada Lovelace", "Barbara Liskov", "Charles Babbage", "Dorothy Vaughan"):
        service.create_contact(name)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        listing = app.screen
        table = listing.query_one("#contacts")
        await pilot.press("j", "j")
        await pilot.pause()
        assert table.current_row.name == "Charles Babbage"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert "Charles Babbage" in screen_text(app)
        await pilot.press("l", "right", "enter", "ctrl+s")
        await settle(app, pilot)
        assert service.get_contact(table.current_row.id).stage == "contacted"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is listing
        assert table.current_row.name == "Charles Babbage"
        assert table.current_row.stage == "contacted"  # the list shows the new stage


async def test_q_asks_before_quitting_with_unsaved_edits(workspace, service, contact):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Unsaved")
        await pilot.press("escape", "q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "ConfirmDialog")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen, "back on the contact")
        assert app.screen is screen and app.is_running
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running


async def test_saving_twice_quickly_is_one_save_not_a_conflict_with_myself(
    workspace, service, contact
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, contact.id)
        await type_into(pilot, "name", "Ada King")
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert not screen.query_one(InfoPanel).dirty
    assert service.get_contact(contact.id).version == contact.version + 1


async def test_a_tab_key_pressed_while_the_contact_loads_is_not_typed_into_the_name(
    workspace, service, contact
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = ContactDetailScreen(contact.id)
        await app.push_screen(screen)
        await pilot.press("2")  # at once, before the contact is read
        await until(pilot, lambda: screen.detail is not None, "the contact")
        await settle(app, pilot)
        assert screen.query_one("#name", Input).value == "Ada Lovelace"
        assert screen.query_one(TabbedContent).active == "documents"
        assert not screen.dirty


@pytest.mark.parametrize(
    ("term", "done", "skipped", "current", "todo"),
    [("xterm-256color", "✓", "–", "●", "○"), ("linux", "√", "-", "•", "○")],
)
async def test_the_stepper_tells_visited_skipped_and_current_steps_apart(
    workspace, service, contact, monkeypatch, term, done, skipped, current, todo
):
    monkeypatch.setenv("TERM", term)
    service.set_stage(contact.id, "qualified")  # straight from New Lead: Interested skipped
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        text = screen_text(app)
        assert f"{done} New Lead" in text
        assert f"{skipped} Interested" in text
        assert f"{current} Qualified" in text
        assert f"{todo} Proposal Sent" in text
    # Moved back: the step it left counts as visited, the current one is where it is now.
    service.set_stage(contact.id, "new_lead")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, contact.id)
        text = screen_text(app)
        assert f"{current} New Lead" in text
        assert f"{todo} Interested" in text
        assert f"{done} Qualified" in text
