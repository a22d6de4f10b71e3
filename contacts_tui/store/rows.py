"""Query results as the type checker should see them.

peewee's stubs type the rows of `.tuples()` as model instances (the method returns the
query itself); these say what they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import peewee


def tuples(query: peewee.BaseQuery) -> Iterator[tuple[Any, ...]]:
    """The rows of `query` as plain tuples, read as they are iterated."""
    return cast("Iterator[tuple[Any, ...]]", iter(query.tuples()))
