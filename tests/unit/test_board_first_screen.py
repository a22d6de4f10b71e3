"""The board's first screen read in one go equals its columns read one by one.

`BoardService.first_screen` skips the columns its counts say are empty and sorts the few
matches of a sparse column itself instead of walking the step by name: neither may change
what a column shows.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter
from contacts_tui.services.board import BoardService
from contacts_tui.store import reports as queries
from contacts_tui.store.database import with_connection

NOW = datetime(2026, 4, 1)


@pytest.fixture
def board(service) -> BoardService:
    add_demo_contacts(service.config, 120, "alice", seed=3)
    return BoardService(service)


def _one_by_one(board: BoardService, view: ContactFilter, limit: int) -> dict:
    template = board.contacts.config.default
    return {
        step.key: board.column(template, step.key, view, limit=limit, now=NOW)
        for step in template.steps()
    }


@pytest.mark.parametrize(
    "view",
    [
        ContactFilter(),
        ContactFilter(status="Closed"),  # most columns empty
        ContactFilter(search="a"),
        ContactFilter(segmentation="SMB"),
        ContactFilter(archived=True),
    ],
)
def test_first_screen_equals_the_columns_read_one_by_one(board, backend, view):
    template = board.contacts.config.default
    wanted = {step.key: 4 for step in template.steps()}
    counts, pages = board.first_screen(template, view, wanted)
    assert counts == board.counts(template, view)
    expected = _one_by_one(board, view, 4)
    # The days in a step count from the moment each read ran: compare all but those.
    shown = {k: ([c.id for c in p.cards], p.has_more) for k, p in pages.items()}
    assert shown == {k: ([c.id for c in p.cards], p.has_more) for k, p in expected.items()}
    assert set(pages) == set(wanted)
    if view == ContactFilter():
        assert sum(len(p.cards) for p in pages.values()) > 0


def test_a_sparse_column_is_sorted_the_same_way(board, backend):
    """The plan for a few matches (sorting them) gives the rows the name walk gives."""
    template = board.contacts.config.default
    service = board.contacts
    for view in (ContactFilter(search="a"), ContactFilter(status="Open")):
        condition = service.view_condition(view)
        for step in template.steps():
            read = with_connection(queries.column_page)
            walked = read(condition, template.key, step.key, None, 5)
            sorted_ = read(condition, template.key, step.key, None, 5, sparse=True)
            assert walked == sorted_
            if walked:
                after = walked[-1][3], walked[-1][0]
                assert read(condition, template.key, step.key, after, 5) == read(
                    condition, template.key, step.key, after, 5, sparse=True
                )


def test_the_first_screen_is_read_while_another_session_writes(board):
    """A write transaction held by another connection (a colleague's save, a report's
    first fill) does not keep the board from reading: its read takes no write lock."""
    import sqlite3

    template = board.contacts.config.default
    path = with_connection(lambda: queries.Contact._meta.database.obj.database)()
    other = sqlite3.connect(path, timeout=0.1)
    try:
        other.execute("BEGIN IMMEDIATE")
        counts, pages = board.first_screen(template, ContactFilter(), {"new_lead": 3})
        assert counts and set(pages) == {"new_lead"}
    finally:
        other.rollback()
        other.close()
