"""The `contacts-tui` command: open the app, or run a subcommand for scripts on servers."""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from contacts_tui.safe_text import display_safe
from contacts_tui.store import MAX_RECORD_ID, SORT_KEYS, is_postgres_url

if TYPE_CHECKING:
    from contacts_tui.services.reports import Report
    from contacts_tui.workspace import Workspace

EXIT_PROBLEM = 2
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C, as shells report a command ended by SIGINT (128 + 2)."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="workspace folder (default: $CONTACTS_TUI_HOME or your user data folder)",
    )
    common.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database URL overriding the workspace's contacts.db "
        "(sqlite:///relative/path, sqlite:////absolute/path or postgresql://user@host/name)",
    )
    parser = argparse.ArgumentParser(
        prog="contacts-tui",
        description="Sales Management → Contacts, in the terminal.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo", parents=[common], help="add realistic synthetic contacts to the workspace"
    )
    demo.add_argument("--contacts", type=int, default=1000, metavar="N", help="how many (1000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed, for repeatable data")
    check = commands.add_parser(
        "check", parents=[common], help="validate lifecycle.toml, the database and documents"
    )
    check.add_argument(
        "--repair",
        action="store_true",
        help="remove stored files no document uses and leftover upload files",
    )
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="copy the SQLite database to a new file while others keep working",
    )
    backup.add_argument("-o", "--output", type=Path, metavar="PATH", help="the new file")
    add_init_parser(commands, common)
    add_migrate_parser(commands, common)
    add_export_parser(commands, common)
    add_import_parser(commands, common)
    add_documents_parser(commands, common)
    add_report_parser(commands, common)
    return parser


def add_export_parser(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """`export`: the contacts of a view to a CSV, JSON or vCard file."""
    export = commands.add_parser(
        "export",
        parents=[common],
        help="write contacts to a CSV, JSON or vCard 4.0 file",
        description="Write every contact matching the search and filters to a file "
        "(created 0600; never overwritten without --force, never through a symlink). "
        "Prints the number of contacts written.",
    )
    export.add_argument("--format", choices=("csv", "json", "vcard"), default="csv")
    export.add_argument(
        "-o", "--output", type=Path, required=True, metavar="PATH", help="- : standard output"
    )
    export.add_argument(
        "--profile",
        choices=("plain", "google", "outlook"),
        default="plain",
        help="CSV columns: plain (ours, safe to open in a spreadsheet), google or outlook "
        "(the headers Google Contacts and Outlook import without help)",
    )
    export.add_argument("--search", default="", metavar="TEXT", help="as the list's search (/)")
    export.add_argument("--status", choices=("Open", "Closed"), help="only Open or Closed")
    export.add_argument("--archived", action="store_true", help="archived contacts instead")
    export.add_argument("--sort", choices=sorted(SORT_KEYS), default="name")
    export.add_argument("--descending", action="store_true", help="reverse the sort order")
    export.add_argument("--force", action="store_true", help="replace an existing file")


def add_import_parser(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """`import`: add the contacts of a CSV, JSON or vCard file to the workspace."""
    command = commands.add_parser(
        "import",
        parents=[common],
        help="add contacts from a CSV, JSON or vCard file",
        description="Add the contacts of PATH: a CSV file (the columns `export` writes, "
        "or those of Google Contacts, Outlook, Thunderbird, HubSpot and LinkedIn exports, "
        "any delimiter), a JSON list as `export --format json` writes, or vCards 2.1 to "
        "4.0 (jCard too). Every value is checked as in the app; one that cannot be stored "
        "is reported on stderr with its line, item or card and kept in the contact's "
        "notes, and the contact comes in with the rest (--strict: refused whole). Exit "
        "status: 0 nothing refused, 1 some rows refused, 2 the file could not be read "
        "(nothing imported).",
    )
    command.add_argument("path", type=Path, metavar="PATH", help="the file to import")
    command.add_argument(
        "--format",
        choices=("csv", "json", "vcard"),
        help="the file's format (default: from its extension: .csv, .json, .vcf)",
    )
    command.add_argument(
        "--on-duplicate",
        "--duplicates",  # its older name, which scripts may still use
        dest="on_duplicate",
        choices=("skip", "update", "create", "add"),
        default="skip",
        help="a contact that is already there (same UID, same e-mail, or same name with "
        "the same phone or IBAN): skip it and say so (default), update the saved one with "
        "the file's values, or create it anyway (add: the same as create)",
    )
    command.add_argument(
        "--strict",
        action="store_true",
        help="refuse a contact whole when one of its values cannot be stored",
    )
    command.add_argument(
        "--encoding",
        metavar="NAME",
        help="the file's character encoding (default: UTF-8, UTF-16 with a BOM, or detected)",
    )
    command.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read a CSV column as a field, e.g. --map 'Org=company' (repeat for more); "
        "FIELD: name, first_name, last_name, email, phone, company, job_title, "
        "department, website, birthday, nickname, notes, address, city, state, zip_code, "
        "country, stage, segmentation, scoring, reason_code, or blank to leave it out",
    )
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="check everything and list what would be created, updated, skipped and refused",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        return run_app(args)
    if args.command == "init":
        return run_init(args)
    workspace = open_workspace_or_say_why(args)
    if workspace is None:
        return EXIT_PROBLEM
    swept = remove_leftovers(workspace)
    try:
        return run_command(workspace, args, swept)
    except Exception as error:
        message = failure_message(error)
        if message is None:
            raise
        clear = "\r\x1b[K" if sys.stderr.isatty() else ""  # a progress line, if any
        print(f"{clear}contacts-tui: {message}", file=sys.stderr)
        return EXIT_PROBLEM


def failure_message(error: Exception) -> str | None:
    """One line for a failure of the database or the disk (None: a bug, to show whole)."""
    from contacts_tui.safe_text import error_message
    from contacts_tui.store.database import database_error, disk_is_full, is_busy

    if disk_is_full(error):
        return "the disk is full: free some space and try again."
    refused = database_error(error)
    if refused is not None and is_busy(refused):
        return "another user's change held the database for too long: try again in a moment."
    if refused is not None:
        return f"the database refused: {error_message(refused).rstrip('.')}."
    if isinstance(error, OSError):
        return f"{error_message(error)}."
    return None


def run_command(workspace: Workspace, args: argparse.Namespace, swept: list[Path]) -> int:
    if args.command == "demo":
        return run_demo(workspace, args.contacts, args.seed)
    if args.command == "check":
        return run_check(workspace, args.repair, swept)
    if args.command == "export":
        return run_export(workspace, args)
    if args.command == "import":
        return run_import(workspace, args)
    if args.command == "backup":
        return run_backup(workspace, args.output)
    if args.command == "migrate":
        return run_migrate(workspace, args.to)
    if args.command == "report":
        return run_report(workspace, args)
    return run_documents(workspace, args)  # the last of the subcommands


def open_workspace_or_say_why(args: argparse.Namespace) -> Workspace | None:
    """The workspace of --home/--db, or None once the reason it cannot open is printed."""
    from contacts_tui.locations import default_workspace
    from contacts_tui.workspace import WorkspaceError, open_workspace

    try:
        home = getattr(args, "home", None) or default_workspace()
        return open_workspace(home, getattr(args, "db", None), announce_update)
    except WorkspaceError as error:
        print(f"contacts-tui: {display_safe(error)}", file=sys.stderr)
        return None


def remove_leftovers(workspace: Workspace) -> list[Path]:
    """Remove the temp files killed uploads, exports and backups left (see temp_files)."""
    from contacts_tui.temp_files import remove_workspace_leftovers

    return remove_workspace_leftovers(workspace.folder, workspace.documents)


def announce_update(migrations: list[str]) -> None:
    print(
        f"contacts-tui: updating the database for this version ({', '.join(migrations)}); "
        "a large workspace can take a minute…",
        file=sys.stderr,
        flush=True,
    )


def run_app(args: argparse.Namespace) -> int:
    """The TUI, with the cyclic garbage collector paused until its first frame is drawn.

    Starting allocates some 200,000 objects that live as long as the app (Textual,
    peewee, the first page); the collector would walk them over and over while they are
    made: about 20 ms of a 250 ms start. ContactsApp resumes it after the first frame,
    freezing what start-up made so that later collections skip it.
    """
    gc.disable()
    if not is_postgres_url(getattr(args, "db", None)):
        # This process will only ever speak SQLite. peewee imports the PostgreSQL driver
        # whenever it finds it installed, and with it libpq and OpenSSL: 9 ms of a start.
        # None: `import psycopg2` fails at once.
        sys.modules.setdefault("psycopg2", None)  # type: ignore[arg-type]
    # OpenSSL costs 4.5 MB resident for the whole session and 9 ms of the start, and the
    # list never needs it: asyncio (under Textual) imports ssl only to offer TLS, which
    # the app never opens (psycopg2 speaks TLS through libpq); peewee imports hashlib for
    # the md5 of index names, which the builtin md5 gives as well. Hashing a document
    # loads OpenSSL then (`documents._sha256`).
    sys.modules.setdefault("ssl", None)  # type: ignore[arg-type]
    sys.modules.setdefault("_hashlib", None)  # type: ignore[arg-type]
    try:
        workspace = open_workspace_or_say_why(args)
        if workspace is None:
            return EXIT_PROBLEM
        remove_leftovers(workspace)
        from contacts_tui.app import ContactsApp  # Textual loads only for the TUI

        app = ContactsApp(workspace)
        app.run()
        # Textual prints the traceback of a crash and returns; the exit status must say it
        # too (the unsaved edits were kept for the next start, see ContactsApp.drafts).
        return app.return_code or 0
    finally:
        gc.enable()


def run_demo(workspace: Workspace, count: int, seed: int) -> int:
    from contacts_tui.demo import MAX_CONTACTS, add_demo_contacts

    if not 1 <= count <= MAX_CONTACTS:
        print(f"contacts-tui: --contacts must be from 1 to {MAX_CONTACTS:,}.", file=sys.stderr)
        return EXIT_PROBLEM
    started = time.perf_counter()
    show_progress = sys.stderr.isatty()
    committed = 0

    def report(done: int) -> None:
        nonlocal committed
        committed = done
        if show_progress:
            print(f"\r{done:,} / {count:,} contacts saved", end="", file=sys.stderr, flush=True)

    clear = "\r\x1b[K" if show_progress else ""
    try:
        add_demo_contacts(workspace.config, count, workspace.user, seed, progress=report)
    except KeyboardInterrupt:
        # Ctrl-C: the batch being written is finished first (about a second), and stays.
        print(
            f"{clear}contacts-tui: stopped; {committed:,} demo contacts were added.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except Exception as error:
        message = failure_message(error)
        if message is None:
            raise
        print(
            f"{clear}contacts-tui: {message} {committed:,} demo contacts were added before it.",
            file=sys.stderr,
        )
        return EXIT_PROBLEM
    print(
        f"{clear}Added {count:,} demo contacts in {time.perf_counter() - started:.1f} s.",
        file=sys.stderr,
    )
    return 0


def run_check(workspace: Workspace, repair: bool = False, swept: Sequence[Path] = ()) -> int:
    from contacts_tui.check import check_workspace

    repaired = [f"Removed {path}, left by a killed upload, export or backup." for path in swept]
    problems = check_workspace(workspace, repair=repair, repaired=repaired)
    for done in repaired:
        print(f"repaired: {display_safe(done)}")
    for problem in problems:
        print(f"problem: {display_safe(problem)}")
    if problems:
        return EXIT_PROBLEM
    print(f"{workspace.folder}: lifecycle.toml, the database and the documents are fine.")
    return 0


def run_backup(workspace: Workspace, output: Path | None) -> int:
    from datetime import datetime

    from contacts_tui.backup import BackupError, backup_database

    target = output or Path(f"contacts-backup-{datetime.now():%Y%m%d-%H%M%S}.db")
    try:
        size = backup_database(workspace.database, target)
    except BackupError as error:
        print(f"contacts-tui: {display_safe(error)}", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"Backed up the database to {target} ({size:,} bytes).", file=sys.stderr)
    return 0


def run_export(workspace: Workspace, args: argparse.Namespace) -> int:
    from contacts_tui.export import ExportError, ExportExistsError, export_contacts
    from contacts_tui.services import ContactFilter, ContactService
    from contacts_tui.validation import ValidationError, clean_text

    try:
        search = clean_text(args.search, field="--search", max_length=200)
    except ValidationError as error:
        print(f"contacts-tui: {display_safe(error)}", file=sys.stderr)
        return EXIT_PROBLEM
    contact_filter = ContactFilter(search=search, status=args.status, archived=args.archived)
    service = ContactService(workspace.config, workspace.user, config_path=workspace.config_path)
    show_progress = sys.stderr.isatty()

    def report(done: int, total: int) -> None:
        if show_progress:
            print(f"\r{done:,} / {total:,} contacts", end="", file=sys.stderr, flush=True)

    to_stdout = str(args.output) == "-"
    try:
        count = export_contacts(
            service,
            contact_filter,
            args.sort,
            args.descending,
            args.format,
            args.output,
            progress=report,
            overwrite=args.force,
            profile=args.profile,
            stream=sys.stdout if to_stdout else None,
        )
    except ExportError as error:
        if show_progress:
            print(file=sys.stderr)
        message = str(error)
        if isinstance(error, ExportExistsError):
            message += " Use --force to replace it."
        print(f"contacts-tui: {display_safe(message)}", file=sys.stderr)
        return EXIT_PROBLEM
    if show_progress:
        print(file=sys.stderr)
    if to_stdout:
        print(f"{count:,} contact{'' if count == 1 else 's'} written.", file=sys.stderr)
    else:
        print(count)
    return 0


def run_import(workspace: Workspace, args: argparse.Namespace) -> int:
    """Exit 0: nothing rejected; 1: some rows rejected, the rest imported; 2: no import."""
    import peewee

    from contacts_tui.documents import BlobStore
    from contacts_tui.importer import ImportFileError
    from contacts_tui.services import ContactService
    from contacts_tui.services.imports import import_contacts

    # documents/: a vCard's PHOTO is kept as the contact's document.
    store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
    service = ContactService(
        workspace.config, workspace.user, blobs=store, config_path=workspace.config_path
    )
    show_progress = sys.stderr.isatty()
    clear = "\r\x1b[K" if show_progress else ""  # the progress line, before a message

    def report(done: int, total: int) -> None:
        if show_progress:
            print(f"\r{done:,} / {total:,} rows", end="", file=sys.stderr, flush=True)

    def say(problem) -> None:
        if problem.outcome == "created":  # only a dry run lists them
            print(f"{clear}{display_safe(problem.ref)}: would be created: {problem.reason}")
        else:
            print(f"{clear}{display_safe(problem)}", file=sys.stderr)

    mapping: dict[str, str] = {}
    for entry in args.map:
        column, equals, field = entry.partition("=")
        if not equals or not column.strip():
            print(
                f"contacts-tui: --map {display_safe(entry)!r} is not COLUMN=FIELD. "
                "Nothing was imported.",
                file=sys.stderr,
            )
            return EXIT_PROBLEM
        mapping[column.strip()] = field.strip()
    try:
        summary = import_contacts(
            service,
            args.path,
            args.format,
            on_duplicate=args.on_duplicate,
            strict=args.strict,
            encoding=args.encoding,
            mapping=mapping or None,
            dry_run=args.dry_run,
            progress=report,
            on_problem=say,
        )
    except ImportFileError as error:
        message = str(error)
        if args.format is None and "extension" in message:
            message += " Use --format."
        print(
            f"{clear}contacts-tui: {display_safe(message)} Nothing was imported.", file=sys.stderr
        )
        return EXIT_PROBLEM
    except (peewee.DatabaseError, OSError) as error:
        print(
            f"{clear}contacts-tui: {failure_message(error)} The contacts imported before "
            "this stay; nothing of the batch being written was saved.",
            file=sys.stderr,
        )
        return EXIT_PROBLEM
    for note in summary.notes:
        print(f"{clear}note: {display_safe(note)}", file=sys.stderr)
    print(clear, end="", file=sys.stderr)
    print(safe_lines(summary.text(see_above=True)))
    return 1 if summary.rejected else 0


# ----- init and migrate: a workspace for a team ----------------------------------------


def add_init_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    init = commands.add_parser(
        "init",
        parents=[common],
        help="prepare a private workspace, or one shared with a Unix group",
        description="Create the workspace (or fix the modes of an existing one): private "
        "(folder 0700, files 0600), or with --group shared by that group's members "
        "(folder 2770 owned by the group, files 0660, every folder setgid). Nobody "
        "outside can read anything. Exit 1: some files belong to another member and "
        "kept their mode (listed).",
    )
    init.add_argument("--group", metavar="GROUP", help="the Unix group sharing the workspace")


def add_migrate_parser(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    migrate = commands.add_parser(
        "migrate",
        parents=[common],
        help="copy the SQLite database into an empty PostgreSQL database",
        description="Copy every table of the workspace's SQLite database into an EMPTY "
        "PostgreSQL database, in batches, then check each table's row count and "
        "checksum. The SQLite file is not changed. Afterwards run with --db URL.",
    )
    migrate.add_argument("--to", required=True, metavar="URL", help="postgresql://…")


def run_init(args: argparse.Namespace) -> int:
    from contacts_tui.locations import default_workspace
    from contacts_tui.workspace import WorkspaceError, init_workspace

    home = getattr(args, "home", None) or default_workspace()
    try:
        workspace, problems = init_workspace(home, args.group, getattr(args, "db", None))
    except WorkspaceError as error:
        print(f"contacts-tui: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    how = f"shared with the group {args.group} (2770/0660)" if args.group else "private (0700/0600)"
    print(f"{workspace.folder}: workspace ready, {how}.")
    return 1 if problems else 0


def run_migrate(workspace: Workspace, url: str) -> int:
    import peewee

    from contacts_tui.store.to_postgres import MigrateError, copy_to_postgres

    if not is_postgres_url(url):
        print("contacts-tui: --to takes a postgresql://user@host/name URL.", file=sys.stderr)
        return EXIT_PROBLEM
    if not isinstance(workspace.database, peewee.SqliteDatabase):
        print(
            "contacts-tui: migrate copies a SQLite workspace; this one is on PostgreSQL.",
            file=sys.stderr,
        )
        return EXIT_PROBLEM
    show_progress = sys.stderr.isatty()
    started = time.perf_counter()

    def report(done: int, total: int, table: str) -> None:
        if show_progress:
            bar = "#" * (done * 30 // max(total, 1))
            line = f"[{bar:.<30}] {done:,} / {total:,} rows ({table})"
            print(f"\r\x1b[K{line}", end="", file=sys.stderr, flush=True)

    problem = None
    try:
        copies = copy_to_postgres(workspace.database, url, report)
    except MigrateError as error:
        problem = error
    if show_progress:
        print(file=sys.stderr)  # end the progress line
    if problem is not None:
        print(f"contacts-tui: {problem}", file=sys.stderr)
        return EXIT_PROBLEM
    for copy in copies:
        print(f"{copy.table}\t{copy.rows}\t{copy.checksum}")
    rows = sum(c.rows for c in copies)
    print(
        f"Copied {rows:,} rows of {len(copies)} tables in {time.perf_counter() - started:.1f} s; "
        "every count and checksum matches. The SQLite database is unchanged. "
        f"Open the workspace with: contacts-tui --home {workspace.folder} --db URL",
        file=sys.stderr,
    )
    return 0


# ----- documents ------------------------------------------------------------------------


def add_documents_parser(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """`documents list|add|get|rm`: a contact's documents, for scripts."""
    documents = commands.add_parser(
        "documents",
        parents=[common],
        help="list, add, save or remove a contact's documents",
        description="A contact's documents. CONTACT is a contact id or an exact e-mail "
        "address; DOCUMENT_ID is the first column of `documents list`.",
    )
    actions = documents.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        parents=[common],
        help="one line per document",
        description="One tab-separated line per document: id, type, size in bytes, "
        "uploaded at (UTC), uploaded by, file name.",
    )
    listing.add_argument("contact", metavar="CONTACT", help="contact id or exact e-mail")
    add = actions.add_parser(
        "add",
        parents=[common],
        help="upload a file to a contact; prints the new document id",
        description="Store a copy of FILE among the contact's documents and print its id. "
        "The size limit is document_max_mb in lifecycle.toml.",
    )
    add.add_argument("contact", metavar="CONTACT", help="contact id or exact e-mail")
    add.add_argument("file", type=Path, metavar="FILE")
    add.add_argument("--type", dest="doc_type", metavar="T", help="document type (default: Other)")
    get = actions.add_parser(
        "get",
        parents=[common],
        help="save a verified copy of a document",
        description="Save a copy of the document to PATH (created 0600; never through a "
        "symbolic link; an existing file only with --force). Its fingerprint is checked.",
    )
    get.add_argument("document_id", type=record_id, metavar="DOCUMENT_ID")
    get.add_argument("-o", "--output", type=Path, required=True, metavar="PATH")
    get.add_argument("--force", action="store_true", help="replace an existing file")
    remove = actions.add_parser(
        "rm",
        parents=[common],
        help="delete a document",
        description="Delete the document; its stored file goes once no document uses it.",
    )
    remove.add_argument("document_id", type=record_id, metavar="DOCUMENT_ID")


def record_id(text: str) -> int:
    """An id as argparse reads it: a whole number from 1 to the databases' largest."""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_RECORD_ID:
        raise argparse.ArgumentTypeError(
            f"'{display_safe(text)}' is not an id (a whole number from 1 to {MAX_RECORD_ID})."
        )
    return int(text)


def run_documents(workspace: Workspace, args: argparse.Namespace) -> int:
    import peewee

    from contacts_tui.documents import BlobStore, DocumentError, TargetExistsError
    from contacts_tui.services import ContactService, NotFoundError
    from contacts_tui.validation import ValidationError

    try:
        store = BlobStore(workspace.documents, group_shared=workspace.group_shared)
        service = ContactService(
            workspace.config, workspace.user, blobs=store, config_path=workspace.config_path
        )
        return _documents_action(service, args)
    except TargetExistsError as error:
        print(f"contacts-tui: {display_safe(error)} Use --force to replace it.", file=sys.stderr)
    except (DocumentError, NotFoundError, ValidationError) as error:
        print(f"contacts-tui: {display_safe(error)}", file=sys.stderr)
    except (peewee.DatabaseError, OSError) as error:
        print(f"contacts-tui: {failure_message(error)}", file=sys.stderr)
    return EXIT_PROBLEM


def _documents_action(service, args: argparse.Namespace) -> int:
    if args.action == "list":
        for doc in service.documents.of_contact(service.find_contact(args.contact)):
            uploaded = f"{doc.uploaded_at:%Y-%m-%dT%H:%M:%S}"
            fields = (doc.id, doc.doc_type, doc.size, uploaded, doc.uploaded_by, doc.file_name)
            print("\t".join(map(display_safe, fields)))  # a tab in a value: a space
    elif args.action == "add":
        if not args.file.exists() and not args.file.is_symlink():
            print(f"contacts-tui: {display_safe(args.file)}: no such file.", file=sys.stderr)
            return EXIT_PROBLEM
        contact_id = service.find_contact(args.contact)
        types = service.config.picklists.document_types
        doc_type = args.doc_type or ("Other" if "Other" in types else types[0])
        show_progress = sys.stderr.isatty()

        def report(done: int, total: int) -> None:
            if show_progress:
                print(f"\r{done * 100 // max(total, 1)} %", end="", file=sys.stderr, flush=True)

        try:
            info = service.documents.add(contact_id, args.file, doc_type, progress=report)
        finally:
            if show_progress:
                print(file=sys.stderr)
        if info.file_name != args.file.name:
            print(f"note: {renamed_because(args.file.name, info.file_name)}", file=sys.stderr)
        print(info.id)
    elif args.action == "get":
        info = service.documents.save_copy(args.document_id, args.output, overwrite=args.force)
        saved = f"Saved {info.file_name} to {args.output}."
        print(display_safe(saved), file=sys.stderr)
    elif args.action == "rm":
        info = service.documents.delete(args.document_id)
        print(display_safe(f"Deleted document {info.id} ({info.file_name})."), file=sys.stderr)
    return 0


def safe_lines(text: str) -> str:
    """Several lines of text, each made safe for the terminal (display_safe)."""
    return "\n".join(map(display_safe, str(text).splitlines()))


def renamed_because(given: str, stored: str) -> str:
    """Why a document is listed under another name than its file's."""
    shown = display_safe(stored)
    if given.encode("utf-8", "surrogateescape") != given.encode("utf-8", "replace"):
        return f"the file name is not UTF-8; its bytes were read as Latin-1: stored as '{shown}'."
    return (
        f"stored as '{shown}': control characters, direction marks and folders are never "
        "kept in a document's name."
    )


def add_report_parser(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """`report`: the sales reports of the reports screen, for scripts."""
    command = commands.add_parser(
        "report",
        parents=[common],
        help="sales reports: funnel, time in stage, movement, breakdowns",
        description="Print or save a sales report over the stage history for a period and "
        "a filter of contacts (as they are now; archived ones only with --archived). "
        "funnel: contacts reaching each category and step, conversion to the next, won, "
        "lost, win rate. time-in-stage: median and 90th percentile days per step (--stuck "
        "lists the contacts beyond it). movement: stage changes, new contacts, won and "
        "lost per week. breakdown: the funnel per value of --by.",
    )
    command.add_argument(
        "kind",
        choices=("funnel", "time-in-stage", "movement", "breakdown"),
        metavar="REPORT",
        help="funnel, time-in-stage, movement or breakdown",
    )
    command.add_argument(
        "--period",
        choices=("month", "quarter", "12months"),
        default="12months",
        help="this month, this quarter or the last 12 months (default); --from/--to "
        "give dates instead",
    )
    command.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day")
    command.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (included)")
    command.add_argument("--template", metavar="KEY", help="lifecycle (default: the default)")
    command.add_argument(
        "--by",
        choices=("segmentation", "reason_code", "account", "company", "user"),
        default="segmentation",
        help="what a breakdown is by (default: segmentation)",
    )
    command.add_argument("--stuck", action="store_true", help="time-in-stage: stuck contacts")
    command.add_argument("--format", choices=("table", "csv", "json"), default="table")
    command.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="PATH",
        help="a new file, or - (default) for standard output",
    )
    command.add_argument("--force", action="store_true", help="replace an existing file")
    command.add_argument("--search", default="", metavar="TEXT", help="as the list's search (/)")
    command.add_argument("--status", choices=("Open", "Closed"), help="only Open or Closed")
    command.add_argument("--segmentation", metavar="VALUE", help="only this segmentation")
    command.add_argument("--reason-code", metavar="VALUE", help="only this reason code")
    command.add_argument("--archived", action="store_true", help="archived contacts instead")


def run_report(workspace: Workspace, args: argparse.Namespace) -> int:
    from contacts_tui.export import ExportError
    from contacts_tui.report_files import save_report, write_report
    from contacts_tui.safe_text import error_message
    from contacts_tui.services import ContactFilter, ContactService
    from contacts_tui.services.reports import ReportService, parse_day, period
    from contacts_tui.validation import ValidationError, clean_text

    try:
        if args.start or args.end:
            span = period(
                "custom",
                start=parse_day(args.start or "", "--from"),
                end=parse_day(args.end or "", "--to"),
            )
        else:
            span = period(args.period)
        contact_filter = ContactFilter(
            search=clean_text(args.search, field="--search", max_length=200),
            status=args.status,
            segmentation=args.segmentation,
            reason_code=args.reason_code,
            archived=args.archived,
        )
        reports = ReportService(ContactService(workspace.config, workspace.user))
        report: Report
        if args.kind == "funnel":
            report = reports.funnel(span, contact_filter, args.template)
        elif args.kind == "time-in-stage":
            report = reports.time_in_stage(span, contact_filter, args.template)
        elif args.kind == "movement":
            report = reports.movement(span, contact_filter, args.template)
        else:
            report = reports.breakdown(span, args.by, contact_filter, args.template)
        if args.output == "-":
            write_report(report, args.format, sys.stdout, args.stuck)
        else:
            save_report(report, args.format, args.output, args.force, args.stuck)
    except (ValidationError, ExportError) as error:
        print(f"contacts-tui: {error_message(error)}", file=sys.stderr)
        return EXIT_PROBLEM
    return 0


def entry() -> None:
    sys.exit(main())
