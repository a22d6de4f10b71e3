"""`contacts-tui check`: find what is wrong with a workspace's configuration and data."""

from __future__ import annotations

from contacts_tui.store.models import Contact, database
from contacts_tui.workspace import Workspace


def check_workspace(workspace: Workspace) -> list[str]:
    """Every problem found, one sentence each; an empty list means all is well."""
    problems: list[str] = []
    config = workspace.config
    known = {(t.key, s.key) for t in config.templates for s in t.steps()}
    templates = {t.key for t in config.templates}
    with database.connection_context():
        if database.obj.__class__.__name__.startswith("Sqlite"):
            result = database.execute_sql("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                problems.append(f"The database file is damaged: {result}.")
            if database.execute_sql("PRAGMA foreign_key_check").fetchone():
                problems.append("Some records point at contacts or companies that do not exist.")
        used = Contact.select(Contact.template, Contact.stage).distinct().tuples()
        for template, stage in used:
            if template not in templates:
                problems.append(
                    f"Contacts use the lifecycle {template!r}, which lifecycle.toml no longer has."
                )
            elif (template, stage) not in known:
                problems.append(
                    f"Contacts are at the step {stage!r}, which the lifecycle {template!r} "
                    "no longer has; they show it as unknown until someone sets a new step."
                )
    return problems
