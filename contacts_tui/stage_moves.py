"""The question a move along a lifecycle asks first: closing a contact, or moving it back."""

from __future__ import annotations

from contacts_tui.lifecycle import Step, Template


def stage_move_question(
    template: Template | None, current_stage: str, step: Step, name: str
) -> tuple[str, str] | None:
    """(question, confirm label) when moving `name` from `current_stage` to `step` needs a
    yes, else None. `name` must be display-safe already."""
    if step.is_closed:
        outcome = "won" if step.outcome != "lost" else "lost"
        return (
            f"Close {name} as “{step.name}” ({outcome})? "
            "The status becomes Closed and the dashboard counts change.",
            "Close",
        )
    here = template.index_of(current_stage) if template else None
    there = template.index_of(step.key) if template else None
    if here is not None and there is not None and there < here:
        current = template.step(current_stage).name  # type: ignore[union-attr]
        return f"Move {name} back from “{current}” to “{step.name}”?", "Move back"
    return None
