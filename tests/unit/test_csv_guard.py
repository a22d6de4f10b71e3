"""The CSV export's formula guard: nothing runs in a spreadsheet, and import undoes it exactly."""

from __future__ import annotations

import csv
import io
import random

import pytest

from contacts_tui.csv_guard import Writer, guard, unguard
from contacts_tui.export import export_contacts
from contacts_tui.services import ContactFilter, ContactService
from contacts_tui.services.imports import import_contacts
from contacts_tui.workspace import open_workspace


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234567", "'+49 30 1234567"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("a;=cmd|' /C calc'!A0", "a;'=cmd|' /C calc'!A0"),  # split on `;` by European Excel
        ("a;b;@x;+y", "a;b;'@x;'+y"),
        ("'=x", "''=x"),  # a real apostrophe before a formula character keeps it
        ("a;'=x", "a;''=x"),
        ("O'Brien", "O'Brien"),
        ("'quoted'", "'quoted'"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_guard_and_unguard(value, cell):
    assert guard(value) == cell
    assert unguard(cell) == value


def test_non_text_values_pass_unchanged():
    assert guard(5) == 5 and guard(None) is None


def test_any_text_comes_back_from_its_guard():
    rng = random.Random(10)
    alphabet = "=+-@\t\r;'a, \n\""
    for _ in range(20000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(8)))
        assert unguard(guard(value)) == value


def written(*rows) -> str:
    out = io.StringIO(newline="")
    Writer(out).writerows(rows)
    return out.getvalue()


def test_a_row_guarded_at_once_is_each_cell_guarded():
    # The export guards a whole row in one scan; it must be exactly the guard of each cell,
    # wherever a cell starts, after every `;`, and when a cell holds the joining character.
    rng = random.Random(14)
    alphabet = "=+-@\t\r;'a, \x1f"
    for _ in range(5000):
        cells = [
            "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))
            for _ in range(rng.randrange(1, 6))
        ]
        at_once, one_by_one = io.StringIO(newline=""), io.StringIO(newline="")
        Writer(at_once).writerow_guarded(cells)
        Writer(one_by_one).writerow([guard(cell) for cell in cells])
        assert at_once.getvalue() == one_by_one.getvalue(), cells


def test_cells_holding_a_separator_tab_or_line_break_are_quoted():
    text = written(["a;b", "c\td", "e,f", "g\nh", 'q"q', "plain", 7, None])
    assert text == '"a;b","c\td","e,f","g\nh","q""q",plain,7,\r\n'
    assert written(["x,y", "plain"]) == '"x,y",plain\r\n'
    for row in (["a;b", "c"], ["x\ty", 1], ["a", "b"]):
        assert next(csv.reader(io.StringIO(written(row), newline=""))) == [str(v) for v in row]


def test_export_then_import_gives_back_every_value(workspace, tmp_path):
    service = ContactService(workspace.config, workspace.user)
    names = ["'=x", "a;=b", "a;'=b", '=HYPERLINK("x")', "''@y", "O'Brien; Ann", "+44 plain"]
    for name in names:
        service.create_contact(name)
    target = tmp_path / "out.csv"
    export_contacts(service, ContactFilter(), fmt="csv", path=target)
    raw = target.read_text("utf-8")
    assert '"a;\'=b"' in raw and "\"''=x\"" not in raw and ",''=x," in raw

    fresh = open_workspace(tmp_path / "other")
    fresh_service = ContactService(fresh.config, fresh.user)
    import_contacts(fresh_service, target, "csv", duplicates="add")
    assert sorted(r.name for r in fresh_service.list_page().rows) == sorted(names)
