"""The app opens on real rows from the store and quits with q."""

from __future__ import annotations

import gc
import sys

from pilot_helpers import screen_text, settle

from contacts_tui import app as app_module
from contacts_tui.app import ContactsApp


async def test_app_shows_contacts_and_quits_with_q(workspace, service):
    service.create_contact("Ada Lovelace", "Analytical Engines Ltd")
    service.create_contact("Grace Hopper")
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for expected in (
            "Ada Lovelace",
            "Analytical Engi",  # Company gives way first (E-mail and Number keep their width)
            "Grace Hopper",
            "Tenant-Wide",
            "Open",
        ):
            assert expected in text, text
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_garbage_collection_paused_for_start_up_resumes_after_the_first_frame(
    workspace, service
):
    """cli.run_app pauses the collector while the app starts; the app must turn it back on,
    or every cycle made in a day's session would stay in memory."""
    service.create_contact("Ada Lovelace")
    app = ContactsApp(workspace)
    gc.disable()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # start-up's objects are left out of collections
            assert "Ada Lovelace" in screen_text(app)
    finally:
        gc.unfreeze()
        gc.enable()


async def test_the_app_leaves_garbage_collection_alone_when_it_was_not_paused(workspace):
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0


async def test_memory_is_returned_with_glibc_tuned_for_short_lived_reader_threads(
    workspace, monkeypatch
):
    calls = []

    class FakeGlibc:
        def mallopt(self, parameter, value):
            calls.append((parameter, value))

        def malloc_trim(self, pad):
            calls.append(("trim", pad))

    monkeypatch.setattr(app_module, "_glibc", FakeGlibc)
    monkeypatch.setattr(app_module, "MEMORY_TRIM_SECONDS", 0.01)
    app = ContactsApp(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
    assert (app_module.M_ARENA_MAX, 2) in calls
    assert (app_module.M_MMAP_THRESHOLD, app_module.LARGE_BLOCK) in calls
    assert ("trim", 0) in calls  # and trimmed on a timer after that


def test_glibc_is_found_on_linux():
    libc = app_module._glibc()
    if sys.platform.startswith("linux") and libc is not None:
        assert libc.mallopt(app_module.M_TRIM_THRESHOLD, app_module.LARGE_BLOCK) == 1
