"""ContactService is composed of parts that are built and used on their own as well."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contacts_tui.documents import BlobStore, DocumentError
from contacts_tui.services import ContactService, DocumentService, RecordService


def test_a_record_service_alone_writes_records_for_its_user(workspace, service):
    contact = service.create_contact("Ada")
    records = RecordService(workspace.config, "bob")
    email = records.add_email(contact.id, "ada@example.org", primary=True)
    detail = service.get_contact(contact.id)
    assert [e.email for e in detail.emails] == ["ada@example.org"]
    assert detail.emails[0].id == email.id
    assert detail.audit[0].by == "bob"


def test_a_document_service_alone_keeps_rows_beside_its_blobs(workspace, service, tmp_path):
    contact = service.create_contact("Ada")
    note = tmp_path / "note.txt"
    note.write_text("hello")
    documents = DocumentService(workspace.config, "bob", BlobStore(workspace.documents))
    info = documents.add(contact.id, note, "Note")
    assert documents.of_contact(contact.id) == (info,)
    assert documents.blobs is not None and documents.blobs.exists(info.sha256)
    assert info.uploaded_by == "bob"


def test_without_a_documents_folder_documents_are_refused_clearly(workspace, service, tmp_path):
    contact = service.create_contact("Ada")
    note = tmp_path / "note.txt"
    note.write_text("hello")
    with pytest.raises(DocumentError, match="no documents folder"):
        DocumentService(workspace.config, "bob").add(contact.id, note, "Note")


def test_the_contact_service_hands_a_new_configuration_to_its_parts(workspace):
    service = ContactService(workspace.config, workspace.user)
    region = "ES" if workspace.config.default_phone_region != "ES" else "FR"
    changed = replace(workspace.config, default_phone_region=region)
    service.set_config(changed)
    assert service.records.config is changed
    assert service.documents.config is changed
    assert service.records.user == service.documents.user == workspace.user
