"""An import holds the cyclic garbage collector back while it writes, and gives it back."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from contacts_tui.services import collector, imports


def write_people(path, count: int) -> None:
    lines = ["Name,E-mail"] + [f"Person {n},p{n}@example.com" for n in range(count)]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def collecting():
    """The collector on for the test, and as it was after it."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_while_batches_are_written_and_on_after(
    service, tmp_path, monkeypatch, collecting
):
    path = tmp_path / "people.csv"
    write_people(path, 60)
    during: list[bool] = []
    original = imports._write_batch

    def write_batch(run, batch):
        during.append(gc.isenabled())
        return original(run, batch)

    monkeypatch.setattr(imports, "_write_batch", write_batch)
    summary = imports.import_contacts(service, path, batch_size=20)
    assert summary.imported == 60 and service.count() == 60
    assert during == [False, False, False]
    assert gc.isenabled()


def test_a_failed_import_gives_the_collector_back(service, tmp_path, monkeypatch, collecting):
    path = tmp_path / "people.csv"
    write_people(path, 30)

    def failing(run, batch):
        raise OSError("disk gone")

    monkeypatch.setattr(imports, "_write_batch", failing)
    with pytest.raises(OSError):
        imports.import_contacts(service, path)
    assert gc.isenabled()


def test_a_collector_paused_before_the_import_stays_paused(service, tmp_path, collecting):
    # The TUI pauses it for its own start and resumes it itself.
    path = tmp_path / "people.csv"
    write_people(path, 5)
    gc.disable()
    imports.import_contacts(service, path)
    assert not gc.isenabled()


def test_overlapping_holds_give_it_back_when_the_last_ends(collecting):
    # Two checks of the import dialog may overlap for a moment, in two threads.
    first_in, second_done = threading.Event(), threading.Event()

    def first() -> None:
        with collector.held_back():
            first_in.set()
            second_done.wait(5)
            assert not gc.isenabled()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(5)
    with collector.held_back():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the first still holds it
    second_done.set()
    thread.join(5)
    assert gc.isenabled()


def test_tidy_frees_cycles_made_while_held_back(collecting):
    class Node:
        pass

    with collector.held_back():
        node = Node()
        node.me = node  # a cycle: only the collector frees it
        ref = weakref.ref(node)
        del node
        assert ref() is not None  # no automatic collection meanwhile
        collector.tidy()
        assert ref() is None
