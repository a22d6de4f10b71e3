"""`migrate --to`: a SQLite workspace copied into an empty PostgreSQL database, verified."""

from __future__ import annotations

import hashlib

import peewee
import pytest
from conftest import _pg_params, fresh_pg_url

from contacts_tui.cli import main
from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter, ContactService
from contacts_tui.store import listing, to_postgres
from contacts_tui.store.database import with_connection
from contacts_tui.workspace import open_workspace

CONTACTS = 600
SEARCHES = ("a", "jo", "ma s", "ad")  # short terms: PostgreSQL counts them by word codes


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Every table of more than a few hundred rows is copied in several batches, as a big
    workspace's are, without a big workspace's time."""
    monkeypatch.setattr(to_postgres, "BATCH_ROWS", 700)


def file_hash(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def close(ws) -> None:
    if hasattr(ws.database, "close_all"):
        ws.database.close_all()
    else:
        ws.database.close()


@pytest.fixture
def sqlite_workspace(tmp_path):
    """A SQLite workspace with demo contacts and a few rows of every kind the demo skips."""
    home = tmp_path / "ws"
    ws = open_workspace(home)
    add_demo_contacts(ws.config, CONTACTS, ws.user, seed=3)
    service = ContactService(ws.config, ws.user)
    ada = service.create_contact("Ada Lovelace ✓ «quoted» 'x'", company="Analytical Engines")
    account = service.create_account("North")
    service.update_contact(ada.id, ada.version, accounts=[account.id], scoring=77)
    service.archive(service.create_contact("Gone").id)
    service.archive_account(account.id)
    # Text COPY must carry as it is: a backslash, the two characters \N (not NULL), a
    # tab and a line break (an edited note in the audit log can hold both).
    odd = service.create_contact("back\\slash \\N")
    with ws.database.connection_context():
        ws.database.execute_sql(
            "UPDATE audit_entry SET new_value = ? WHERE contact_id = ?", ("a\tb\nc\\", odd.id)
        )
    expected = {
        "count": service.count(),
        "archived": service.count(ContactFilter(archived=True)),
        "first_page": [
            r.name for r in service.list_page(ContactFilter(), "name", False, limit=20).rows
        ],
        "dashboard": service.dashboard(),
        "searched": {term: service.dashboard(ContactFilter(search=term)) for term in SEARCHES},
        "ada": service.get_contact(ada.id),
        "odd": service.get_contact(odd.id),
    }
    close(ws)
    return home, expected


def pg_count(url: str, table: str) -> int:
    db = peewee.PostgresqlDatabase(**_pg_params(url))
    with db.connection_context():
        if not db.table_exists(table):
            return 0
        return db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def test_migrate_copies_every_table_and_the_app_runs_on_the_result(
    sqlite_workspace, pg_server_url, capsys
):
    home, expected = sqlite_workspace
    url = fresh_pg_url(pg_server_url)
    before = file_hash(home / "contacts.db")
    assert main(["--home", str(home), "migrate", "--to", url]) == 0
    out, err = capsys.readouterr()
    tables = {line.split("\t")[0]: int(line.split("\t")[1]) for line in out.splitlines()}
    assert tables["contact"] == CONTACTS + 3
    copied = {"email", "phone", "address", "stage_change", "audit_entry", "contact_account"}
    assert copied | {"contact_tally", "stage_day", "created_day"} <= set(tables)
    assert "every count and checksum matches" in err
    assert file_hash(home / "contacts.db") == before  # the source is only read

    ws = open_workspace(home, db_url=url)
    try:
        # Analyzed by the copy: the planner knows the sizes before autovacuum comes by.
        with ws.database.connection_context():
            estimate, pages, visible = ws.database.execute_sql(
                "SELECT reltuples, relpages, relallvisible FROM pg_class WHERE relname = 'contact'"
            ).fetchone()
        assert estimate == CONTACTS + 3
        # Vacuumed: counts read the indexes alone from the first query on.
        assert visible == pages > 0
        service = ContactService(ws.config, ws.user)
        assert service.count() == expected["count"]
        assert service.count(ContactFilter(archived=True)) == expected["archived"]
        page = service.list_page(ContactFilter(), "name", False, limit=20)
        assert [r.name for r in page.rows] == expected["first_page"]
        assert service.dashboard() == expected["dashboard"]
        # Each word came with its contact's count key (read from SQLite's letters).
        assert with_connection(listing._matching_codes)("jo")
        for term in SEARCHES:
            assert service.dashboard(ContactFilter(search=term)) == expected["searched"][term]
        ada = service.get_contact(expected["ada"].id)
        assert (ada.name, ada.scoring, ada.created_at) == (
            expected["ada"].name,
            77,
            expected["ada"].created_at,
        )
        assert [a.name for a in ada.accounts] == ["North"]
        odd = service.get_contact(expected["odd"].id)
        assert odd.name == "back\\slash \\N"
        assert [a.new_value for a in odd.audit] == ["a\tb\nc\\"]
        assert odd.scoring is None
        # New rows take ids after the copied ones (the sequences were moved on).
        new = service.create_contact("After the move")
        assert new.id > ada.id
        assert service.set_stage(new.id, "qualified").stage == "qualified"
    finally:
        close(ws)
    assert main(["--home", str(home), "--db", url, "check"]) == 0


def test_a_target_with_rows_is_refused_and_left_alone(sqlite_workspace, pg_server_url, capsys):
    home, _ = sqlite_workspace
    url = fresh_pg_url(pg_server_url)
    db = peewee.PostgresqlDatabase(**_pg_params(url))
    with db.connection_context():
        db.execute_sql("CREATE TABLE notes (body text)")
        db.execute_sql("INSERT INTO notes VALUES ('keep me')")
    assert main(["--home", str(home), "migrate", "--to", url]) == 2
    err = capsys.readouterr().err
    assert "not empty (table notes has rows)" in err
    assert len(err.strip().splitlines()) == 1
    assert pg_count(url, "notes") == 1
    assert pg_count(url, "contact") == 0


def test_a_copy_that_does_not_verify_is_undone(
    sqlite_workspace, pg_server_url, capsys, monkeypatch
):
    home, _ = sqlite_workspace
    url = fresh_pg_url(pg_server_url)
    real = to_postgres.checksum

    def damaged_on_postgres(db, table, columns):
        digest = real(db, table, columns)
        return digest[::-1] if table == "email" else digest

    with monkeypatch.context() as patched:
        patched.setattr(to_postgres, "checksum", damaged_on_postgres)
        assert main(["--home", str(home), "migrate", "--to", url]) == 2
    assert (
        "email: the copied rows differ from SQLite's (checksum); undone" in capsys.readouterr().err
    )
    assert pg_count(url, "contact") == 0  # not a row left behind
    assert main(["--home", str(home), "migrate", "--to", url]) == 0  # and it can run again
    assert pg_count(url, "contact") == CONTACTS + 3


def test_migrate_wants_a_postgresql_url(tmp_path, capsys):
    assert main(["--home", str(tmp_path / "ws"), "migrate", "--to", "sqlite:///x.db"]) == 2
    assert "postgresql://" in capsys.readouterr().err


def test_a_table_is_read_from_postgresql_a_batch_at_a_time(
    sqlite_workspace, pg_server_url, monkeypatch
):
    """The copy's checksum reads each PostgreSQL table through a server-side cursor: an
    ordinary psycopg2 cursor holds the whole result in memory (~1 GB at a million
    contacts)."""
    home, _ = sqlite_workspace
    url = fresh_pg_url(pg_server_url)
    assert main(["--home", str(home), "migrate", "--to", url]) == 0
    monkeypatch.setattr(to_postgres, "BATCH_ROWS", 100)
    ws = open_workspace(home, db_url=url)
    try:
        db = ws.database
        with db.connection_context():
            open_cursors = (
                "SELECT count(*) FROM pg_cursors WHERE starts_with(name, 'contacts_tui_read_')"
            )
            batches = to_postgres._batches(db, "contact", ("id", "name"))
            first = next(batches)
            assert len(first) == 100
            assert db.execute_sql(open_cursors).fetchone() == (1,)
            rest = [row for rows in batches for row in rows]
            assert len(first) + len(rest) == CONTACTS + 3
            assert [r[0] for r in first + rest] == sorted(r[0] for r in first + rest)
            assert db.execute_sql(open_cursors).fetchone() == (0,)
    finally:
        close(ws)
