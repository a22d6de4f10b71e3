"""A throwaway PostgreSQL server for one test run, when the server binaries are installed.

Started once per run by the process that runs pytest (the xdist controller, or the only
process without xdist) before any test worker exists; the workers inherit its URL in
CONTACTS_TUI_TEST_PG_URL and each makes a database of its own on it. The same steps as
.ci/postgres.sh: initdb and pg_ctl, a Unix socket in a temporary folder, no TCP port,
run as the user postgres when the tests run as root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

URL_VARIABLE = "CONTACTS_TUI_TEST_PG_URL"


@dataclass
class Server:
    bin_dir: Path
    folder: Path
    as_postgres: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.folder}"

    def stop(self) -> None:
        pg_ctl = str(self.bin_dir / "pg_ctl")
        subprocess.run(
            [*self.as_postgres, pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian's layout), or PG_BIN."""
    candidates = [os.environ["PG_BIN"]] if os.environ.get("PG_BIN") else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    for candidate in candidates:
        if os.access(Path(candidate) / "initdb", os.X_OK):
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def start() -> tuple[Server | None, str]:
    """A running server, or None and why not (the PostgreSQL tests are then skipped)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None, "the PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    as_postgres: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="contacts-tui-pg."))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return None, "running as root without runuser to start PostgreSQL as postgres"
        as_postgres = ["runuser", "-u", "postgres", "--"]
        try:
            shutil.chown(folder, user="postgres")
        except (LookupError, OSError) as error:
            shutil.rmtree(folder, ignore_errors=True)
            return None, f"cannot hand a folder to the user postgres: {error}"
    server = Server(bin_dir, folder, as_postgres)
    data = str(folder / "data")
    options = f"-c listen_addresses='' -k {folder} -c fsync=off -c max_connections=200"
    steps = (
        [str(bin_dir / "initdb"), "-D", data, "-A", "trust", "-U", "postgres"],
        [str(bin_dir / "pg_ctl"), "-D", data, "-l", f"{folder}/log", "-w", "-o", options, "start"],
    )
    for step in steps:
        done = subprocess.run([*as_postgres, *step], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            server.stop()
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
            return None, f"the throwaway PostgreSQL server did not start: {last[0]}"
    return server, ""
