"""Unit tests for the content-addressed document store and file name sanitizing."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from contacts_tui import documents
from contacts_tui.documents import (
    CHUNK_SIZE,
    MAX_NAME_LENGTH,
    BlobStore,
    DocumentError,
    IntegrityError,
    StoredBlob,
    TargetExistsError,
    TooLargeError,
    guess_media_type,
    human_size,
    sanitize_filename,
    size_beside_limit,
)

MB = 1024 * 1024
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "documents")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def assert_nothing_stored(store: BlobStore) -> None:
    assert store.all_hashes() == set()
    assert store.stray_temp_files() == []
    assert [p.name for p in store.folder.iterdir() if not p.is_dir()] == []


# --- put and read ------------------------------------------------------------------------


def test_put_then_read_round_trip(store: BlobStore, tmp_path: Path) -> None:
    data = b"signed contract\n" * 1000
    blob = store.put(write(tmp_path / "c.txt", data), original_name="c.txt", max_bytes=MB)

    assert blob == StoredBlob(hashlib.sha256(data).hexdigest(), len(data), "text/plain")
    assert store.path_of(blob.sha256) == store.folder / blob.sha256[:2] / blob.sha256
    assert store.read(blob.sha256) == data
    assert store.read(blob.sha256, limit=6) == b"signed"
    assert store.exists(blob.sha256)
    assert store.verify(blob.sha256)
    assert store.all_hashes() == {blob.sha256}
    assert store.stray_temp_files() == []


def test_documents_are_hashed_by_openssl_when_the_tui_started_without_it(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "_hashlib", None)  # as `cli.run_app` starts the TUI
    hasher = documents._sha256()
    assert type(hasher).__module__ == "_hashlib"  # not Python's own: six times slower
    data = b"signed contract\n" * 1000
    blob = store.put(write(tmp_path / "c.txt", data), original_name="c.txt", max_bytes=MB)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()


def test_put_of_a_multi_chunk_file_reports_progress(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 10)
    seen: list[tuple[int, int]] = []
    blob = store.put(
        write(tmp_path / "big.bin", data),
        original_name="big.bin",
        max_bytes=10 * MB,
        progress=lambda done, total: seen.append((done, total)),
    )

    assert seen == [(CHUNK_SIZE, len(data)), (2 * CHUNK_SIZE, len(data)), (len(data), len(data))]
    assert store.read(blob.sha256) == data


def test_empty_file_can_be_stored(store: BlobStore, tmp_path: Path) -> None:
    blob = store.put(write(tmp_path / "empty", b""), original_name="empty", max_bytes=MB)
    assert blob.size == 0
    assert store.read(blob.sha256) == b""


def test_same_content_twice_is_stored_once(store: BlobStore, tmp_path: Path) -> None:
    first = store.put(
        write(tmp_path / "a.pdf", b"%PDF-1.4 same"), original_name="a.pdf", max_bytes=MB
    )
    inode = os.stat(store.path_of(first.sha256)).st_ino
    second = store.put(
        write(tmp_path / "b.pdf", b"%PDF-1.4 same"), original_name="b.pdf", max_bytes=MB
    )

    assert first.sha256 == second.sha256
    assert store.all_hashes() == {first.sha256}
    assert os.stat(store.path_of(first.sha256)).st_ino == inode  # the first copy was kept
    assert store.stray_temp_files() == []


def test_concurrent_uploads_of_the_same_content_leave_one_whole_blob(
    store: BlobStore, tmp_path: Path
) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 123)
    sources = [write(tmp_path / f"copy{i}.bin", data) for i in range(8)]
    start = threading.Barrier(len(sources))
    results: list[StoredBlob] = []
    errors: list[BaseException] = []

    def upload(source: Path) -> None:
        start.wait()
        try:
            results.append(
                BlobStore(store.folder).put(source, original_name=source.name, max_bytes=10 * MB)
            )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert {blob.sha256 for blob in results} == {hashlib.sha256(data).hexdigest()}
    assert len(results) == len(sources)
    assert store.all_hashes() == {results[0].sha256}
    assert store.read(results[0].sha256) == data
    assert store.stray_temp_files() == []


def test_a_damaged_blob_is_repaired_by_uploading_the_right_content(
    store: BlobStore, tmp_path: Path
) -> None:
    source = write(tmp_path / "c.txt", b"the real bytes")
    blob = store.put(source, original_name="c.txt", max_bytes=MB)
    store.path_of(blob.sha256).write_bytes(b"the evil bytes")

    store.put(source, original_name="c.txt", max_bytes=MB)

    assert store.read(blob.sha256) == b"the real bytes"


# --- permissions -------------------------------------------------------------------------


def test_files_are_0600_and_folders_0700(store: BlobStore, tmp_path: Path) -> None:
    blob = store.put(write(tmp_path / "x.txt", b"private"), original_name="x.txt", max_bytes=MB)
    path = store.path_of(blob.sha256)

    assert mode_of(store.folder) == 0o700
    assert mode_of(path.parent) == 0o700
    assert mode_of(path) == 0o600


def test_group_shared_store_uses_0660_files_and_2770_folders(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "documents", group_shared=True)
    blob = store.put(write(tmp_path / "x.txt", b"team"), original_name="x.txt", max_bytes=MB)
    path = store.path_of(blob.sha256)

    # setgid on every folder: what another member creates in it takes the group too
    assert mode_of(store.folder) == 0o2770
    assert mode_of(path.parent) == 0o2770
    assert mode_of(path) == 0o660


def test_existing_documents_folder_is_left_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir(mode=0o750)
    os.chmod(folder, 0o750)
    BlobStore(folder)
    assert mode_of(folder) == 0o750


# --- size limit --------------------------------------------------------------------------


def test_file_over_the_limit_is_refused_without_reading_it(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "huge.bin", b"x" * (MB + 1))
    real_read = os.read
    read_from_source: list[int] = []

    def counting_read(fd: int, n: int) -> bytes:
        chunk = real_read(fd, n)
        read_from_source.append(len(chunk))
        return chunk

    monkeypatch.setattr(os, "read", counting_read)
    with pytest.raises(TooLargeError, match=r"huge\.bin is larger than the 1 MiB limit"):
        store.put(source, original_name="huge.bin", max_bytes=MB)

    assert sum(read_from_source) == 0
    assert_nothing_stored(store)


def test_file_growing_past_the_limit_is_stopped_while_reading(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 2 * CHUNK_SIZE
    source = write(tmp_path / "growing.log", b"x" * CHUNK_SIZE)
    real_read = os.read
    total_read = 0

    def read_while_the_file_grows(fd: int, n: int) -> bytes:
        nonlocal total_read
        if total_read == 0:
            with source.open("ab") as grow:
                grow.write(b"y" * (10 * CHUNK_SIZE))
        chunk = real_read(fd, n)
        total_read += len(chunk)
        if total_read > limit + CHUNK_SIZE:
            raise AssertionError("kept reading far past the limit")
        return chunk

    monkeypatch.setattr(os, "read", read_while_the_file_grows)
    with pytest.raises(TooLargeError):
        store.put(source, original_name="growing.log", max_bytes=limit)

    assert total_read == limit + 1
    assert_nothing_stored(store)


def test_file_of_exactly_the_limit_is_accepted(store: BlobStore, tmp_path: Path) -> None:
    blob = store.put(write(tmp_path / "x", b"x" * 100), original_name="x", max_bytes=100)
    assert blob.size == 100


# --- bad sources -------------------------------------------------------------------------


def test_source_that_vanished_gives_a_clear_error(store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"gone\.pdf no longer exists"):
        store.put(tmp_path / "gone.pdf", original_name="gone.pdf", max_bytes=MB)
    assert_nothing_stored(store)


def test_source_failing_mid_read_leaves_nothing(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "usb.bin", os.urandom(3 * CHUNK_SIZE))
    real_read = os.read
    calls = 0

    def failing_read(fd: int, n: int) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", failing_read)
    with pytest.raises(DocumentError, match=r"usb\.bin could not be read to the end"):
        store.put(source, original_name="usb.bin", max_bytes=10 * MB)
    assert_nothing_stored(store)


def test_source_truncated_while_reading_is_refused(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "draft.txt", b"z" * (2 * CHUNK_SIZE))
    real_read = os.read

    def read_then_truncate(fd: int, n: int) -> bytes:
        chunk = real_read(fd, n)
        os.truncate(source, CHUNK_SIZE)
        return chunk

    monkeypatch.setattr(os, "read", read_then_truncate)
    with pytest.raises(DocumentError, match="changed while it was being uploaded"):
        store.put(source, original_name="draft.txt", max_bytes=10 * MB)
    assert_nothing_stored(store)


def test_unreadable_source_gives_a_clear_error(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chmod 000 does not stop root, so the refusal is simulated at open().
    source = write(tmp_path / "secret.txt", b"x")
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if Path(path) == source:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(DocumentError, match=r"not allowed to read secret\.txt"):
        store.put(source, original_name="secret.txt", max_bytes=MB)
    assert_nothing_stored(store)


def test_fifo_source_is_refused_without_blocking(store: BlobStore, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def upload() -> None:
        try:
            store.put(fifo, original_name="pipe", max_bytes=MB)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=upload, daemon=True)
    worker.start()
    worker.join(timeout=5)

    assert not worker.is_alive(), "put() blocked opening a FIFO"
    assert isinstance(outcome[0], DocumentError)
    assert "not a regular file" in str(outcome[0])
    assert_nothing_stored(store)


def test_folder_and_device_sources_are_refused(store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="is a folder"):
        store.put(tmp_path, original_name="tmp", max_bytes=MB)
    with pytest.raises(DocumentError, match="not a regular file"):
        store.put(Path("/dev/zero"), original_name="zero", max_bytes=MB)
    assert_nothing_stored(store)


def test_full_disk_fails_cleanly(
    store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "scan.pdf", b"%PDF-1.7" + os.urandom(CHUNK_SIZE))

    def disk_full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(DocumentError, match="The disk is full"):
        store.put(source, original_name="scan.pdf", max_bytes=10 * MB)
    monkeypatch.undo()
    assert_nothing_stored(store)


def test_media_type_comes_from_content_and_name() -> None:
    assert guess_media_type(b"%PDF-1.7\n", "contract.pdf") == "application/pdf"
    assert guess_media_type(PNG_HEAD, "photo.txt") == "image/png"
    assert guess_media_type(b"\xff\xd8\xff\xe0", "x") == "image/jpeg"
    assert guess_media_type(b"GIF89a", "x") == "image/gif"
    assert guess_media_type(b"PK\x03\x04", "bundle") == "application/zip"
    assert guess_media_type(b"PK\x03\x04", "offer.docx").startswith("application/vnd.openxml")
    assert guess_media_type(b"hello", "notes.csv") == "text/csv"
    assert guess_media_type(b"\x00\x01\x02", "blob") == "application/octet-stream"


# --- integrity ---------------------------------------------------------------------------


def test_altered_blob_is_an_integrity_error(store: BlobStore, tmp_path: Path) -> None:
    blob = store.put(
        write(tmp_path / "c.pdf", b"%PDF original"), original_name="c.pdf", max_bytes=MB
    )
    store.path_of(blob.sha256).write_bytes(b"%PDF tampered")

    with pytest.raises(IntegrityError, match=r"contract\.pdf is damaged"):
        store.read(blob.sha256, name="contract.pdf")
    assert store.verify(blob.sha256) is False


def test_read_with_a_limit_still_checks_the_whole_file(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(2 * CHUNK_SIZE)
    blob = store.put(write(tmp_path / "x.bin", data), original_name="x.bin", max_bytes=10 * MB)
    with store.path_of(blob.sha256).open("r+b") as damaged:
        damaged.seek(-1, os.SEEK_END)
        damaged.write(bytes([data[-1] ^ 1]))

    with pytest.raises(IntegrityError):
        store.read(blob.sha256, limit=10)


def test_missing_blob_is_an_integrity_error(store: BlobStore, tmp_path: Path) -> None:
    blob = store.put(write(tmp_path / "c.txt", b"text"), original_name="c.txt", max_bytes=MB)
    store.remove(blob.sha256)
    store.remove(blob.sha256)  # removing twice is fine

    assert not store.exists(blob.sha256)
    assert store.verify(blob.sha256) is False
    with pytest.raises(IntegrityError, match="missing"):
        store.read(blob.sha256)


@pytest.mark.parametrize(
    "bad",
    [
        "../x",
        "../" + "a" * 61,
        "A" * 64,
        "abc",
        "g" * 64,
        "a" * 63 + "/",
        "a" * 65,
        "",
        "a" * 64 + "\n",
    ],
)
def test_path_of_refuses_anything_but_a_lowercase_sha256(store: BlobStore, bad: str) -> None:
    with pytest.raises(DocumentError):
        store.path_of(bad)
    with pytest.raises(DocumentError):
        store.read(bad)


def test_all_hashes_ignores_temp_and_foreign_files(store: BlobStore, tmp_path: Path) -> None:
    blob = store.put(write(tmp_path / "c.txt", b"text"), original_name="c.txt", max_bytes=MB)
    stray = store.folder / ".upload-0123456789abcdef.tmp"
    stray.write_bytes(b"half")
    (store.folder / blob.sha256[:2] / "notes.txt").write_bytes(b"?")
    (store.folder / "zz").mkdir()

    assert store.all_hashes() == {blob.sha256}
    assert store.stray_temp_files() == [stray]


# --- save a copy -------------------------------------------------------------------------


@pytest.fixture
def stored(store: BlobStore, tmp_path: Path) -> StoredBlob:
    return store.put(
        write(tmp_path / "c.txt", b"contract text"), original_name="c.txt", max_bytes=MB
    )


def test_save_copy_writes_a_0600_file(store: BlobStore, stored: StoredBlob, tmp_path: Path) -> None:
    os.umask(0)
    target = tmp_path / "out" / "copy.txt"
    target.parent.mkdir()
    store.save_copy(stored.sha256, target)

    assert target.read_bytes() == b"contract text"
    assert mode_of(target) == 0o600


@pytest.mark.parametrize("overwrite", [False, True])
def test_save_copy_refuses_a_symlink_target(
    store: BlobStore, stored: StoredBlob, tmp_path: Path, overwrite: bool
) -> None:
    victim = write(tmp_path / "victim", b"keep me")
    link = tmp_path / "link.txt"
    link.symlink_to(victim)

    with pytest.raises(DocumentError, match="symbolic link"):
        store.save_copy(stored.sha256, link, overwrite=overwrite)
    assert victim.read_bytes() == b"keep me"
    assert link.is_symlink()


def test_save_copy_refuses_a_dangling_symlink(
    store: BlobStore, stored: StoredBlob, tmp_path: Path
) -> None:
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "would-be-created")

    with pytest.raises(DocumentError, match="symbolic link"):
        store.save_copy(stored.sha256, link)
    assert not (tmp_path / "would-be-created").exists()


def test_save_copy_does_not_overwrite_unless_asked(
    store: BlobStore, stored: StoredBlob, tmp_path: Path
) -> None:
    target = write(tmp_path / "existing.txt", b"old")
    os.chmod(target, 0o644)

    with pytest.raises(TargetExistsError) as caught:
        store.save_copy(stored.sha256, target)
    assert isinstance(caught.value, FileExistsError)
    assert target.read_bytes() == b"old"

    store.save_copy(stored.sha256, target, overwrite=True)
    assert target.read_bytes() == b"contract text"
    assert mode_of(target) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_save_copy_checks_the_hash_while_copying(
    store: BlobStore, stored: StoredBlob, tmp_path: Path
) -> None:
    store.path_of(stored.sha256).write_bytes(b"contract t3xt")
    new_target = tmp_path / "new.txt"
    old_target = write(tmp_path / "old.txt", b"previous copy")

    with pytest.raises(IntegrityError):
        store.save_copy(stored.sha256, new_target)
    with pytest.raises(IntegrityError):
        store.save_copy(stored.sha256, old_target, overwrite=True)

    assert not new_target.exists()
    assert old_target.read_bytes() == b"previous copy"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_save_copy_into_a_missing_folder_is_a_clear_error(
    store: BlobStore, stored: StoredBlob, tmp_path: Path
) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        store.save_copy(stored.sha256, tmp_path / "nowhere" / "c.txt")


def test_save_copy_onto_a_folder_is_refused(
    store: BlobStore, stored: StoredBlob, tmp_path: Path
) -> None:
    with pytest.raises(DocumentError, match="is a folder"):
        store.save_copy(stored.sha256, tmp_path, overwrite=True)


def test_save_copy_on_a_full_disk_leaves_no_file(
    store: BlobStore, stored: StoredBlob, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "copy.txt"

    def disk_full(fd: int) -> None:  # delayed allocation: the bytes fail to land at sync
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(DocumentError, match="The disk is full"):
        store.save_copy(stored.sha256, target)
    assert not target.exists()


# --- names and sizes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs/path.txt", "path.txt"),
        ("C:\\Users\\me\\offer.docx", "offer.docx"),
        ("a\x00b", "ab"),
        ("\u202eexe.txt", "exe.txt"),
        ("in\u2066voice\u2069.pdf", "invoice.pdf"),
        ("bell\x07\x1b[31m.txt", "bell[31m.txt"),
        ("..", "unnamed"),
        (".", "unnamed"),
        ("", "unnamed"),
        ("dir/", "unnamed"),
        ("  .hidden", "hidden"),
        ("  two   spaces\tand tab .txt ", "two spaces and tab .txt"),
        ("Übersicht – März.pdf", "Übersicht – März.pdf"),
    ],
)
def test_sanitize_filename(raw: str, clean: str) -> None:
    assert sanitize_filename(raw) == clean


def test_sanitize_filename_limits_length_and_keeps_the_extension() -> None:
    clean = sanitize_filename("x" * 300 + ".pdf")
    assert len(clean) == MAX_NAME_LENGTH
    assert clean.endswith("x.pdf")

    no_real_extension = sanitize_filename("a." + "b" * 300)
    assert len(no_real_extension) == MAX_NAME_LENGTH
    assert no_real_extension.startswith("a.b")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1 KB"),
        (1229, "1.2 KB"),
        (50 * MB, "50 MB"),
        (MB - 1, "1 MB"),
        (int(9.99 * 1024), "10 KB"),
        (3 * 1024 * MB, "3 GB"),
    ],
)
def test_human_size(n: int, text: str) -> None:
    assert human_size(n) == text


@pytest.mark.parametrize(
    ("size", "limit", "texts"),
    [
        (int(52.5 * MB), 50 * MB, ("52.5 MiB", "50 MiB")),
        (50 * MB + 3000, 50 * MB, ("50.003 MiB", "50 MiB")),
        (50 * MB + 1, 50 * MB, ("52,428,801 bytes", "50 MiB (52,428,800 bytes)")),
        (5 * MB, 1536 * 1024, ("5 MiB", "1.5 MiB")),
        (600, 500, ("600 B", "500 B")),
    ],
)
def test_a_size_over_a_limit_reads_as_over_it(size: int, limit: int, texts: tuple) -> None:
    assert size_beside_limit(size, limit) == texts
