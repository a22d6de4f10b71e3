"""How the UI tells the user things: toasts made safe, worker failures, waits for the lock.

One path for every screen, panel, dialog and widget. `tell` is the only way a toast is
shown: stored data and error messages are made safe for the terminal, never parsed as
markup, and Textual is handed the `str` its toast takes (a rich `Text` crashed it). Every
worker is declared with `reported_work` instead of Textual's `work`: a failure becomes one
readable line (the node may show it in place, say under its form) and never ends the app;
a write that waits for another user's lock says so on screen within a second.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Literal

from textual import work  # noqa: TID251 (wrapped here, for everyone)
from textual.app import App
from textual.dom import DOMNode
from textual.worker import Worker, active_worker, get_current_worker

from contacts_tui.safe_text import display_safe, error_message
from contacts_tui.services import ReadStopped, waits_reported

Severity = Literal["information", "warning", "error"]

WAITING = "Waiting for another user's change to finish…"
WAITING_SECONDS = 6
"""How long the waiting toast stays: a little over one busy timeout, which each retry
shows again, so it stays while the write waits and goes soon after."""
ERROR_TITLE = "Could not finish that"
ERROR_SECONDS = 10


def tell(
    node: DOMNode | App,
    message: object,
    *,
    title: str = "",
    severity: Severity = "information",
    timeout: float | None = None,
) -> None:
    """Show a toast: each line made safe for the terminal, never read as markup."""
    app = node if isinstance(node, App) else node.app
    lines = str(message).splitlines() or [""]
    app.notify(
        "\n".join(display_safe(line) for line in lines),
        title=display_safe(title),
        severity=severity,
        timeout=timeout,
        markup=False,
    )


def tell_error(node: DOMNode | App, error: BaseException | str) -> None:
    """The toast of a failure nobody foresaw: its first line, for ten seconds."""
    message = error if isinstance(error, str) else error_message(error)
    tell(node, message, title=ERROR_TITLE, severity="error", timeout=ERROR_SECONDS)


def worker_failed(node: DOMNode, work_name: str, error: BaseException) -> None:
    """Report a failed worker of `node` (on the UI thread).

    A node that can say it better, where the user is looking (under a form's fields, in
    a dialog's status line), defines `worker_failed(work_name, message) -> bool` and
    returns True when it did; it also puts itself back to "not busy" there. Everything
    else becomes a toast.
    """
    if isinstance(error, ReadStopped):  # a read nobody wants any more: not a failure
        return
    message = error_message(error)
    handler: Callable[[str, str], bool] | None = getattr(node, "worker_failed", None)
    if node.is_attached and handler is not None and _handled(handler, work_name, message):
        return
    tell_error(node.app, message)


def _handled(handler: Callable[[str, str], bool], work_name: str, message: str) -> bool:
    # The node may be closing (a dialog dismissed while its worker ran): what it cannot
    # show must still reach the user, and must not end the app on the way.
    try:
        return handler(work_name, message)
    except Exception:
        return False


def waiting_for_lock(node: DOMNode) -> None:
    """A write of `node` waits for another user's write to finish (on the UI thread)."""
    handler: Callable[[str], bool] | None = getattr(node, "show_waiting", None)
    if node.is_attached and handler is not None and handler(WAITING):
        return
    tell(node.app, WAITING, severity="warning", timeout=WAITING_SECONDS)


async def _guarded_async(node: DOMNode, work_name: str, call: Callable[[], Any]) -> Any:
    try:
        return await call()
    except Exception as error:
        worker_failed(node, work_name, error)
        return None


def _guarded_thread(node: DOMNode, work_name: str, call: Callable[[], Any]) -> Any:
    app = node.app

    def waiting() -> None:
        with suppress(RuntimeError):  # the app is closing: nobody to tell
            app.call_from_thread(waiting_for_lock, node)

    try:
        with waits_reported(waiting):
            return call()
    except Exception as error:
        if not get_current_worker().is_cancelled:
            with suppress(RuntimeError):
                app.call_from_thread(worker_failed, node, work_name, error)
        return None
    finally:
        # Textual names the worker in the pool thread's own context and leaves it there:
        # the idle thread would keep the worker, its result and its node (a closed
        # dialog, a page of rows) until it runs another worker.
        active_worker.set(None)  # type: ignore[arg-type]


def reported_work(
    method: Callable | None = None,
    *,
    name: str = "",
    group: str = "default",
    exclusive: bool = False,
    thread: bool = False,
    description: str | None = None,
) -> Any:
    """Textual's `@work` whose failures are reported (`worker_failed`), never fatal.

    A thread worker also reports when one of its writes waits for the database lock.
    A failure is handled once reported: the worker ends with no result, and nothing
    waiting on it (Textual's worker manager, a test) sees the exception again.
    """

    def decorate(method: Callable) -> Callable:
        work_name = name or method.__name__
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def guarded(node: DOMNode, *args: Any, **kwargs: Any) -> Any:
                call = functools.partial(method, node, *args, **kwargs)
                return await _guarded_async(node, work_name, call)

        else:

            @functools.wraps(method)
            def guarded(node: DOMNode, *args: Any, **kwargs: Any) -> Any:
                call = functools.partial(method, node, *args, **kwargs)
                return _guarded_thread(node, work_name, call)

        start = work(
            guarded,
            name=work_name,
            group=group,
            exit_on_error=False,
            exclusive=exclusive,
            thread=thread,
            description=description,
        )

        @functools.wraps(method)
        def started(node: DOMNode, *args: Any, **kwargs: Any) -> Worker[Any]:
            return freed_when_done(start(node, *args, **kwargs))

        return started

    return decorate if method is None else decorate(method)


def freed_when_done(worker: Worker[Any]) -> Worker[Any]:
    """`worker`, made to let go of its task once it has finished.

    Textual's worker and its asyncio task hold each other (the task's context names the
    worker), and the worker holds its node: a cycle, freed only when Python's cyclic
    collector next runs, and with it a closed dialog and every cache of its widgets.
    Dropping the finished task breaks the cycle, so the node goes as soon as nothing
    else wants it. `Worker.wait` needs no task once the worker's state is final; a task
    cancelled before it ever ran leaves the worker unfinished, so that one is kept.
    """
    task = getattr(worker, "_task", None)  # Textual's own; a later release may differ

    def forget(done: asyncio.Task[None]) -> None:
        if not done.cancelled():
            worker._task = None

    if task is not None:
        task.add_done_callback(forget)
    return worker


def run_reported(
    node: DOMNode,
    function: Callable[..., Any],
    *args: Any,
    group: str = "default",
    exclusive: bool = False,
    thread: bool = False,
) -> Worker[Any]:
    """Run `function(*args)` as a worker of `node`, reported as `reported_work` reports.

    For the parts a screen is composed of: they are not nodes, so their work runs (and
    is cancelled, and fails) as the screen's own.
    """
    work_name = getattr(function, "__name__", "work")
    call = functools.partial(function, *args)
    guard = _guarded_async if inspect.iscoroutinefunction(function) else _guarded_thread
    worker = node.run_worker(
        functools.partial(guard, node, work_name, call),
        name=work_name,
        group=group,
        exit_on_error=False,
        exclusive=exclusive,
        thread=thread,
    )
    return freed_when_done(worker)
