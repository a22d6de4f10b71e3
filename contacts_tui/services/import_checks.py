"""The records of an import file, read and checked in order; a big file's in a second process.

Reading and checking a record (its phone number above all) takes about as long as
writing it. For a big file a second process reads and checks the records while this
one writes those before them: on two cores, an import takes the time of the slower
half, not of both. A small file is checked here, as starting a process takes longer
than checking it; so is every file on a machine of one core (`second_core`).

The second process is this module run by the same Python (`python -m`), not a
multiprocessing child: it needs nothing of the program that imports (the app's
replaced standard streams, its `__main__`), and hands its results over a pipe, which
holds the few chunks it may be ahead. If it cannot start or stops, the rest of the file
is checked here.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import contacts_tui
from contacts_tui.importer import (
    ContactDraft,
    ImportSource,
    RowRejected,
    Unreadable,
    check_contact,
)
from contacts_tui.validation import remember_shown_forms, shown_forms

if TYPE_CHECKING:
    from contacts_tui.services import ContactService

Checked = ContactDraft | Unreadable
"""A record ready to be written, or why it cannot be (RowRejected's reason included)."""

PARALLEL_FROM = 5000
"""Records from which a second process checks them: it starts in about a second."""
CONFIG_EVERY = 100
"""Records checked against one look at lifecycle.toml: an edit made during an import
applies from the next hundred on (a look at the file for each was ~5 % of checking it)."""
CHUNK = 250
"""Records the checking process hands over at a time (one pickled message each)."""


def checked_records(
    source: ImportSource, service: ContactService, *, strict: bool = False
) -> Generator[Checked, None, None]:
    """Each record of the file, checked (`check_contact`), in the order of the file."""
    if source.total >= PARALLEL_FROM and second_core():
        return _checked_elsewhere(source, service, strict)
    return _checked(source, service, strict)


def second_core() -> bool:
    """Whether the machine has a core for a second process, however busy it is.

    Once the pipe held more than one chunk (`_widen`), the second process paid at every
    load measured: 100,000 rows on two cores at a load of 3 to 16 took 30-51 s with it
    and 45-60 s without, pair by pair (bench/import_export-results.md). Before, it stood
    still while the importer wrote, and was kept to idle machines."""
    return (os.cpu_count() or 1) > 1


def _checked(
    source: ImportSource, service: ContactService, strict: bool, skip: int = 0
) -> Generator[Checked, None, None]:
    """The records after the first `skip`, checked."""
    config = service.current_config()
    name = source.name
    for n, record in enumerate(itertools.islice(source.records(), skip, None), 1):
        if isinstance(record, Unreadable):
            yield record
            continue
        if n % CONFIG_EVERY == 0:
            config = service.current_config()
        try:
            yield check_contact(record, service, strict=strict, file_name=name, config=config)
        except RowRejected as error:
            yield Unreadable(record.ref, str(error))


def _checked_elsewhere(
    source: ImportSource, service: ContactService, strict: bool
) -> Generator[Checked, None, None]:
    """_checked in a second process; it is stopped when this ends early (a cancel, a
    failed write)."""
    package_parent = str(Path(contacts_tui.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    try:
        worker = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        yield from _checked(source, service, strict)
        return
    _widen(worker.stdout)
    handed = 0
    try:
        assert worker.stdin is not None and worker.stdout is not None
        task = (CHUNK, source, service.config, service.user, service.config_path, strict)
        try:
            pickle.dump(task, worker.stdin)
            worker.stdin.close()
        except OSError:  # it stopped at once
            pass
        while True:
            try:
                message = pickle.load(worker.stdout)
            except Exception:  # it stopped (killed, no memory): the rest is checked here
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
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        if worker.stdout:
            worker.stdout.close()


PIPE_BYTES = 1 << 20
"""How much of the checked records the pipe holds while the importer writes (Linux)."""


def _widen(pipe: IO[bytes] | None) -> None:
    """Let the pipe hold PIPE_BYTES (about 3,500 checked records), where the system
    allows it.

    The importer reads nothing while it writes a batch (~0.3 s). A pipe holds 64 KB,
    less than one chunk of 250 records (~70 KB): the checking process stood still
    through every write, and the two took turns instead of working at once (100,000
    rows: 60 s of CPU in 55 s, on an idle machine).
    """
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if pipe is None or setting is None:
        return
    with contextlib.suppress(OSError):  # above the system's limit: the pipe stays as it is
        fcntl.fcntl(pipe.fileno(), setting, PIPE_BYTES)


def _check_for_importer(task_in: IO[bytes], out: IO[bytes]) -> None:
    """The second process: every record checked, CHUNK at a time, then None (or the
    error that stopped it, for the importer to raise)."""
    size, source, config, user, config_path, strict = pickle.load(task_in)
    from contacts_tui.services import ContactService

    service = ContactService(config, user, config_path=config_path)
    chunk: list[Checked] = []
    try:
        for item in _checked(source, service, strict):
            chunk.append(item)
            if len(chunk) >= size:
                pickle.dump((chunk, _forms(chunk)), out)
                out.flush()
                chunk = []
        pickle.dump((chunk, _forms(chunk)), out)
        pickle.dump(None, out)
    except BrokenPipeError:  # the importer stopped reading (a cancel)
        return
    except Exception as error:  # the file became unreadable midway, say: the importer says so
        pickle.dump(_sendable(error), out)
    out.flush()


def _forms(chunk: list[Checked]) -> dict[str, str]:
    return shown_forms(
        number
        for item in chunk
        if isinstance(item, ContactDraft)
        for number, _, _, _ in item.phones
    )


def _sendable(error: Exception) -> Exception:
    """The error itself when it can be pickled, else one that says the same."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


if __name__ == "__main__":
    # Ctrl-C at a terminal reaches the whole process group: the importer stops this
    # process itself, without a second traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not break the pickled stream
    _check_for_importer(sys.stdin.buffer, results)
