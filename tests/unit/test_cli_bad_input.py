"""The command line given bad input or hostile data: one clear line, the right exit status."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3

import pytest

from contacts_tui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line(err: str) -> None:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


# ----- --db URLs -------------------------------------------------------------------------


def test_sqlite_url_with_four_slashes_is_absolute(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "team" / "contacts.db"
    target.parent.mkdir()
    status, _, _ = run(
        capsys, "--home", str(tmp_path / "ws"), "--db", f"sqlite:///{target}", "check"
    )
    assert status == 0
    assert target.exists()
    assert not (tmp_path / str(target).lstrip("/")).exists()


def test_sqlite_url_with_three_slashes_is_relative(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, _ = run(capsys, "--home", str(tmp_path / "ws"), "--db", "sqlite:///here.db", "check")
    assert status == 0
    assert (tmp_path / "here.db").exists()


def test_relative_sqlite_url_meant_as_absolute_is_refused(tmp_path, capsys, monkeypatch):
    """sqlite:///srv/x.db from a folder without srv/ while /srv/x.db exists: a slip."""
    target = tmp_path / "team" / "contacts.db"
    target.parent.mkdir()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / str(target.parent).lstrip("/")).mkdir(parents=True)  # the folder, no file
    monkeypatch.chdir(elsewhere)
    run(capsys, "--home", str(tmp_path / "ws"), "--db", f"sqlite:///{target}", "check")
    url = f"sqlite://{target}"  # three slashes: relative
    status, _, err = run(capsys, "--home", str(tmp_path / "ws"), "--db", url, "check")
    assert status == 2
    assert_one_line(err)
    assert f"sqlite:///{target}" in err and "four slashes" in err
    assert not (elsewhere / str(target).lstrip("/")).exists()


@pytest.mark.parametrize(
    "url", ["postgresql://", "postgres://", "postgresql://user@host/", "postgres:///?host=/tmp"]
)
def test_postgres_url_without_a_database_name(tmp_path, capsys, url):
    status, _, err = run(capsys, "--home", str(tmp_path / "ws"), "--db", url, "check")
    assert status == 2
    assert_one_line(err)
    assert "names no database" in err


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "mysql://x/y"])
def test_sqlite_url_without_a_file(tmp_path, capsys, url):
    status, _, err = run(capsys, "--home", str(tmp_path / "ws"), "--db", url, "check")
    assert status == 2
    assert_one_line(err)


# ----- lifecycle.toml --------------------------------------------------------------------


def test_check_refuses_an_empty_list_of_document_types(tmp_path, capsys):
    home = tmp_path / "ws"
    assert main(["--home", str(home), "check"]) == 0
    config = home / "lifecycle.toml"
    text = config.read_text()
    start = text.index("document_types = [")
    config.write_text(text[:start] + "document_types = []" + text[text.index("]", start) + 1 :])
    capsys.readouterr()
    status, _, err = run(capsys, "--home", str(home), "check")
    assert status == 2
    assert_one_line(err)
    assert "picklists.document_types" in err
    status, _, err = run(capsys, "--home", str(home), "documents", "add", "1", str(config))
    assert status == 2 and "picklists.document_types" in err


# ----- import ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nesting", ['[{"name": ' + "[" * 100_000, "[" + "[" * 100_000 + "]" * 100_001]
)
def test_import_of_deeply_nested_json(tmp_path, capsys, nesting):
    source = tmp_path / "deep.json"
    source.write_text(nesting)
    status, out, err = run(capsys, "--home", str(tmp_path / "ws"), "import", str(source))
    assert status == 2
    assert_one_line(err)
    assert "nested too deeply" in err and "Nothing was imported" in err
    assert out == ""


# ----- ids -------------------------------------------------------------------------------

HUGE = str(10**30)


@pytest.fixture
def home_args(workspace, request) -> list[str]:
    """--home (and --db on PostgreSQL) of the test's workspace, for `main`."""
    args = ["--home", str(workspace.folder)]
    if request.getfixturevalue("backend") == "postgresql":
        args += ["--db", request.getfixturevalue("pg_server_url")]
    return args


@pytest.mark.parametrize("contact", [HUGE, "²", "-1"])
@pytest.mark.parametrize("action", ["list", "add"])
def test_a_contact_id_no_database_can_hold(tmp_path, capsys, backend, home_args, contact, action):
    (tmp_path / "a.txt").write_text("x")
    extra = [str(tmp_path / "a.txt")] if action == "add" else []
    status, out, err = run(capsys, *home_args, "documents", action, contact, *extra)
    assert status == 2
    assert_one_line(err)
    assert "No contact has the id" in err and out == ""


@pytest.mark.parametrize("document", [HUGE, "²", "0", "-5"])
@pytest.mark.parametrize("action", [["rm"], ["get", "-o", "out.txt"]])
def test_a_document_id_no_database_can_hold(capsys, backend, home_args, document, action):
    with pytest.raises(SystemExit) as exited:
        main([*home_args, "documents", action[0], document, *action[1:]])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "is not an id (a whole number from 1" in err and "Traceback" not in err


# ----- a full disk -----------------------------------------------------------------------


def fill_disk_after(monkeypatch, pages: int) -> None:
    """SQLite's own SQLITE_FULL ("database or disk is full") once the file has `pages`
    pages: the very error of a full disk, with SQLite rolling the transaction back itself."""
    from contacts_tui.store import database

    monkeypatch.setattr(
        database, "SQLITE_PRAGMAS", (*database.SQLITE_PRAGMAS, ("max_page_count", pages))
    )


def contacts_json(tmp_path, count: int):
    people = [
        {"name": f"Person {n}", "emails": [{"email": f"p{n}@example.com", "primary": True}]}
        for n in range(count)
    ]
    path = tmp_path / "people.json"
    path.write_text(json.dumps(people))
    return path


def test_import_onto_a_full_disk_says_so_and_keeps_what_was_there(tmp_path, capsys, monkeypatch):
    home = ["--home", str(tmp_path / "ws")]
    source = contacts_json(tmp_path, 3000)
    assert main([*home, "import", str(source)]) == 0
    capsys.readouterr()
    db = sqlite3.connect(tmp_path / "ws" / "contacts.db")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    fill_disk_after(monkeypatch, pages + 20)

    status, _, err = run(capsys, *home, "import", str(source), "--duplicates", "add")

    assert status == 2
    assert_one_line(err)
    assert "the disk is full" in err and "rollback" not in err
    monkeypatch.undo()
    db = sqlite3.connect(tmp_path / "ws" / "contacts.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM contact").fetchone()[0] >= 3000


@pytest.mark.parametrize("backend", ["postgresql"])
def test_import_onto_a_full_postgres_disk(tmp_path, capsys, monkeypatch, backend, home_args):
    import peewee

    from contacts_tui.services import imports

    def full(*args):
        raise peewee.OperationalError(
            'could not extend file "base/16384/16399": No space left on device'
        )

    monkeypatch.setattr(imports, "insert_rows", full)
    status, _, err = run(capsys, *home_args, "import", str(contacts_json(tmp_path, 10)))
    assert status == 2
    assert_one_line(err)
    assert "the disk is full" in err


# ----- a database that is not the app's ----------------------------------------------------


def raw_sql(workspace, backend, pg_url, statement: str) -> None:
    if backend == "sqlite":
        db = sqlite3.connect(workspace.folder / "contacts.db")
        db.execute(statement)
        db.commit()
        db.close()
    else:
        import peewee
        from playhouse.db_url import parse

        db = peewee.PostgresqlDatabase(**parse(pg_url))
        with db.connection_context():
            db.execute_sql(statement)


def test_a_missing_table_is_reported_by_every_command(
    tmp_path, capsys, backend, home_args, request
):
    pg_url = request.getfixturevalue("pg_server_url") if backend == "postgresql" else None
    workspace = request.getfixturevalue("workspace")
    raw_sql(workspace, backend, pg_url, "DROP TABLE email")
    for command in (["check"], ["export", "-o", str(tmp_path / "out.csv")]):
        status, out, err = run(capsys, *home_args, *command)
        assert status == 2
        assert_one_line(err)
        assert "has no email table" in err and out == ""
    assert not (tmp_path / "out.csv").exists()


def test_check_reports_a_missing_column(capsys, backend, home_args, request):
    pg_url = request.getfixturevalue("pg_server_url") if backend == "postgresql" else None
    workspace = request.getfixturevalue("workspace")
    raw_sql(workspace, backend, pg_url, "ALTER TABLE audit_entry DROP COLUMN new_value")
    status, out, _ = run(capsys, *home_args, "check")
    assert status == 2
    assert "problem: The audit_entry table lacks the column(s) new_value." in out


# ----- document file names -----------------------------------------------------------------


def a_contact(workspace) -> str:
    from contacts_tui.services import ContactService

    return str(ContactService(workspace.config, workspace.user).create_contact("Ada").id)


@pytest.mark.parametrize(
    ("raw_name", "stored", "why"),
    [
        (b"caf\xe9.txt", "café.txt", "not UTF-8"),  # Latin-1 bytes
        (b"raw\x9b[31m.txt", "raw[31m.txt", "not UTF-8"),  # a raw C1 byte (CSI)
        ("c1\u009b31m\u202e.txt".encode(), "c131m.txt", "control characters"),  # UTF-8 C1
    ],
)
def test_a_file_name_no_database_can_store_as_given(
    tmp_path, capsys, backend, workspace, home_args, raw_name, stored, why
):
    contact = a_contact(workspace)
    source = os.path.join(os.fsencode(tmp_path), raw_name)
    with open(source, "wb") as file:
        file.write(b"contract")

    status, out, err = run(capsys, *home_args, "documents", "add", contact, os.fsdecode(source))

    assert status == 0, err
    assert_one_line(err)
    assert why in err and repr(stored) in err
    document_id = out.strip()
    status, out, _ = run(capsys, *home_args, "documents", "list", contact)
    assert out.split("\t")[0] == document_id and out.rstrip("\n").endswith(f"\t{stored}")
    assert os.listdir(workspace.documents / hashlib.sha256(b"contract").hexdigest()[:2])


def test_an_upload_the_database_refuses_leaves_no_stored_file(
    tmp_path, capsys, monkeypatch, backend, workspace, home_args
):
    import peewee

    from contacts_tui.store.models import Document

    contact = a_contact(workspace)
    (tmp_path / "a.txt").write_bytes(b"never kept")

    def refuse(*args, **kwargs):
        raise peewee.OperationalError("database or disk is full")

    monkeypatch.setattr(Document, "create", refuse)
    status, out, err = run(capsys, *home_args, "documents", "add", contact, str(tmp_path / "a.txt"))
    assert status == 2 and out == ""
    assert_one_line(err)
    assert "the disk is full" in err
    assert not (workspace.documents / hashlib.sha256(b"never kept").hexdigest()[:2]).exists() or (
        not os.listdir(workspace.documents / hashlib.sha256(b"never kept").hexdigest()[:2])
    )


# ----- check on stored files it cannot read ------------------------------------------------


@pytest.mark.parametrize("repair", [[], ["--repair"]])
def test_check_reports_a_linked_or_unreadable_stored_file(
    tmp_path, capsys, monkeypatch, backend, workspace, home_args, repair
):
    from contacts_tui import documents
    from contacts_tui.services import ContactService

    service = ContactService(
        workspace.config, workspace.user, blobs=documents.BlobStore(workspace.documents)
    )
    contact = service.create_contact("Ada").id
    ids, blobs = [], []
    for content in (b"linked", b"unreadable"):
        (tmp_path / "f").write_bytes(content)
        info = service.documents.add(contact, tmp_path / "f", "Other")
        ids.append(info.id)
        blobs.append(workspace.documents / info.sha256[:2] / info.sha256)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"linked")  # the right bytes: only following the link would pass
    blobs[0].unlink()
    blobs[0].symlink_to(elsewhere)
    orphan = hashlib.sha256(b"x").hexdigest()
    orphan_link = workspace.documents / orphan[:2] / orphan
    orphan_link.parent.mkdir(exist_ok=True)
    orphan_link.symlink_to(elsewhere)
    real_open = os.open

    def unreadable(path, flags, *args, **kwargs):  # chmod 000 does not stop root
        if os.fspath(path) == os.fspath(blobs[1]):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(documents.os, "open", unreadable)

    status, out, err = run(capsys, *home_args, "check", *repair)

    assert status == 2 and "Traceback" not in err
    assert (
        f"problem: Document {ids[0]}: the stored file is a symbolic link; it was not read." in out
    )
    assert f"problem: Document {ids[1]}: the stored file cannot be read (permission denied)." in out
    assert elsewhere.read_bytes() == b"linked"
    if repair:
        assert not orphan_link.is_symlink()  # the link went, never what it points at
    else:
        assert "belongs to no document (`check --repair` removes it)" in out


def test_demo_onto_a_full_disk_says_so_and_what_it_saved(tmp_path, capsys, monkeypatch):
    home = ["--home", str(tmp_path / "ws")]
    assert main([*home, "check"]) == 0
    capsys.readouterr()
    fill_disk_after(monkeypatch, 1500)  # about 6 MB: a few thousand contacts

    status, _, err = run(capsys, *home, "demo", "--contacts", "20000")

    assert status == 2
    assert_one_line(err)
    assert err.startswith("contacts-tui: the disk is full") and "rollback" not in err
    saved = int(err.split(" demo contacts were added")[0].rsplit(" ", 1)[-1].replace(",", ""))
    monkeypatch.undo()
    db = sqlite3.connect(tmp_path / "ws" / "contacts.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM contact").fetchone()[0] == saved > 0
    db.close()
    assert main([*home, "check"]) == 0  # the search index and its trigger are whole


def test_another_programs_database_is_left_alone(tmp_path, capsys, backend, request):
    if backend == "sqlite":
        path = tmp_path / "crm.db"
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.close()
        url = f"sqlite:///{path}"
    else:
        from conftest import fresh_pg_url

        url = fresh_pg_url(request.getfixturevalue("pg_server_url"))
        raw_sql(None, backend, url, "CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT)")
    for command in (["check"], ["export", "-o", str(tmp_path / "x.csv")]):
        status, out, err = run(capsys, "--home", str(tmp_path / "ws"), "--db", url, *command)
        assert status == 2 and out == ""
        assert_one_line(err)
        assert "not a contacts-tui database (it holds the tables customers)" in err
    if backend == "sqlite":
        tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
        assert tables == [("customers",)]
