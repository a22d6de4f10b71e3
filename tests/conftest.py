"""Fixtures shared by every test: an isolated home, and workspaces on SQLite or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from contacts_tui.services import ContactService
from contacts_tui.workspace import Workspace, open_workspace

PG_URL = os.environ.get("CONTACTS_TUI_TEST_PG_URL")
SKIP_PG = "PostgreSQL tests need CONTACTS_TUI_TEST_PG_URL (.ci/run starts a server and sets it)"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's data, config or workspace."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.delenv("CONTACTS_TUI_HOME", raising=False)


@pytest.fixture(scope="session")
def pg_server_url(worker_id: str) -> str:
    """A database of its own for this test worker on the throwaway server."""
    if not PG_URL:
        pytest.skip(SKIP_PG)
    name = f"contacts_test_{worker_id}"
    admin = peewee.PostgresqlDatabase(**_pg_params(PG_URL))
    with admin.connection_context():
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.execute_sql(f"CREATE DATABASE {name}")
    return PG_URL.replace("/postgres?", f"/{name}?", 1)


def _pg_params(url: str) -> dict:
    from playhouse.db_url import parse

    return parse(url)


def fresh_pg_url(server_url: str) -> str:
    """Empty the worker's database, so each test starts from no schema at all."""
    db = peewee.PostgresqlDatabase(**_pg_params(server_url))
    with db.connection_context():
        db.execute_sql("DROP SCHEMA public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
    return server_url


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    return request.param


@pytest.fixture
def workspace(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    """A new workspace; on PostgreSQL when the test also asks for `backend`."""
    url = None
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgresql":
        url = fresh_pg_url(request.getfixturevalue("pg_server_url"))
    ws = open_workspace(tmp_path / "workspace", db_url=url)
    yield ws
    if hasattr(ws.database, "close_all"):
        ws.database.close_all()
    else:
        ws.database.close()


@pytest.fixture
def service(workspace: Workspace) -> ContactService:
    return ContactService(workspace.config, workspace.user)
