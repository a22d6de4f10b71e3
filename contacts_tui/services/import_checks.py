"""The records of an import file, read and checked in order; a big file's in a second process.

Reading and checking a record (its phone number above all) takes about as long as
writing it. For a big file a second process reads and checks the records while this
one writes those before them: on two cores, an import takes the time of the slower
half, not of both. A small file is checked here, as starting a process takes longer
than checking it.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contacts_tui.importer import (
    ContactDraft,
    ImportSource,
    RowRejected,
    Unreadable,
    check_contact,
)
from contacts_tui.validation import remember_shown_forms, shown_forms

if TYPE_CHECKING:
    from contacts_tui.lifecycle import LifecycleConfig
    from contacts_tui.services import ContactService

Checked = ContactDraft | Unreadable
"""A record ready to be written, or why it cannot be (RowRejected's reason included)."""

PARALLEL_FROM = 5000
"""Records from which a second process checks them: it starts in about a second."""
CHUNK = 250
"""Records the checking process hands over at a time (one pickled message each)."""
CHUNKS_AHEAD = 8
"""How far the checking process may run ahead of the writing: the memory of a few
chunks, however big the file."""
_WAIT_SECONDS = 1.0


def checked_records(
    source: ImportSource, service: ContactService, *, strict: bool = False
) -> Iterator[Checked]:
    """Each record of the file, checked (`check_contact`), in the order of the file."""
    if source.total >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        return _checked_elsewhere(source, service, strict)
    return _checked(source, service, strict)


def _checked(
    source: ImportSource, service: ContactService, strict: bool, skip: int = 0
) -> Iterator[Checked]:
    """The records after the first `skip`, checked."""
    for record in itertools.islice(source.records(), skip, None):
        if isinstance(record, Unreadable):
            yield record
            continue
        try:
            yield check_contact(record, service, strict=strict, file_name=source.name)
        except RowRejected as error:
            yield Unreadable(record.ref, str(error))


def _checked_elsewhere(
    source: ImportSource, service: ContactService, strict: bool
) -> Iterator[Checked]:
    """_checked in a second process, handed over in chunks; it is stopped when this ends
    early (a cancel, a failed write)."""
    # spawn, not fork: the app has threads (the import dialog's worker among them), and
    # a forked copy of a thread holding a lock would wait for it forever.
    context = multiprocessing.get_context("spawn")
    chunks = context.Queue(maxsize=CHUNKS_AHEAD)
    worker = context.Process(
        target=_check_in_worker,
        args=(chunks, CHUNK, source, service.config, service.user, service.config_path, strict),
        name="contacts-tui import checks",
        daemon=True,
    )
    worker.start()
    handed = 0
    try:
        while True:
            try:
                message = chunks.get(timeout=_WAIT_SECONDS)
            except queue.Empty:
                if worker.is_alive():
                    continue
                # It could not start (a program that imports this one without the
                # `if __name__ == "__main__"` guard spawn needs) or was killed: the rest
                # is checked here.
                yield from _checked(source, service, strict, skip=handed)
                return
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            items, forms = message
            # The list shows each primary number as the checking read it: not parsed twice.
            remember_shown_forms(forms)
            handed += len(items)
            yield from items
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()
        chunks.close()
        chunks.join_thread()


def _check_in_worker(
    chunks: Any,
    size: int,
    source: ImportSource,
    config: LifecycleConfig,
    user: str,
    config_path: Path | None,
    strict: bool,
) -> None:
    """The second process: every record checked, `size` at a time, then None (or the
    error that stopped it, for the importer to raise)."""
    from contacts_tui.services import ContactService

    service = ContactService(config, user, config_path=config_path)
    chunk: list[Checked] = []
    try:
        for item in _checked(source, service, strict):
            chunk.append(item)
            if len(chunk) >= size:
                chunks.put((chunk, _forms(chunk)))
                chunk = []
        chunks.put((chunk, _forms(chunk)))
        chunks.put(None)
    except Exception as error:  # the file became unreadable midway, say: the importer says so
        chunks.put(_sendable(error))


def _forms(chunk: list[Checked]) -> dict[str, str]:
    return shown_forms(
        number
        for item in chunk
        if isinstance(item, ContactDraft)
        for number, _, _, _ in item.phones
    )


def _sendable(error: Exception) -> Exception:
    """The error itself when it can be pickled, else one that says the same."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
