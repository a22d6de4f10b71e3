"""The store on SQLite and PostgreSQL: migrations, indexes, keyset pages and search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee
import pytest

from contacts_tui import check
from contacts_tui.demo import add_demo_contacts
from contacts_tui.services import ContactFilter
from contacts_tui.store import SORT_KEYS
from contacts_tui.store import database as store_database
from contacts_tui.store.database import StoreError, connect_sqlite, migrate, open_database
from contacts_tui.store.listing import SORT_COLUMNS
from contacts_tui.store.models import Contact, Email, database


def test_every_sort_key_has_its_column():
    """The command line offers SORT_KEYS without loading the store; the list sorts by
    SORT_COLUMNS: the two must name the same sorts."""
    assert sorted(SORT_COLUMNS) == sorted(SORT_KEYS)


def test_migrations_are_recorded_and_idempotent(workspace, backend):
    with database.connection_context():
        assert migrate(workspace.database) == []
        applied = [r[0] for r in database.execute_sql("SELECT name FROM schema_migration")]
    # Every migration file, in order (0002 added an index for the list's counts).
    assert applied == sorted(p.stem for p in store_database.MIGRATIONS.glob("[0-9]*.py"))
    assert applied[0] == "0001_initial"


def test_a_pending_migration_is_applied_when_the_workspace_opens(workspace, backend):
    """A database from the previous release (here: without 0002) is brought up to date."""
    with database.connection_context():
        database.execute_sql("DROP INDEX contact_list_counts")
        database.execute_sql("DELETE FROM schema_migration WHERE name = '0002_list_counts_index'")
        assert "contact_list_counts" not in {i.name for i in database.get_indexes("contact")}
    open_database(workspace.database)
    with database.connection_context():
        assert "contact_list_counts" in {i.name for i in database.get_indexes("contact")}
        assert "0002_list_counts_index" in store_database.applied_migrations(database)


def test_database_from_a_newer_app_is_refused(workspace, backend):
    with database.connection_context():
        database.execute_sql(
            "INSERT INTO schema_migration (name, applied) VALUES ('0999_future', '2030-01-01')"
        )
    with pytest.raises(StoreError, match="newer version of contacts-tui"):
        open_database(workspace.database)


def test_failed_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_half.py").write_text(
        "def up(migrator, db):\n"
        "    db.execute_sql('CREATE TABLE kept_out (id INTEGER)')\n"
        "    raise RuntimeError('boom')\n"
    )
    monkeypatch.setattr(store_database, "MIGRATIONS", folder)
    db = connect_sqlite(tmp_path / "x.db")
    with pytest.raises(StoreError, match="Updating the database schema failed: boom"):
        open_database(db)
    with db.connection_context():
        assert "kept_out" not in db.get_tables()
        assert db.execute_sql("SELECT COUNT(*) FROM schema_migration").fetchone()[0] == 0


def test_sqlite_connection_pragmas(workspace):
    with database.connection_context():
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_sqlite_writes_begin_immediate(workspace):
    """A write transaction takes the write lock at BEGIN, so two writers never deadlock."""
    path = workspace.folder / "contacts.db"
    with database.connection_context(), database.atomic():
        other = sqlite3.connect(path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_one_primary_per_contact_is_enforced_by_the_database(service, backend):
    contact = service.create_contact("Ada")
    with database.connection_context():
        Email.create(contact=contact.id, email="a@example.com", is_primary=True)
        Email.create(contact=contact.id, email="b@example.com", is_primary=False)
        with pytest.raises(peewee.IntegrityError), database.atomic():
            Email.create(contact=contact.id, email="c@example.com", is_primary=True)


def _all_in_order(sort: str, descending: bool) -> list[int]:
    column = SORT_COLUMNS[sort]
    keys = [column, Contact.name_key, Contact.id] if sort != "name" else [column, Contact.id]
    order = [k.desc() if descending else k.asc() for k in keys]
    with database.connection_context():
        query = Contact.select(Contact.id).where(Contact.archived == False).order_by(*order)  # noqa: E712
        return [i for (i,) in query.tuples()]


@pytest.fixture
def demo_service(workspace, service):
    add_demo_contacts(workspace.config, 120, workspace.user, seed=3)
    return service


@pytest.mark.parametrize("sort", sorted(SORT_COLUMNS))
def test_keyset_pages_walk_every_sort_order_forwards_and_backwards(demo_service, backend, sort):
    for descending in (False, True):
        expected = _all_in_order(sort, descending)
        seen, after = [], None
        while True:
            page = demo_service.list_page(sort=sort, descending=descending, after=after, limit=25)
            seen += [r.id for r in page.rows]
            if not page.has_more:
                break
            after = page.rows[-1].sort_key
        assert seen == expected
        # From the end: the last page, then pages above it.
        last = demo_service.list_page(sort=sort, descending=descending, backwards=True, limit=25)
        assert [r.id for r in last.rows] == expected[-25:]
        above = demo_service.list_page(
            sort=sort, descending=descending, after=last.rows[0].sort_key, backwards=True, limit=25
        )
        assert [r.id for r in above.rows] == expected[-50:-25]


@pytest.fixture
def searchable(service):
    jose = service.create_contact("José Martínez", "Acme Ltd")
    service.create_contact("Maria Olsen")
    service.create_contact("Xavier Ng")
    with database.connection_context(), database.atomic():
        from contacts_tui.services import refresh_derived
        from contacts_tui.store.models import Phone

        Phone.create(contact=jose.id, number="+447123456789", is_primary=True)
        Email.create(contact=jose.id, email="jose@example.com", is_primary=True)
        refresh_derived(jose.id)
    return service


@pytest.mark.parametrize(
    ("term", "names"),
    [
        ("jose", ["José Martínez"]),  # accents folded
        ("MARTÍNEZ", ["José Martínez"]),
        ("mar", ["José Martínez", "Maria Olsen"]),
        ("ma", ["José Martínez", "Maria Olsen"]),  # two characters: the start of a word
        ("x", ["Xavier Ng"]),
        ("jo", ["José Martínez"]),  # prefix of the e-mail
        ("4471", ["José Martínez"]),  # phone digits, whatever the formatting
        ("+44 71", ["José Martínez"]),
        ("acme", ["José Martínez"]),  # company
        ("example.com", ["José Martínez"]),
        ("jose mar", ["José Martínez"]),  # every term must match
        ("olsen ng", []),
        ("100%", []),  # LIKE wildcards are literal
        ('"', []),  # FTS syntax characters are literal
    ],
)
def test_search(searchable, backend, term, names):
    page = searchable.list_page(ContactFilter(search=term))
    assert sorted(r.name for r in page.rows) == names
    assert searchable.count(ContactFilter(search=term)) == len(names)


def test_search_index_follows_renames_and_deletes(searchable, backend):
    (jose,) = searchable.list_page(ContactFilter(search="jose")).rows
    detail = searchable.get_contact(jose.id)
    searchable.update_contact(jose.id, detail.version, name="Pepe Martínez")
    assert searchable.count(ContactFilter(search="pepe")) == 1
    with database.connection_context():
        Contact.delete().where(Contact.id == jose.id).execute()
    assert searchable.count(ContactFilter(search="pepe")) == 0


def test_unreachable_postgres_is_a_clear_error(tmp_path):
    from contacts_tui.workspace import WorkspaceError, open_workspace

    url = f"postgresql://nobody@/nothing?host={tmp_path}"
    with pytest.raises(WorkspaceError, match="Cannot open the database"):
        open_workspace(tmp_path / "ws", db_url=url)


def test_unknown_database_url(tmp_path):
    from contacts_tui.workspace import WorkspaceError, open_workspace

    with pytest.raises(WorkspaceError, match="Unknown database URL"):
        open_workspace(tmp_path / "ws", db_url="mysql://x/y")


def test_service_has_no_connection_left_open(service):
    service.create_contact("Ada")
    assert database.is_closed()


def test_demo_phone_numbers_are_valid_and_shown_as_phonenumbers_formats_them():
    import random

    from contacts_tui.demo import phone_number
    from contacts_tui.validation import format_phone, normalize_phone

    rng = random.Random(3)
    for _ in range(2000):
        e164, shown = phone_number(rng)
        assert normalize_phone(e164, None) == e164
        assert format_phone(e164) == shown


def test_demo_contacts_are_valid(workspace, service, backend):
    from contacts_tui.store.models import BankAccount, Phone
    from contacts_tui.validation import (
        format_phone,
        normalize_email,
        normalize_iban,
        normalize_phone,
    )

    assert add_demo_contacts(workspace.config, 300, workspace.user, seed=1) == 300
    with database.connection_context():
        for (iban,) in BankAccount.select(BankAccount.iban).tuples():
            assert normalize_iban(iban) == iban
        for (number,) in Phone.select(Phone.number).tuples():
            assert normalize_phone(number, None) == number
        # The list's Number column: what refresh_derived would write for the primary.
        shown = Contact.select(Contact.primary_phone).where(Contact.primary_phone != "")
        for (number,) in shown.tuples():
            assert format_phone(normalize_phone(number, None)) == number
        for (email,) in Email.select(Email.email).tuples():
            assert normalize_email(email) == email
    dashboard = service.dashboard()
    assert dashboard.total == 300
    assert dashboard.open + dashboard.closed == 300
    assert sum(c.count for c in dashboard.categories) == 300
    assert dashboard.missing_primary > 0


def search_index_is_intact() -> bool:
    with database.connection_context():
        return check.search_index_is_intact()


def test_demo_added_twice_continues_ids_and_indexes(workspace, service, monkeypatch):
    from contacts_tui import demo

    add_demo_contacts(workspace.config, 50, workspace.user, seed=1)
    # Someone adds a contact while the next demo batch is being made.
    real_make = demo._make_batch

    def make_while_someone_adds(*args):
        batch = real_make(*args)
        service.create_contact("Added meanwhile")
        return batch

    monkeypatch.setattr(demo, "_make_batch", make_while_someone_adds)
    add_demo_contacts(workspace.config, 30, workspace.user, seed=2)
    assert service.count() == 50 + 30 + 1
    assert service.count(ContactFilter(search="added meanwhile")) == 1
    assert search_index_is_intact()
    with database.connection_context():
        names = {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master")}
    assert {f"contact_sort_{n}" for n in range(10)} <= names
    assert {"email_one_primary", "phone_one_primary", "address_one_primary"} <= names
    assert "contact_fts_insert" in names


def test_search_index_damage_is_found_and_repaired(workspace, service):
    service.create_contact("Ada")
    with database.connection_context():
        database.execute_sql("INSERT INTO contact_fts(rowid, search_doc) VALUES (99, 'ghost')")
    assert not search_index_is_intact()
    assert any("search index" in p for p in check.check_workspace(workspace))
    repaired: list[str] = []
    assert check.check_workspace(workspace, repair=True, repaired=repaired) == []
    assert repaired == ["rebuilt the search index"]
    assert search_index_is_intact()


def test_models_and_migration_agree(workspace, backend):
    """The frozen migration builds every column the application models expect."""
    from contacts_tui.store.models import ALL_MODELS

    with database.connection_context():
        for model in ALL_MODELS:
            columns = {c.name for c in database.get_columns(model._meta.table_name)}
            assert set(model._meta.columns) <= columns, model.__name__


def test_database_path_that_is_a_folder(tmp_path: Path):
    (tmp_path / "db").mkdir()
    with pytest.raises(StoreError, match="not a database file"):
        connect_sqlite(tmp_path / "db")


def test_stored_primary_phones_are_rewritten_as_shown(workspace, service, backend):
    """Workspaces from before 0003 held E.164 in the list's Number column."""
    formatted = service.create_contact("Formatted")
    service.records.add_phone(formatted.id, "+44 20 7946 0958")
    legacy = service.create_contact("Legacy")
    service.records.add_phone(legacy.id, "+4930123456")
    unreadable = service.create_contact("Unreadable")
    with database.connection_context():
        Contact.update(primary_phone="+4930123456").where(Contact.id == legacy.id).execute()
        Contact.update(primary_phone="+999").where(Contact.id == unreadable.id).execute()
        database.execute_sql(
            "DELETE FROM schema_migration WHERE name = '0003_primary_phone_as_shown'"
        )
    open_database(workspace.database)
    with database.connection_context():
        shown = dict(Contact.select(Contact.id, Contact.primary_phone).tuples())
    assert shown[formatted.id] == "+44 20 7946 0958"
    assert shown[legacy.id] == "+49 30 123456"
    assert shown[unreadable.id] == "+999"  # left as it was
    assert service.list_page(limit=5).rows  # the list still reads


def test_a_second_process_waits_for_the_schema_update_then_finds_it_done(workspace, backend):
    """Two colleagues start the new version at once: one migrates, the other waits."""
    import threading

    from contacts_tui.store.database import one_updater

    with database.connection_context():
        database.execute_sql("DROP INDEX contact_list_counts")
        database.execute_sql("DELETE FROM schema_migration WHERE name = '0002_list_counts_index'")
    done: list[object] = []

    def second_start() -> None:
        try:
            with workspace.database.connection_context():
                done.append(migrate(workspace.database))
        except Exception as error:  # the assertion below shows it
            done.append(error)

    with database.connection_context(), one_updater(workspace.database):
        # This thread plays the first process, updating: the second must wait.
        waiter = threading.Thread(target=second_start)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive() and done == []
        assert migrate_inside_lock(workspace.database) == ["0002_list_counts_index"]
    waiter.join(10)
    assert done == [[]]  # found it done: nothing applied twice, no error
    with database.connection_context():
        names = [r[0] for r in database.execute_sql("SELECT name FROM schema_migration")]
    assert names.count("0002_list_counts_index") == 1


def migrate_inside_lock(db: peewee.Database) -> list[str]:
    from playhouse.migrations import Runner

    return Runner(db, directory=str(store_database.MIGRATIONS)).up()


def test_a_database_that_needs_updating_where_the_lock_cannot_be_made_says_so(
    tmp_path, monkeypatch
):
    """A colleague's workspace this user may not write: a clear line, not a traceback."""
    workspace_db = tmp_path / "contacts.db"
    db = connect_sqlite(workspace_db)
    open_database(db)
    with db.connection_context():
        db.execute_sql("DELETE FROM schema_migration WHERE name = '0003_primary_phone_as_shown'")
    (tmp_path / "contacts.db-update.lock").unlink()
    real_open = store_database.os.open

    def refused(path, *args, **kwargs):
        if str(path).endswith("-update.lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(store_database.os, "open", refused)
    with pytest.raises(StoreError, match=r"needs updating for this version.*permission denied"):
        open_database(db)
    with db.connection_context():  # nothing was changed
        names = {r[0] for r in db.execute_sql("SELECT name FROM schema_migration")}
    assert "0003_primary_phone_as_shown" not in names


def test_an_existing_database_gets_its_word_index(workspace, service, backend):
    """Workspaces from before 0005 have contacts and no word index: it is filled in
    batches, and short terms find them at once."""
    from contacts_tui.store.models import ContactWord
    from contacts_tui.store.search import word_prefixes

    wade = service.create_contact("Dee Moss", company="Wayne Enterprises")
    service.records.add_email(wade.id, "wade@example.com", "Business", primary=True)
    for n in range(30):
        service.create_contact(f"Person {n:02}")
    with database.connection_context():
        on = " ON contact" if backend == "postgresql" else ""
        database.execute_sql(f"DROP TRIGGER contact_word_delete{on}")
        if backend == "postgresql":
            database.execute_sql("DROP FUNCTION contact_word_delete()")
        database.execute_sql("DROP TABLE contact_word")
        database.execute_sql("DELETE FROM schema_migration WHERE name = '0005_word_prefixes'")
    announced: list[list[str]] = []
    open_database(workspace.database, announced.append)
    assert announced == [["0005_word_prefixes"]]
    with database.connection_context():
        documents = list(Contact.select(Contact.id, Contact.search_doc).tuples())
        stored = set(ContactWord.select(ContactWord.prefix, ContactWord.contact).tuples())
        if backend == "sqlite":  # the migration's big page cache was given back
            pragmas = dict(database._pragmas)
            assert database.execute_sql("PRAGMA cache_size").fetchone()[0] == pragmas["cache_size"]
    assert stored == {(p, i) for i, doc in documents for p in word_prefixes(doc)}
    found = service.list_page(ContactFilter(search="wa")).rows
    assert [r.name for r in found] == ["Dee Moss"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (
            "postgresql://ana@/crm?host=/run/pg",
            {"user": "ana", "database": "crm", "host": "/run/pg"},
        ),
        (
            "postgres://ana:s%40cret@db.example:6432/crm?sslmode=require",
            {
                "user": "ana",
                "password": "s@cret",
                "host": "db.example",
                "port": 6432,
                "database": "crm",
                "sslmode": "require",
            },
        ),
        ("postgresql:///crm", {"database": "crm"}),
    ],
)
def test_postgres_urls_as_psycopg2_reads_them(url, params):
    from contacts_tui.store.database import postgres_url_params

    assert postgres_url_params(url) == params


def test_contacts_stored_before_base_letters_were_folded_are_rewritten(workspace, service, backend):
    """Łukasz stored with the old folding (ł kept) sorts among the L's and `lukasz`
    finds him once 0010 has run; contacts without such letters are left alone."""
    from contacts_tui.store.models import ContactWord
    from contacts_tui.store.search import word_prefixes

    lukasz = service.create_contact("Łukasz Nowak", company="Ærø Shipping")
    for name in ("Kim Lee", "Mia Moss"):
        service.create_contact(name)
    with database.connection_context():
        key, doc = (
            Contact.select(Contact.name_key, Contact.search_doc)
            .where(Contact.id == lukasz.id)
            .tuples()
            .get()
        )
        key = "ł" + key[1:]
        doc = doc.replace("lukasz", "łukasz").replace("aero", "ærø")
        Contact.update(name_key=key, search_doc=doc).where(Contact.id == lukasz.id).execute()
        ContactWord.delete().where(ContactWord.contact == lukasz.id).execute()
        ContactWord.insert_many(
            [(p, lukasz.id) for p in word_prefixes(doc)],
            fields=[ContactWord.prefix, ContactWord.contact],
        ).execute()
        untouched = dict(Contact.select(Contact.id, Contact.search_doc).tuples())
        database.execute_sql("DELETE FROM schema_migration WHERE name = '0010_base_letters_folded'")
    assert not service.list_page(ContactFilter(search="lukasz")).rows  # the old folding
    open_database(workspace.database, lambda names: None)
    with database.connection_context():
        documents = dict(Contact.select(Contact.id, Contact.search_doc).tuples())
        stored = set(ContactWord.select(ContactWord.prefix, ContactWord.contact).tuples())
    assert "lukasz" in documents[lukasz.id] and "aero" in documents[lukasz.id]
    assert {i: d for i, d in documents.items() if i != lukasz.id} == {
        i: d for i, d in untouched.items() if i != lukasz.id
    }
    assert stored == {(p, i) for i, doc in documents.items() for p in word_prefixes(doc)}
    assert [r.name for r in service.list_page(ContactFilter(search="lukasz")).rows] == [
        "Łukasz Nowak"
    ]
    assert [r.name for r in service.list_page(ContactFilter(search="lu")).rows] == ["Łukasz Nowak"]
    names = [r.name for r in service.list_page(ContactFilter(), sort="name").rows]
    assert names == ["Kim Lee", "Łukasz Nowak", "Mia Moss"]
