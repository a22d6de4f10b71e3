"""The `contacts-tui` command: open the app, or run a subcommand for scripts on servers."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from contacts_tui.locations import default_workspace
from contacts_tui.workspace import Workspace, WorkspaceError, open_workspace

EXIT_PROBLEM = 2


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
        "(sqlite:///path or postgresql://user@host/name)",
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
    commands.add_parser("check", parents=[common], help="validate lifecycle.toml and the database")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        home = getattr(args, "home", None) or default_workspace()
        workspace = open_workspace(home, getattr(args, "db", None))
    except WorkspaceError as error:
        print(f"contacts-tui: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    if args.command == "demo":
        return run_demo(workspace, args.contacts, args.seed)
    if args.command == "check":
        return run_check(workspace)
    from contacts_tui.app import ContactsApp  # Textual loads only for the TUI

    ContactsApp(workspace).run()
    return 0


def run_demo(workspace: Workspace, count: int, seed: int) -> int:
    from contacts_tui.demo import add_demo_contacts

    if count < 1:
        print("contacts-tui: --contacts must be at least 1.", file=sys.stderr)
        return EXIT_PROBLEM
    started = time.perf_counter()

    def report(done: int) -> None:
        print(f"\r{done:,} / {count:,} contacts", end="", file=sys.stderr, flush=True)

    add_demo_contacts(workspace.config, count, workspace.user, seed, progress=report)
    print(
        f"\nAdded {count:,} demo contacts in {time.perf_counter() - started:.1f} s.",
        file=sys.stderr,
    )
    return 0


def run_check(workspace: Workspace) -> int:
    from contacts_tui.check import check_workspace

    problems = check_workspace(workspace)
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        return EXIT_PROBLEM
    print(f"{workspace.folder}: lifecycle.toml and the database are fine.")
    return 0


def entry() -> None:
    sys.exit(main())
