"""Every toast goes through widgets/reporting.py, and every worker is a reported one."""

from __future__ import annotations

import re
from pathlib import Path

import contacts_tui

PACKAGE = Path(contacts_tui.__file__).parent
THE_ONE_PLACE = PACKAGE / "widgets" / "reporting.py"


def sources() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if path != THE_ONE_PLACE]


def test_only_reporting_calls_notify():
    """`tell` makes the text safe, never reads it as markup, and hands Textual a str: a
    rich Text passed to notify() ended the app when its toast was drawn."""
    callers = [str(p.relative_to(PACKAGE)) for p in sources() if ".notify(" in p.read_text()]
    assert callers == []


def test_no_worker_bypasses_reported_work():
    """A worker of Textual's own `@work` ends the app on an error unless told otherwise."""
    pattern = re.compile(r"@work\b|run_worker\(|from textual import[^\n]*\bwork\b")
    users = [str(p.relative_to(PACKAGE)) for p in sources() if pattern.search(p.read_text())]
    assert users == []
