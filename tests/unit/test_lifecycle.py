"""Tests for lifecycle.toml loading, validation, saving and the template helpers."""

from __future__ import annotations

import copy
import os
import re
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from contacts_tui import lifecycle
from contacts_tui.lifecycle import (
    Category,
    ConfigError,
    LifecycleConfig,
    Picklists,
    Step,
    Template,
    bundled_path,
    dumps,
    load,
    loads,
    save,
)

STANDARD_STEPS = [
    ("lead_generation", "new_lead", "New Lead", "open", None),
    ("lead_generation", "contacted", "Contacted", "open", None),
    ("lead_qualification", "interested", "Interested", "open", None),
    ("lead_qualification", "qualified", "Qualified", "open", None),
    ("proposal_stage", "proposal_sent", "Proposal Sent", "open", None),
    ("proposal_stage", "proposal_follow_up", "Proposal Follow-Up", "open", None),
    ("negotiation", "negotiation_started", "Negotiation Started", "open", None),
    ("negotiation", "contract_drafted", "Contract Drafted", "open", None),
    ("conversion", "client_onboarded", "Client Onboarded", "open", None),
    ("conversion", "closed_won", "Closed – Won", "closed", "won"),
    ("conversion", "closed_lost", "Closed – Lost", "closed", "lost"),
]

MINIMAL = """\
[[templates]]
key = "basic"
name = "Basic"

[[templates.categories]]
key = "only"
name = "Only"

[[templates.categories.steps]]
key = "start"
name = "Start"
status = "open"
"""


@pytest.fixture
def bundled() -> LifecycleConfig:
    return load(bundled_path())


@pytest.fixture
def standard(bundled: LifecycleConfig) -> Template:
    template = bundled.template("standard")
    assert template is not None
    return template


def bundled_data() -> dict[str, Any]:
    return tomllib.loads(bundled_path().read_text(encoding="utf-8"))


# --- the bundled file ----------------------------------------------------------------------


def test_bundled_path_is_the_repository_file_in_a_dev_checkout() -> None:
    assert bundled_path() == Path(lifecycle.__file__).parent.parent / "lifecycle.toml"
    assert bundled_path().is_file()


def test_bundled_path_prefers_the_copy_inside_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site-packages" / "contacts_tui"
    package.mkdir(parents=True)
    monkeypatch.setattr(lifecycle, "__file__", str(package / "lifecycle.py"))
    assert bundled_path() == tmp_path / "site-packages" / "lifecycle.toml"
    (package / "lifecycle.toml").write_text(MINIMAL, encoding="utf-8")
    assert bundled_path() == package / "lifecycle.toml"


def test_bundled_standard_template_has_the_spec_steps_in_order(
    bundled: LifecycleConfig, standard: Template
) -> None:
    assert bundled.default_template == "standard"
    assert bundled.default is standard
    assert [c.name for c in standard.categories] == [
        "Lead Generation",
        "Lead Qualification",
        "Proposal Stage",
        "Negotiation",
        "Conversion",
    ]
    actual = [
        (category.key, step.key, step.name, step.status, step.outcome)
        for category in standard.categories
        for step in category.steps
    ]
    assert actual == STANDARD_STEPS


def test_bundled_settings_and_second_template(bundled: LifecycleConfig) -> None:
    assert bundled.default_phone_region == "GB"
    assert (bundled.scoring_min, bundled.scoring_max, bundled.document_max_mb) == (0, 100, 50)
    assert "Enterprise" in bundled.picklists.segmentation
    assert bundled.picklists.document_types[0] == "Contract"
    assert [t.key for t in bundled.templates] == ["standard", "partner"]
    partner = bundled.template("partner")
    assert partner is not None
    assert any(step.is_closed for step in partner.steps())
    assert not partner.first_step.is_closed


def test_bundled_file_is_exactly_what_dumps_writes() -> None:
    text = bundled_path().read_text(encoding="utf-8")
    assert dumps(loads(text)) == text


def test_every_description_in_the_bundled_file_is_a_key_not_a_comment() -> None:
    assert "#" not in bundled_path().read_text(encoding="utf-8")


# --- saving and round trips ----------------------------------------------------------------


def test_save_then_load_is_byte_identical_and_private(
    tmp_path: Path, bundled: LifecycleConfig
) -> None:
    target = tmp_path / "lifecycle.toml"
    save(bundled, target)
    assert target.read_bytes() == bundled_path().read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert load(target) == bundled
    save(load(target), target)
    assert target.read_bytes() == bundled_path().read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["lifecycle.toml"]  # no temp file left


def test_save_takes_the_modes_of_the_workspace(tmp_path: Path, bundled: LifecycleConfig) -> None:
    private, shared = tmp_path / "private", tmp_path / "shared"
    private.mkdir(mode=0o700)
    shared.mkdir()
    shared.chmod(0o2770)
    for folder, expected in ((private, 0o600), (shared, 0o660)):
        target = folder / "lifecycle.toml"
        target.write_text(MINIMAL, encoding="utf-8")
        target.chmod(0o640)
        save(bundled, target)
        assert stat.S_IMODE(target.stat().st_mode) == expected
        assert target.stat().st_gid == folder.stat().st_gid
        assert load(target) == bundled


def test_save_refuses_a_symlink_and_leaves_its_target_alone(
    tmp_path: Path, bundled: LifecycleConfig
) -> None:
    real = tmp_path / "someone-elses.toml"
    real.write_text(MINIMAL, encoding="utf-8")
    link = tmp_path / "lifecycle.toml"
    link.symlink_to(real)
    with pytest.raises(ConfigError, match="symbolic link"):
        save(bundled, link, backup=tmp_path / "lifecycle.toml.bak")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == MINIMAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lifecycle.toml", "someone-elses.toml"]


def test_save_refuses_an_invalid_config_and_leaves_the_file_alone(
    tmp_path: Path, bundled: LifecycleConfig
) -> None:
    target = tmp_path / "lifecycle.toml"
    target.write_text(MINIMAL, encoding="utf-8")
    broken_step = Step("x", "X", "done")
    broken = LifecycleConfig(
        templates=(Template("t", "T", (Category("c", "C", (broken_step,)),)),),
        picklists=Picklists(),
        default_template="t",
        default_phone_region="GB",
    )
    with pytest.raises(ConfigError, match="step “X” › status"):
        save(broken, target)
    assert target.read_text(encoding="utf-8") == MINIMAL
    assert [p.name for p in tmp_path.iterdir()] == ["lifecycle.toml"]


def test_save_into_a_missing_folder_is_a_config_error(
    tmp_path: Path, bundled: LifecycleConfig
) -> None:
    target = tmp_path / "nowhere" / "lifecycle.toml"
    with pytest.raises(ConfigError, match="cannot be saved") as caught:
        save(bundled, target)
    assert str(target) in str(caught.value)


def test_round_trip_omits_empty_descriptions_and_outcomes() -> None:
    config = LifecycleConfig(
        templates=(
            Template(
                "t",
                "T",
                (Category("c", "C", (Step("a", "A", "open"), Step("b", "B", "closed"))),),
            ),
        ),
        picklists=Picklists(reason_codes=()),
        default_template="t",
        default_phone_region="DE",
        scoring_min=-10,
        scoring_max=10,
        document_max_mb=5,
    )
    text = dumps(config)
    assert "description" not in text
    assert "outcome" not in text
    assert loads(text) == config
    assert dumps(loads(text)) == text


def test_dumps_always_writes_steps_as_tables_not_inline() -> None:
    config = loads(MINIMAL)
    text = dumps(config)
    assert "[[templates.categories.steps]]" in text
    assert "{" not in text


def test_missing_optional_sections_get_defaults() -> None:
    config = loads(MINIMAL)
    assert config.default_template == "basic"
    assert config.default_phone_region == "GB"
    assert (config.scoring_min, config.scoring_max, config.document_max_mb) == (0, 100, 50)
    assert config.picklists == Picklists()
    assert config.picklists.segmentation  # defaults are not empty


def test_partial_picklists_keep_defaults_for_the_rest() -> None:
    config = loads('[picklists]\nsegmentation = ["Retail"]\nreason_codes = []\n' + MINIMAL)
    assert config.picklists.segmentation == ("Retail",)
    assert config.picklists.reason_codes == ()
    assert config.picklists.phone_types == Picklists().phone_types


@pytest.mark.parametrize("name", lifecycle.REQUIRED_PICKLISTS)
def test_an_empty_picklist_every_record_needs_is_refused_with_its_key_path(name: str) -> None:
    with pytest.raises(ConfigError, match=rf"picklists\.{name}.*at least one value"):
        loads(f"[picklists]\n{name} = []\n" + MINIMAL)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "lifecycle.toml"
    target.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load(target).default_template == "basic"


# --- errors --------------------------------------------------------------------------------


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    target = tmp_path / "lifecycle.toml"
    target.write_text('[settings]\ndefault_template = "standard"\nscoring_min = \n')
    with pytest.raises(ConfigError) as caught:
        load(target)
    message = str(caught.value)
    assert message.startswith(f"{target} line 3, column 15: ")
    assert message.endswith("Fix the file and start again.")
    assert (caught.value.line, caught.value.column) == (3, 15)


def test_duplicate_toml_key_is_a_syntax_error_with_position() -> None:
    with pytest.raises(ConfigError, match=r"^lifecycle\.toml line 3, column \d+: "):
        loads("[settings]\nscoring_min = 1\nscoring_min = 2\n")


def test_error_at_end_of_document_still_has_a_line() -> None:
    with pytest.raises(ConfigError, match=r"^x\.toml line 2, column 8: "):
        loads('a = 1\nb = "op', source="x.toml")


def test_syntax_error_position_attributes_are_used_when_present(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Python 3.14+ puts lineno/colno on the exception and no position in the message.
    err = tomllib.TOMLDecodeError("Invalid value")
    err.lineno, err.colno, err.msg = 7, 3, "Invalid value"  # type: ignore[attr-defined]

    def fail(text: str) -> dict[str, Any]:
        raise err

    monkeypatch.setattr(lifecycle.tomllib, "loads", fail)
    with pytest.raises(ConfigError) as caught:
        loads("whatever", source="/srv/crm/lifecycle.toml")
    assert str(caught.value) == (
        "/srv/crm/lifecycle.toml line 7, column 3: Invalid value. Fix the file and start again."
    )


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load(target)
    assert str(target) in str(caught.value)


def test_folder_instead_of_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read") as caught:
        load(tmp_path)
    assert str(tmp_path) in str(caught.value)


def test_non_utf8_file_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "lifecycle.toml"
    target.write_bytes(MINIMAL.encode().replace(b'"Basic"', b'"Caf\xe9"'))
    with pytest.raises(ConfigError, match="not UTF-8") as caught:
        load(target)
    assert str(target) in str(caught.value)


Mutation = Callable[[dict[str, Any]], None]


def step0(data: dict[str, Any]) -> dict[str, Any]:
    return data["templates"][0]["categories"][0]["steps"][0]


def set_in(path: str, value: Any) -> Mutation:
    """A mutation setting `a.b.0.c` style paths (numbers index lists)."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[int(last) if last.isdigit() else last] = value

    return mutate


def delete_in(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]

    return mutate


def rename_key(old: str, new: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        step = step0(data)
        step[new] = step.pop(old)

    return mutate


STEP = "templates.0.categories.0.steps.0"
BROKEN: list[tuple[str, Mutation, str]] = [
    (
        "bad status",
        set_in("templates.0.categories.2.steps.1.status", "done"),
        "templates[0].categories[2].steps[1].status",
    ),
    ("status not text", set_in(f"{STEP}.status", 1), "templates[0].categories[0].steps[0].status"),
    ("missing status", delete_in(f"{STEP}.status"), "templates[0].categories[0].steps[0].status"),
    ("missing step name", delete_in(f"{STEP}.name"), "templates[0].categories[0].steps[0].name"),
    ("blank step name", set_in(f"{STEP}.name", "  "), "templates[0].categories[0].steps[0].name"),
    ("missing step key", delete_in(f"{STEP}.key"), "templates[0].categories[0].steps[0].key"),
    (
        "step key not a slug",
        set_in(f"{STEP}.key", "New Lead"),
        "templates[0].categories[0].steps[0].key",
    ),
    ("empty step key", set_in(f"{STEP}.key", ""), "templates[0].categories[0].steps[0].key"),
    ("upper-case key", set_in("templates.1.key", "Partner"), "templates[1].key"),
    (
        "outcome on open step",
        set_in(f"{STEP}.outcome", "won"),
        "templates[0].categories[0].steps[0].outcome",
    ),
    (
        "unknown outcome",
        set_in("templates.0.categories.4.steps.1.outcome", "maybe"),
        "templates[0].categories[4].steps[1].outcome",
    ),
    (
        "misspelt status",
        rename_key("status", "stauts"),
        "templates[0].categories[0].steps[0].stauts",
    ),
    (
        "duplicate step key across categories",
        set_in("templates.0.categories.1.steps.0.key", "new_lead"),
        "templates[0].categories[1].steps[0].key",
    ),
    (
        "duplicate step key in category",
        set_in("templates.0.categories.0.steps.1.key", "new_lead"),
        "templates[0].categories[0].steps[1].key",
    ),
    (
        "duplicate category key",
        set_in("templates.0.categories.3.key", "lead_generation"),
        "templates[0].categories[3].key",
    ),
    ("duplicate template key", set_in("templates.1.key", "standard"), "templates[1].key"),
    ("no steps", set_in("templates.0.categories.2.steps", []), "templates[0].categories[2].steps"),
    (
        "steps not tables",
        set_in("templates.0.categories.2.steps", ["x"]),
        "templates[0].categories[2].steps",
    ),
    ("no categories", set_in("templates.1.categories", []), "templates[1].categories"),
    ("no templates", set_in("templates", []), "templates"),
    ("templates missing", delete_in("templates"), "templates"),
    ("template name missing", delete_in("templates.0.name"), "templates[0].name"),
    (
        "category description not text",
        set_in("templates.0.categories.1.description", 3),
        "templates[0].categories[1].description",
    ),
    (
        "escape sequence in name",
        set_in(f"{STEP}.name", "New \x1b[31mLead"),
        "templates[0].categories[0].steps[0].name",
    ),
    ("newline in name", set_in("templates.0.name", "Two\nlines"), "templates[0].name"),
    (
        "C1 control in description",
        set_in("templates.0.description", "a\x9bb"),
        "templates[0].description",
    ),
    (
        "bidi override in description",
        set_in(f"{STEP}.description", "abc\u202edcba"),
        "templates[0].categories[0].steps[0].description",
    ),
    (
        "bidi isolate in picklist",
        set_in("picklists.segmentation.0", "SMB\u2066"),
        "picklists.segmentation[0]",
    ),
    (
        "unknown default template",
        set_in("settings.default_template", "nope"),
        "settings.default_template",
    ),
    (
        "lower-case region",
        set_in("settings.default_phone_region", "gb"),
        "settings.default_phone_region",
    ),
    (
        "three-letter region",
        set_in("settings.default_phone_region", "GBR"),
        "settings.default_phone_region",
    ),
    ("scoring min equals max", set_in("settings.scoring_min", 100), "settings.scoring_max"),
    ("scoring min above max", set_in("settings.scoring_max", -1), "settings.scoring_max"),
    ("scoring as text", set_in("settings.scoring_min", "0"), "settings.scoring_min"),
    ("scoring as boolean", set_in("settings.scoring_min", True), "settings.scoring_min"),
    ("scoring as float", set_in("settings.scoring_max", 99.5), "settings.scoring_max"),
    ("zero document size", set_in("settings.document_max_mb", 0), "settings.document_max_mb"),
    ("negative document size", set_in("settings.document_max_mb", -5), "settings.document_max_mb"),
    ("unknown setting", set_in("settings.colour", "red"), "settings.colour"),
    ("settings not a table", set_in("settings", "x"), "settings"),
    ("unknown picklist", set_in("picklists.colours", ["Red"]), "picklists.colours"),
    ("picklist not a list", set_in("picklists.segmentation", "SMB"), "picklists.segmentation"),
    (
        "duplicate picklist entry",
        set_in("picklists.segmentation", ["SMB", "Retail", "SMB"]),
        "picklists.segmentation[2]",
    ),
    (
        "duplicate picklist entry by case",
        set_in("picklists.email_types", ["Work", "work"]),
        "picklists.email_types[1]",
    ),
    (
        "empty picklist entry",
        set_in("picklists.phone_types", ["Mobile", ""]),
        "picklists.phone_types[1]",
    ),
    ("picklist entry not text", set_in("picklists.reason_codes", [1]), "picklists.reason_codes[0]"),
    ("unknown top-level table", set_in("workflow.x", 1), "workflow"),
]


@pytest.mark.parametrize(
    ("mutate", "path"), [(m, p) for _, m, p in BROKEN], ids=[name for name, _, _ in BROKEN]
)
def test_schema_errors_name_their_key_path(mutate: Mutation, path: str) -> None:
    data = copy.deepcopy(bundled_data())
    mutate(data)
    with pytest.raises(ConfigError) as caught:
        loads(tomli_w.dumps(data), source="/srv/crm/lifecycle.toml")
    message = str(caught.value)
    assert caught.value.key_path == path
    # Items by their names, entries counted from 1: no 0-based indexes in the message.
    assert message.startswith(f"/srv/crm/lifecycle.toml: {lifecycle.readable_path(path, data)} ")
    assert not re.search(r"\[\d+\]", message)
    assert message.endswith("Fix the file and start again.")
    assert all(ch.isprintable() for ch in message)


def test_an_error_names_the_items_on_its_way() -> None:
    data = copy.deepcopy(bundled_data())
    data["templates"][0]["categories"][3]["steps"][1]["status"] = "done"
    with pytest.raises(ConfigError) as caught:
        loads(tomli_w.dumps(data))
    assert str(caught.value).startswith(
        "lifecycle.toml: template “Standard sales” › category “Negotiation” › "
        "step “Contract Drafted” › status "
    )
    data = copy.deepcopy(bundled_data())
    data["picklists"]["segmentation"] = ["SMB", "Retail", "SMB"]
    with pytest.raises(ConfigError, match=r"^lifecycle\.toml: picklists\.segmentation, value 3 "):
        loads(tomli_w.dumps(data))


def test_unmodified_bundled_data_passes_the_same_pipeline() -> None:
    """The mutations above fail because of the mutation, not because of the pipeline."""
    assert loads(tomli_w.dumps(bundled_data())) == load(bundled_path())


def test_step_keys_may_repeat_in_another_template() -> None:
    data = bundled_data()
    data["templates"][1]["categories"][0]["steps"][0]["key"] = "new_lead"
    config = loads(tomli_w.dumps(data))
    partner = config.template("partner")
    assert partner is not None and partner.first_step.key == "new_lead"
    assert config.step_names()["new_lead"] == "New Lead"  # the first template wins


def test_unknown_key_with_control_characters_is_shown_escaped() -> None:
    with pytest.raises(ConfigError) as caught:
        loads('"bad\\u001bkey" = 1\n' + MINIMAL)
    assert "\x1b" not in str(caught.value)
    assert "\\x1b" in str(caught.value)


# --- helpers -------------------------------------------------------------------------------


def test_template_steps_and_lookup(standard: Template) -> None:
    assert [s.key for s in standard.steps()] == [row[1] for row in STANDARD_STEPS]
    qualified = standard.step("qualified")
    assert qualified is not None and qualified.name == "Qualified" and not qualified.is_closed
    closed_won = standard.step("closed_won")
    assert closed_won is not None and closed_won.is_closed and closed_won.outcome == "won"
    assert standard.step("referred") is None


def test_template_category_of(standard: Template) -> None:
    category = standard.category_of("proposal_follow_up")
    assert category is not None and category.key == "proposal_stage"
    category = standard.category_of("closed_lost")
    assert category is not None and category.name == "Conversion"
    assert standard.category_of("nope") is None


def test_template_index_of_and_first_step(standard: Template) -> None:
    assert standard.index_of("new_lead") == 0
    assert standard.index_of("qualified") == 3
    assert standard.index_of("closed_lost") == 10
    assert standard.index_of("referred") is None
    assert standard.first_step.key == "new_lead"


def test_config_lookups(bundled: LifecycleConfig) -> None:
    assert bundled.template(None) is None
    assert bundled.template("") is None
    assert bundled.template("missing") is None
    partner = bundled.template("partner")
    assert partner is not None and partner.name == "Partner and referral"
    names = bundled.step_names()
    assert names["closed_won"] == "Closed – Won"
    assert names["referred"] == "Referred"
    assert len(names) == sum(len(t.steps()) for t in bundled.templates)
    categories = bundled.category_names()
    assert categories["lead_generation"] == "Lead Generation"
    assert categories["partnership"] == "Partnership"


def test_category_names_first_template_wins() -> None:
    first = Template("a", "A", (Category("shared", "First", (Step("s", "S", "open"),)),))
    second = Template("b", "B", (Category("shared", "Second", (Step("s", "T", "open"),)),))
    config = LifecycleConfig((first, second), Picklists(), "b", "GB")
    assert config.category_names() == {"shared": "First"}
    assert config.step_names() == {"s": "S"}
    assert config.default is second


def test_saved_file_is_not_world_readable_under_a_loose_umask(
    tmp_path: Path, bundled: LifecycleConfig
) -> None:
    old = os.umask(0)
    try:
        save(bundled, tmp_path / "lifecycle.toml")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "lifecycle.toml").stat().st_mode) == 0o600
