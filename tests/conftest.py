"""Fixtures shared by every test: an isolated home, and workspaces on SQLite or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import peewee
import postgres_server
import pytest

from contacts_tui.services import ContactService
from contacts_tui.workspace import Workspace, open_workspace

# Why the PostgreSQL tests skip, when they do (set by pytest_configure).
NO_PG_REASON = "PostgreSQL tests need the server binaries or CONTACTS_TUI_TEST_PG_URL"


def pytest_configure(config: pytest.Config) -> None:
    """Start a throwaway PostgreSQL server for this run, unless CI gave one already.

    Only in the process that runs pytest: xdist workers (which have `workerinput`) start
    later and inherit the URL through the environment.
    """
    global NO_PG_REASON
    if hasattr(config, "workerinput"):
        NO_PG_REASON = os.environ.get("CONTACTS_TUI_TEST_NO_PG_REASON", NO_PG_REASON)
        return
    if os.environ.get(postgres_server.URL_VARIABLE):
        return
    server, why_not = postgres_server.start()
    if server is None:
        NO_PG_REASON = f"PostgreSQL tests skipped: {why_not}"
        os.environ["CONTACTS_TUI_TEST_NO_PG_REASON"] = NO_PG_REASON
        return
    config._contacts_pg_server = server
    os.environ[postgres_server.URL_VARIABLE] = server.url


def pytest_unconfigure(config: pytest.Config) -> None:
    server = getattr(config, "_contacts_pg_server", None)
    if server is not None:
        os.environ.pop(postgres_server.URL_VARIABLE, None)
        server.stop()


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
    url = os.environ.get(postgres_server.URL_VARIABLE)
    if not url:
        pytest.skip(NO_PG_REASON)
    name = f"contacts_test_{worker_id}"
    admin = peewee.PostgresqlDatabase(**_pg_params(url))
    with admin.connection_context():
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.execute_sql(f"CREATE DATABASE {name}")
    return url.replace("/postgres?", f"/{name}?", 1)


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
