"""Control Center editing functions, and moving contacts off a step, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from contacts_tui import lifecycle
from contacts_tui.lifecycle import Category, ConfigError, Step, Template
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.services.lifecycle_admin import StepMove
from contacts_tui.validation import ValidationError


@pytest.fixture
def config():
    return lifecycle.load(lifecycle.bundled_path())


def step_keys(config, template="standard"):
    return [s.key for s in config.template(template).steps()]


def test_slug_folds_accents_and_punctuation():
    assert admin.slug("Closed – Won") == "closed_won"
    assert admin.slug("  Première Réunion! ") == "premiere_reunion"
    assert admin.slug("日本") == ""


def test_status_cycles_open_won_lost_closed():
    step = Step("s", "S", "open")
    seen = []
    for _ in range(4):
        status, outcome = admin.next_status(step)
        seen.append((status, outcome))
        step = Step("s", "S", status, outcome)
    assert seen == [("closed", "won"), ("closed", "lost"), ("closed", None), ("open", None)]


def test_insert_edit_and_remove_a_step(config):
    new = Step("demo_booked", "Demo booked", "open")
    added = admin.insert_step(config, "standard", "lead_qualification", new, 1)
    assert step_keys(added)[2:5] == ["interested", "demo_booked", "qualified"]
    admin.check(added)
    renamed = admin.edit_step(added, "standard", "demo_booked", name="Demo", description="x")
    assert renamed.template("standard").step("demo_booked").name == "Demo"
    removed = admin.remove_step(renamed, "standard", "demo_booked")
    assert removed == config


def test_check_reports_the_rules_of_the_file(config):
    duplicate = admin.insert_step(
        config, "standard", "conversion", Step("qualified", "Again", "open"), 0
    )
    with pytest.raises(ConfigError) as error:
        admin.check(duplicate)
    assert error.value.key_path == "templates[0].categories[4].steps[0].key"
    assert "already used by another step in this template" in error.value.problem
    assert admin.describe(error.value, duplicate).startswith(
        "Template “Standard sales” › category “Conversion” › step “Again”: key repeats"
    )
    blank = admin.edit_step(config, "standard", "qualified", name="  ")
    assert admin.config_error(blank).problem == "must not be empty"
    empty = admin.remove_step(config, "partner", "terms_agreed")
    empty = admin.remove_step(empty, "partner", "partner_active")
    empty = admin.remove_step(empty, "partner", "partner_declined")
    error = admin.config_error(empty)
    assert admin.problem_of(error) == ("steps", "needs at least one step")
    assert admin.describe(error, empty) == (
        "Template “Partner and referral” › category “Partnership”: steps needs at least one step."
    )
    outcome_on_open = admin.edit_step(config, "standard", "qualified", outcome="won")
    assert "only allowed on steps" in admin.config_error(outcome_on_open).problem
    assert admin.config_error(admin.remove_template(config, "standard")).key_path == (
        "settings.default_template"
    )


def test_moving_a_step_crosses_into_the_next_category(config):
    down = admin.move_step(config, "standard", "contacted", +1)
    conversion = down.template("standard").categories
    assert [s.key for s in conversion[0].steps] == ["new_lead"]
    assert [s.key for s in conversion[1].steps] == ["contacted", "interested", "qualified"]
    assert admin.move_step(down, "standard", "contacted", -1) == config
    assert admin.move_step(config, "standard", "new_lead", -1) is None
    assert admin.move_step(config, "standard", "closed_lost", +1) is None


def test_moving_templates_and_categories(config):
    moved = admin.move_template(config, "partner", -1)
    assert [t.key for t in moved.templates] == ["partner", "standard"]
    assert admin.move_template(moved, "partner", -1) is None
    cats = admin.move_category(config, "partner", "partnership", -1)
    assert [c.key for c in cats.template("partner").categories] == ["partnership", "introduction"]


def test_a_new_template_and_the_default(config):
    template = Template("renewal", "Renewal", (Category("c", "C", (Step("s", "S", "open"),)),))
    added = admin.insert_template(config, template, 2)
    admin.check(added)
    assert lifecycle.loads(lifecycle.dumps(added)) == added
    with pytest.raises(ConfigError):
        admin.check(admin.insert_template(config, replace_key(template, "partner"), 0))


def replace_key(template: Template, key: str) -> Template:
    return Template(key, template.name, template.categories)


def test_picklist_values_are_checked_case_blind(config):
    values = (*config.picklists.segmentation, "smb")
    error = admin.config_error(admin.set_picklist(config, "segmentation", values))
    assert error.key_path == "picklists.segmentation[5]"
    assert "already in the list" in error.problem


# ----- the database -----------------------------------------------------------------------


def test_counts_and_moving_contacts_off_a_step(backend, workspace, service):
    ada = service.create_contact("Ada")
    grace = service.create_contact("Grace")
    service.set_stage(ada.id, "qualified")
    service.set_stage(grace.id, "qualified")
    other = service.create_contact("Linus")
    service.archive(grace.id)  # archived contacts are on the step too
    assert admin.stage_counts(service)[("standard", "qualified")] == 2
    config = service.config
    new = admin.remove_step(config, "standard", "qualified")
    assert admin.contacts_on_dropped(service, config, new) == 2

    moved = admin.move_contacts(
        service, new, [StepMove("standard", "qualified", "standard", "closed_won")]
    )
    assert moved == 2
    assert admin.contacts_on_dropped(service, config, new) == 0
    after = service.get_contact(ada.id)
    assert (after.stage, after.status) == ("closed_won", "Closed")
    assert after.version == ada.version + 2  # set_stage, then the move
    last = after.stage_history[-1]
    assert (last.from_stage, last.to_stage, last.by) == ("qualified", "closed_won", service.user)
    audit = [(a.field, a.old_value, a.new_value) for a in after.audit]
    assert ("stage", "Qualified (removed in the Control Center)", "Closed – Won") in audit
    assert service.get_contact(other.id).stage == "new_lead"  # others stay where they are


def test_moving_contacts_to_another_template(backend, workspace, service):
    ada = service.create_contact("Ada")
    new = admin.remove_template(service.config, "standard")
    new = lifecycle.LifecycleConfig(
        new.templates, new.picklists, "partner", new.default_phone_region
    )
    admin.move_contacts(service, new, [StepMove("standard", "new_lead", "partner", "referred")])
    after = service.get_contact(ada.id)
    assert (after.template, after.stage, after.status) == ("partner", "referred", "Open")
    assert ("template", "standard", "partner") in [
        (a.field, a.old_value, a.new_value) for a in after.audit
    ]


def test_a_move_to_a_step_the_config_lacks_writes_nothing(backend, workspace, service):
    ada = service.create_contact("Ada")
    with pytest.raises(ValidationError):
        admin.move_contacts(
            service, service.config, [StepMove("standard", "new_lead", "standard", "nope")]
        )
    assert service.get_contact(ada.id).version == ada.version


def test_picklist_usage_counts_contacts(backend, workspace, service):
    ada = service.create_contact("Ada")
    service.update_contact(ada.id, ada.version, segmentation="SMB")
    service.records.add_email(ada.id, "ada@example.com", type="Billing")
    service.records.add_email(ada.id, "ada2@example.com", type="Billing")
    assert admin.picklist_usage(service, "segmentation", "SMB") == 1
    assert admin.picklist_usage(service, "segmentation", "Partner") == 0
    assert admin.picklist_usage(service, "email_types", "Billing") == 1


def test_closing_a_step_closes_its_contacts(backend, workspace, service):
    ada = service.create_contact("Ada")
    service.set_stage(ada.id, "client_onboarded")
    old = service.config
    new = admin.edit_step(old, "standard", "client_onboarded", status="closed", outcome="won")
    assert admin.sync_statuses(service, old, new) == 1
    after = service.get_contact(ada.id)
    assert (after.status, after.version) == ("Closed", ada.version + 2)
    assert ("status", "Open", "Closed") in [
        (a.field, a.old_value, a.new_value) for a in after.audit
    ]
    assert admin.sync_statuses(service, old, new) == 0  # nothing left to change


# ----- the file ---------------------------------------------------------------------------


def test_save_keeps_the_previous_file_as_bak_with_the_workspace_mode(tmp_path, config):
    path = tmp_path / "lifecycle.toml"
    previous = b"# mine\n" + lifecycle.dumps(config).encode()
    path.write_bytes(previous)
    path.chmod(0o640)
    tmp_path.chmod(0o700)
    assert not admin.keeps_layout(previous.decode())
    assert admin.keeps_layout(lifecycle.dumps(config))
    new = admin.edit_step(config, "standard", "qualified", name="SQL")
    admin.save_with_backup(new, path)
    assert lifecycle.load(path) == new
    backup = tmp_path / "lifecycle.toml.bak"
    assert backup.read_bytes() == previous
    assert backup.stat().st_mode & 0o777 == 0o600
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_symlinked_file_cannot_be_saved_and_nothing_changes(tmp_path, config):
    secret = tmp_path / "admins-private.txt"
    secret.write_text("not toml at all")
    secret.chmod(0o600)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    path = workspace / "lifecycle.toml"
    path.symlink_to(secret)
    assert "symbolic link" in admin.write_problem(path)
    with pytest.raises(lifecycle.ConfigError, match="symbolic link"):
        admin.save_with_backup(config, path)
    assert secret.read_text() == "not toml at all"
    assert [p.name for p in workspace.iterdir()] == ["lifecycle.toml"]  # no .bak of it


def test_differences_name_the_parts_that_differ(config):
    theirs = admin.edit_step(config, "standard", "qualified", name="SQL")
    rows = admin.differences(theirs, config)
    assert [part for part, _, _ in rows] == ["Template standard"]
    assert "SQL" in rows[0][1] and "Qualified" in rows[0][2]
    assert admin.differences(config, config)[0][0] == "Layout"
