"""A workspace made by `init --group`, used by real Unix users (as root only, else skipped).

Members each run in a process of their own as that user (runuser), with a strict umask:
a second member adds a contact, uploads into a documents/ prefix the first member
created, reads the first member's document and saves lifecycle.toml; a non-member can
read nothing at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import contacts_tui

RUNUSER = shutil.which("runuser") or "runuser"
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("runuser") is None or shutil.which("useradd") is None,
    reason="needs root, runuser and useradd to make real users",
)

# What a member's process does; it prints one JSON line with what it saw.
MEMBER = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    os.umask(0o077)  # a strict member: the workspace's modes must not depend on umask
    action, home, *rest = sys.argv[1:]
    from contacts_tui.cli import main
    if action == "cli":
        sys.exit(main(["--home", home, *rest]))
    from contacts_tui import lifecycle
    from contacts_tui.documents import BlobStore
    from contacts_tui.services import ContactService, lifecycle_admin as admin
    from contacts_tui.workspace import open_workspace
    ws = open_workspace(Path(home))
    store = BlobStore(ws.documents, group_shared=ws.group_shared)
    service = ContactService(ws.config, ws.user, blobs=store, config_path=ws.config_path)
    seen = {"user": ws.user}
    if action == "add":
        name, upload = rest
        contact = service.create_contact(name)
        doc = service.documents.add(contact.id, Path(upload), "Other")
        seen.update(contact=contact.id, document=doc.id, sha256=doc.sha256)
    elif action == "read":
        seen["names"] = sorted(r.name for r in service.list_page(limit=50).rows)
        seen["documents"] = {}
        for row in service.list_page(limit=50).rows:
            for doc in service.documents.of_contact(row.id):
                info, data = service.documents.read(doc.id)
                seen["documents"][info.file_name] = data.decode()
        seen["steps"] = [s.name for s in service.current_config().template("standard").steps()]
    elif action == "rename-step":
        step, name = rest
        config = lifecycle.load(ws.config_path)
        admin.save_with_backup(admin.edit_step(config, "standard", step, name=name), ws.config_path)
        contact = service.create_contact("Moved by " + ws.user)
        seen["stage"] = service.set_stage(contact.id, step).stage
    print(json.dumps(seen))
    """
)


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def python_for_users() -> str | None:
    """An interpreter other users may run (this one may live under root's home)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(version), f"/usr/bin/{version}"):
        if not candidate:
            continue
        probe = [RUNUSER, "-u", "nobody", "--", candidate, "-c", "pass"]
        if subprocess.run(probe, capture_output=True).returncode == 0:
            return candidate
    return None


class Users:
    """Two members of a new group and one outsider, removed afterwards."""

    def __init__(self, base: Path, python: str) -> None:
        tag = uuid.uuid4().hex[:6]
        self.group = f"ctg{tag}"
        self.alice, self.bob, self.eve = (f"ct{who}{tag}" for who in "abe")
        self.base = base
        self.python = python
        self.script = base / "member.py"
        self.script.write_text(MEMBER)
        self.script.chmod(0o644)

    def create(self) -> None:
        run(["groupadd", self.group])
        for user in (self.alice, self.bob, self.eve):
            run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user])
        for user in (self.alice, self.bob):
            run(["usermod", "-aG", self.group, user])

    def remove(self) -> None:
        for user in (self.alice, self.bob, self.eve):
            subprocess.run(["userdel", user], capture_output=True)
        subprocess.run(["groupdel", self.group], capture_output=True)

    def as_user(self, user: str, *args: str) -> subprocess.CompletedProcess:
        paths = [str(Path(contacts_tui.__file__).parents[1])]
        paths += list(
            dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
        )
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.base),
            "PYTHONPATH": os.pathsep.join(paths),
            "XDG_CONFIG_HOME": str(self.base / f"cfg-{user}"),
            "XDG_DATA_HOME": str(self.base / f"data-{user}"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        command = [RUNUSER, "-u", user, "--", self.python, str(self.script), *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    def seen(self, user: str, *args: str) -> dict:
        done = self.as_user(user, *args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def users() -> Iterator[Users]:
    python = python_for_users()
    if python is None:
        pytest.skip("no Python interpreter other users may run")
    base = Path(tempfile.mkdtemp(prefix="contacts-group-"))
    base.chmod(0o711)  # others may pass through to the workspace, not list the folder
    team = Users(base, python)
    try:
        team.create()
        yield team
    finally:
        team.remove()
        shutil.rmtree(base, ignore_errors=True)


def upload(base: Path, name: str, text: str) -> Path:
    path = base / name
    path.write_text(text)
    path.chmod(0o644)
    return path


def same_prefix_text(sha256: str) -> str:
    """Some text whose hash starts like `sha256`: it goes into the same documents/ folder."""
    n = 0
    while not hashlib.sha256(f"from bob {n}".encode()).hexdigest().startswith(sha256[:2]):
        n += 1
    return f"from bob {n}"


def test_second_member_uses_everything_and_an_outsider_reads_nothing(users: Users) -> None:
    home = users.base / "alice"  # Alice's own folder; others may pass through it
    home.mkdir(mode=0o711)
    shutil.chown(home, users.alice)
    ws = home / "team"
    made = users.as_user(users.alice, "cli", str(ws), "init", "--group", users.group)
    assert made.returncode == 0, made.stderr
    alice = users.seen(
        users.alice, "add", str(ws), "From Alice", str(upload(users.base, "a.txt", "from alice"))
    )

    bob_text = same_prefix_text(alice["sha256"])
    bob_file = upload(users.base, "b.txt", bob_text)
    bob = users.seen(users.bob, "add", str(ws), "From Bob", str(bob_file))
    assert bob["sha256"][:2] == alice["sha256"][:2]  # into the folder Alice's upload made
    assert users.seen(users.bob, "rename-step", str(ws), "qualified", "SQL")["stage"] == "qualified"

    seen = users.seen(users.alice, "read", str(ws))
    assert seen["names"] == ["From Alice", "From Bob", f"Moved by {users.bob}"]
    assert seen["documents"] == {"a.txt": "from alice", "b.txt": bob_text}
    assert "SQL" in seen["steps"]
    assert users.as_user(users.alice, "cli", str(ws), "check").returncode == 0

    gid = ws.stat().st_gid
    for path in [ws, *ws.rglob("*")]:
        info = path.lstat()
        assert info.st_gid == gid, path
        expected = 0o2770 if stat.S_ISDIR(info.st_mode) else 0o660
        assert stat.S_IMODE(info.st_mode) == expected, path
    assert (ws / "lifecycle.toml.bak").exists()

    # Eve is in no group of theirs: nothing can be listed, opened or started.
    outsider = users.as_user(users.eve, "cli", str(ws), "check")
    assert outsider.returncode == 2
    assert "Traceback" not in outsider.stderr
    assert len(outsider.stderr.strip().splitlines()) == 1, outsider.stderr
    assert f"shared with the group {users.group}, and you are not in it" in outsider.stderr
    for target in (
        "contacts.db",
        "lifecycle.toml",
        f"documents/{alice['sha256'][:2]}/{alice['sha256']}",
    ):
        peek = subprocess.run(
            [RUNUSER, "-u", users.eve, "--", "cat", str(ws / target)], capture_output=True
        )
        assert peek.returncode != 0 and b"Permission denied" in peek.stderr, target
    listing = subprocess.run([RUNUSER, "-u", users.eve, "--", "ls", str(ws)], capture_output=True)
    assert listing.returncode != 0


def test_a_workspace_owned_by_an_outsider_is_refused(users: Users) -> None:
    """Eve makes a folder for the team's group (she is not in it): members refuse it."""
    ws = users.base / "planted"
    ws.mkdir()
    shutil.chown(ws, users.eve, users.group)
    ws.chmod(0o2770)
    started = users.as_user(users.bob, "cli", str(ws), "check")
    assert started.returncode == 2
    assert f"belongs to {users.eve}, who is outside its group {users.group}" in started.stderr
    assert "Fix" in started.stderr
    assert not (ws / "contacts.db").exists()
