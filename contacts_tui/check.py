"""`contacts-tui check`: find what is wrong with a workspace's configuration and data."""

from __future__ import annotations

import peewee

from contacts_tui.documents import BlobStore, DocumentError
from contacts_tui.safe_text import display_safe, error_message
from contacts_tui.services import remove_orphan_blob
from contacts_tui.store import summaries
from contacts_tui.store.database import schema_problems
from contacts_tui.store.models import Contact, Document, database
from contacts_tui.store.rows import tuples
from contacts_tui.workspace import Workspace


def check_workspace(
    workspace: Workspace, repair: bool = False, repaired: list[str] | None = None
) -> list[str]:
    """Every problem found, one sentence each; an empty list means all is well.

    With `repair`, what can be put right safely (orphan blobs, stale temp files) is, and
    one sentence for each goes to `repaired` instead.
    """
    problems: list[str] = []
    config = workspace.config
    known = {(t.key, s.key) for t in config.templates for s in t.steps()}
    templates = {t.key for t in config.templates}
    with database.connection_context():
        schema = schema_problems(database.obj)
        if schema:  # nothing else can be asked of a database without the app's tables
            return [*schema, "The database is not the app's: restore it from a backup."]
        if database.obj.__class__.__name__.startswith("Sqlite"):
            result = database.execute_sql("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                problems.append(f"The database file is damaged: {result}.")
            if database.execute_sql("PRAGMA foreign_key_check").fetchone():
                problems.append("Some records point at contacts or companies that do not exist.")
            if not search_index_is_intact():
                if repair:
                    database.execute_sql("INSERT INTO contact_fts(contact_fts) VALUES ('rebuild')")
                    (repaired if repaired is not None else []).append("rebuilt the search index")
                else:
                    problems.append(
                        "The search index does not match the contacts; "
                        "`contacts-tui check --repair` rebuilds it."
                    )
        problems.extend(check_summaries(repair, repaired))
        used = Contact.select(Contact.template, Contact.stage).distinct()
        for template, stage in tuples(used):
            if template not in templates:
                problems.append(
                    f"Contacts use the lifecycle '{display_safe(template)}', which lifecycle.toml "
                    "no longer has."
                )
            elif (template, stage) not in known:
                problems.append(
                    f"Contacts are at the step '{display_safe(stage)}', which the lifecycle "
                    f"'{display_safe(template)}' "
                    "no longer has; they show it as unknown until someone sets a new step."
                )
    problems.extend(check_documents(workspace, repair, repaired))
    return problems


def check_summaries(repair: bool = False, repaired: list[str] | None = None) -> list[str]:
    """The counts the database keeps for the dashboard and the reports, against the rows."""
    wrong = summaries.mismatches()
    reach_wrong = summaries.reach_mismatches()
    if not wrong and not reach_wrong:
        return []
    names = ", ".join([*wrong, *(["stage_reach"] if reach_wrong else [])])
    if repair:
        with database.atomic():
            summaries.rebuild(wrong)
            if reach_wrong:
                summaries.rebuild_reach()
        (repaired if repaired is not None else []).append(f"counted the summaries again ({names})")
        return []
    return [
        f"The kept counts ({names}) do not match the contacts and their stage history; "
        "`contacts-tui check --repair` counts them again."
    ]


def search_index_is_intact() -> bool:
    """FTS5's own check of the search index against the contact table (SQLite)."""
    try:
        database.execute_sql(
            "INSERT INTO contact_fts(contact_fts, rank) VALUES ('integrity-check', 1)"
        )
    except peewee.DatabaseError:
        return False
    return True


# ----- documents ----------------------------------------------------------------------


def check_documents(
    workspace: Workspace, repair: bool = False, repaired: list[str] | None = None
) -> list[str]:
    """Blobs with no row, rows with no blob or a wrong hash, and stale upload temp files."""
    repaired = [] if repaired is None else repaired
    try:
        store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
        on_disk = store.all_hashes()
    except (DocumentError, OSError) as error:
        return [f"The documents folder cannot be read: {error}"]
    with database.connection_context():
        referenced: dict[str, list[int]] = {}
        for document_id, sha256 in tuples(Document.select(Document.id, Document.sha256)):
            referenced.setdefault(sha256, []).append(document_id)
    problems: list[str] = []
    for sha256, ids in sorted(referenced.items()):
        which = _documents(ids)
        try:
            store.path_of(sha256)
        except DocumentError:
            problems.append(f"{which} has an invalid fingerprint '{display_safe(sha256)}'.")
            continue
        if store.path_of(sha256).is_symlink():
            # The app never makes one: someone put it there. It is not followed.
            problems.append(f"{which}: the stored file is a symbolic link; it was not read.")
            continue
        if sha256 not in on_disk:
            problems.append(f"{which}: the stored file is missing.")
            continue
        try:
            intact = store.verify(sha256)
        except DocumentError as error:
            problems.append(f"{which}: the stored file cannot be read ({_why(error)}).")
            continue
        if not intact:
            problems.append(f"{which}: the stored file is damaged (its bytes no longer match).")
    for sha256 in sorted(on_disk - referenced.keys()):
        if repair:
            try:
                # Decided again under the lock: an upload may have committed a row meanwhile.
                if remove_orphan_blob(store, sha256):
                    repaired.append(f"Removed the stored file {sha256}, which no document used.")
            except DocumentError as error:
                problems.append(f"The stored file {sha256} could not be removed: {error}")
        else:
            problems.append(
                f"The stored file {sha256} belongs to no document (`check --repair` removes it)."
            )
    for temp in store.leftover_temp_files():
        if repair:
            try:
                temp.unlink(missing_ok=True)
                repaired.append(f"Removed the leftover upload file {temp.name}.")
            except OSError as error:
                problems.append(f"The leftover upload file {temp} could not be removed: {error}.")
        else:
            problems.append(
                f"The leftover upload file {temp.name} belongs to no running upload "
                "(`check --repair` removes it)."
            )
    return problems


def _why(error: DocumentError) -> str:
    cause = error.__cause__
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return error_message(error)


def _documents(ids: list[int]) -> str:
    if len(ids) == 1:
        return f"Document {ids[0]}"
    return f"Documents {', '.join(map(str, ids))}"
