"""Indexes a big import drops while it writes and builds again at its end.

`store.deferred_indexes` records each index it drops here (its name and its CREATE
statement) in the transaction that drops it, so that an import that dies before its
end (killed, a power cut) leaves behind what must be built again, and the next process
that opens the workspace builds it.
"""


def up(migrator, db):
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS deferred_index (name TEXT PRIMARY KEY, sql TEXT NOT NULL)"
    )
