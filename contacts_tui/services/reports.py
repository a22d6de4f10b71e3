"""Sales reports over the stage history: funnel, time in stage, movement and breakdowns.

Definitions (the same in the TUI, the CLI and the tests):
* A contact *reaches* a step when a stage change into it is written in the period; a
  contact reaching a step twice (moved back, then forward again) counts once, and a step
  it skipped is not reached. A category is reached through any of its steps.
* Conversion from a step (or category) to the next is the next one's reached count over
  its own; with skipped steps it can exceed 100 %.
* Won and lost: contacts reaching a closed step whose outcome is won or lost; the win
  rate is won / (won + lost).
* A stay in a step lasts from the change into it to the contact's next change (a move
  back, a skip or another template's step all end it), counted in whole days (2 days and
  20 hours is 2). Time in stage takes the stays that ended in the period; median and 90th
  percentile are linear between closest ranks.
* A contact is stuck when it has stayed in its current step longer than that step's 90th
  percentile.
The filter is the list's, applied to the contacts as they are now (archived contacts are
left out unless it shows the archived ones). Weeks start on Monday.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from contacts_tui.lifecycle import Template
from contacts_tui.services.shared import DEFAULT_VIEW
from contacts_tui.store import reports as queries
from contacts_tui.store import summaries
from contacts_tui.store.database import with_connection
from contacts_tui.store.listing import ContactFilter
from contacts_tui.store.models import utc_now
from contacts_tui.validation import ValidationError

if TYPE_CHECKING:
    import peewee

    from contacts_tui.services import ContactService

PERIODS = {
    "month": "this month",
    "quarter": "this quarter",
    "12months": "last 12 months",
    "custom": "from–to",
}
"""Period names the CLI's --period and the reports screen offer, with their labels."""

DIMENSIONS = queries.DIMENSIONS
DIMENSION_LABELS = {
    "segmentation": "Segmentation",
    "reason_code": "Reason code",
    "account": "Assigned account",
    "company": "Company",
    "user": "Changed by",
}
NO_VALUE = "(none)"
"""How a breakdown's empty value (no segmentation, Tenant-Wide, no account) is shown."""
STUCK_LIMIT = 200
"""At most this many stuck contacts are listed, the longest waiting first."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day in the period
    label: str

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as UTC datetimes, for the queries."""
        return datetime.combine(self.start, time()), datetime.combine(
            self.end + timedelta(days=1), time()
        )

    @property
    def text(self) -> str:
        dates = f"{self.start.isoformat()} to {self.end.isoformat()}"
        return dates if self.label == dates else f"{self.label} ({dates})"


def period(
    name: str, today: date | None = None, start: date | None = None, end: date | None = None
) -> Period:
    """The period called `name` (see PERIODS) around `today`; "custom" takes start–end."""
    today = today or utc_now().date()
    if name == "month":
        last = calendar.monthrange(today.year, today.month)[1]
        return Period(today.replace(day=1), today.replace(day=last), PERIODS[name])
    if name == "quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        last = calendar.monthrange(today.year, first_month + 2)[1]
        return Period(
            date(today.year, first_month, 1), date(today.year, first_month + 2, last), PERIODS[name]
        )
    if name == "12months":
        year_ago = today.replace(year=today.year - 1, day=min(today.day, 28))
        return Period(year_ago + timedelta(days=1), today, PERIODS[name])
    if name == "custom":
        if start is None or end is None:
            raise ValidationError("A from–to period needs both dates (YYYY-MM-DD).")
        if end < start:
            raise ValidationError(f"The period ends ({end}) before it starts ({start}).")
        return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")
    raise ValidationError(f"Unknown period {name!r}: use one of {', '.join(PERIODS)}.")


# ----- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    """A step or a category of the funnel."""

    key: str
    name: str
    category: str  # the category's name (for a category: its own)
    reached: int
    conversion: float | None  # to the next one; None for the last or when none reached


@dataclass(frozen=True)
class Funnel:
    template: str
    period: Period
    categories: tuple[FunnelStage, ...]
    steps: tuple[FunnelStage, ...]
    won: int
    lost: int
    win_rate: float | None


@dataclass(frozen=True)
class StepTime:
    key: str
    name: str
    stays: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class StuckContact:
    id: int
    name: str
    company: str
    step: str  # the step's name
    days: float
    p90_days: float


@dataclass(frozen=True)
class TimeInStage:
    template: str
    period: Period
    steps: tuple[StepTime, ...]
    stuck: tuple[StuckContact, ...]


@dataclass(frozen=True)
class Week:
    monday: date
    changes: int
    new_contacts: int
    won: int
    lost: int


@dataclass(frozen=True)
class Movement:
    template: str
    period: Period
    weeks: tuple[Week, ...]


@dataclass(frozen=True)
class BreakdownRow:
    value: str  # "" shows as "(none)"
    reached: tuple[int, ...]  # per category, in the template's order
    won: int
    lost: int
    win_rate: float | None


@dataclass(frozen=True)
class Breakdown:
    template: str
    period: Period
    by: str
    categories: tuple[str, ...]  # the categories' names
    rows: tuple[BreakdownRow, ...]


Report = Funnel | TimeInStage | Movement | Breakdown


# ----- the service ---------------------------------------------------------------------------


class ReportService:
    """The reports of one workspace, for the contact service's user and configuration."""

    def __init__(self, contacts: ContactService) -> None:
        self.contacts = contacts
        self.on_counting: Callable[[int, int], None] | None = None
        """Told (contacts counted, of how many) while a report first counts the funnel's
        groups (`summaries.fill_groups`: minutes at a million contacts)."""

    def template(self, key: str | None = None) -> Template:
        config = self.contacts.config
        if key is None:
            return config.default
        template = config.template(key)
        if template is None:
            known = ", ".join(t.key for t in config.templates)
            raise ValidationError(f"There is no lifecycle called {key!r} (known: {known}).")
        return template

    def _history_condition(self, contact_filter: ContactFilter) -> peewee.Expression | None:
        """None for the default view, which the store answers from the history alone."""
        return (
            None if contact_filter == DEFAULT_VIEW else self.contacts.view_condition(contact_filter)
        )

    @with_connection
    def funnel(
        self,
        span: Period,
        contact_filter: ContactFilter = DEFAULT_VIEW,
        template: str | None = None,
    ) -> Funnel:
        lifecycle = self.template(template)
        condition = self._history_condition(contact_filter)
        start, end = span.bounds
        steps = lifecycle.steps()
        step_groups = {step.key: [step.key] for step in steps}
        category_groups = {c.key: [s.key for s in c.steps] for c in lifecycle.categories}
        outcome_groups = _outcomes(lifecycle)
        if condition is None:  # counted together, if a lifecycle changed since
            summaries.fill_groups(
                [*step_groups.values(), *category_groups.values()], progress=self.on_counting
            )
        per_step = {g: n for _, g, n in self._reached(condition, start, end, step_groups)}
        per_category = {g: n for _, g, n in self._reached(condition, start, end, category_groups)}
        per_outcome = {g: n for _, g, n in self._reached(condition, start, end, outcome_groups)}
        categories = _with_conversion(
            [
                (c.key, c.name, c.name, per_category.get(c.key, 0), False)
                for c in lifecycle.categories
            ]
        )
        names = {s.key: c.name for c in lifecycle.categories for s in c.steps}
        step_rows = _with_conversion(
            [(s.key, s.name, names[s.key], per_step.get(s.key, 0), s.is_closed) for s in steps]
        )
        won, lost = per_outcome.get("won", 0), per_outcome.get("lost", 0)
        return Funnel(lifecycle.name, span, categories, step_rows, won, lost, _rate(won, lost))

    @with_connection
    def time_in_stage(
        self,
        span: Period,
        contact_filter: ContactFilter = DEFAULT_VIEW,
        template: str | None = None,
        now: datetime | None = None,
    ) -> TimeInStage:
        lifecycle = self.template(template)
        condition = self.contacts.view_condition(contact_filter)
        start, end = span.bounds
        steps = lifecycle.steps()
        if contact_filter == DEFAULT_VIEW:  # the whole days the database keeps per step
            durations = summaries.stays_per_step(start, end)
        else:
            durations = defaultdict(Counter)
            for key, days, n in queries.completed_stints(
                condition, start, end, [s.key for s in steps]
            ):
                durations[key][days] += n
        rows = []
        for step in steps:
            spent = durations.get(step.key, Counter())
            rows.append(
                StepTime(
                    step.key,
                    step.name,
                    spent.total(),
                    _percentile(spent, 50),
                    _percentile(spent, 90),
                )
            )
        now = now or utc_now()
        p90 = {r.key: r.p90_days for r in rows if r.p90_days is not None}
        # Closed steps are where contacts end up: staying there is not being stuck.
        open_p90 = {k: v for k, v in p90.items() if not lifecycle.step(k).is_closed}  # type: ignore[union-attr]
        older_than = {k: now - timedelta(days=days) for k, days in open_p90.items()}
        step_names = {s.key: s.name for s in steps}
        stuck = tuple(
            StuckContact(
                id=contact_id,
                name=name,
                company=company,
                step=step_names[stage],
                days=round((now - arrived).total_seconds() / 86400, 1),
                p90_days=open_p90[stage],
            )
            for contact_id, name, company, stage, arrived in queries.current_stays(
                condition, lifecycle.key, older_than, STUCK_LIMIT
            )
        )
        return TimeInStage(lifecycle.name, span, tuple(rows), stuck)

    @with_connection
    def movement(
        self,
        span: Period,
        contact_filter: ContactFilter = DEFAULT_VIEW,
        template: str | None = None,
    ) -> Movement:
        lifecycle = self.template(template)
        condition = self._history_condition(contact_filter)
        start, end = span.bounds
        outcomes = _outcomes(lifecycle)
        if condition is None:  # the default view: the per-day counts the database keeps
            changes, new = _weeks_from_days(start, end, outcomes)
        else:
            changes = {
                monday: (n, won, lost)
                for monday, n, won, lost in queries.changes_per_week(
                    condition, start, end, outcomes["won"], outcomes["lost"]
                )
            }
            new = dict(
                queries.new_contacts_per_week(
                    self.contacts.view_condition(contact_filter), start, end
                )
            )
        weeks = []
        monday = span.start - timedelta(days=span.start.weekday())
        while monday <= span.end:
            n, won, lost = changes.get(monday, (0, 0, 0))
            weeks.append(Week(monday, n, new.get(monday, 0), won, lost))
            monday += timedelta(days=7)
        return Movement(lifecycle.name, span, tuple(weeks))

    @with_connection
    def breakdown(
        self,
        span: Period,
        by: str,
        contact_filter: ContactFilter = DEFAULT_VIEW,
        template: str | None = None,
    ) -> Breakdown:
        if by not in DIMENSIONS:
            raise ValidationError(f"Unknown breakdown {by!r}: use one of {', '.join(DIMENSIONS)}.")
        lifecycle = self.template(template)
        condition = self._history_condition(contact_filter)
        start, end = span.bounds
        categories = {c.key: [s.key for s in c.steps] for c in lifecycle.categories}
        outcomes = {f"outcome:{k}": v for k, v in _outcomes(lifecycle).items()}
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        # Two queries: a closed step is in a category and in an outcome, and a CASE
        # puts a row in one group only.
        for groups in (categories, outcomes):
            for value, group, n in self._reached(condition, start, end, groups, by):
                counts[value][group] = n
        rows = []
        for value, by_group in counts.items():
            won, lost = by_group.get("outcome:won", 0), by_group.get("outcome:lost", 0)
            reached = tuple(by_group.get(c.key, 0) for c in lifecycle.categories)
            rows.append(BreakdownRow(value, reached, won, lost, _rate(won, lost)))
        rows.sort(key=lambda r: (-r.reached[0] if r.reached else 0, -r.won, r.value.casefold()))
        names = tuple(c.name for c in lifecycle.categories)
        return Breakdown(lifecycle.name, span, by, names, tuple(rows))

    def _reached(
        self,
        condition: peewee.Expression | None,
        start: datetime,
        end: datetime,
        groups: dict[str, list[str]],
        by: str | None = None,
    ) -> list[tuple[str, str, int]]:
        """`store.reports.reached`, read from the counts the database keeps (stage_reach)
        for the default view and the breakdowns it keeps; their groups are counted first
        if a lifecycle changed since (once: a batch of contacts at a time)."""
        if condition is not None or (by is not None and by not in summaries.REACH_DIMENSIONS):
            return queries.reached(condition, start, end, groups, by)
        summaries.fill_groups(
            (steps for steps in groups.values() if steps), progress=self.on_counting
        )
        return summaries.reached(groups, start, end, by or "")


def _weeks_from_days(
    start: datetime, end: datetime, outcomes: dict[str, list[str]]
) -> tuple[dict[date, tuple[int, int, int]], dict[date, int]]:
    """Monday → (changes, won, lost) and Monday → new contacts, summed from the days."""
    won, lost = set(outcomes["won"]), set(outcomes["lost"])
    changes: dict[date, tuple[int, int, int]] = {}
    for day, stage, n in summaries.changes_per_day(start, end):
        monday = day - timedelta(days=day.weekday())
        total, w, lo = changes.get(monday, (0, 0, 0))
        changes[monday] = (
            total + n,
            w + (n if stage in won else 0),
            lo + (n if stage in lost else 0),
        )
    new: dict[date, int] = defaultdict(int)
    for day, n in summaries.created_per_day(start, end):
        new[day - timedelta(days=day.weekday())] += n
    return changes, dict(new)


def _outcomes(template: Template) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {"won": [], "lost": []}
    for step in template.steps():
        if step.is_closed and step.outcome in groups:
            groups[step.outcome].append(step.key)
    return groups


def _rate(part: int, other: int) -> float | None:
    return round(part / (part + other), 4) if part + other else None


def _with_conversion(rows: list[tuple[str, str, str, int, bool]]) -> tuple[FunnelStage, ...]:
    """(key, name, category, reached, closed) with each one's conversion to the next;
    a closed step converts to nothing (the next step is another outcome)."""
    result = []
    for i, (key, name, category, n, closed) in enumerate(rows):
        following = rows[i + 1][3] if i + 1 < len(rows) and not closed else None
        conversion = round(following / n, 4) if following is not None and n else None
        result.append(FunnelStage(key, name, category, n, conversion))
    return tuple(result)


def _percentile(counts: Counter[int], p: int) -> float | None:
    """The p-th percentile of values given as value → how many times it occurs: linear
    between closest ranks (numpy's default, Excel's PERCENTILE.INC; p=50 is the median)."""
    total = counts.total()
    if not total:
        return None
    rank = (total - 1) * p / 100
    low = int(rank)
    wanted = {low, min(low + 1, total - 1)}
    at: dict[int, int] = {}
    seen = 0
    for value in sorted(counts):
        n = counts[value]
        for index in wanted:
            if seen <= index < seen + n:
                at[index] = value
        seen += n
        if len(at) == len(wanted):
            break
    below, above = at[low], at[min(low + 1, total - 1)]
    return round(below + (above - below) * (rank - low), 1)


# ----- as a table (the CLI's output, CSV and JSON, the TUI's export) ----------------------


def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def report_table(report: Report) -> tuple[list[str], list[list[object]]]:
    """The report as columns and rows of plain values: what CSV and the CLI's table show."""
    if isinstance(report, Funnel):
        columns = ["level", "category", "stage", "reached", "conversion_to_next"]
        rows: list[list[object]] = [
            ["category", c.name, "", c.reached, c.conversion] for c in report.categories
        ]
        rows += [["step", s.category, s.name, s.reached, s.conversion] for s in report.steps]
        rows.append(["outcome", "", "won", report.won, report.win_rate])
        rows.append(["outcome", "", "lost", report.lost, None])
        return columns, rows
    if isinstance(report, TimeInStage):
        columns = ["step", "stays", "median_days", "p90_days"]
        return columns, [[s.name, s.stays, s.median_days, s.p90_days] for s in report.steps]
    if isinstance(report, Movement):
        columns = ["week", "stage_changes", "new_contacts", "won", "lost"]
        return columns, [
            [w.monday.isoformat(), w.changes, w.new_contacts, w.won, w.lost] for w in report.weeks
        ]
    columns = [report.by, *report.categories, "won", "lost", "win_rate"]
    return columns, [
        [r.value or NO_VALUE, *r.reached, r.won, r.lost, r.win_rate] for r in report.rows
    ]


def stuck_table(report: TimeInStage) -> tuple[list[str], list[list[object]]]:
    columns = ["contact_id", "name", "company", "step", "days", "p90_days"]
    return columns, [[s.id, s.name, s.company, s.step, s.days, s.p90_days] for s in report.stuck]


def report_json(report: Report) -> dict[str, object]:
    """The report as JSON-ready values (dates as ISO text)."""
    kind = {Funnel: "funnel", TimeInStage: "time-in-stage", Movement: "movement"}.get(
        type(report), "breakdown"
    )
    span = report.period
    result: dict[str, object] = {
        "report": kind,
        "template": report.template,
        "period": {"label": span.label, "from": span.start.isoformat(), "to": span.end.isoformat()},
    }
    if isinstance(report, Funnel):
        result["categories"] = [_stage_json(c) for c in report.categories]
        result["steps"] = [_stage_json(s) for s in report.steps]
        result.update(won=report.won, lost=report.lost, win_rate=report.win_rate)
    elif isinstance(report, TimeInStage):
        result["steps"] = [
            {
                "key": s.key,
                "name": s.name,
                "stays": s.stays,
                "median_days": s.median_days,
                "p90_days": s.p90_days,
            }
            for s in report.steps
        ]
        result["stuck"] = [
            {
                "id": s.id,
                "name": s.name,
                "company": s.company,
                "step": s.step,
                "days": s.days,
                "p90_days": s.p90_days,
            }
            for s in report.stuck
        ]
    elif isinstance(report, Movement):
        result["weeks"] = [
            {
                "week": w.monday.isoformat(),
                "stage_changes": w.changes,
                "new_contacts": w.new_contacts,
                "won": w.won,
                "lost": w.lost,
            }
            for w in report.weeks
        ]
    else:
        result["by"] = report.by
        result["categories"] = list(report.categories)
        result["rows"] = [
            {
                "value": r.value,
                "reached": list(r.reached),
                "won": r.won,
                "lost": r.lost,
                "win_rate": r.win_rate,
            }
            for r in report.rows
        ]
    return result


def _stage_json(stage: FunnelStage) -> dict[str, object]:
    return {
        "key": stage.key,
        "name": stage.name,
        "category": stage.category,
        "reached": stage.reached,
        "conversion_to_next": stage.conversion,
    }


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{what} must be a date like 2026-01-31, not {text!r}.") from None
