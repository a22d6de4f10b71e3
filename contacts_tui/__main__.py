"""`python -m contacts_tui`: the same as the `contacts-tui` command."""

from contacts_tui.cli import entry

# Only when run: a process the import starts (spawn) imports this module again.
if __name__ == "__main__":
    entry()
