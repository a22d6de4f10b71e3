"""Drafts of open forms survive a session that dies, and only such a session's."""

from __future__ import annotations

import stat
import subprocess
import sys

from contacts_tui.recovery import Draft, DraftFile, left_behind, recovery_folder

DRAFT = Draft("contact", "Ada Lovelace: Name", {"name": "Ada L"}, contact_id=7)

DYING_SESSION = """
import os, sys
from contacts_tui.recovery import Draft, DraftFile
drafts = DraftFile(sys.argv[1])
drafts.keep("info", Draft("contact", "Ada Lovelace: Name", {"name": "Ada L"}, contact_id=7))
drafts.keep("form", Draft("record", "Ada Lovelace: e-mail", {"email": "ada@"}, contact_id=7))
drafts.drop("form")
os._exit(1)  # a crash: nothing is closed, nothing cleaned up
"""


def test_a_dead_sessions_drafts_are_offered_once_and_only_for_its_workspace(tmp_path):
    subprocess.run([sys.executable, "-c", DYING_SESSION, "/teams/sales"], check=False)
    assert left_behind("/teams/other") == []
    [found] = left_behind("/teams/sales")
    assert found.drafts == (DRAFT,)
    assert stat.S_IMODE(found.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(recovery_folder().stat().st_mode) == 0o700
    found.forget()
    assert left_behind("/teams/sales") == []


def test_a_running_sessions_drafts_are_its_own_and_a_clean_end_leaves_nothing():
    drafts = DraftFile("/teams/sales")
    drafts.keep("info", DRAFT)
    assert left_behind("/teams/sales") == []  # locked: that session is alive
    drafts.close()
    assert left_behind("/teams/sales") == []
    assert list(recovery_folder().iterdir()) == []


def test_a_draft_file_cut_short_is_ignored_and_a_symlink_is_never_followed(tmp_path):
    folder = recovery_folder()
    folder.mkdir(parents=True)
    (folder / "session-1.json").write_text('{"workspace": "/teams/sales", "drafts": [{"ki')
    assert left_behind("/teams/sales") == []
    target = tmp_path / "elsewhere.json"
    target.write_text("precious")
    drafts = DraftFile("/teams/sales")
    drafts.path.symlink_to(target)
    drafts.keep("info", DRAFT)  # not written, and no error for the user either
    assert target.read_text() == "precious"
