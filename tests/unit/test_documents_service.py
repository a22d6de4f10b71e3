"""Document rows in the service layer: upload, dedupe, delete, retype, verified reads, copies."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import threading
from pathlib import Path

import peewee
import pytest

from contacts_tui.documents import (
    BlobStore,
    DocumentError,
    IntegrityError,
    TargetExistsError,
    TooLargeError,
)
from contacts_tui.services import ContactService, NotFoundError, remove_orphan_blob
from contacts_tui.store.models import AuditEntry, Document, Email, database
from contacts_tui.validation import ValidationError
from contacts_tui.workspace import Workspace

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def docs(workspace: Workspace, backend: str) -> ContactService:
    """A service with the workspace's document store, on SQLite and on PostgreSQL."""
    store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
    return ContactService(workspace.config, "ann", blobs=store)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def rows() -> list[tuple]:
    with database.connection_context():
        return list(
            Document.select(Document.file_name, Document.sha256).order_by(Document.id).tuples()
        )


def audit(contact_id: int) -> list[tuple[str, str, str, str]]:
    with database.connection_context():
        return list(
            AuditEntry.select(
                AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value, AuditEntry.by
            )
            .where(AuditEntry.contact == contact_id, AuditEntry.field != "created")
            .order_by(AuditEntry.id)
            .tuples()
        )


def assert_nothing_stored(docs: ContactService) -> None:
    assert rows() == []
    assert docs.blobs.all_hashes() == set()
    assert docs.blobs.stray_temp_files() == []


def test_upload_stores_the_blob_then_the_row(docs: ContactService, tmp_path: Path) -> None:
    contact = docs.create_contact("Ann Lee")
    data = b"signed contract\n" * 100
    progress: list[tuple[int, int]] = []

    info = docs.documents.add(
        contact.id,
        write(tmp_path / "contract.txt", data),
        "contract",
        progress=lambda done, total: progress.append((done, total)),
    )

    sha = hashlib.sha256(data).hexdigest()
    assert (info.file_name, info.doc_type, info.size, info.sha256) == (
        "contract.txt",
        "Contract",  # the picklist's spelling
        len(data),
        sha,
    )
    assert info.media_type == "text/plain"
    assert info.uploaded_by == "ann"
    assert progress[-1] == (len(data), len(data))
    assert docs.get_contact(contact.id).documents == (info,)
    assert docs.blobs.all_hashes() == {sha}
    assert stat.S_IMODE(os.stat(docs.blobs.path_of(sha)).st_mode) == 0o600
    assert audit(contact.id) == [("document", "", "contract.txt", "ann")]


def test_hostile_file_names_are_kept_only_as_clean_metadata(
    docs: ContactService, tmp_path: Path
) -> None:
    contact = docs.create_contact("Ann")
    source = write(tmp_path / ("\u202e" + "x" * 240 + "\x1b[31m.txt"), b"hello")

    info = docs.documents.add(contact.id, source, "Note")

    assert "\u202e" not in info.file_name and "\x1b" not in info.file_name
    assert len(info.file_name) <= 120 and info.file_name.endswith(".txt")
    # The blob lives under its hash, never under the name it came with.
    assert docs.blobs.path_of(info.sha256).name == info.sha256


def test_same_content_is_stored_once_and_removed_with_its_last_row(
    docs: ContactService, tmp_path: Path
) -> None:
    ann = docs.create_contact("Ann")
    bob = docs.create_contact("Bob")
    first = docs.documents.add(ann.id, write(tmp_path / "a.pdf", b"%PDF-1.4 same"), "Contract")
    second = docs.documents.add(bob.id, write(tmp_path / "b.pdf", b"%PDF-1.4 same"), "Proposal")
    assert first.sha256 == second.sha256
    assert docs.blobs.all_hashes() == {first.sha256}

    docs.documents.delete(first.id)
    assert docs.blobs.all_hashes() == {first.sha256}  # Bob's row still refers to it
    assert docs.documents.read(second.id)[1] == b"%PDF-1.4 same"

    docs.documents.delete(second.id)
    assert docs.blobs.all_hashes() == set()
    assert rows() == []
    assert audit(bob.id)[-1] == ("document", "b.pdf", "", "ann")


def test_an_unknown_type_is_refused_before_anything_is_stored(
    docs: ContactService, tmp_path: Path
) -> None:
    contact = docs.create_contact("Ann")
    with pytest.raises(ValidationError, match="Contract, Identification"):
        docs.documents.add(contact.id, write(tmp_path / "a.txt", b"x"), "Invoice")
    assert_nothing_stored(docs)


def test_a_file_over_the_limit_is_refused_with_nothing_left(
    workspace: Workspace, docs: ContactService, tmp_path: Path
) -> None:
    docs.set_config(dataclasses.replace(workspace.config, document_max_mb=1))
    contact = docs.create_contact("Ann")
    with pytest.raises(TooLargeError, match="1 MiB limit"):
        docs.documents.add(contact.id, write(tmp_path / "big.bin", b"x" * (MB + 1)), "Other")
    assert_nothing_stored(docs)
    docs.documents.add(contact.id, write(tmp_path / "ok.bin", b"x" * MB), "Other")  # exactly 1 MB


def test_a_vanished_file_or_a_gone_contact_stores_nothing(
    docs: ContactService, tmp_path: Path
) -> None:
    contact = docs.create_contact("Ann")
    with pytest.raises(DocumentError, match="no longer exists"):
        docs.documents.add(contact.id, tmp_path / "gone.txt", "Note")
    with pytest.raises(NotFoundError):
        docs.documents.add(contact.id + 99, write(tmp_path / "a.txt", b"x"), "Note")
    assert_nothing_stored(docs)


def test_a_failed_store_leaves_the_database_unchanged(
    docs: ContactService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact = docs.create_contact("Ann")

    def disk_full(*args, **kwargs):
        raise DocumentError("The disk is full, so a.txt could not be saved.")

    monkeypatch.setattr(docs.blobs, "put", disk_full)
    with pytest.raises(DocumentError, match="disk is full"):
        docs.documents.add(contact.id, write(tmp_path / "a.txt", b"x"), "Note")
    assert rows() == [] and audit(contact.id) == []


def test_a_failed_row_takes_its_new_blob_with_it_never_a_row_without_blob(
    docs: ContactService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact = docs.create_contact("Ann")
    kept = docs.documents.add(contact.id, write(tmp_path / "b.txt", b"kept"), "Note")

    def broken_insert(**fields):
        raise peewee.OperationalError("disk I/O error")

    monkeypatch.setattr(Document, "create", broken_insert)
    with pytest.raises(peewee.OperationalError):
        docs.documents.add(contact.id, write(tmp_path / "a.txt", b"orphan"), "Note")
    with pytest.raises(peewee.OperationalError):  # bytes another document has stay
        docs.documents.add(contact.id, write(tmp_path / "c.txt", b"kept"), "Note")
    monkeypatch.undo()

    assert [row.id for row in docs.documents.of_contact(contact.id)] == [kept.id]
    assert docs.blobs.all_hashes() == {kept.sha256}


def test_repair_keeps_a_blob_that_a_row_refers_to(docs: ContactService, tmp_path: Path) -> None:
    contact = docs.create_contact("Ann")
    info = docs.documents.add(contact.id, write(tmp_path / "a.txt", b"kept"), "Note")
    assert remove_orphan_blob(docs.documents, info.sha256) is False
    assert docs.blobs.exists(info.sha256)


def test_upload_stores_again_when_a_delete_removed_the_blob_after_its_put(
    docs: ContactService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving of an upload with a delete of the last other copy of its bytes."""
    contact = docs.create_contact("Ann")
    real_put = docs.blobs.put
    calls = []

    def put_then_lose_the_blob(*args, **kwargs):
        blob = real_put(*args, **kwargs)
        if not calls:  # another user's delete removes the blob just after our put
            docs.blobs.remove(blob.sha256)
        calls.append(blob)
        return blob

    monkeypatch.setattr(docs.blobs, "put", put_then_lose_the_blob)
    info = docs.documents.add(contact.id, write(tmp_path / "a.txt", b"twice"), "Note")

    assert len(calls) == 2
    assert docs.documents.read(info.id)[1] == b"twice"


def test_concurrent_upload_and_delete_of_the_same_bytes_never_lose_a_file(
    docs: ContactService, tmp_path: Path
) -> None:
    contact = docs.create_contact("Ann")
    data = os.urandom(64 * 1024)
    first = docs.documents.add(contact.id, write(tmp_path / "a.bin", data), "Other")
    sources = [write(tmp_path / f"copy{i}.bin", data) for i in range(4)]
    start = threading.Barrier(len(sources) + 1)
    errors: list[BaseException] = []

    def upload(source: Path) -> None:
        start.wait()
        try:
            docs.documents.add(contact.id, source, "Other")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(s,)) for s in sources]
    for thread in threads:
        thread.start()
    start.wait()
    docs.documents.delete(first.id)
    for thread in threads:
        thread.join()

    assert errors == []
    documents = docs.get_contact(contact.id).documents
    assert len(documents) == len(sources)
    for info in documents:
        assert docs.documents.read(info.id)[1] == data


def test_a_blob_that_cannot_be_removed_keeps_its_row(
    docs: ContactService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact = docs.create_contact("Ann")
    info = docs.documents.add(contact.id, write(tmp_path / "a.txt", b"x"), "Note")

    def refuse(sha256: str) -> None:
        raise DocumentError("The stored document could not be removed (permission denied).")

    monkeypatch.setattr(docs.blobs, "remove", refuse)
    with pytest.raises(DocumentError, match="permission denied"):
        docs.documents.delete(info.id)
    assert docs.get_contact(contact.id).documents == (info,)
    assert audit(contact.id) == [("document", "", "a.txt", "ann")]


def test_deleting_a_deleted_document_says_so(docs: ContactService, tmp_path: Path) -> None:
    contact = docs.create_contact("Ann")
    info = docs.documents.add(contact.id, write(tmp_path / "a.txt", b"x"), "Note")
    docs.documents.delete(info.id)
    with pytest.raises(NotFoundError, match="no longer exists"):
        docs.documents.delete(info.id)


def test_set_document_type_writes_the_audit(docs: ContactService, tmp_path: Path) -> None:
    contact = docs.create_contact("Ann")
    info = docs.documents.add(contact.id, write(tmp_path / "a.txt", b"x"), "Note")

    changed = docs.documents.set_type(info.id, "identification")

    assert changed.doc_type == "Identification"
    assert docs.documents.set_type(info.id, "Identification") == changed  # no change, no audit
    assert audit(contact.id)[-1] == ("document type of a.txt", "Note", "Identification", "ann")
    with pytest.raises(ValidationError):
        docs.documents.set_type(info.id, "")
    assert docs.documents.get(info.id).doc_type == "Identification"


def test_read_document_verifies_the_hash(docs: ContactService, tmp_path: Path) -> None:
    contact = docs.create_contact("Ann")
    info = docs.documents.add(contact.id, write(tmp_path / "a.txt", b"original text"), "Note")
    assert docs.documents.read(info.id, limit=8) == (info, b"original")

    blob = docs.blobs.path_of(info.sha256)
    blob.chmod(0o600)
    blob.write_bytes(b"altered text!")
    with pytest.raises(IntegrityError, match=r"a\.txt is damaged"):
        docs.documents.read(info.id, limit=8)
    blob.unlink()
    with pytest.raises(IntegrityError, match=r"a\.txt is missing"):
        docs.documents.read(info.id)


def test_save_a_copy_is_private_and_never_overwrites_unasked(
    docs: ContactService, tmp_path: Path
) -> None:
    contact = docs.create_contact("Ann")
    info = docs.documents.add(contact.id, write(tmp_path / "a.txt", b"copy me"), "Note")
    target = tmp_path / "out" / "copy.txt"
    target.parent.mkdir()

    docs.documents.save_copy(info.id, target)
    assert target.read_bytes() == b"copy me"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    target.write_bytes(b"mine")
    with pytest.raises(TargetExistsError):
        docs.documents.save_copy(info.id, target)
    assert target.read_bytes() == b"mine"
    docs.documents.save_copy(info.id, target, overwrite=True)
    assert target.read_bytes() == b"copy me"

    link = tmp_path / "out" / "link.txt"
    link.symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(DocumentError, match="symbolic link"):
        docs.documents.save_copy(info.id, link, overwrite=True)
    assert not (tmp_path / "elsewhere.txt").exists()


def test_find_contact_by_id_or_exact_email(docs: ContactService) -> None:
    ann = docs.create_contact("Ann")
    bob = docs.create_contact("Bob")
    cy = docs.create_contact("Cy")
    with database.connection_context():
        Email.create(contact=ann.id, email="ann@example.com", is_primary=True)
        Email.create(contact=bob.id, email="shared@example.com")
        Email.create(contact=cy.id, email="shared@example.com")

    assert docs.find_contact(str(ann.id)) == ann.id
    assert docs.find_contact(" Ann@Example.com ") == ann.id
    with pytest.raises(NotFoundError, match="2 contacts"):
        docs.find_contact("shared@example.com")
    with pytest.raises(NotFoundError, match="No contact"):
        docs.find_contact("nobody@example.com")
    with pytest.raises(NotFoundError):
        docs.find_contact("9999")


def test_without_a_store_document_methods_say_why(service: ContactService) -> None:
    contact = service.create_contact("Ann")
    with pytest.raises(DocumentError, match="no documents folder"):
        service.documents.add(contact.id, Path("/etc/hostname"), "Note")
