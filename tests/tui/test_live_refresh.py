"""Other sessions' work shows in a running session within 2 s: contacts and lifecycle.toml."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from pilot_helpers import screen_text
from pilot_helpers import settle as settle_workers
from textual.widgets import Input

from contacts_tui import lifecycle
from contacts_tui.app import ContactsApp
from contacts_tui.lifecycle import LifecycleConfig, Step
from contacts_tui.panels.info_panel import InfoPanel
from contacts_tui.screens.contact_detail import ContactDetailScreen
from contacts_tui.screens.contact_list import ContactListScreen
from contacts_tui.screens.help import binding_groups
from contacts_tui.services import ContactService
from contacts_tui.widgets.dashboard import DashboardBar
from contacts_tui.widgets.lifecycle_stepper import LifecycleStepper

SIZE = (100, 30)
LIVE_DEADLINE = 2.0
"""Seconds from another session's commit (or a saved file) to the change on screen."""


@pytest.fixture
def db_url(backend, request) -> str | None:
    """How a colleague's process reaches the database (None: the workspace's SQLite file)."""
    return None if backend == "sqlite" else request.getfixturevalue("pg_server_url")


def elsewhere(workspace, db_url: str | None, code: str) -> None:
    """Run `code` in another process with its own `service`, as a colleague's session."""
    prelude = (
        "import sys; from pathlib import Path\n"
        "from contacts_tui.workspace import open_workspace\n"
        "from contacts_tui.services import ContactService\n"
        "ws = open_workspace(Path(sys.argv[1]), db_url=sys.argv[2] or None)\n"
        "service = ContactService(ws.config, 'colleague')\n"
    )
    subprocess.run(
        [sys.executable, "-c", prelude + code, str(workspace.folder), db_url or ""],
        check=True,
        timeout=60,
    )


async def wait_until(pilot, condition, seconds: float = LIVE_DEADLINE) -> float:
    """Seconds until `condition()` held; fails the test after `seconds`."""
    started = time.monotonic()
    while not condition():
        elapsed = time.monotonic() - started
        assert elapsed < seconds, f"not on screen after {elapsed:.1f} s"
        await pilot.pause(0.05)
    return time.monotonic() - started


def toasts(app: ContactsApp) -> str:
    """The text of the notifications on screen, once they have been drawn."""
    screen_text(app)  # draws the screen: a toast that cannot be drawn fails here
    return " ".join(str(toast.render()) for toast in app.screen.query("Toast"))


def write_by_rename(path: Path, config: LifecycleConfig) -> None:
    """Save lifecycle.toml the way editors do: a new file renamed over the old one."""
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(lifecycle.dumps(config), encoding="utf-8")
    os.replace(temp, path)


def edited_config(config: LifecycleConfig) -> LifecycleConfig:
    """Contacted renamed Reached Out, Verbal Agreement added after it, Interested removed,
    the first category renamed Prospecting."""
    template = config.default
    categories = []
    for category in template.categories:
        steps = []
        for step in category.steps:
            if step.key == "interested":
                continue
            if step.key == "contacted":
                steps += [
                    replace(step, name="Reached Out"),
                    Step("verbal_agreement", "Verbal Agreement", "open"),
                ]
            else:
                steps.append(step)
        name = "Prospecting" if category.key == "lead_generation" else category.name
        categories.append(replace(category, name=name, steps=tuple(steps)))
    others = tuple(t for t in config.templates if t.key != template.key)
    new = replace(template, categories=tuple(categories))
    return replace(config, templates=(new, *others))


@pytest.fixture
def people(service: ContactService) -> list[int]:
    names = ["Bea", "Carl", "Dora", "Emil", "Fay", "Gus", "Hana", "Ivo"]
    return [service.create_contact(f"{name} Example").id for name in names]


def visible_names(screen: ContactListScreen) -> list[str]:
    return [row.name for row in screen.table.window]


async def test_list_and_dashboard_follow_another_process_and_the_cursor_stays(
    backend, workspace, service, people, db_url
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, ContactListScreen)
        await pilot.press("j", "j", "j")  # on Emil
        await pilot.pause()
        assert screen.table.current_row.name == "Emil Example"
        dashboard = screen.query_one(DashboardBar)
        await wait_until(pilot, lambda: dashboard.counts is not None)
        assert dashboard.counts.open == len(people)

        # A colleague adds a contact that sorts above the cursor and renames another.
        elsewhere(
            workspace,
            db_url,
            "service.create_contact('Aaron Newcomer')\n"
            f"c = service.get_contact({people[5]})\n"
            f"service.update_contact(c.id, c.version, name='Gustav Renamed')\n",
        )
        await wait_until(
            pilot,
            lambda: (
                "Aaron Newcomer" in visible_names(screen)
                and "Gustav Renamed" in visible_names(screen)
                and dashboard.counts.open == len(people) + 1
            ),
        )
        assert screen.table.current_row.name == "Emil Example"  # the same contact
        assert screen.table.cursor_row == 4  # one row further down: Aaron came above
        assert screen.focused is screen.table
        text = screen_text(app)
        assert "Aaron Newcomer" in text and "Gustav Renamed" in text
        assert f"Open {len(people) + 1}" in text

        # The contact under the cursor is archived elsewhere: the cursor stays in place.
        elsewhere(workspace, db_url, f"service.archive({people[3]})\n")
        await wait_until(pilot, lambda: "Emil Example" not in visible_names(screen))
        assert screen.table.cursor_row == 4
        assert screen.table.current_row.name == "Fay Example"


async def test_ctrl_r_reloads_the_list_by_hand(workspace, service, people):
    app = ContactsApp(workspace)
    app.live.interval = 3600  # nothing comes by itself in this test
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        screen = app.screen
        await pilot.pause(0.3)  # the feed is open: this commit is after it
        service.create_contact("Aaron Newcomer")
        await pilot.press("ctrl+r")
        await settle_workers(pilot, rounds=3)
        assert visible_names(screen)[0] == "Aaron Newcomer"
        # In the help (generated from the bindings) and in the palette.
        assert "Reload" in {c.title for c in app.get_system_commands(screen)}
        help_rows = [row for _, rows in binding_groups(screen) for row in rows]
        assert any(d == "Reload" and "r" in keys.lower() for keys, d, _ in help_rows)


async def test_open_contact_follows_others_and_keeps_unsaved_edits(
    backend, workspace, service, people, db_url
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        detail = ContactDetailScreen(people[0])
        await app.push_screen(detail)
        await settle_workers(pilot, rounds=3)
        full_name = detail.query_one("#full_name", Input)
        full_name.focus()
        await pilot.press(*"Beatrice Example")
        await pilot.pause()
        assert detail.query_one(InfoPanel).dirty

        # Another field changes elsewhere: shown, and the edit stays, without a fuss.
        elsewhere(
            workspace,
            db_url,
            f"c = service.get_contact({people[0]})\n"
            "service.update_contact(c.id, c.version, name='Bea Renamed')\n",
        )
        await wait_until(pilot, lambda: detail.query_one("#name", Input).value == "Bea Renamed")
        assert full_name.value == "Beatrice Example"
        assert "Bea Renamed" in screen_text(app)
        assert detail.focused is full_name

        # The field being edited changes elsewhere: a notice, the edit still stays.
        elsewhere(
            workspace,
            db_url,
            f"c = service.get_contact({people[0]})\n"
            "service.update_contact(c.id, c.version, full_name='Beatrix Theirs')\n",
        )
        await wait_until(pilot, lambda: detail.detail.full_name == "Beatrix Theirs")
        await pilot.pause()
        assert full_name.value == "Beatrice Example"
        notice = "colleague changed Full Name while you were editing it"
        await wait_until(pilot, lambda: notice in toasts(app), seconds=1.0)
        assert "changed by colleague meanwhile" in screen_text(app)

        # Saving now asks whose value to keep (the version check), nothing is lost.
        await pilot.press("ctrl+s")
        await settle_workers(pilot, rounds=3)
        assert type(app.screen).__name__ == "ConflictDialog"


async def test_lifecycle_toml_changes_reach_a_running_session(workspace, service, people):
    contacted = people[0]
    interested = people[1]
    service.set_stage(contacted, "contacted")
    service.set_stage(interested, "interested")
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        detail = ContactDetailScreen(contacted)
        await app.push_screen(detail)
        await settle_workers(pilot, rounds=3)
        stepper = detail.query_one(LifecycleStepper)

        new = edited_config(workspace.config)
        write_by_rename(workspace.config_path, new)
        await wait_until(pilot, lambda: "Verbal Agreement" in screen_text(app))
        text = screen_text(app)
        assert "Reached Out" in text and "Interested" not in text
        assert stepper.template.step("verbal_agreement") is not None
        assert app.service.config == new

        # The list under it follows when it is back: dashboard category renamed.
        await pilot.press("escape", "escape")
        await settle_workers(pilot, rounds=3)
        assert isinstance(app.screen, ContactListScreen)
        await wait_until(pilot, lambda: "Prospecting" in screen_text(app))

        # A contact on the removed step shows it as no longer configured.
        # (at 100 columns the dashboard says it short: "at unknown step")
        await wait_until(pilot, lambda: "at unknown step" in screen_text(app))


async def test_a_broken_lifecycle_toml_keeps_the_last_good_one_and_says_where(
    workspace, service, people
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        before = app.service.config
        path = workspace.config_path
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        broken_line = next(n for n, line in enumerate(lines) if line.startswith("key = "))
        lines[broken_line] = 'key = "unterminated'
        temp = path.with_name(".lifecycle.toml.new")
        temp.write_text("\n".join(lines), encoding="utf-8")
        os.replace(temp, path)
        await wait_until(pilot, lambda: "lifecycle.toml not loaded" in toasts(app))
        shown = toasts(app)
        assert f"line {broken_line + 1}, column" in shown
        assert "last good configuration stays in use" in shown
        assert app.service.config is before

        # Fixed with a new step: in force, and said so.
        write_by_rename(path, edited_config(before))
        await wait_until(pilot, lambda: app.service.config.default.step("verbal_agreement"))
        await wait_until(pilot, lambda: "loads again" in toasts(app))


async def test_control_center_shows_the_file_another_admin_saved(workspace, service):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        await pilot.press("ctrl+o")
        await settle_workers(pilot, rounds=3)
        assert type(app.screen).__name__ == "ControlCenterScreen"
        write_by_rename(workspace.config_path, edited_config(workspace.config))
        await wait_until(pilot, lambda: "Verbal Agreement" in screen_text(app))
        assert "changed on disk" in screen_text(app)
        assert not app.screen.dirty


async def test_an_edit_that_cannot_change_the_counts_rereads_only_the_rows(
    workspace, service, people
):
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle_workers(pilot, rounds=3)
        screen = app.screen
        dashboard = screen.query_one(DashboardBar)
        await wait_until(pilot, lambda: dashboard.counts is not None)
        counted = []
        count = app.service.count
        app.service.count = lambda *args: counted.append(args) or count(*args)
        bea = service.get_contact(people[0])
        service.update_contact(bea.id, bea.version, name="Beatrix Example")
        await wait_until(pilot, lambda: "Beatrix Example" in visible_names(screen))
        await settle_workers(pilot, rounds=3)
        assert counted == []  # a rename: the counts stand

        service.archive(people[1])  # one fewer: counted again
        await wait_until(pilot, lambda: dashboard.counts.open == len(people) - 1)
        assert counted
