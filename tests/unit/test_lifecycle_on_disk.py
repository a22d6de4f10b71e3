"""Writes that set a stage or template are checked against lifecycle.toml on disk, not a copy."""

from __future__ import annotations

import pytest

from contacts_tui import lifecycle, lifecycle_file
from contacts_tui.services import ContactService
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.validation import ValidationError


def session(workspace) -> ContactService:
    """A ContactService as the app and the CLI make it: it knows where lifecycle.toml is."""
    config = lifecycle.load(workspace.config_path)
    return ContactService(config, workspace.user, config_path=workspace.config_path)


def test_a_stale_session_cannot_set_a_removed_step(workspace, backend):
    stale, admin_session = session(workspace), session(workspace)
    ada = stale.create_contact("Ada")
    # The admin removes "qualified" (nobody is on it) and saves, as the Control Center does.
    config = admin_session.current_config()
    smaller = admin.remove_step(config, "standard", "qualified")
    admin.save_with_backup(smaller, workspace.config_path)
    assert stale.config.template("standard").step("qualified") is not None  # its stale copy
    with pytest.raises(ValidationError, match="no step 'qualified' any more"):
        stale.set_stage(ada.id, "qualified")
    assert stale.get_contact(ada.id).stage == "new_lead"
    # A step the admin added is usable at once, though this session never loaded it.
    added = lifecycle.Step("verbal_agreement", "Verbal agreement", "open")
    config = admin_session.current_config()
    template = config.template("standard")
    category = template.categories[-1]
    grown = admin.insert_step(config, "standard", category.key, added, len(category.steps))
    admin.save_with_backup(grown, workspace.config_path)
    assert stale.set_stage(ada.id, "verbal_agreement").stage == "verbal_agreement"


def test_a_removed_template_cannot_be_chosen_and_new_contacts_use_the_default_on_disk(
    workspace, backend
):
    stale = session(workspace)
    config = stale.current_config()
    others = [t.key for t in config.templates if t.key != config.default_template]
    assert others, "the bundled lifecycle.toml has more than one template"
    ada = stale.create_contact("Ada")
    admin.save_with_backup(admin.remove_template(config, others[0]), workspace.config_path)
    with pytest.raises(ValidationError, match="no lifecycle"):
        stale.update_contact(ada.id, ada.version, template=others[0])
    first = config.template(config.default_template).first_step.key
    assert stale.create_contact("Grace").stage == first


def test_a_broken_file_leaves_the_last_good_configuration(workspace):
    stale = session(workspace)
    ada = stale.create_contact("Ada")
    good = stale.current_config()
    workspace.config_path.write_text("[[templates]\nbroken", encoding="utf-8")
    assert stale.current_config() == good
    assert stale.set_stage(ada.id, "qualified").stage == "qualified"


def test_the_file_is_read_again_only_when_it_changed(workspace, monkeypatch):
    path = workspace.config_path
    first = lifecycle_file.current(path, workspace.config)
    loads = []
    monkeypatch.setattr(lifecycle, "load", lambda p: loads.append(p) or first)
    assert lifecycle_file.current(path, workspace.config) is first
    assert loads == []  # one stat, no read
    path.write_bytes(path.read_bytes() + b"\n")  # size and mtime change
    lifecycle_file.current(path, workspace.config)
    assert loads == [path]
