"""`contacts-tui documents …` and the document checks of `contacts-tui check [--repair]`."""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
import stat
import time
from pathlib import Path

import pytest

from contacts_tui import lifecycle
from contacts_tui.cli import EXIT_PROBLEM, main
from contacts_tui.documents import BlobStore
from contacts_tui.services import ContactService
from contacts_tui.store.models import Document, Email, database
from contacts_tui.workspace import Workspace


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def home(workspace: Workspace) -> list[str]:
    return ["--home", str(workspace.folder)]


@pytest.fixture
def contact_id(service: ContactService) -> int:
    contact = service.create_contact("Ann Lee")
    with database.connection_context():
        Email.create(contact=contact.id, email="ann@example.com", is_primary=True)
    return contact.id


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def add(capsys, home, contact: str, path: Path, *extra: str) -> int:
    code, out, err = run(capsys, "documents", "add", contact, str(path), *extra, *home)
    assert (code, err) == (0, "")
    return int(out)


def blobs(workspace: Workspace) -> set[str]:
    return BlobStore(workspace.documents).all_hashes()


def test_add_then_list(capsys, home, contact_id: int, tmp_path: Path) -> None:
    source = tmp_path / "offer.pdf"
    source.write_bytes(b"%PDF-1.4 offer")
    first = add(capsys, home, str(contact_id), source, "--type", "proposal")
    second = add(capsys, home, "ANN@example.com", source)  # exact e-mail, any case

    code, out, err = run(capsys, "documents", "list", "ann@example.com", *home)

    assert (code, err) == (0, "")
    lines = [line.split("\t") for line in out.splitlines()]
    assert [(int(i), t, int(s), n) for i, t, s, _at, _by, n in lines] == [
        (first, "Proposal", 14, "offer.pdf"),
        (second, "Other", 14, "offer.pdf"),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["documents", "list", "nobody@example.com"], "No contact has the id or e-mail"),
        (["documents", "list", "999"], "Contact 999 no longer exists"),
        (["documents", "rm", "999"], "Document 999 no longer exists"),
        (["documents", "get", "999", "-o", "out"], "Document 999 no longer exists"),
    ],
)
def test_unknown_contacts_and_documents_are_one_line_errors(
    capsys, home, contact_id: int, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv, *home)
    assert code == EXIT_PROBLEM and out == ""
    assert err.startswith(f"contacts-tui: {message}") and err.count("\n") == 1


def test_bad_uploads_store_nothing(
    capsys, home, workspace: Workspace, contact_id: int, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_text("x")
    folder = tmp_path / "folder"
    folder.mkdir()
    cases = [
        ([str(contact_id), str(source), "--type", "Invoice"], "'Invoice' is not a document type"),
        ([str(contact_id), str(tmp_path / "missing.txt")], "missing.txt: no such file"),
        ([str(contact_id), str(folder)], "folder is a folder, not a file"),
    ]
    for args, message in cases:
        code, out, err = run(capsys, "documents", "add", *args, *home)
        assert (code, out) == (EXIT_PROBLEM, ""), args
        assert message in err and err.count("\n") == 1, err
    with database.connection_context():
        assert Document.select().count() == 0
    assert blobs(workspace) == set()


def test_a_file_over_the_configured_limit_is_refused(
    capsys, home, workspace: Workspace, contact_id: int, tmp_path: Path
) -> None:
    lifecycle.save(dataclasses.replace(workspace.config, document_max_mb=1), workspace.config_path)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (1024 * 1024 + 1))

    code, _, err = run(capsys, "documents", "add", str(contact_id), str(big), *home)

    assert code == EXIT_PROBLEM
    assert "big.bin is larger than the 1 MiB limit" in err
    assert blobs(workspace) == set()
    assert BlobStore(workspace.documents).stray_temp_files() == []


def test_get_saves_a_private_copy_and_never_overwrites_unasked(
    capsys, home, contact_id: int, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"the contract")
    document = add(capsys, home, str(contact_id), source)
    target = tmp_path / "copy.txt"

    assert run(capsys, "documents", "get", str(document), "-o", str(target), *home)[0] == 0
    assert target.read_bytes() == b"the contract"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    target.write_bytes(b"mine")
    code, _, err = run(capsys, "documents", "get", str(document), "-o", str(target), *home)
    assert code == EXIT_PROBLEM and "already exists. Use --force" in err
    assert target.read_bytes() == b"mine"
    argv = ("documents", "get", str(document), "-o", str(target), "--force", *home)
    assert run(capsys, *argv)[0] == 0
    assert target.read_bytes() == b"the contract"

    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "victim.txt")
    code, _, err = run(capsys, "documents", "get", str(document), "-o", str(link), "--force", *home)
    assert code == EXIT_PROBLEM and "symbolic link" in err
    assert not (tmp_path / "victim.txt").exists()


def test_get_of_an_altered_blob_is_an_integrity_error_and_writes_nothing(
    capsys, home, workspace: Workspace, contact_id: int, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"the contract")
    document = add(capsys, home, str(contact_id), source)
    (sha,) = blobs(workspace)
    BlobStore(workspace.documents).path_of(sha).write_bytes(b"the c0ntract")
    target = tmp_path / "copy.txt"

    code, _, err = run(capsys, "documents", "get", str(document), "-o", str(target), *home)

    assert code == EXIT_PROBLEM and "a.txt is damaged" in err
    assert not target.exists()


def test_rm_removes_the_row_and_the_unused_blob(
    capsys, home, workspace: Workspace, contact_id: int, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"bye")
    first = add(capsys, home, str(contact_id), source)
    second = add(capsys, home, str(contact_id), source)

    assert run(capsys, "documents", "rm", str(first), *home)[0] == 0
    assert blobs(workspace) == {hashlib.sha256(b"bye").hexdigest()}
    assert run(capsys, "documents", "rm", str(second), *home)[0] == 0
    assert blobs(workspace) == set()
    assert run(capsys, "documents", "list", str(contact_id), *home)[1] == ""


def test_documents_without_an_action_shows_usage(capsys, home) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["documents", *home])
    assert exit_info.value.code == 2
    assert "ACTION" in capsys.readouterr().err


def test_check_finds_document_problems_and_repair_removes_orphans(
    capsys, home, workspace: Workspace, contact_id: int, tmp_path: Path
) -> None:
    store = BlobStore(workspace.documents)
    for name, data in (("kept.txt", b"kept"), ("damaged.txt", b"damaged"), ("gone.txt", b"gone")):
        (tmp_path / name).write_bytes(data)
        add(capsys, home, str(contact_id), tmp_path / name)
    store.path_of(hashlib.sha256(b"damaged").hexdigest()).write_bytes(b"DAMAGED")
    store.remove(hashlib.sha256(b"gone").hexdigest())
    (tmp_path / "orphan.txt").write_bytes(b"orphan")
    orphan = store.put(tmp_path / "orphan.txt", original_name="orphan.txt", max_bytes=100).sha256
    old_temp = store.folder / ".upload-old.tmp"  # a killed upload's: nobody holds its lock
    live_temp = store.folder / ".upload-live.tmp"  # an upload still running (its lock held)
    old_temp.write_bytes(b"x")
    live_temp.write_bytes(b"x")
    an_hour_ago = time.time() - 3700
    for temp in (old_temp, live_temp):
        os.utime(temp, (an_hour_ago, an_hour_ago))
    live_upload = os.open(live_temp, os.O_RDONLY)
    fcntl.flock(live_upload, fcntl.LOCK_EX)
    try:
        code, out, _ = run(capsys, "check", *home)

        assert code == EXIT_PROBLEM
        assert "Document 2: the stored file is damaged" in out
        assert "Document 3: the stored file is missing" in out
        assert f"The stored file {orphan} belongs to no document" in out
        # Removed at the start of any command, and said so by check.
        assert f"repaired: Removed {old_temp}, left by a killed upload" in out
        assert not old_temp.exists() and live_temp.exists()
        assert "live" not in out and "Document 1" not in out

        code, out, _ = run(capsys, "check", "--repair", *home)

        assert code == EXIT_PROBLEM  # the damaged and the missing file cannot be repaired
        assert f"repaired: Removed the stored file {orphan}" in out
        assert orphan not in store.all_hashes() and live_temp.exists()
        assert store.exists(hashlib.sha256(b"kept").hexdigest())
        assert store.exists(hashlib.sha256(b"damaged").hexdigest())  # kept for a person to judge
        code, out, _ = run(capsys, "check", *home)
        assert "belongs to no document" not in out and "leftover" not in out
    finally:
        os.close(live_upload)
    run(capsys, "check", *home)
    assert not live_temp.exists()  # its upload is gone now


def test_check_of_a_healthy_workspace_passes(capsys, home, contact_id: int, tmp_path) -> None:
    (tmp_path / "a.txt").write_bytes(b"fine")
    add(capsys, home, str(contact_id), tmp_path / "a.txt")
    code, out, _ = run(capsys, "check", *home)
    assert code == 0 and "the documents are fine" in out
