"""The Control Center's pending changes, built and checked without a screen."""

from __future__ import annotations

from dataclasses import replace

from contacts_tui import lifecycle
from contacts_tui.screens.control_center_changes import LifecycleChanges, read_disk

QUALIFIED = ("standard", "qualified")
NEW_LEAD = ("standard", "new_lead")
CONTACTED = ("standard", "contacted")


def changes_of(tmp_path, raw: bytes | None = None) -> LifecycleChanges:
    path = tmp_path / "lifecycle.toml"
    path.write_bytes(raw or lifecycle.bundled_path().read_bytes())
    disk, problem = read_disk(path, fallback=lifecycle.load(lifecycle.bundled_path()))
    assert problem == ""
    return LifecycleChanges(disk)


def test_a_broken_file_shows_the_running_configuration_and_says_why(tmp_path):
    path = tmp_path / "lifecycle.toml"
    path.write_text("[settings\n")
    running = lifecycle.load(lifecycle.bundled_path())
    disk, problem = read_disk(path, fallback=running)
    assert disk.config == running and not disk.keeps_layout
    assert "lifecycle.toml.bak keeps it" in problem
    missing, problem = read_disk(tmp_path / "gone.toml", fallback=running)
    assert missing.raw == b"" and "cannot be read" in problem


def test_moves_follow_a_second_removal_and_count_where_contacts_will_be(tmp_path):
    changes = changes_of(tmp_path)
    counts = {QUALIFIED: 3, NEW_LEAD: 2}
    changes.move_when_saving([QUALIFIED], NEW_LEAD, counts)
    assert changes.dirty
    assert changes.effective_counts(counts) == {QUALIFIED: 0, NEW_LEAD: 5}
    # Then the step they were bound for goes too: everyone waiting goes further.
    changes.move_when_saving([NEW_LEAD], CONTACTED, counts)
    assert changes.moves == {QUALIFIED: CONTACTED, NEW_LEAD: CONTACTED}
    assert changes.effective_counts(counts) == {QUALIFIED: 0, NEW_LEAD: 0, CONTACTED: 5}


def test_a_value_renamed_twice_is_renamed_once_and_renamed_back_is_nothing(tmp_path):
    changes = changes_of(tmp_path)
    changes.value_renames[("segmentation", "SMB")] = "Small"
    changes.follow_rename("segmentation", "Small", "Small Business")
    assert changes.value_renames == {("segmentation", "SMB"): "Small Business"}
    changes.follow_rename("segmentation", "Small Business", "SMB")
    assert changes.value_renames == {}
    assert not changes.dirty


def test_the_draft_brings_every_change_back_and_notices_a_newer_file(tmp_path):
    changes = changes_of(tmp_path)
    changes.config = replace(changes.config, scoring_max=90)
    changes.moves[QUALIFIED] = NEW_LEAD
    changes.value_renames[("segmentation", "SMB")] = "Small Business"
    values = changes.draft_values()

    same_file = changes_of(tmp_path)
    assert same_file.restore(values, source="lifecycle.toml") is False
    assert (same_file.config, same_file.moves) == (changes.config, changes.moves)
    assert same_file.value_renames == changes.value_renames

    newer = changes_of(tmp_path, b"# edited\n" + changes.disk.raw)
    assert newer.restore(values, source="lifecycle.toml") is True
    assert newer.disk.raw == changes.disk.raw  # saving compares with what the draft changed
    newer.start_from(newer.disk)
    assert not newer.dirty
