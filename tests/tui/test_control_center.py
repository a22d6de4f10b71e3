"""The Control Center: editing lifecycle.toml from the app, safely, with contacts on it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pilot_helpers import screen_text, until
from pilot_helpers import settle as settle_workers
from textual.widgets import Input

from contacts_tui import lifecycle
from contacts_tui.app import ContactsApp
from contacts_tui.dialogs.confirm import ConfirmDialog
from contacts_tui.dialogs.lifecycle_conflict import LifecycleConflictDialog
from contacts_tui.dialogs.lifecycle_item_dialog import LifecycleItemDialog
from contacts_tui.dialogs.pick_target import PickTarget
from contacts_tui.screens.control_center import ControlCenterScreen
from contacts_tui.screens.help import HelpScreen
from contacts_tui.services import lifecycle_admin
from contacts_tui.widgets.lifecycle_tree import ItemRef, LifecycleTree

SIZE = (100, 30)


async def settle(pilot) -> None:
    await settle_workers(pilot, rounds=3)


async def open_cc(app: ContactsApp, pilot) -> ControlCenterScreen:
    await settle(pilot)
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(app.screen, ControlCenterScreen)
    return app.screen


async def go(pilot, screen: ControlCenterScreen, ref: ItemRef) -> None:
    assert screen.query_one(LifecycleTree).reveal(ref), ref
    await pilot.pause()


def step(template: str, category: str, key: str) -> ItemRef:
    return ItemRef("step", template, category, key)


QUALIFIED = step("standard", "lead_qualification", "qualified")


def error_at(app, field: str) -> str:
    return str(app.screen.query_one(f"#item-{field}-error").render())


def on_disk(path: Path) -> lifecycle.LifecycleConfig:
    return lifecycle.load(path)


async def test_shows_templates_steps_picklists_settings_and_opens_from_the_palette(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Control Center" in commands
        screen = await open_cc(app, pilot)
        text = screen_text(app)
        assert "Contact Lifecycle" in text
        assert "Standard sales  default" in text
        assert "Closed – Won  closed · won" in text
        assert "Qualified  open" in text
        tree = screen.query_one(LifecycleTree)
        assert tree.find(ItemRef("value", name="segmentation", value="SMB")) is not None
        assert tree.find(ItemRef("setting", name="scoring")) is not None
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ControlCenterScreen)


async def test_add_a_step_save_and_the_app_uses_it(workspace):
    path = workspace.config_path
    original = path.read_bytes()
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, step("standard", "lead_generation", "contacted"))
        await pilot.press("a")
        await until(
            pilot, lambda: isinstance(app.screen, LifecycleItemDialog), "LifecycleItemDialog"
        )
        assert isinstance(app.screen, LifecycleItemDialog)
        await pilot.press(*"Demo Booked")
        assert app.screen.query_one("#item-key", Input).value == "demo_booked"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.dirty
        assert "unsaved changes" in screen_text(app)
        assert path.read_bytes() == original  # nothing written before ctrl+s
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.dirty
        assert "Saved lifecycle.toml" in screen_text(app)
    saved = on_disk(path)
    keys = [s.key for s in saved.template("standard").steps()]
    assert keys[:3] == ["new_lead", "contacted", "demo_booked"]
    assert (path.parent / "lifecycle.toml.bak").read_bytes() == original
    assert app.service.config == saved
    assert workspace.config == saved
    assert lifecycle.dumps(saved) == path.read_text()  # the app's own layout round-trips


async def test_duplicate_key_and_blank_name_are_refused_at_the_field(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, step("standard", "conversion", "closed_lost"))
        await pilot.press("a", *"Qualified", "enter")
        await until(
            pilot, lambda: isinstance(app.screen, LifecycleItemDialog), "LifecycleItemDialog"
        )
        assert isinstance(app.screen, LifecycleItemDialog)
        assert error_at(app, "key") == (
            'Key repeats "qualified", which is already used by another step in this template.'
        )
        # Shown whole, wrapped inside the dialog, not cut at its edge.
        message = app.screen.query_one("#item-key-error")
        assert message.size.height == 2
        assert message.region.right <= message.parent.content_region.right
        app.screen.query_one("#item-name", Input).value = "   "
        await pilot.pause()  # the key follows the name until typed: set it after
        app.screen.query_one("#item-key", Input).value = "fine_key"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert error_at(app, "name") == "Name must not be empty."
        app.screen.query_one("#item-name", Input).value = "Fine"
        await pilot.pause()
        app.screen.query_one("#item-key", Input).value = "Bad Key"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "must use only a-z, 0-9 and _" in error_at(app, "key")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert not screen.dirty


async def test_rename_keeps_a_saved_key_and_reorder_moves_across_categories(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, QUALIFIED)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#item-key", Input).disabled  # contacts may use it
        name = app.screen.query_one("#item-name", Input)
        name.value = "Sales Qualified"
        await pilot.press("enter")
        await pilot.pause()
        qualified = screen.changes.config.template("standard").step("qualified")
        assert qualified.name == "Sales Qualified"
        await pilot.press("J")  # last of its category: first of the next one
        await pilot.pause()
        proposal = screen.changes.config.template("standard").categories[2]
        assert proposal.steps[0].key == "qualified"
        assert screen.query_one(LifecycleTree).current.category == "proposal_stage"
        await pilot.press("K")
        await pilot.pause()
        qualified = screen.changes.config.template("standard").step("qualified")
        assert qualified.name == "Sales Qualified"
        assert screen.changes.config.template("standard").categories[1].steps[-1].key == "qualified"
        await go(pilot, screen, step("standard", "lead_generation", "new_lead"))
        await pilot.press("K")
        await pilot.pause()
        assert "Already at the top." in screen_text(app)


async def test_a_category_keeps_at_least_one_step_and_the_default_template_stays(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, step("partner", "partnership", "terms_agreed"))
        await pilot.press("d")
        await settle(pilot)
        await go(pilot, screen, step("partner", "partnership", "partner_active"))
        await pilot.press("d")
        await settle(pilot)
        await go(pilot, screen, step("partner", "partnership", "partner_declined"))
        await pilot.press("d")
        await settle(pilot)
        assert "category “Partnership”: steps needs at least one step." in screen_text(app)
        assert screen.changes.config.template("partner").step("partner_declined") is not None
        await go(pilot, screen, ItemRef("template", "standard"))
        await pilot.press("d")
        await settle(pilot)
        assert "is the default template" in screen_text(app)
        assert screen.changes.config.template("standard") is not None


async def test_a_step_with_contacts_goes_only_with_somewhere_for_them(workspace, service):
    ada = service.create_contact("Ada")
    grace = service.create_contact("Grace")
    for contact in (ada, grace):
        service.set_stage(contact.id, "qualified")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, QUALIFIED)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, PickTarget)
        assert "2 contacts are on this step" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "Not removed: 2 contacts are on “Qualified”" in screen_text(app)
        assert screen.changes.config.template("standard").step("qualified") is not None

        await pilot.press("d")
        await settle(pilot)
        await pilot.press("down", "enter")  # the second step: Contacted
        await settle(pilot)
        assert screen.changes.config.template("standard").step("qualified") is None
        assert service.get_contact(ada.id).stage == "qualified"  # not before the save
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "2 contacts moved" in screen_text(app)
    for contact in (ada, grace):
        after = service.get_contact(contact.id)
        assert after.stage == "contacted"
        assert after.stage_history[-1].from_stage == "qualified"
    assert on_disk(workspace.config_path).template("standard").step("qualified") is None


async def test_closing_a_step_closes_its_contacts_on_save(workspace, service):
    ada = service.create_contact("Ada")
    service.set_stage(ada.id, "client_onboarded")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, step("standard", "conversion", "client_onboarded"))
        await pilot.press("o")
        await pilot.pause()
        onboarded = screen.changes.config.template("standard").step("client_onboarded")
        assert (onboarded.status, onboarded.outcome) == ("closed", "won")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert service.get_contact(ada.id).status == "Closed"


async def test_removing_a_picklist_value_in_use_says_who_keeps_it(workspace, service):
    ada = service.create_contact("Ada")
    service.update_contact(ada.id, ada.version, segmentation="SMB")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, ItemRef("value", name="segmentation", value="SMB"))
        await pilot.press("d")
        await settle(pilot)
        assert "SMB" not in screen.changes.config.picklists.segmentation
        assert "1 contacts keep it" in screen_text(app)


async def test_escape_with_unsaved_changes_asks(workspace):
    original = workspace.config_path.read_bytes()
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, QUALIFIED)
        await pilot.press("o")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and screen.dirty
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, ControlCenterScreen)
    assert workspace.config_path.read_bytes() == original


async def test_a_file_changed_on_disk_is_not_overwritten_silently(workspace):
    path = workspace.config_path
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        theirs = lifecycle_admin.edit_step(
            lifecycle.load(path), "standard", "new_lead", name="Fresh Lead"
        )
        await go(pilot, screen, QUALIFIED)
        await pilot.press("o")
        # Another admin saved while this one was editing (a screen without edits would
        # simply show their file: see test_live_refresh).
        lifecycle.save(theirs, path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LifecycleConflictDialog)
        assert "changed on disk" in screen_text(app)
        await pilot.press("escape")  # keep editing: nothing written
        await settle(pilot)
        assert on_disk(path) == theirs
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("r")  # reload theirs
        await settle(pilot)
        assert screen.changes.config == theirs and not screen.dirty
        await pilot.press("o", "ctrl+s")  # now based on theirs: saves without asking
        await settle(pilot)
    saved = on_disk(path)
    assert saved.template("standard").step("new_lead").name == "Fresh Lead"
    assert saved.template("standard").step("qualified").is_closed


async def test_keep_both_saves_their_rename_with_my_change_and_fits_80_columns(workspace):
    path = workspace.config_path
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, QUALIFIED)
        await pilot.press("o")  # mine: Qualified becomes closed
        path.write_text(path.read_text().replace("New Lead", "Fresh Lead"))  # theirs
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LifecycleConflictDialog)
        text = screen_text(app)
        # Both sides of each change are on screen at 80 columns, one below the other.
        assert "step 'New Lead' in 'Standard sales'" in text
        assert "theirs: renamed 'New Lead' → 'Fresh Lead'" in text
        assert "step 'Qualified' in 'Standard sales'" in text
        assert "yours:  now closed" in text
        assert "Keep both (m)" in text and "Overwrite (o)" in text
        await pilot.press("enter")  # the focus is on "Keep editing": nothing written
        await settle(pilot)
        assert isinstance(app.screen, ControlCenterScreen)
        assert on_disk(path).template("standard").step("qualified").is_closed is False
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("m")  # keep both
        await settle(pilot)
        assert isinstance(app.screen, ControlCenterScreen)
        assert not screen.dirty
        assert "Fresh Lead" in screen_text(app)
    saved = on_disk(path)
    assert saved.template("standard").step("new_lead").name == "Fresh Lead"
    assert saved.template("standard").step("qualified").is_closed
    assert app.service.config.template("standard").step("new_lead").name == "Fresh Lead"


async def test_both_changed_one_step_is_shown_as_a_clash_and_keep_both_keeps_mine(workspace):
    path = workspace.config_path
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cc(app, pilot)
        screen.changes.config = lifecycle_admin.edit_step(
            screen.changes.config, "standard", "new_lead", name="Mine Lead"
        )
        theirs = lifecycle_admin.edit_step(
            lifecycle.load(path), "standard", "new_lead", name="Their Lead"
        )
        theirs = lifecycle_admin.edit_step(theirs, "standard", "contacted", name="Reached")
        lifecycle.save(theirs, path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LifecycleConflictDialog)
        text = screen_text(app)
        assert "✗ both changed: step 'New Lead'" in text
        assert "on the 1 item(s) you both changed" in text
        await pilot.press("m")
        await settle(pilot)
    saved = on_disk(path)
    assert saved.template("standard").step("new_lead").name == "Mine Lead"
    assert saved.template("standard").step("contacted").name == "Reached"


async def test_overwrite_after_a_conflict(workspace):
    path = workspace.config_path
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, QUALIFIED)
        await pilot.press("o")
        path.write_text(path.read_text().replace("New Lead", "Fresh Lead"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("o")  # overwrite with mine
        await settle(pilot)
    saved = on_disk(path)
    assert saved.template("standard").step("new_lead").name == "New Lead"
    assert "Fresh Lead" in (path.parent / "lifecycle.toml.bak").read_text()


async def test_comments_are_dropped_only_after_a_warning(workspace):
    path = workspace.config_path
    path.write_text("# Ask Sam before changing the steps.\n" + path.read_text())
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, QUALIFIED)
        await pilot.press("o", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "comments" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert not screen.dirty
    assert "# Ask Sam" not in path.read_text()
    assert "# Ask Sam" in (path.parent / "lifecycle.toml.bak").read_text()


async def test_a_read_only_file_opens_read_only(workspace, monkeypatch: pytest.MonkeyPatch):
    # Tests may run as root, for whom no file is read-only: the check itself is faked.
    reason = "you cannot write lifecycle.toml; ask the workspace's owner."
    monkeypatch.setattr(lifecycle_admin, "write_problem", lambda path: reason)
    original = workspace.config_path.read_bytes()
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cc(app, pilot)
        assert f"Read-only: {reason}" in screen_text(app)
        await go(pilot, screen, QUALIFIED)
        await pilot.press("o", "d", "a", "J")
        await settle(pilot)
        assert app.screen is screen and not screen.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert workspace.config_path.read_bytes() == original


async def test_every_key_is_in_the_footer_help_and_palette_at_80_columns(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, QUALIFIED)
        footer = screen_text(app).splitlines()[-1]
        # (The screen text joins a key to its description: "aAdd" is "a Add".)
        for key in (
            "aAdd",
            "⏎Edit",
            "dRemove",
            "KUp",
            "JDown",
            "oOpen/closed",
            "^sSave",
            "escBack",
        ):
            assert key in footer
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Open/closed" in screen_text(app)
        await pilot.press("escape")
        from contacts_tui.screens.binding_commands import ScreenBindingCommands

        names = [name for name, *_ in ScreenBindingCommands(screen)._commands()]
        assert "Control Center: Save" in names
        assert "Control Center: Remove" in names


async def test_add_a_template_with_its_first_category_and_step(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, ItemRef("template", "partner"))
        await pilot.press("a", *"Renewals")
        app.screen.query_one("#item-first_step", Input).value = "Renewal Due"
        await pilot.press("enter")
        await settle(pilot)
        template = screen.changes.config.templates[-1]
        assert (template.key, template.name) == ("renewals", "Renewals")
        assert template.first_step.key == "renewal_due"
        assert screen.query_one(LifecycleTree).current == ItemRef("template", "renewals")


async def test_a_setting_is_checked_at_its_field(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, ItemRef("setting", name="scoring"))
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#item-scoring_max", Input).value = "0"
        await pilot.press("enter")
        await pilot.pause()
        assert error_at(app, "scoring_max") == (
            "Highest score must be greater than settings.scoring_min."
        )
        app.screen.query_one("#item-scoring_max", Input).value = "ten"
        await pilot.press("enter")
        await pilot.pause()
        assert error_at(app, "scoring_max") == "Highest score must be a whole number."
        app.screen.query_one("#item-scoring_max", Input).value = "10"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.changes.config.scoring_max == 10


async def test_a_broken_file_shows_the_config_in_use_and_saving_repairs_it(workspace):
    path = workspace.config_path
    path.write_text(path.read_text().replace('status = "open"', 'status = "opne"', 1))
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        assert 'must be "open" or "closed", not "opne"' in screen_text(app)
        assert screen.changes.config == workspace.config
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)  # the file's own text would be lost
        await pilot.press("y")
        await settle(pilot)
    assert on_disk(path) == workspace.config
    assert "opne" in (path.parent / "lifecycle.toml.bak").read_text()


async def test_a_lifecycle_toml_replaced_by_a_symlink_is_not_saved_through(
    workspace, service, tmp_path
):
    """A member swaps lifecycle.toml for a link to the admin's private file: save refuses."""
    ada = service.create_contact("Ada")
    service.set_stage(ada.id, "qualified")
    path = workspace.config_path
    secret = tmp_path / "admins-own.toml"  # outside the workspace, private to the admin
    secret.write_bytes(path.read_bytes())
    secret.chmod(0o600)
    original = secret.read_bytes()
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, QUALIFIED)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("down", "enter")  # its contacts go to Contacted on save
        await settle(pilot)
        path.unlink()
        path.symlink_to(secret)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not saved: lifecycle.toml is a symbolic link" in screen_text(app)
        assert screen.dirty
    assert secret.read_bytes() == original
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert path.is_symlink()
    assert not path.with_name("lifecycle.toml.bak").exists()
    assert service.get_contact(ada.id).stage == "qualified"  # no contact moved either


async def dialog_open(pilot) -> None:
    for _ in range(100):
        if isinstance(pilot.app.screen, LifecycleItemDialog):
            return
        await pilot.pause(0.05)
    raise AssertionError("the item dialog never opened")


async def test_renaming_a_value_shows_its_contacts_and_can_change_them(workspace, service):
    smb = [service.create_contact(f"Small {n}") for n in range(3)]
    for contact in smb:
        service.update_contact(contact.id, contact.version, segmentation="SMB")
    other = service.create_contact("Big One")
    service.update_contact(other.id, other.version, segmentation="Enterprise")
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, ItemRef("value", name="segmentation", value="SMB"))
        await settle(pilot)
        assert "Contacts: 3" in screen_text(app)  # the usage, beside the outline
        await pilot.press("enter")
        await dialog_open(pilot)
        assert "(3 contacts have it)" in screen_text(app)
        app.screen.query_one("#item-value", Input).value = "Small Business"
        await pilot.press("enter")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        assert "3 contacts have “SMB” (Segmentation)" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert screen.changes.value_renames == {("segmentation", "SMB"): "Small Business"}
        assert "3 contacts get “Small Business” when you save" in screen_text(app)
        # A session that dies now leaves the rename in its draft, and it comes back.
        draft = next(d for d in app.drafts._drafts.values() if "renames" in d.values)
        screen.changes.value_renames = {}
        screen.file.restore_draft(draft)
        assert screen.changes.value_renames == {("segmentation", "SMB"): "Small Business"}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.dirty
        assert "3 renamed values given" in " ".join(screen_text(app).split())
    assert {service.get_contact(c.id).segmentation for c in smb} == {"Small Business"}
    assert service.get_contact(other.id).segmentation == "Enterprise"
    assert "Small Business" in on_disk(workspace.config_path).picklists.segmentation


async def test_narrowing_the_scoring_range_warns_about_contacts_outside_it(workspace, service):
    for n, score in enumerate((10, 60, 95)):
        contact = service.create_contact(f"Scored {n}")
        service.update_contact(contact.id, contact.version, scoring=score)
    app = ContactsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cc(app, pilot)
        await go(pilot, screen, ItemRef("setting", name="scoring"))
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#item-scoring_min", Input).value = "20"
        app.screen.query_one("#item-scoring_max", Input).value = "90"
        await pilot.press("enter")
        await settle(pilot)
        assert (screen.changes.config.scoring_min, screen.changes.config.scoring_max) == (20, 90)
        assert "2 contacts have a scoring outside 20–90" in screen_text(app)
