"""Stored data can never drive the terminal: every command's output, as raw bytes on a pty."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import peewee

from contacts_tui.documents import BlobStore
from contacts_tui.services import ContactService
from contacts_tui.store.models import ALL_MODELS, database

# A clipboard write (OSC 52), a window title (OSC 0), a screen clear (CSI), a C1 CSI and
# a right-to-left override: what a hostile value would use to drive a terminal.
PAYLOAD = "\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b[2J\u009b31m\u202eevil"
FORBIDDEN = (b"\x1b", b"\x07", "\u009b".encode(), "\u202e".encode())
OUR_OWN = re.compile(rb"\r\x1b\[K")  # the CLI's own "clear the progress line"


def plant_everywhere(db: peewee.Database) -> list[str]:
    """Append the payload to every stored text column that takes it; the columns done."""
    planted = []
    for model in ALL_MODELS:
        for field in model._meta.sorted_fields:
            if not isinstance(field, peewee.CharField | peewee.TextField):
                continue
            if field.column_name == "sha256":  # a file's name on disk: check says it's bad
                continue
            table, column = model._meta.table_name, field.column_name
            try:
                with db.atomic():
                    db.execute_sql(
                        f'UPDATE "{table}" SET "{column}" = "{column}" || %s'.replace(
                            "%s", db.param
                        ),
                        (PAYLOAD,),
                    )
                planted.append(f"{table}.{column}")
            except peewee.IntegrityError:
                pass  # a CHECK (status is Open or Closed) refuses it: nothing stored
    return planted


# The commands one after the other in one process on the terminal (an interpreter start
# each took most of the test's time), each followed by a line with its exit status.
RUN_EACH = """
import json, sys, traceback
from contacts_tui.cli import main
for argv in json.loads(sys.argv[1]):
    try:
        status = main(argv)
    except SystemExit as stop:
        status = stop.code
    except BaseException:
        traceback.print_exc()
        status = "traceback"
    sys.stdout.flush(); sys.stderr.flush()
    print(f"\\n=== status {status} ===", flush=True)
"""
ENDED = re.compile(rb"\r?\n=== status (\S+) ===\r?\n")


def run_in_pty(commands: list[list[str]], cwd) -> list[tuple[str, bytes]]:
    """Run the real commands on a pseudo-terminal; each one's status and the bytes it wrote."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_EACH, json.dumps(commands)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process ended and closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    output = b"".join(chunks)
    assert process.wait() == 0, output[-3000:]
    parts = ENDED.split(output)
    written, statuses = parts[0::2], parts[1::2]
    assert len(statuses) == len(commands), parts[-1]
    return [(status.decode(), text) for status, text in zip(statuses, written, strict=False)]


def test_no_command_writes_stored_control_characters(tmp_path, backend, workspace, request):
    store = BlobStore(workspace.documents)
    service = ContactService(workspace.config, workspace.user, blobs=store)
    contact = service.create_contact("Ada", company="Acme")
    service.records.add_email(contact.id, "ada@example.com", primary=True)
    service.records.add_phone(contact.id, "+442079460000", primary=True)
    service.records.add_bank_account(contact.id, "Main", "GB82WEST12345698765432")
    service.records.add_address(
        contact.id, primary=True, address="1 High St", zip_code="SW1A 1AA", locality="x"
    )
    (tmp_path / "a.txt").write_bytes(b"contract")
    document = service.documents.add(contact.id, tmp_path / "a.txt", "Other")
    with database.connection_context():
        planted = plant_everywhere(database.obj)
    assert {"contact.name", "document.doc_type", "audit_entry.new_value"} <= set(planted)
    assert {"stage_change.to_stage", "contact.stage", "email.email"} <= set(planted)

    home = ["--home", str(workspace.folder)]
    if backend == "postgresql":
        home += ["--db", request.getfixturevalue("pg_server_url")]
    commands = [
        ["check"],
        ["check", "--repair"],
        ["documents", "list", str(contact.id)],
        ["documents", "get", str(document.id), "-o", "copy.txt"],
        ["export", "--format", "json", "-o", "all.json"],
        ["export", "--format", "csv", "-o", "all.csv"],
        ["export", "--format", "vcard", "-o", "all.vcf"],
        # Standard output on a terminal: the file shown, with its stored controls taken out.
        ["export", "--format", "csv", "-o", "-"],
        ["export", "--format", "csv", "--profile", "google", "-o", "-"],
        ["export", "--format", "csv", "--profile", "outlook", "-o", "-"],
        ["export", "--format", "json", "-o", "-"],
        ["export", "--format", "vcard", "-o", "-"],
        ["import", "all.json"],
        ["import", "all.csv", "--dry-run"],
        ["import", "all.vcf", "--duplicates", "add"],
        ["documents", "rm", str(document.id)],
    ]
    ran = run_in_pty([[*home, *command] for command in commands], cwd=tmp_path)
    for command, (status, written) in zip(commands, ran, strict=True):
        assert b"Traceback" not in written, (command, written)
        shown = OUR_OWN.sub(b"", written)
        for sequence in FORBIDDEN:
            assert sequence not in shown, (command, sequence, written)
        assert status in ("0", "1", "2"), command
    assert (tmp_path / "copy.txt").read_bytes() == b"contract"
