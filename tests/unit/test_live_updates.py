"""Noticing other sessions' work: the database change feed, lifecycle.toml on disk, the watcher."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from contacts_tui import lifecycle
from contacts_tui.demo import add_demo_contacts
from contacts_tui.lifecycle import LifecycleConfig, Step
from contacts_tui.lifecycle_file import LifecycleFile
from contacts_tui.services.live import LiveUpdates
from contacts_tui.store.change_feed import MAX_IDS, RING, Committed, open_change_feed, told_by

NEVER = threading.Event()


def write_by_rename(path: Path, text: str) -> None:
    """Save the way editors do: a new file renamed over the old one."""
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def with_step_added(config: LifecycleConfig, after: str, step: Step) -> LifecycleConfig:
    template = config.default
    categories = tuple(
        replace(
            category,
            steps=tuple(
                s for old in category.steps for s in ((old, step) if old.key == after else (old,))
            ),
        )
        for category in template.categories
    )
    others = tuple(t for t in config.templates if t.key != template.key)
    return replace(config, templates=(replace(template, categories=categories), *others))


def writer_process(workspace, name: str, db_url: str | None = None) -> None:
    """Add a contact from another process, as a colleague's session would."""
    code = (
        "import sys; from pathlib import Path\n"
        "from contacts_tui.workspace import open_workspace\n"
        "from contacts_tui.services import ContactService\n"
        "ws = open_workspace(Path(sys.argv[1]), db_url=sys.argv[3] or None)\n"
        "ContactService(ws.config, 'colleague').create_contact(sys.argv[2])\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(workspace.folder), name, db_url or ""],
        check=True,
        timeout=60,
    )


# ----- the change feed --------------------------------------------------------------------


def test_feed_sees_a_commit_of_another_process_and_of_another_connection(
    backend, workspace, service, pg_url_or_none
):
    feed = open_change_feed(workspace.database)
    try:
        assert feed.wait(0.01, NEVER) is None
        writer_process(workspace, "Ada from elsewhere", pg_url_or_none)
        assert feed.wait(1.0, NEVER) is not None
        assert feed.wait(0.01, NEVER) is None  # told once
        service.create_contact("Grace, same process, own connection")
        assert feed.wait(1.0, NEVER) is not None
        service.list_page()  # reads commit nothing
        assert feed.wait(0.01, NEVER) is None
    finally:
        feed.close()


def test_feed_tells_which_contacts_changed_and_whether_the_counts_may_have(
    backend, workspace, service
):
    contact = service.create_contact("Ada Lovelace")
    account = service.create_account("Key accounts")
    feed = open_change_feed(workspace.database)
    try:
        renamed = service.update_contact(contact.id, contact.version, name="Ada King")
        assert feed.wait(1.0, NEVER) == Committed(True, False, frozenset({contact.id}))
        moved = service.set_stage(contact.id, "contacted", version=renamed.version)
        assert feed.wait(1.0, NEVER) == Committed(True, True, frozenset({contact.id}))
        service.update_contact(contact.id, moved.version, accounts=[account.id])
        assert feed.wait(1.0, NEVER) == Committed(True, True, frozenset({contact.id}))
        service.archive(contact.id)
        assert feed.wait(1.0, NEVER) == Committed(True, True, frozenset({contact.id}))
        service.create_account("Others")  # no contact touched
        assert feed.wait(1.0, NEVER) == Committed(contacts=False, counts=False)
        grace = service.create_contact("Grace Hopper")
        assert feed.wait(1.0, NEVER) == Committed(True, True, frozenset({grace.id}))
        # Commits between two looks are told together.
        hopper = service.update_contact(grace.id, grace.version, name="Grace B. Hopper")
        service.update_contact(contact.id, service.get_contact(contact.id).version, name="A")
        assert feed.wait(1.0, NEVER) == Committed(True, False, frozenset({grace.id, contact.id}))
        service.update_contact(grace.id, hopper.version, name="Grace Hopper")
        assert feed.wait(1.0, NEVER) == Committed(True, False, frozenset({grace.id}))
    finally:
        feed.close()


def test_feed_says_any_contact_when_too_many_changed_to_name_them(backend, workspace, service):
    add_demo_contacts(workspace.config, MAX_IDS + 1, workspace.user, seed=7)
    feed = open_change_feed(workspace.database)
    try:
        # One statement: on PostgreSQL one notification, too many ids to name.
        with workspace.database.connection_context():
            workspace.database.execute_sql("UPDATE contact SET full_name = full_name || '.'")
        told = feed.wait(1.0, NEVER)
        assert told == Committed(contacts=True, counts=False, contact_ids=None)
        some = service.list_page(limit=2).rows
        for row in some:  # one by one
            service.update_contact(row.id, service.get_contact(row.id).version, name="N")
        told = feed.wait(1.0, NEVER)
        assert told == Committed(True, False, frozenset(row.id for row in some))
    finally:
        feed.close()


def test_sqlite_feed_falls_back_to_any_contact_once_the_ring_was_reused(workspace, service):
    contact = service.create_contact("Ada")
    feed = open_change_feed(workspace.database)
    try:
        db = workspace.database
        with db.connection_context(), db.atomic():
            for n in range(RING + 1):  # one more change than the ring holds
                db.execute_sql("UPDATE contact SET full_name = ? WHERE id = ?", (n, contact.id))
        assert feed.wait(1.0, NEVER) == Committed(True, False, contact_ids=None)
        service.update_contact(contact.id, contact.version, name="Ada again")
        assert feed.wait(1.0, NEVER) == Committed(True, False, frozenset({contact.id}))
    finally:
        feed.close()


def test_postgresql_payloads_are_read_with_their_ids():
    assert told_by("rows:3,17") == Committed(True, False, frozenset({3, 17}))
    assert told_by("counts:5") == Committed(True, True, frozenset({5}))
    assert told_by("counts") == Committed(True, True, None)  # too many to name
    assert told_by("rows") == Committed(True, False, None)
    assert told_by("other") == Committed(False, False)
    assert told_by("something newer") == Committed(True, True, None)
    assert told_by("rows:3,x") == Committed(True, False, None)


def test_told_together_is_the_union_or_any_beyond_max_ids():
    a = Committed(True, False, frozenset({1}))
    assert a | None == a
    assert a | Committed(False, False) == a
    assert a | Committed(True, True, frozenset({2})) == Committed(True, True, frozenset({1, 2}))
    assert a | Committed(True, False, None) == Committed(True, False, None)
    many = Committed(True, False, frozenset(range(2, MAX_IDS + 2)))
    assert (a | many).contact_ids is None


def test_sqlite_feed_polls_once_per_wait_and_holds_no_transaction(workspace, service):
    feed = open_change_feed(workspace.database)
    try:
        for _ in range(3):
            feed.wait(0.0, NEVER)
        assert feed.polls == 4  # the first version read, then one a wait
        assert feed._connection.in_transaction is False
        # A writer is never held up by the feed's connection (it holds no lock).
        service.create_contact("Written while the feed watches")
        assert feed.wait(0.0, NEVER) is not None
    finally:
        feed.close()


# ----- lifecycle.toml on disk -------------------------------------------------------------


def test_lifecycle_file_follows_editors_and_keeps_the_last_good_config(workspace):
    path = workspace.config_path
    watched = LifecycleFile(path, workspace.config)
    assert watched.check() is None  # nothing changed

    verbal = Step("verbal_agreement", "Verbal Agreement", "open")
    added = with_step_added(workspace.config, "contacted", verbal)
    write_by_rename(path, lifecycle.dumps(added))
    change = watched.check()
    assert change is not None and change.config == added
    assert watched.check() is None

    # Rewritten byte for byte the same: not news for the sessions.
    write_by_rename(path, lifecycle.dumps(added))
    assert watched.check() is None

    broken = lifecycle.dumps(added).replace('key = "verbal_agreement"', 'key = "verbal', 1)
    write_by_rename(path, broken)
    change = watched.check()
    line = broken[: broken.index('key = "verbal\n')].count("\n") + 1
    assert change is not None and change.config is None
    assert str(path) in change.problem and f"line {line}, column" in change.problem
    assert watched.config == added  # the last good one stays in force
    assert watched.check() is None  # said once

    write_by_rename(path, lifecycle.dumps(added))  # fixed: the notice can go
    change = watched.check()
    assert change is not None and change.config == added and watched.problem == ""


def test_lifecycle_file_rewritten_in_place_is_noticed(workspace):
    path = workspace.config_path
    watched = LifecycleFile(path, workspace.config)
    text = path.read_text(encoding="utf-8")
    renamed = text.replace('name = "Contacted"', 'name = "Reached Out"', 1)
    assert renamed != text
    with open(path, "r+", encoding="utf-8") as handle:  # same inode, and maybe the same second
        handle.write(renamed)
        handle.truncate()
    change = watched.check()
    assert change is not None
    assert change.config.default.step("contacted").name == "Reached Out"


# ----- the watcher ------------------------------------------------------------------------


def test_watcher_reports_commits_and_lifecycle_changes_from_its_thread(backend, workspace, service):
    commits = threading.Event()
    changes = []
    changed = threading.Event()

    def on_lifecycle(change):
        changes.append(change)
        changed.set()

    live = LiveUpdates(
        workspace.database,
        LifecycleFile(workspace.config_path, workspace.config),
        on_commit=lambda committed: commits.set(),
        on_lifecycle=on_lifecycle,
        interval=0.1,
    )
    live.start()
    try:
        time.sleep(0.3)  # the feed is open
        assert not commits.is_set()
        service.create_contact("Someone new")
        assert commits.wait(2.0)
        verbal = Step("verbal_agreement", "Verbal Agreement", "open")
        write_by_rename(
            workspace.config_path,
            lifecycle.dumps(with_step_added(workspace.config, "contacted", verbal)),
        )
        assert changed.wait(2.0)
        assert changes[0].config.default.step("verbal_agreement") == verbal
        if backend == "sqlite":
            started = live.polls
            time.sleep(1.0)
            assert live.polls - started <= 12  # one query an interval (0.1 s here)
    finally:
        live.stop()


@pytest.fixture
def pg_url_or_none(backend, request) -> str | None:
    """The database URL a writer process needs (None: the workspace's SQLite file)."""
    return None if backend == "sqlite" else request.getfixturevalue("pg_server_url")
