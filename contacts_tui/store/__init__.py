"""The store: peewee models over SQLite or PostgreSQL, migrations, list queries and search.

Kept free of imports: the command looks at the database URL before peewee is loaded.
"""

SORT_KEYS = (
    "name",
    "full_name",
    "email",
    "phone",
    "company",
    "status",
    "stage",
    "segmentation",
    "reason_code",
    "scoring",
    "updated",
)
"""What the list (and `export --sort`) can sort by; listing.SORT_COLUMNS maps each to its
column and index."""

MAX_RECORD_ID = 2**63 - 1
"""The largest id either database can hold (a signed 64-bit integer): a bigger number
given as an id names no record, rather than overflowing the driver."""

POSTGRES_URL_PREFIXES = ("postgresql://", "postgres://")


def is_postgres_url(url: str | None) -> bool:
    return url is not None and url.startswith(POSTGRES_URL_PREFIXES)
