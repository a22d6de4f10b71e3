"""StoppableReads: a read that a newer one made useless is stopped mid-query, quietly."""

from __future__ import annotations

import threading
import time

import peewee
import pytest

from contacts_tui.services import ContactFilter
from contacts_tui.store.database import ReadStopped, StoppableReads, is_postgres, with_connection
from contacts_tui.store.models import database

STOP_WITHIN = 5.0  # seconds; the slow query alone runs for far longer


@with_connection
def slow_read(started: threading.Event) -> int:
    """A query that runs for about 20 s (on PostgreSQL 60 s) unless it is stopped."""
    started.set()
    if is_postgres():
        database.execute_sql("SELECT pg_sleep(60)")
        return 0
    sql = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000000) "
        "SELECT max(x) FROM n"
    )
    return database.execute_sql(sql).fetchone()[0]


def read_in_thread(reads: StoppableReads, ticket: int) -> tuple[threading.Thread, dict]:
    outcome: dict = {"started": threading.Event()}

    def run() -> None:
        try:
            with reads.reading(ticket):
                outcome["result"] = slow_read(outcome["started"])
        except BaseException as error:  # the test looks at what it was
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_stop_all_interrupts_a_running_query_and_it_raises_read_stopped(backend, workspace):
    reads = StoppableReads()
    thread, outcome = read_in_thread(reads, reads.ticket())
    assert outcome["started"].wait(STOP_WITHIN)
    time.sleep(0.2)  # the query itself is running, not only the call
    began = time.perf_counter()
    reads.stop_all()
    thread.join(STOP_WITHIN)
    assert not thread.is_alive(), "the query ran on after stop_all"
    assert time.perf_counter() - began < STOP_WITHIN
    assert isinstance(outcome.get("error"), ReadStopped)
    assert isinstance(outcome["error"].__cause__, peewee.OperationalError | peewee.DatabaseError)


def test_a_read_asked_for_before_stop_all_does_not_run_at_all(workspace):
    reads = StoppableReads()
    ticket = reads.ticket()
    reads.stop_all()  # the worker thread had not started yet when the view changed
    thread, outcome = read_in_thread(reads, ticket)
    thread.join(STOP_WITHIN)
    assert isinstance(outcome.get("error"), ReadStopped)
    assert not outcome["started"].is_set()


def test_reads_after_a_stop_work_and_errors_of_unstopped_reads_are_not_hidden(backend, service):
    reads = StoppableReads()
    thread, outcome = read_in_thread(reads, reads.ticket())
    assert outcome["started"].wait(STOP_WITHIN)
    time.sleep(0.2)
    reads.stop_all()
    thread.join(STOP_WITHIN)

    service.create_contact("Mara Stone")
    with reads.reading(reads.ticket()):  # a new ticket: this one runs
        assert service.count(ContactFilter(search="mara")) == 1

    @with_connection
    def broken() -> None:
        database.execute_sql("SELECT * FROM no_such_table")

    with reads.reading(reads.ticket()), pytest.raises(peewee.DatabaseError):
        broken()
