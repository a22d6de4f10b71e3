"""Screens whose background reads and writes can fail: the failure shows, in one line."""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    """A failed thread worker of this screen is reported the app's way
    (ContactsApp.report_worker_error), never as a traceback.

    Expected refusals come back from the workers as messages; this is for the rest (the
    database gone away, a full disk). Worker.StateChanged does not bubble, so each screen
    that runs workers needs a handler: this one.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            report = getattr(self.app, "report_worker_error", None)  # type: ignore[attr-defined]
            if report is not None:
                report(event.worker)
