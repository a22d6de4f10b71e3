"""What an open form holds, kept in the session's recovery file while it is open.

A form calls `keep_draft` whenever the user changes it and `drop_draft` when it is saved
or closed on purpose. When the app dies instead, the form's last draft stays on disk
and the next start offers it back (`contacts_tui.recovery`).
"""

from __future__ import annotations

from textual.dom import DOMNode

from contacts_tui.recovery import Draft, DraftFile


def _drafts(node: DOMNode) -> DraftFile | None:
    # Apps built for a test of one widget have no recovery file.
    return getattr(node.app, "drafts", None)


def _key(node: DOMNode) -> str:
    return f"{type(node).__name__}-{id(node)}"


def keep_draft(node: DOMNode, draft: Draft) -> None:
    drafts = _drafts(node)
    if drafts is not None:
        drafts.keep(_key(node), draft)


def drop_draft(node: DOMNode) -> None:
    """The form was saved or closed on purpose. Not while the app is dying: its screens
    close then too, and what they held is exactly what must be kept."""
    drafts = _drafts(node)
    if drafts is not None and not node.app.return_code:
        drafts.drop(_key(node))
