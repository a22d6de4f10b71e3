"""Three-way merge of lifecycle.toml: their changes and yours since a common version."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contacts_tui import lifecycle
from contacts_tui.lifecycle import Step
from contacts_tui.services import lifecycle_admin as admin
from contacts_tui.services.lifecycle_merge import merge


@pytest.fixture
def base():
    return lifecycle.load(lifecycle.bundled_path())


def steps(config, template="standard"):
    return [s.key for s in config.template(template).steps()]


def test_changes_to_different_items_combine(base):
    theirs = admin.edit_step(base, "standard", "new_lead", name="Fresh Lead")
    theirs = admin.set_picklist(theirs, "segmentation", ("Gov", *base.picklists.segmentation))
    mine = admin.edit_step(base, "standard", "qualified", status="closed", outcome="lost")
    mine = admin.set_picklist(mine, "segmentation", (*base.picklists.segmentation, "NGO"))
    result = merge(base, theirs, mine)
    assert result.merged is not None and result.clashes == 0
    standard = result.merged.template("standard")
    assert standard.step("new_lead").name == "Fresh Lead"
    assert standard.step("qualified").is_closed
    assert result.merged.picklists.segmentation[0] == "Gov"
    assert result.merged.picklists.segmentation[-1] == "NGO"
    described = {c.item: (c.theirs, c.yours) for c in result.changes}
    assert described["step 'New Lead' in 'Standard sales'"] == (
        "renamed 'New Lead' → 'Fresh Lead'",
        "unchanged",
    )
    assert described["step 'Qualified' in 'Standard sales'"] == ("unchanged", "now closed · lost")
    assert described["picklist Segmentation"] == ("added 'Gov'", "added 'NGO'")


def test_steps_added_by_both_in_one_category_are_both_kept(base):
    theirs = admin.insert_step(base, "standard", "lead_generation", Step("warm", "Warm", "open"), 1)
    mine = admin.insert_step(base, "standard", "lead_generation", Step("cold", "Cold", "open"), 2)
    result = merge(base, theirs, mine)
    assert result.merged is not None and result.clashes == 0
    assert steps(result.merged)[:4] == ["new_lead", "warm", "contacted", "cold"]
    assert {c.item for c in result.changes} >= {
        "step 'Warm' in 'Standard sales'",
        "step 'Cold' in 'Standard sales'",
    }


def test_the_same_item_changed_by_both_is_a_clash_where_yours_is_kept(base):
    theirs = admin.edit_step(base, "standard", "new_lead", name="Their Lead")
    mine = admin.edit_step(base, "standard", "new_lead", name="My Lead")
    result = merge(base, theirs, mine)
    assert result.clashes == 1
    assert result.changes[0].clash
    assert result.merged.template("standard").step("new_lead").name == "My Lead"


def test_a_change_inside_what_the_other_removed_cannot_be_combined(base):
    theirs = admin.remove_category(base, "standard", "negotiation")
    mine = admin.insert_step(base, "standard", "negotiation", Step("legal", "Legal", "open"), 0)
    result = merge(base, theirs, mine)
    assert result.merged is None
    assert "removed" in result.problem


def test_a_setting_each_side_changed_differently(base):
    theirs = replace(base, scoring_max=50)
    mine = replace(base, document_max_mb=20)
    result = merge(base, theirs, mine)
    assert (result.merged.scoring_max, result.merged.document_max_mb) == (50, 20)
    described = {c.item: (c.theirs, c.yours) for c in result.changes}
    assert described["setting: highest scoring"] == ("100 → 50", "unchanged")
