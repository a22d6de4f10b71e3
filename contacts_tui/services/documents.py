"""The services of the Documents tab: document rows beside their stored files."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import peewee

from contacts_tui.documents import BlobStore, DocumentError, StoredBlob, sanitize_filename
from contacts_tui.services.results import NotFoundError
from contacts_tui.services.shared import children_of, contact_exists
from contacts_tui.store.database import is_postgres, with_connection
from contacts_tui.store.models import (
    AuditEntry,
    Document,
    database,
    utc_now,
)
from contacts_tui.validation import (
    ValidationError,
    clean_text,
)

if TYPE_CHECKING:
    from contacts_tui.lifecycle import LifecycleConfig
    from contacts_tui.services.details import DocumentInfo


@dataclass
class DocumentService:
    """Documents of contacts: their rows in the database beside their files in `blobs`.

    `config` gives the document types and the size limit; `user` is written to the audit
    log; `blobs` is the workspace's documents/ store (None: every method raises
    DocumentError). ContactService builds one as `service.documents`.
    """

    config: LifecycleConfig
    user: str
    blobs: BlobStore | None = None

    # ----- documents ------------------------------------------------------------------
    # The blob is written to disk first, then its row is committed: a failure in
    # between leaves a blob nobody refers to (which `check --repair` removes), never a row
    # without its file. Rows and blobs of one content are decided under one lock
    # (`_lock_content`), so an upload and a delete of the same bytes cannot interleave.

    def _blob_store(self) -> BlobStore:
        if self.blobs is None:
            raise DocumentError(
                "Documents are not available: this workspace has no documents folder."
            )
        return self.blobs

    def type_named(self, value: str) -> str:
        """The picklist's spelling of a document type; ValidationError when it is not one."""
        text = clean_text(value, field="Document type", required=True)
        types = self.config.picklists.document_types
        for known in types:
            if known.casefold() == text.casefold():
                return known
        raise ValidationError(f"{text!r} is not a document type; choose one of {', '.join(types)}.")

    def add(
        self,
        contact_id: int,
        source: Path,
        doc_type: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> DocumentInfo:
        """Store a copy of the file `source` and list it among the contact's documents.

        Raises ValidationError for an unknown type, NotFoundError for a contact that is
        gone, DocumentError (TooLargeError…) when the file cannot be stored; in every case
        the database is unchanged.
        """
        doc_type = self.type_named(doc_type)
        store = self._blob_store()
        contact_exists(contact_id)  # before spending time copying the file
        source = Path(source)
        max_bytes = self.config.document_max_mb * 1024 * 1024
        blob = store.put(source, original_name=source.name, max_bytes=max_bytes, progress=progress)
        try:
            return self._insert_document(contact_id, source, doc_type, blob, max_bytes)
        except BaseException:
            # No row came of it: the stored bytes go, unless another document has them.
            with contextlib.suppress(Exception):
                remove_orphan_blob(store, blob.sha256)
            raise

    @with_connection
    def _insert_document(
        self, contact_id: int, source: Path, doc_type: str, blob: StoredBlob, max_bytes: int
    ) -> DocumentInfo:
        store = self._blob_store()
        name = sanitize_filename(source.name)
        try:
            with database.atomic():
                _lock_content(blob.sha256)
                if not store.exists(blob.sha256):
                    # Someone deleted the last other copy of these bytes after our put()
                    # found them already stored; store them again now that we hold the lock.
                    again = store.put(source, original_name=source.name, max_bytes=max_bytes)
                    if again.sha256 != blob.sha256:
                        raise DocumentError(
                            f"{name} changed while it was being uploaded; nothing was stored. "
                            "Try again."
                        )
                now = utc_now()
                row = Document.create(
                    contact=contact_id,
                    file_name=name,
                    doc_type=doc_type,
                    size=blob.size,
                    media_type=blob.media_type,
                    sha256=blob.sha256,
                    uploaded_at=now,
                    uploaded_by=self.user,
                )
                AuditEntry.create(
                    contact=contact_id, at=now, by=self.user, field="document", new_value=name
                )
        except peewee.IntegrityError as error:  # the contact was deleted meanwhile
            raise NotFoundError(f"Contact {contact_id} no longer exists.") from error
        return _document_info(row.id)

    @with_connection
    def get(self, document_id: int) -> DocumentInfo:
        return _document_info(document_id)

    @with_connection
    def of_contact(self, contact_id: int) -> tuple[DocumentInfo, ...]:
        contact_exists(contact_id)
        from contacts_tui.services.details import DocumentInfo

        return children_of(Document, DocumentInfo, contact_id)

    @with_connection
    def delete(self, document_id: int) -> DocumentInfo:
        """Delete the row, and the blob when no other row refers to the same bytes.

        The blob is removed inside the write transaction, after the lock on its content:
        an upload of the same bytes either committed its row before (so the blob stays)
        or finds the blob gone when it takes the lock (and stores it again). What remains
        is a crash (or a failed COMMIT) between the unlink and the commit: the row then
        survives without its file, `check` reports it, and deleting it again works.
        Unlinking after the commit instead could remove the file of another user's
        upload that committed in between, which is worse.
        """
        store = self._blob_store()
        with database.atomic():
            info, contact_id = _load_document(document_id)
            _lock_content(info.sha256)
            Document.delete().where(Document.id == document_id).execute()
            AuditEntry.create(
                contact=contact_id,
                by=self.user,
                field="document",
                old_value=info.file_name,
            )
            if not Document.select().where(Document.sha256 == info.sha256).exists():
                store.remove(info.sha256)  # a failure rolls the row back: nothing is lost
        return info

    @with_connection
    def set_type(self, document_id: int, doc_type: str) -> DocumentInfo:
        doc_type = self.type_named(doc_type)
        with database.atomic():
            info, contact_id = _load_document(document_id)
            if info.doc_type == doc_type:
                return info
            Document.update(doc_type=doc_type).where(Document.id == document_id).execute()
            AuditEntry.create(
                contact=contact_id,
                by=self.user,
                field=f"document type of {info.file_name}",
                old_value=info.doc_type,
                new_value=doc_type,
            )
        return _document_info(document_id)

    def read(self, document_id: int, limit: int | None = None) -> tuple[DocumentInfo, bytes]:
        """The document's row and its first `limit` bytes, hash verified over the whole file.

        Raises IntegrityError when the stored bytes are missing or altered.
        """
        info = self.get(document_id)
        data = self._blob_store().read(info.sha256, limit=limit, name=info.file_name)
        return info, data

    def save_copy(self, document_id: int, target: Path, overwrite: bool = False) -> DocumentInfo:
        """Write a verified copy to `target` (0600); TargetExistsError unless `overwrite`."""
        info = self.get(document_id)
        self._blob_store().save_copy(
            info.sha256, Path(target), overwrite=overwrite, name=info.file_name
        )
        return info


# ----- documents: helpers ----------------------------------------------------------------


def _load_document(document_id: int) -> tuple[DocumentInfo, int]:
    """A document's row and the id of its contact; NotFoundError when it is gone."""
    from contacts_tui.services.details import DocumentInfo

    names = list(DocumentInfo.__dataclass_fields__)
    row = (
        Document.select(*(getattr(Document, n) for n in names), Document.contact)
        .where(Document.id == document_id)
        .tuples()
        .first()
    )
    if row is None:
        raise NotFoundError(f"Document {document_id} no longer exists; someone deleted it.")
    return DocumentInfo(*row[:-1]), row[-1]


def _document_info(document_id: int) -> DocumentInfo:
    return _load_document(document_id)[0]


def _lock_content(sha256: str) -> None:
    """Serialise, until the transaction ends, every write about the blob with this hash.

    SQLite needs nothing more: its write transactions begin IMMEDIATE and so already run
    one at a time. PostgreSQL runs them side by side, so take a transaction-level
    advisory lock named by the hash (its first 60 bits fit a bigint).
    """
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (int(sha256[:15], 16),))


def remove_orphan_blob(store: BlobStore, sha256: str) -> bool:
    """Remove a blob no row refers to; False when a row (perhaps a new one) does."""
    with database.connection_context(), database.atomic():
        _lock_content(sha256)
        if Document.select().where(Document.sha256 == sha256).exists():
            return False
        store.remove(sha256)
        return True
