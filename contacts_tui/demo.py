"""Realistic synthetic contacts for trying the app and for the benchmarks."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import timedelta

import peewee

from contacts_tui.lifecycle import LifecycleConfig
from contacts_tui.store.database import insert_rows, is_postgres
from contacts_tui.store.models import CONTACT_COLUMNS, Company, Contact, utc_now
from contacts_tui.store.search import digits, fold, search_document, write_word_index

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
BATCH = 25000
DEMO_TABLES = ("contact", "email", "phone", "address", "bank_account", "stage_change")


class QuickRandom(random.Random):
    """random.Random with cheaper choice/randrange: the demo makes millions of picks and
    needs no unbiased selection, only a repeatable spread."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, start, stop=None, step=1):
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
    names: set[str] = {row for (row,) in Company.select(Company.name).tuples()}
    wanted: list[str] = []
    while len(wanted) < count:
        words = rng.sample(COMPANY_WORDS, 2)
        name = f"{words[0]} {words[1]} {rng.choice(COMPANY_SUFFIXES)}"
        if name not in names:
            names.add(name)
            wanted.append(name)
    for name in wanted:
        Company.insert(name=name).on_conflict_ignore().execute()
    return list(Company.select(Company.id, Company.name).tuples())


def add_demo_contacts(
    config: LifecycleConfig,
    count: int,
    user: str,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert `count` contacts with e-mails, phones, addresses, bank accounts and history.

    Rows go in with executemany in batches, not through the ORM: one ORM save per row
    would take minutes for 100,000 contacts.
    """
    rng = QuickRandom(seed)
    db: peewee.Database = Contact._meta.database.obj
    done = 0
    with db.connection_context():
        if not is_postgres(db):
            # A large page cache for this connection only: a batch touches a dozen
            # indexes at random places, and re-reading pages from disk dominated.
            db.execute_sql("PRAGMA cache_size = -262144")
        companies = make_companies(rng, max(5, min(500, count // 200)))
        sizes = [min(BATCH, count - start) for start in range(0, count, BATCH)]
        planned = (Contact.select(peewee.fn.MAX(Contact.id)).scalar() or 0) + 1
        firsts = [planned + sum(sizes[:n]) for n in range(len(sizes))]
        # A fresh workspace gets every contact in one transaction with the indexes built
        # once at the end (sorting beats a million random index inserts);
        # a workspace with contacts gets a transaction per batch, so others can write.
        existing = Contact.select(peewee.fn.COUNT(Contact.id)).scalar()
        in_one_go = existing < count
        # Making a batch is Python work, inserting one is mostly SQLite's (which lets go
        # of the GIL): make the next batch on a second thread while this one goes in.
        with (
            ThreadPoolExecutor(max_workers=1) as maker,
            db.atomic() if in_one_go else nullcontext(),
            _indexes_deferred(db, indexes=True) if in_one_go else nullcontext(),
        ):

            def make(n: int) -> Future[Batch]:
                return maker.submit(_make_batch, rng, config, firsts[n], sizes[n], companies, user)

            upcoming = make(0)
            for n, first in enumerate(firsts):
                batch = upcoming.result()
                if n + 1 < len(firsts):  # only one batch ahead: memory stays flat
                    upcoming = make(n + 1)
                if in_one_go:
                    _insert_batch(db, first, batch)
                else:
                    with db.atomic(), _indexes_deferred(db, indexes=False):
                        _insert_batch(db, first, batch)
                done += sizes[n]
                if progress:
                    progress(done)
        if is_postgres(db):
            for table in DEMO_TABLES:
                db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
    return done


@contextmanager
def _indexes_deferred(db: peewee.Database, indexes: bool) -> Iterator[None]:
    """Index new rows in bulk when the block ends, not row by row as they go in.

    The FTS5 insert trigger (and, with `indexes`, the indexes of the tables the demo
    fills) are dropped and made again from their stored SQL inside the caller's
    transaction, so no other connection ever sees the tables without them; a unique
    index made again checks its rule over every row. Contacts the block inserts are
    added to the search index by `_insert_batch` itself.
    """
    if is_postgres(db):
        yield
        return
    names = "name = 'contact_fts_insert'"
    if indexes:
        tables = ", ".join(f"'{table}'" for table in DEMO_TABLES)
        # sql IS NULL: the automatic indexes of primary keys and UNIQUE columns stay.
        names += f" OR (type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables}))"
    stored = db.execute_sql(f"SELECT name, type, sql FROM sqlite_master WHERE {names}").fetchall()
    for name, kind, _ in stored:
        db.execute_sql(f'DROP {kind.upper()} "{name}"')
    yield
    for _, _, sql in stored:
        db.execute_sql(sql)


Batch = list[tuple[str, tuple[str, ...], list[tuple]]]
"""(table, columns, rows) per table, contacts first; every row starts with a contact id."""


def _insert_batch(db: peewee.Database, planned_first: int, batch: Batch) -> None:
    """Insert a batch inside the caller's write transaction, with the FTS trigger dropped.

    The ids were planned before the batch was made; if someone added contacts meanwhile,
    the batch moves up to the first free id, decided under the write lock.
    """
    first = (db.execute_sql("SELECT MAX(id) FROM contact").fetchone()[0] or 0) + 1
    shift = max(0, first - planned_first)
    start = planned_first + shift
    for table, columns, rows in batch:
        if shift:
            rows = [(row[0] + shift, *row[1:]) for row in rows]
        insert_rows(db, table, columns, rows)
        if table == "contact":
            search_doc = columns.index("search_doc")
            write_word_index(((row[0], row[search_doc]) for row in rows), new=True)
    if not is_postgres(db):
        # One statement for the batch: the FTS5 trigger per row cost half the demo's time.
        db.execute_sql(
            "INSERT INTO contact_fts(rowid, search_doc) "
            "SELECT id, search_doc FROM contact WHERE id BETWEEN ? AND ?",
            (start, start + len(batch[0][2]) - 1),
        )


def _make_batch(rng, config, first_id, size, companies, user) -> Batch:
    now = utc_now()
    template = config.default
    steps = template.steps()
    segmentation = ("", *config.picklists.segmentation)
    reason_codes = ("", *config.picklists.reason_codes)
    contacts, emails, phones, addresses, banks, history = [], [], [], [], [], []
    for contact_id in range(first_id, first_id + size):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        full_name = f"{first} {rng.choice(FIRST_NAMES)} {last}" if rng.random() < 0.3 else ""
        company = rng.choice(companies) if rng.random() < 0.8 else None
        stage_index = min(int(rng.expovariate(0.35)), len(steps) - 1)
        step = steps[stage_index]
        created = now - timedelta(days=rng.randrange(1, 720), minutes=rng.randrange(1440))
        local = fold(f"{first}.{last}").replace(" ", "").replace("'", "")
        contact_emails = [
            f"{local}{'' if n == 0 else n}@{rng.choice(EMAIL_DOMAINS)}"
            for n in range(rng.choice((0, 1, 1, 1, 2, 2, 3)))
        ]
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
        previous = ""
        for n, past in enumerate(steps[: stage_index + 1]):
            history.append(
                (contact_id, previous, past.key, str(created + timedelta(days=n * 9)), user)
            )
            previous = past.key
        company_id, company_name = company or (None, "")
        primary_phone = numbers[0][1] if numbers else ""  # as shown (see refresh_derived)
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
                search_document(name, full_name, company_name, contact_emails, contact_phones),
                str(created),
                user,
                str(created + timedelta(days=stage_index * 9)),
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
    ]
