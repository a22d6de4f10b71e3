"""What a closed dialog and a finished worker leave behind: nothing that stays.

Textual's widgets hold each other in cycles (a widget's styles name the widget), so a
closed dialog is freed by Python's cyclic collector, not at once. These tests make sure
nothing else holds it: then `gc.collect()` frees it, where before a pool thread and a
cache of Textual's kept it, and its drawings, for the rest of the session.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from pilot_helpers import until
from test_contact_list import SIZE, settle
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from contacts_tui.app import ContactsApp
from contacts_tui.demo import add_demo_contacts
from contacts_tui.dialogs.filter_dialog import FilterDialog
from contacts_tui.widgets.reporting import reported_work
from contacts_tui.widgets.textual_leaks import stop_styles_cache_leak


@contextmanager
def no_cyclic_collection() -> Iterator[None]:
    """Only reference counting frees anything inside (as between two collections)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def test_a_closed_filter_dialog_and_what_it_drew_are_not_kept(workspace, service):
    add_demo_contacts(workspace.config, 200, workspace.user, seed=7)
    app = ContactsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterDialog), "open")
        dialog = app.screen
        await until(pilot, lambda: not any(app.workers), "done reading the choices")
        await pilot.pause()
        closed = weakref.ref(dialog)
        drawn = [weakref.ref(widget._styles_cache) for widget in dialog.walk_children()]
        assert len(drawn) > 40
        del dialog
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, FilterDialog), "closed")
        await pilot.pause()
        gc.collect()
        assert closed() is None, "the closed dialog is still held"
        assert [ref for ref in drawn if ref() is not None] == []


class Reads(Static):
    @reported_work(thread=True)
    def read_in_a_thread(self, size: int) -> list[int]:
        return list(range(size))

    @reported_work
    async def read_here(self, size: int) -> list[int]:
        return list(range(size))


class ReadsApp(App):
    def compose(self) -> ComposeResult:
        yield Reads()


async def test_a_finished_worker_and_its_result_go_without_the_cyclic_collector():
    app = ReadsApp()
    async with app.run_test() as pilot:
        reads = app.query_one(Reads)
        with no_cyclic_collection():
            for start in (reads.read_in_a_thread, reads.read_here):
                worker = start(100_000)
                await worker.wait()
                assert worker.result == list(range(100_000))
                finished = weakref.ref(worker)
                del worker
                await until(pilot, lambda: not any(app.workers), "forgotten by Textual")
                await pilot.pause()
                assert finished() is None, f"{start.__name__}: its worker is still held"


def test_inner_and_outer_colours_are_cached_by_colour_not_by_widget():
    from textual._styles_cache import StylesCache

    stop_styles_cache_leak()
    stop_styles_cache_leak()  # twice is once
    base, background = Color(10, 20, 30), Color(200, 100, 0, 0.5)
    cache = StylesCache()
    inner, outer = cache.get_inner_outer(base, background)
    assert (inner.background, outer.background) == (base + background, base)
    assert StylesCache().get_inner_outer(base, background) == (inner, outer)
    kept = weakref.ref(cache)
    del cache
    assert kept() is None
