"""Counting the statements peewee sends: the round-trip budgets' tests use it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

DATA_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


class StatementLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg
        sql = message[0] if isinstance(message, tuple) else str(message)
        if sql.lstrip().upper().startswith(DATA_VERBS):
            self.statements.append(sql)

    def verbs(self) -> list[str]:
        return [s.split(None, 1)[0].upper() for s in self.statements]


@contextmanager
def counted() -> Iterator[StatementLog]:
    """The data statements (not BEGIN, PRAGMA or savepoints) peewee sends in the block."""
    logger = logging.getLogger("peewee")
    handler = StatementLog()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
