"""Indexes for the sales reports and the pipeline board.

* stage_change (at, to_stage, contact_id): a period's changes are one range of it, and
  the funnel, movement and breakdowns read their steps and contacts from the index alone.
* stage_change (contact_id, at, id): a contact's history in order, for the time in stage
  (the next change ends a stay) and for the board's days in step; it replaces the
  foreign key's own index (contact_id), which it covers.
* contact (template, stage, archived): the board's counts per step of one template.
* contact (id) WHERE archived: see below.
"""


def up(migrator, db):
    db.execute_sql("CREATE INDEX stage_change_period ON stage_change (at, to_stage, contact_id)")
    db.execute_sql("CREATE INDEX stage_change_history ON stage_change (contact_id, at, id)")
    db.execute_sql('DROP INDEX IF EXISTS "stage_change_contact_id"')
    db.execute_sql("CREATE INDEX contact_board ON contact (template, stage, archived)")
    # Partial: the archived contacts alone, so that the default view ("not archived")
    # can leave them out of a million stage changes without reading each contact row.
    db.execute_sql("CREATE INDEX contact_archived ON contact (id) WHERE archived")
