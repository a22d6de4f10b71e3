"""The plain CSV export's lines, written by SQLite itself: one text per contact.

A million contacts' CSV cost a Python call per cell when Python wrote it (8x `sqlite3
-csv` of the same rows). Here the page's query returns each contact's whole line:
every cell guarded and quoted in SQL exactly as `csv_guard.Writer.writerow_guarded`
does, the records' cells read by a subquery each. Python only joins the lines.

The guard after a `;` inside a cell (`a;=b`) is not done here: a line that would need
it is returned all the same, and `needs_python` tells the writer to write that
contact the Python way (a rare contact: a `;` right before a formula character).
"""

from __future__ import annotations

import re

import peewee

from contacts_tui import csv_guard

# The control characters stand in the SQL text as they are (a string literal may hold them).
_FORMULA_START = "('=', '+', '-', '@', '\t', '\r')"
_NEEDS_QUOTES = "'*[;,\"\t\n\r]*'"
_MAY_NEED_GUARD = "'[=+@''\t\r-]*'"  # starts with a formula character or an apostrophe
_STORED_TIME = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*"
_SEMICOLON_GUARD = re.compile(r";'*[=+\-@\t\r]")


def needs_python(line: str) -> bool:
    """Whether a line holds a `;` before a formula character, which SQL did not guard."""
    return ";" in line and _SEMICOLON_GUARD.search(line) is not None


def _cell(value: str) -> str:
    """SQL of a text cell as csv_guard writes it: a formula start (after any
    apostrophes) guarded with `'`, then quoted when it holds `;`, `,`, a quote, a tab or
    a line break. `value` is evaluated several times: a column, not a subquery."""
    guarded = (
        f"(CASE WHEN substr(ltrim({value}, ''''), 1, 1) IN {_FORMULA_START} "
        f"THEN '''' || {value} ELSE {value} END)"
    )
    written = (
        f"(CASE WHEN {guarded} GLOB {_NEEDS_QUOTES} "
        f"THEN '\"' || replace({guarded}, '\"', '\"\"') || '\"' ELSE {guarded} END)"
    )
    # Most cells need neither: two quick tests, not the whole work.
    return (
        f"(CASE WHEN {value} GLOB {_MAY_NEED_GUARD} OR {value} GLOB {_NEEDS_QUOTES} "
        f"THEN {written} ELSE {value} END)"
    )


def _text(python_value: str) -> str:
    """A cell known in Python (a lifecycle's name), as a SQL literal of its CSV text."""
    cell = csv_guard.field(csv_guard.guard(python_value))
    return "'" + cell.replace("'", "''") + "'"


def _named(key: str, names: dict[str, str], otherwise: str) -> str:
    """The CSV cell of a lifecycle key's name (`key` SQL); `otherwise` (SQL) for a key
    not named."""
    if not names:
        return otherwise
    whens = " ".join(
        f"WHEN '{k.replace(chr(39), chr(39) * 2)}' THEN {_text(name)}" for k, name in names.items()
    )
    return f"(CASE {key} {whens} ELSE {otherwise} END)"


def line_column(
    step_names: dict[tuple[str, str], tuple[str, str]],
    template_names: dict[str, str],
    tenant_wide: str,
) -> peewee.Node:
    """The plain CSV line (export.CSV_HEADER, then CSV_PLAIN_EXTRA, no line end) of
    each contact of a page, as a column of its query (`listing.page`'s `extra`).

    `step_names`: (template key, step key) -> (step name, category name); an unknown
    step is shown by its key with no category, an unknown template by its key.
    """
    c = '"t1"'  # the contact, as peewee names the one table of the page's query
    contact_id = f'{c}."id"'
    steps = {f"{t}\x1f{s}": names for (t, s), names in step_names.items()}
    step_key = f'({c}."template" || char(31) || {c}."stage")'
    updated = f'{c}."updated_at"'
    as_written = f"substr({updated}, 1, 10) || 'T' || substr({updated}, 12, 8) || 'Z'"
    updated_text = (
        f"(CASE WHEN length({updated}) >= 19 AND substr({updated}, 11, 1) = ' ' "
        f"THEN {as_written} ELSE {updated} END)"
    )
    # A time as SQLite keeps it becomes digits, '-', ':', 'T' and 'Z': nothing to guard
    # or quote. Anything else is written as export._timestamp writes it, then guarded.
    updated_cell = (
        f"(CASE WHEN {updated} GLOB '{_STORED_TIME}' THEN {as_written} "
        f"ELSE {_cell(updated_text)} END)"
    )
    company_name = f'{c}."company_name"'
    company = (
        f"(CASE WHEN ifnull({company_name}, '') = '' THEN {_text(tenant_wide)} "
        f"ELSE {_cell(company_name)} END)"
    )

    def joined(values: str) -> str:
        """The cell of `values` (a query of one column `v`, in order) joined by `; `."""
        return (
            f"(SELECT {_cell('v')} FROM (SELECT ifnull(group_concat(v, '; '), '') AS v "
            f"FROM ({values})))"
        )

    other_emails = joined(
        f'SELECT "email" AS v FROM "email" WHERE "contact_id" = {contact_id} '
        'ORDER BY "is_primary" DESC, "id" LIMIT -1 OFFSET 1'
    )
    other_numbers = joined(
        f'SELECT "number" AS v FROM "phone" WHERE "contact_id" = {contact_id} '
        'AND NOT "is_primary" ORDER BY "id"'
    )
    accounts = joined(
        'SELECT a."name" AS v FROM "contact_account" ca JOIN "account" a '
        f'ON a."id" = ca."account_id" WHERE ca."contact_id" = {contact_id} ORDER BY a."name"'
    )
    address_cells = " || ',' || ".join(
        _cell(f'"{column}"')
        for column in ("address", "locality", "city", "state", "zip_code", "country")
    )
    address = (
        f'ifnull((SELECT {address_cells} FROM "address" WHERE "contact_id" = {contact_id} '
        'ORDER BY "is_primary" DESC, "id" LIMIT 1), \',,,,,\')'
    )
    cells = [
        f"CAST({contact_id} AS TEXT)",
        *(_cell(f'{c}."{column}"') for column in ("name", "full_name")),
        *(_cell(f'{c}."{column}"') for column in ("primary_email", "primary_phone")),
        company,
        _cell(f'{c}."status"'),
        _named(step_key, {k: v[0] for k, v in steps.items()}, _cell(f'{c}."stage"')),
        _named(step_key, {k: v[1] for k, v in steps.items()}, "''"),
        _named(f'{c}."template"', template_names, _cell(f'{c}."template"')),
        _cell(f'{c}."segmentation"'),
        f"ifnull(CAST({c}.\"scoring\" AS TEXT), '')",  # a number: never guarded
        _cell(f'{c}."reason_code"'),
        accounts,
        updated_cell,
        other_emails,
        other_numbers,
        *(
            _cell(f'{c}."{column}"')
            for column in ("job_title", "department", "website", "birthday", "nickname")
        ),
        address,
        _cell(f'{c}."notes"'),
    ]
    return peewee.SQL("(" + " || ',' || ".join(cells) + ")")
