"""Realistic synthetic contacts for trying the app and for the benchmarks."""

from __future__ import annotations

import random
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import peewee

from contacts_tui.lifecycle import LifecycleConfig, Step
from contacts_tui.store.bulk import Checkpoints, contacts_added_in_bulk
from contacts_tui.store.database import ColleagueWaits, insert_rows, is_postgres
from contacts_tui.store.models import CONTACT_COLUMNS, Company, Contact, utc_now
from contacts_tui.store.postgres_copy import analyze_when_grown
from contacts_tui.store.rows import tuples
from contacts_tui.store.search import coded_words, digits, fold, search_document, word_rows

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

FIRST_NAMES = [
    "Maria",
    "Marta",
    "Mark",
    "Marco",
    "Martin",
    "Anna",
    "Ana",
    "José",
    "Joséphine",
    "João",
    "Zoë",
    "Łukasz",
    "Søren",
    "Björn",
    "Chloé",
    "Élodie",
    "François",
    "Jürgen",
    "Müller",
    "Amélie",
    "Noah",
    "Liam",
    "Olivia",
    "Emma",
    "Ava",
    "Sophia",
    "Isabella",
    "Mia",
    "Lucas",
    "Mateo",
    "Hugo",
    "Léa",
    "Inès",
    "Aarav",
    "Priya",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Fatima",
    "Omar",
    "Leila",
    "Kwame",
    "Amara",
    "Nia",
    "Carlos",
    "Lucía",
    "Diego",
    "Sofía",
    "Pablo",
    "Elena",
    "Ivan",
    "Olga",
    "Dmitri",
    "Nadia",
    "Sean",
    "Aoife",
    "Ciarán",
    "Niamh",
    "Tomás",
    "Agnieszka",
    "Piotr",
    "Ewa",
    "Henrik",
    "Ingrid",
    "Lars",
    "Astrid",
    "Mehmet",
    "Ayşe",
    "Emre",
    "Zeynep",
    "David",
    "Sarah",
    "James",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "García",
    "Martínez",
    "Rodríguez",
    "López",
    "Hernández",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Dubois",
    "Durand",
    "Lefèvre",
    "Moreau",
    "Laurent",
    "Martin",
    "Bernard",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Jensen",
    "Nielsen",
    "Hansen",
    "Andersson",
    "Johansson",
    "Yılmaz",
    "Kaya",
    "Demir",
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Costa",
    "Pereira",
    "Novak",
    "Horvat",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Nakamura",
    "Tanaka",
    "Suzuki",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Kumar",
    "Patel",
    "Singh",
    "Okafor",
]
COMPANY_WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Pied",
    "Piper",
    "Aperture",
    "Oscorp",
    "Gringotts",
    "Monarch",
    "Vehement",
    "Massive",
    "Dynamic",
    "Sterling",
    "Cooper",
    "Nakatomi",
    "Oceanic",
    "Blue",
    "Sun",
    "Zorg",
    "Axiom",
    "Helix",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Adventure",
    "Litware",
    "Proseware",
    "Wingtip",
    "Alpine",
    "Fourth",
    "Coffee",
    "Lucerne",
    "Margie",
    "Trey",
    "Woodgrove",
    "Bluebell",
]
COMPANY_SUFFIXES = ("Ltd", "GmbH", "S.A.", "Inc.", "BV", "AG", "SARL", "plc", "AB", "Group")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "corp.example")
STREETS = (
    "High Street",
    "Station Road",
    "Hauptstraße",
    "Rue de la Paix",
    "Calle Mayor",
    "Kerkstraat",
    "Main Street",
    "Via Roma",
    "Church Lane",
    "Mill Road",
)
PLACES = (
    ("GB", "", "London", "SW1A 1AA", "Westminster"),
    ("GB", "", "Manchester", "M1 1AE", "Piccadilly"),
    ("DE", "DE-BE", "Berlin", "10115", "Mitte"),
    ("DE", "DE-BY", "München", "80331", "Altstadt"),
    ("FR", "", "Paris", "75001", "Louvre"),
    ("ES", "", "Madrid", "28013", "Sol"),
    ("NL", "", "Amsterdam", "1012 JS", "Centrum"),
    ("US", "US-NY", "New York", "10001", "Manhattan"),
    ("US", "US-CA", "San Francisco", "94103", "SoMa"),
    ("IT", "", "Roma", "00184", "Monti"),
)
# UK bank and sort codes: UK account numbers have no national check digits, so any
# eight digits behind a real bank make a valid IBAN (German ones do have them).
UK_BANKS = ("NWBK601613", "BARC200000", "HBUK401160", "LOYD309634", "MIDL400515")
DEMO_TABLES = ("contact", "email", "phone", "address", "bank_account", "stage_change")
"""The tables with an id sequence the demo writes (PostgreSQL's are moved past its rows)."""
ANALYZED_TABLES = (*DEMO_TABLES, "contact_word")
"""PostgreSQL: the tables whose statistics the demo gathers as it grows and at its end."""
T = TypeVar("T")
MAX_CONTACTS = 10_000_000
"""The most one demo adds: a million take a few minutes; `10**18` would never end."""
FIRST_BATCH = 200
MIN_BATCH = 50
"""At a million contacts on a busy machine, 500 contacts held the write lock 1.3-1.7 s
(every index insert reads a page from disk): the size follows the time down to this."""
MAX_BATCH = 5000
"""Memory: a batch and the next one being made are held at once, ~2 KB per contact."""
BATCH_SECONDS = 0.4
"""How long one batch's write transaction aims to last. Others' saves wait for it (SQLite
has one writer at a time), so it stays well under the ~1 s a person would notice; the
size of the next batch follows from how long the last one took."""
PAUSE_SECONDS = 0.15
"""A gap between two batches while another write waits (`ColleagueWaits`), so that its
busy handler (which polls every 100 ms once it has waited a while) gets the lock before
the next batch."""
HISTORY_DAYS = 548
"""Contacts are created, and move through their lifecycle, over the last 18 months."""
CACHE_KIB = 16384
"""The demo connection's page cache (16 MB). The default 2 MB made every batch re-read
index pages; 256 MB (as before) was 300 MB of memory for nothing the batch size needs."""


class QuickRandom(random.Random):
    """random.Random with cheaper choice/randrange: the demo makes millions of picks and
    needs no unbiased selection, only a repeatable spread."""

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))


def iban(country: str, bban: str) -> str:
    """An IBAN with correct ISO 7064 mod-97 check digits (letters count as 10-35)."""
    number = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(number) % 97:02d}{bban}"


def phone_number(rng: random.Random) -> tuple[str, str]:
    """A valid number: (E.164, as phonenumbers' international format shows it).

    Both are made here, not by phonenumbers: formatting a million numbers would take
    longer than making the rest of the demo. The tests check both against phonenumbers.
    """
    kind = rng.randrange(4)
    if kind == 0:  # UK mobile
        mobile = f"7{rng.choice('58')}{rng.randrange(10**7, 10**8)}"
        return f"+44{mobile}", f"+44 {mobile[:4]} {mobile[4:]}"
    if kind == 1:  # London
        local = f"{rng.choice('378')}{rng.randrange(10**6, 10**7)}"
        return f"+4420{local}", f"+44 20 {local[:4]} {local[4:]}"
    if kind == 2:  # Berlin
        local = str(rng.randrange(10**7, 10**8))
        return f"+4930{local}", f"+49 30 {local}"
    area = rng.choice(("212", "415", "617", "312"))
    exchange = f"{rng.randrange(2, 10)}{rng.randrange(10, 100)}"
    line = str(rng.randrange(1000, 10000))
    return f"+1{area}{exchange}{line}", f"+1 {area}-{exchange}-{line}"


def make_companies(rng: random.Random, count: int) -> list[tuple[int, str]]:
    names: set[str] = {name for (name,) in tuples(Company.select(Company.name))}
    wanted: list[str] = []
    while len(wanted) < count:
        words = rng.sample(COMPANY_WORDS, 2)
        name = f"{words[0]} {words[1]} {rng.choice(COMPANY_SUFFIXES)}"
        if name not in names:
            names.add(name)
            wanted.append(name)
    for name in wanted:
        Company.insert(name=name).on_conflict_ignore().execute()
    return [
        (company_id, name) for company_id, name in tuples(Company.select(Company.id, Company.name))
    ]


def add_demo_contacts(
    config: LifecycleConfig,
    count: int,
    user: str,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert `count` contacts with e-mails, phones, addresses, bank accounts and history.

    Rows go in with executemany, not through the ORM (one ORM save per row would take
    minutes for 100,000 contacts), in batches that are each their own short write
    transaction: other people keep saving while a demo runs, and a batch that fails
    (a full disk) takes nothing committed with it. `progress` hears the number of
    contacts committed so far. Memory stays flat: one batch is inserted while the next
    is made, on a second thread (making a batch is Python work; inserting one is mostly
    SQLite's, which lets go of the GIL).
    """
    if not 1 <= count <= MAX_CONTACTS:
        raise ValueError(f"count must be from 1 to {MAX_CONTACTS:,}")
    rng = QuickRandom(seed)
    walks = QuickRandom(seed + 1)  # stage histories: the contacts stay those of `seed`
    db: peewee.Database = Contact._meta.database.obj
    done = 0
    with db.connection_context():
        if not is_postgres(db):
            db.execute_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
            # Demo data needs no fsync per batch: a power cut loses the last batches,
            # never the database's consistency (WAL). Everyone else keeps FULL.
            db.execute_sql("PRAGMA synchronous = NORMAL")
            # Checkpoints are the demo's own (`Checkpoints`), in the pause between batches.
            db.execute_sql("PRAGMA wal_autocheckpoint = 0")
        companies = make_companies(rng, max(5, min(500, count // 200)))
        planned = (Contact.select(peewee.fn.MAX(Contact.id)).scalar() or 0) + 1
        analyzed = 0  # PostgreSQL: the planner's statistics gathered again as contact grows
        with (
            ThreadPoolExecutor(max_workers=1) as maker,
            closing(ColleagueWaits(db)) as colleague_waits,
        ):

            def make(size: int) -> Planned:
                nonlocal planned
                first, planned = planned, planned + size
                job = maker.submit(_make_batch, rng, walks, config, first, size, companies, user)
                return first, size, job

            upcoming: Planned | None = make(min(FIRST_BATCH, count))
            took = BATCH_SECONDS
            checkpoints = Checkpoints(db, MIN_BATCH)
            while upcoming is not None:
                first, size, job = upcoming
                batch = job.result()
                # The next batch is made while this one goes in; its size follows from
                # how long the last write took.
                left = count - done - size
                wanted = int(size * min(2.0, BATCH_SECONDS / max(took, 1e-3)))
                upcoming = (
                    make(min(left, max(MIN_BATCH, min(wanted, MAX_BATCH)))) if left > 0 else None
                )
                started = time.perf_counter()
                with ctrl_c_after_the_batch():
                    with db.atomic():
                        _insert_batch(db, first, batch)
                    took = time.perf_counter() - started
                    done += size
                    if progress:
                        progress(done)
                del batch
                if isinstance(db, peewee.PostgresqlDatabase):
                    analyzed = analyze_when_grown(db, ANALYZED_TABLES, analyzed)
                else:
                    # Outside the write lock: others write meanwhile. At the end too, so
                    # that no colleague's save has to copy the demo's log.
                    checkpoints.added(size, last=upcoming is None)
                    if upcoming is not None and colleague_waits():
                        time.sleep(max(0.0, PAUSE_SECONDS - (time.perf_counter() - started - took)))
        if is_postgres(db):
            for table in DEMO_TABLES:
                db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            # The planner's statistics decide between the short terms' plans (the word
            # index) and the list's, and counts read the indexes alone once VACUUM has
            # marked the pages visible: autovacuum would do both only some minutes later.
            for table in ANALYZED_TABLES:
                db.execute_sql(f'VACUUM (ANALYZE) "{table}"')
    return done


@contextmanager
def ctrl_c_after_the_batch() -> Iterator[None]:
    """Ctrl-C comes into effect at the end of the block, not inside it.

    Between a batch's commit and the progress it reports, an interrupt made the demo say
    fewer contacts than it had added. A batch takes about a second; Ctrl-C waits for it.
    Only the main thread may set a signal's handler: elsewhere Ctrl-C is not ours to hold.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pressed:
            raise KeyboardInterrupt


Row = tuple[Any, ...]
Batch = list[tuple[str, tuple[str, ...], list[Row]]]
"""(table, columns, rows) per table, contacts first; every row starts with a contact id."""
Planned = tuple[int, int, "Future[Batch]"]
"""A batch being made: its first contact id, its size, and the batch when made."""


def _insert_batch(db: peewee.Database, planned_first: int, batch: Batch) -> None:
    """Insert a batch inside the caller's write transaction.

    The search indexes and the counts are filled for the whole batch in one statement
    each at its end (`contacts_added_in_bulk`): their per-row triggers cost most of it;
    the word index's rows were made with the batch. The ids were planned before the
    batch was made; if someone added contacts meanwhile, the batch moves up to the first
    free id, decided under the write lock.
    """
    if is_postgres(db):
        # Others may add contacts meanwhile (from the id sequence): keep them out for
        # the moment of this batch, whose ids are given here (reads go on).
        db.execute_sql("LOCK TABLE contact IN EXCLUSIVE MODE")
    first = (db.execute_sql("SELECT MAX(id) FROM contact").fetchone()[0] or 0) + 1
    shift = max(0, first - planned_first)
    last = first + len(batch[0][2]) - 1
    with contacts_added_in_bulk(db, first, last):
        for table, columns, rows in batch:
            if shift:
                rows = [(row[0] + shift, *row[1:]) for row in rows]
            if table == "contact_word" and is_postgres(db):  # each with its count key
                words = [(prefix, contact_id) for contact_id, prefix in rows]
                columns, rows = ("prefix", "contact_id", "code"), coded_words(db, words)
            insert_rows(db, table, columns, rows)
    if is_postgres(db):
        db.execute_sql(
            "SELECT setval(pg_get_serial_sequence('contact', 'id'), (SELECT MAX(id) FROM contact))"
        )


def company_domain(name: str) -> str:
    """`Acme Globex Ltd` → `acmeglobex.example`: where its people's work e-mails go."""
    words = name.split()[:-1] or name.split()
    return re.sub(r"[^a-z0-9]", "", fold("".join(words))) + ".example"


def stage_walk(rng: random.Random, steps: Sequence[Step], final: int) -> list[int]:
    """The steps (indexes) a contact went through to reach `steps[final]`, in order.

    Forward one step at a time, now and then skipping one or going back one; a closed
    step is reached straight from an open one (lost from anywhere, won from the last
    open steps), never through another closed one.
    """
    open_steps = [n for n, step in enumerate(steps) if not step.is_closed]
    if steps[final].is_closed:
        if steps[final].outcome == "lost":
            last_open = rng.choice(open_steps)
        else:
            last_open = open_steps[-1 - int(rng.random() * min(2, len(open_steps)))]
    else:
        last_open = final
    path = [open_steps[0]] if open_steps else []
    position = 0  # in open_steps
    target = open_steps.index(last_open) if open_steps else 0
    while position < target:
        roll = rng.random()
        if roll < 0.08 and position > 0 and path[-1] == open_steps[position]:
            path.append(open_steps[position - 1])  # back one, then on again
            path.append(open_steps[position])
        position += 2 if roll > 0.9 and position + 2 <= target else 1
        path.append(open_steps[position])
    if final != last_open:
        path.append(final)
    return path


def _make_batch(
    rng: QuickRandom,
    walks: QuickRandom,
    config: LifecycleConfig,
    first_id: int,
    size: int,
    companies: list[tuple[int, str]],
    user: str,
) -> Batch:
    """Contacts `first_id`… (`size` of them) and their records, history and word index."""
    now = utc_now()
    template = config.default
    steps = template.steps()
    segmentation = ("", *config.picklists.segmentation)
    reason_codes = ("", *config.picklists.reason_codes)
    domains = {name: company_domain(name) for _, name in companies}
    contacts, emails, phones, addresses, banks, history = [], [], [], [], [], []
    documents = []
    for contact_id in range(first_id, first_id + size):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        full_name = f"{first} {rng.choice(FIRST_NAMES)} {last}" if rng.random() < 0.3 else ""
        company = rng.choice(companies) if rng.random() < 0.8 else None
        stage_index = min(int(rng.expovariate(0.35)), len(steps) - 1)
        step = steps[stage_index]
        created = now - timedelta(days=rng.randrange(1, HISTORY_DAYS), minutes=rng.randrange(1440))
        local = fold(f"{first}.{last}").replace(" ", "").replace("'", "")
        # The contact's number makes every address unique, as people's are: a demo
        # export imports back whole, with no "duplicate" skipped.
        contact_emails = []
        for n in range(rng.choice((0, 1, 1, 1, 2, 2, 3))):
            domain = rng.choice(EMAIL_DOMAINS)
            if n == 0 and company is not None:
                domain = domains[company[1]]
            contact_emails.append(f"{local}{contact_id}{'' if n == 0 else f'.{n}'}@{domain}")
        numbers = [phone_number(rng) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
        contact_phones = [e164 for e164, _ in numbers]
        for n, email in enumerate(contact_emails):
            emails.append((contact_id, email, rng.choice(("Business", "Personal")), n == 0))
        for n, number in enumerate(contact_phones):
            phones.append((contact_id, number, number, rng.choice(("Mobile", "Office")), n == 0))
        for n in range(rng.choice((1, 1, 2, 3))):
            country, state, city, zip_code, locality = rng.choice(PLACES)
            street = f"{rng.randrange(1, 200)} {rng.choice(STREETS)}"
            addresses.append(
                (
                    contact_id,
                    street,
                    country,
                    state,
                    city,
                    zip_code,
                    locality,
                    rng.choice(("Billing", "Shipping", "Office")),
                    n == 0,
                )
            )
        if rng.random() < 0.4:
            account = f"{rng.choice(UK_BANKS)}{contact_id * 7919 % 10**8:08d}"
            banks.append((contact_id, "Main account", iban("GB", account), ""))
        # Each move comes some way into the time left before now: increasing, never ahead.
        previous, at = "", created
        for n, index in enumerate(stage_walk(walks, steps, stage_index)):
            if n:
                at += (now - at) * (walks.random() * 0.5)
            history.append((contact_id, previous, steps[index].key, str(at), user))
            previous = steps[index].key
        company_id, company_name = company or (None, "")
        primary_phone = numbers[0][1] if numbers else ""  # as shown (see refresh_derived)
        document = search_document(name, full_name, company_name, contact_emails, contact_phones)
        documents.append((contact_id, document))
        contacts.append(
            (
                contact_id,
                name,
                full_name,
                rng.choice((None, *range(0, 101, 5))),
                rng.choice(segmentation),
                rng.choice(reason_codes),
                company_id,
                template.key,
                step.key,
                "Closed" if step.is_closed else "Open",
                False,
                fold(name),
                company_name,
                contact_emails[0] if contact_emails else "",
                primary_phone,
                digits(primary_phone),
                document,
                str(created),
                user,
                str(at),
                user,
                1,
            )
        )
    return [
        (
            "contact",
            ("id", *CONTACT_COLUMNS),
            contacts,
        ),
        ("email", ("contact_id", "email", "type", "is_primary"), emails),
        ("phone", ("contact_id", "number", "typed", "type", "is_primary"), phones),
        (
            "address",
            (
                "contact_id",
                "address",
                "country",
                "state",
                "city",
                "zip_code",
                "locality",
                "type",
                "is_primary",
            ),
            addresses,
        ),
        ("bank_account", ("contact_id", "name", "iban", "bic"), banks),
        ("stage_change", ("contact_id", "from_stage", "to_stage", "at", "by"), history),
        # The word index (see store.search.write_word_index), made here, beside the writes.
        (
            "contact_word",
            ("contact_id", "prefix"),
            [(contact_id, prefix) for prefix, contact_id in word_rows(documents)],
        ),
    ]
