"""Processes incrementing one field with the version check lose no update, on both databases.

The full run is 8 processes × 500 increments = exactly 4,000 (about 8 minutes here);
the suite runs 4 × 50. CONTACTS_TUI_INCREMENTS=8x500 runs the full one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import fresh_pg_url

from contacts_tui.services import ContactService
from contacts_tui.workspace import open_workspace

PROCESSES, INCREMENTS = (
    int(n) for n in os.environ.get("CONTACTS_TUI_INCREMENTS", "4x50").split("x")
)

# One session: read the contact, save scoring + 1 with the version it read; a conflict
# (someone saved in between) means read again and retry, as a user reloading would.
SESSION = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from contacts_tui.services import ConflictError, ContactService
    from contacts_tui.workspace import open_workspace
    home, url, contact_id, count = sys.argv[1:]
    ws = open_workspace(Path(home), db_url=url or None)
    service = ContactService(ws.config, ws.user, config_path=ws.config_path)
    conflicts = 0
    for _ in range(int(count)):
        while True:
            contact = service.get_contact(int(contact_id))
            try:
                service.update_contact(contact.id, contact.version, scoring=contact.scoring + 1)
                break
            except ConflictError:
                conflicts += 1
    print(conflicts)
    """
)


def test_version_checked_increments_lose_nothing(tmp_path, backend, request):
    url = ""
    if backend == "postgresql":
        url = fresh_pg_url(request.getfixturevalue("pg_server_url"))
    home = tmp_path / "ws"
    ws = open_workspace(home, db_url=url or None)
    total = PROCESSES * INCREMENTS
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(text.replace("scoring_max = 100", f"scoring_max = {total}"))
    service = ContactService(ws.config, ws.user, config_path=ws.config_path)
    counter = service.create_contact("Counter")
    counter = service.update_contact(counter.id, counter.version, scoring=0)
    sessions = [
        subprocess.Popen(
            [sys.executable, "-c", SESSION, str(home), url, str(counter.id), str(INCREMENTS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    conflicts = 0
    for session in sessions:
        out, err = session.communicate(timeout=600)
        assert session.returncode == 0, err
        conflicts += int(out)
    after = service.get_contact(counter.id)
    assert after.scoring == total
    assert after.version == counter.version + total
    assert sum(1 for a in after.audit if a.field == "scoring") == total + 1
    assert conflicts > 0 or PROCESSES == 1  # they really did collide, and retried
