"""The list's Number column holds the primary phone as people read it: "+44 7550 217244".

It held E.164 ("+447550217244"), which the list showed as such while the Details tab
formatted it. New and changed contacts are written formatted by the services
(`refresh_derived`); this rewrites the ones already stored, a batch at a time so a big
workspace is never held in memory. Numbers phonenumbers cannot read stay as they are.
"""

import phonenumbers

BATCH = 2000


def as_shown(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def up(migrator, db):
    param = db.param
    last_id = 0
    while True:
        rows = db.execute_sql(
            f"SELECT id, primary_phone FROM contact WHERE id > {param} "
            f"AND primary_phone LIKE {param} ORDER BY id LIMIT {BATCH}",
            (last_id, "+%"),  # the pattern as a parameter: psycopg2 reads a bare % as one
        ).fetchall()
        if not rows:
            return
        last_id = rows[-1][0]
        changed = [
            (shown, contact_id)
            for contact_id, number in rows
            if (shown := as_shown(number)) != number
        ]
        if changed:
            db.cursor().executemany(
                f"UPDATE contact SET primary_phone = {param} WHERE id = {param}", changed
            )
