"""`python -m contacts_tui`: the same as the `contacts-tui` command."""

from contacts_tui.cli import entry

entry()
