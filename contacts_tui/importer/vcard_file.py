"""Read vCard files (2.1, 3.0, 4.0) and jCards (RFC 7095) card by card.

As the products people export from write them, not only as the RFCs do: folded lines,
groups (`item1.EMAIL` with Apple's `item1.X-ABLabel`), vCard 2.1's bare types
(`TEL;CELL;PREF`) and Samsung's labels (`TEL;X-CUSTOM(…)`), `ENCODING=QUOTED-PRINTABLE`
with or without a `CHARSET` (and with soft line breaks), `CR CR LF` line ends (iOS),
inline PHOTOs (kept as a document), and an AGENT's nested vCard (left out, with a
note). Every property the app has no field for is handed on as `RawContact.unread`, so
it lands in the contact's notes.
"""

from __future__ import annotations

import base64
import binascii
import json
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from contacts_tui.importer.shared import ImportFileError, RawContact, Unreadable
from contacts_tui.safe_text import display_safe

VCARD_CRM_PREFIX = "X-CONTACTS-TUI-"
"""Our export's properties for the CRM fields vCard has no name for; import reads them."""

# Properties that carry nothing a person would miss (or that another one carries).
_SILENT = frozenset(
    (
        "BEGIN",
        "END",
        "VERSION",
        "PRODID",
        "REV",
        "KIND",
        "CLASS",
        "SORT-STRING",
        "X-ABLABEL",  # read as the type of its group's property
        "X-ABUID",
        "X-ABSHOWAS",
        "SOURCE",
        "NAME",
        "MAILER",
        f"{VCARD_CRM_PREFIX}STATUS",  # follows from the stage
        f"{VCARD_CRM_PREFIX}ID",
        # The products' own housekeeping, on every card they write: kept in the notes,
        # it buried what a person wrote there.
        "X-ABADR",  # Apple: the country an address is laid out for (read with its ADR)
        "X-APPLE-SUBLOCALITY",  # Apple: an address's district (read with its ADR)
        "X-ADDRESSING-GRAMMAR",  # Apple (iOS 17): how to address the person, encrypted
        "X-IMAGETYPE",  # Apple: about the PHOTO, which is kept
        "X-IMAGEHASH",
        "X-SHARED-PHOTO-DISPLAY-PREF",
        "X-MS-OL-DESIGN",  # Outlook: the XML layout of its electronic business card
        "X-MS-OL-DEFAULT-POSTAL-ADDRESS",  # Outlook: the mailing address (read with ADR)
        "X-MOZILLA-HTML",  # Thunderbird: whether the person prefers HTML mail
        "X-EVOLUTION-FILE-AS",  # Evolution: the name to sort by ("Kim, Pat")
        "X-EVOLUTION-E164",  # Evolution: a TEL's number again, in E.164 (the TEL is read)
        "X-KADDRESSBOOK-CRYPTOENCRYPTPREF",  # KDE: how KMail encrypts and signs to them
        "X-KADDRESSBOOK-CRYPTOSIGNPREF",
        "X-KADDRESSBOOK-CRYPTOPROTOPREF",
        "X-PM-ENCRYPT",  # Proton Mail: how it sends mail to the address of its group
        "X-PM-ENCRYPT-UNTRUSTED",
        "X-PM-SIGN",
        "X-PM-SCHEME",
        "X-PM-MIMETYPE",
        "X-IRMC-LUID",  # Nokia's and Sony Ericsson's phones: their sync's record number
        "CLIENTPIDMAP",  # vCard 4.0: which synchronising client a PID parameter is from
    )
)

_GROUPS = frozenset(("mycontacts", "starred"))
_APPLE_ADDRESS_PARTS = frozenset(("X-ABADR", "X-APPLE-SUBLOCALITY"))

_KEPT_LABELS = {
    "X-SOCIALPROFILE": "Social profile",
    "IMPP": "Instant messaging",
    "ROLE": "Role",
    "URL": "Website",  # a second one: the first is the contact's website
    "LANG": "Language",
    "TZ": "Time zone",
    "GEO": "Geographic position",
    "GENDER": "Gender",
    "ANNIVERSARY": "Anniversary",
    "RELATED": "Related person",
    "X-ABRELATEDNAMES": "Related person",
    "X-ABDATE": "Date",
    "X-ANNIVERSARY": "Anniversary",
    "X-EVOLUTION-ANNIVERSARY": "Anniversary",
    "X-MS-ANNIVERSARY": "Anniversary",
    "X-SPOUSE": "Spouse",
    "X-EVOLUTION-SPOUSE": "Spouse",
    "X-MS-SPOUSE": "Spouse",
    "X-KADDRESSBOOK-X-SPOUSESNAME": "Spouse",
    "X-MANAGER": "Manager",
    "X-EVOLUTION-MANAGER": "Manager",
    "X-MS-MANAGER": "Manager",
    "X-KADDRESSBOOK-X-MANAGERSNAME": "Manager",
    "X-ASSISTANT": "Assistant",
    "X-EVOLUTION-ASSISTANT": "Assistant",
    "X-MS-ASSISTANT": "Assistant",
    "X-KADDRESSBOOK-X-ASSISTANTSNAME": "Assistant",
    "X-PHONETIC-FIRST-NAME": "Phonetic first name",
    "X-PHONETIC-MIDDLE-NAME": "Phonetic middle name",
    "X-PHONETIC-LAST-NAME": "Phonetic last name",
    "X-PHONETIC-ORG": "Phonetic company name",
    "X-AIM": "AIM",
    "X-ICQ": "ICQ",
    "X-JABBER": "Jabber",
    "X-MSN": "MSN",
    "X-YAHOO": "Yahoo",
    "X-SKYPE": "Skype",
    "X-SKYPE-USERNAME": "Skype",
    "X-GOOGLE-TALK": "Google Talk",
    "X-QQ": "QQ",
    "X-TWITTER": "Twitter",
    "X-MS-IMADDRESS": "Instant messaging",
    "X-WAB-GENDER": "Gender",
    "X-SIP": "SIP address",  # Android
    "CALURI": "Calendar",
    "CALADRURI": "Calendar invitations to",
    "FBURL": "Free/busy",
    "X-EVOLUTION-BLOG-URL": "Blog",  # Evolution
    "X-EVOLUTION-VIDEO-URL": "Video chat",
    "X-KADDRESSBOOK-BLOGFEED": "Blog",  # KDE (KAddressBook, Kontact)
    "X-KADDRESSBOOK-X-PROFESSION": "Profession",
    "X-KADDRESSBOOK-X-OFFICE": "Office",
    "X-KADDRESSBOOK-X-IMADDRESS": "Instant messaging",
    "X-KADDRESSBOOK-X-ANNIVERSARY": "Anniversary",
    "X-KADDRESSBOOK-OPENPGPFP": "OpenPGP fingerprint",
    "KEY": "Public key",  # (Proton Mail writes the person's OpenPGP key)
    "X-CUSTOM1": "Custom 1",  # Thunderbird
    "X-CUSTOM2": "Custom 2",
    "X-CUSTOM3": "Custom 3",
    "X-CUSTOM4": "Custom 4",
}
"""Names people know for the properties kept in the notes, by the property's name (the
others are shown as written, `X-Custom-Field`)."""


@dataclass
class Property:
    """One content line: `group.NAME;PARAM=VALUE:value`, value decoded but not unescaped."""

    name: str  # upper case
    value: str
    params: dict[str, list[str]] = field(default_factory=dict)  # names upper case
    group: str = ""
    parts: list[Any] | None = None  # a jCard's structured value, as it has it
    problem: str = ""  # the value could not be decoded cleanly

    def types(self) -> list[str]:
        return [t.casefold() for t in self.params.get("TYPE", ())]

    def preferred(self) -> bool:
        return "pref" in self.types() or self.params.get("PREF", ["100"])[0] == "1"

    def text(self) -> str:
        if self.parts is not None:
            return "; ".join(_joined(p) for p in self.parts)
        return _unescape(self.value)

    def components(self) -> list[str]:
        """A structured value's parts (N, ADR, ORG), each unescaped; lists joined."""
        if self.parts is not None:
            return [_joined(p) for p in self.parts]
        return [_unescape(p) for p in re.split(r"(?<!\\);", self.value)]


def _joined(part: Any) -> str:
    if isinstance(part, list):
        return ", ".join(str(p) for p in part if p)
    return "" if part is None else str(part)


_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


# ----- reading the text into cards and properties ------------------------------------------


@dataclass
class _Card:
    number: int
    line: int
    lines: list[str] = field(default_factory=list)  # logical (unfolded) lines
    agents: int = 0  # nested cards left out
    closed: bool = False


_AGENT = re.compile(r"(?:[A-Z0-9-]+\.)?AGENT\b")
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]+\s*")
_FREE_TEXT = frozenset(("NOTE", "LABEL"))
"""Properties whose text people write on several lines (a note, a printed address)."""


def _free_text(line: str) -> bool:
    """Whether a content line is a NOTE's or LABEL's: a line after it without a colon is
    its value's next line, whose break the writer did not escape. (After another
    property such a line is a broken one, and the card cannot be read.)"""
    name = re.split(r"[;:]", line, maxsplit=1)[0].rsplit(".", 1)[-1]
    return name.strip().upper() in _FREE_TEXT


def _goes_on_base64(above: str, line: str) -> bool:
    """Whether a line without a colon (so no content line) goes on a base64 value above:
    vCard 2.1 folds only at white space, which base64 has none of, so its lines follow
    unindented (to a blank line)."""
    head = above.split(":", 1)[0].upper()
    return ("BASE64" in head or "ENCODING=B" in head) and bool(_BASE64_LINE.fullmatch(line))


def _cards(text: TextIO) -> Iterator[_Card]:
    """Each BEGIN:VCARD … END:VCARD, with its lines unfolded (nested cards left out)."""
    number = 0
    depth = 0
    card: _Card | None = None
    soft_break = False  # vCard 2.1 quoted-printable: a line ending in "=" goes on below
    for line_number, raw in enumerate(text, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue  # CR CR LF (read as two line ends) and blank lines between cards
        word = line.strip().upper()
        if depth == 0:
            if word == "BEGIN:VCARD":
                number += 1
                depth = 1
                card = _Card(number, line_number)
            continue
        assert card is not None
        if depth > 1:  # inside an AGENT's card
            if word.endswith("BEGIN:VCARD"):
                depth += 1
            elif word == "END:VCARD":
                depth -= 1
            continue
        if soft_break:  # the "=" that ended the line above is no part of the value
            card.lines[-1] = card.lines[-1][:-1] + line
        elif line[:1] in (" ", "\t") and card.lines:
            card.lines[-1] += line[1:]
        elif ":" not in line and card.lines and _goes_on_base64(card.lines[-1], line):
            card.lines[-1] += line.strip()  # vCard 2.1: base64 lines are not indented
        elif ":" not in line and card.lines and _free_text(card.lines[-1]):
            card.lines[-1] += "\\n" + line  # a line break its writer did not escape
        elif word == "END:VCARD":
            card.closed = True
            yield card
            card, depth = None, 0
            continue
        elif word.endswith("BEGIN:VCARD"):  # AGENT:BEGIN:VCARD, or a card never closed
            agent_above = bool(card.lines) and bool(_AGENT.match(card.lines[-1].upper()))
            if agent_above and card.lines[-1].rstrip().endswith(":"):
                card.lines.pop()  # vCard 2.1: "AGENT:" and the card on the lines below
            if _AGENT.match(word) or agent_above:
                card.agents += 1
                depth += 1
                continue
            yield card
            number += 1
            card = _Card(number, line_number)
            continue
        else:
            card.lines.append(line)
        last = card.lines[-1] if card.lines else ""
        soft_break = last.endswith("=") and "QUOTED-PRINTABLE" in last.split(":", 1)[0].upper()
    if card is not None:
        yield card  # never closed


def _property(line: str, encoding: str) -> Property | None:
    """A content line parsed; None for a line that is not one (no colon)."""
    in_quotes = False
    colon = -1
    for n, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            colon = n
            break
    if colon <= 0:
        return None
    head, value = line[:colon], line[colon + 1 :]
    pieces = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    if not pieces:
        return None
    name = pieces[0].strip()
    group = ""
    if "." in name:
        group, name = name.rsplit(".", 1)
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        if "(" in piece and piece[:9].upper() == "X-CUSTOM(":
            # Samsung: a label the person typed, a type as Apple's labels are
            label = _samsung_label(piece[9:].rstrip().removesuffix(")"))
            params.setdefault("TYPE", []).append(label)
            continue
        key, equals, values = piece.partition("=")
        if not equals:  # vCard 2.1: TEL;CELL;PREF, or ;QUOTED-PRINTABLE
            key, values = ("ENCODING" if key.upper() in _ENCODINGS else "TYPE"), key
        key = key.strip().upper()
        for value_part in re.findall(r'"[^"]*"|[^,]+', values):
            value_part = value_part.strip().strip('"')
            if key == "TYPE" and "," in value_part:  # RFC 6350 quotes a list: "voice,home"
                params.setdefault(key, []).extend(t.strip() for t in value_part.split(","))
            else:
                params.setdefault(key, []).append(value_part)
    prop = Property(name.upper(), value, params, group)
    if "QUOTED-PRINTABLE" in (e.upper() for e in params.get("ENCODING", ())):
        _decode_quoted_printable(prop, encoding)
    return prop


_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"}


def _samsung_label(inside: str) -> str:
    """The label of Samsung's `X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,=42=C3=BC
    =72=6F)`: its settings first, then the label (`Büro`)."""
    settings: dict[str, str] = {}
    parts = inside.split(",")
    while parts and re.fullmatch(r"(?i:CHARSET|ENCODING)=[\w-]+", parts[0].strip()):
        key, _, value = parts.pop(0).strip().partition("=")
        settings[key.upper()] = value
    label = ",".join(parts)
    if settings.get("ENCODING", "").upper() != "QUOTED-PRINTABLE":
        return label.strip()
    data = quopri.decodestring(label.encode("latin-1", "replace"))
    try:
        return data.decode(settings.get("CHARSET", "utf-8"), "replace").strip()
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", "replace").strip()


def _decode_quoted_printable(prop: Property, encoding: str) -> None:
    """QP bytes in the CHARSET the line names, else UTF-8, else the file's encoding."""
    data = quopri.decodestring(prop.value.encode("latin-1", "replace"))
    charsets = [*prop.params.get("CHARSET", ()), "utf-8", encoding, "cp1252"]
    for charset in charsets:
        try:
            prop.value = data.decode(charset)
            return
        except (UnicodeDecodeError, LookupError):
            continue
    prop.value = data.decode("utf-8", "replace")
    prop.problem = "a byte of it is not text in any encoding tried; shown as �"


# ----- a card's properties to a contact ------------------------------------------------------

# vCard TYPE values (case-insensitive) -> our default picklist names. The export writes
# the reverse (export.VCARD_TYPES); the others are common in the wild.
_EMAIL_TYPES = {"work": "Business", "home": "Personal", "internet": ""}
_PHONE_TYPES = {
    "fax": "Fax",
    "cell": "Mobile",
    "mobile": "Mobile",
    "work": "Office",
    "home": "Home",
    "car": "Mobile",  # RFC 2426's car phone (Evolution, Outlook)
    "x-evolution-company": "Office",  # Evolution: the company's main number
}
_ASSISTANT_PHONE = frozenset(("x-evolution-assistant", "x-assistant", "assistant"))
"""A TEL TYPE saying the number is the person's assistant's, not theirs (Evolution's)."""
_ASSISTANT_LABELS = frozenset(
    ("assistant", "assistantphone", "assistant phone", "assistant's phone")
)
"""The same said by an Apple label (macOS Contacts' AssistantPhone)."""
_ADDRESS_TYPES = {
    "work": "Office",
    "home": "Personal",
    "billing": "Billing",
    "shipping": "Shipping",
}
_PHOTO_EXTENSIONS = {"jpeg": ".jpg", "jpg": ".jpg", "png": ".png", "gif": ".gif", "webp": ".webp"}


def _tel_text(value: str) -> str:
    """A number as written: vCard 4.0 gives it as a tel: URI (RFC 3966), whose scheme is
    not part of what anyone typed (`tel:+1-555-0100;ext=7` is `+1-555-0100;ext=7`)."""
    value = value.strip()
    return value[4:].strip() if value[:4].casefold() == "tel:" else value


def _type(prop: Property, known: dict[str, str], label: str) -> str:
    """The picklist name a property's TYPEs (or its Apple label) stand for; first known wins."""
    types = prop.types()
    for wanted in known:  # in the map's order: fax before work, so a work fax is a fax
        if wanted in types and known[wanted]:  # (INTERNET says nothing: a label may)
            return known[wanted]
    if label:
        return label
    if any(t in known for t in types):
        return ""
    # A type written as our picklist names it (our own export, or a person's label).
    return next((t for t in prop.params.get("TYPE", ()) if t.casefold() not in _PLAIN), "")


_PLAIN = frozenset(("pref", "voice", "internet", "x400", "text", "msg", "intl", "dom", "postal"))


def _apple_label(text: str) -> str:
    """`_$!<Mobile>!$_` -> `Mobile`; a label typed by a person stays as it is."""
    match = re.fullmatch(r"_\$!<(.*)>!\$_", text.strip())
    return match.group(1) if match else text.strip()


def _photo(prop: Property, number: int) -> tuple[str, str, bytes] | str:
    """(file name, media type, bytes) of an inline photo, or why it was not read."""
    value = prop.value.strip()
    media = ""
    if value.startswith("data:"):  # vCard 4.0: data:image/jpeg;base64,…
        header, _, value = value.partition(",")
        media = header[5:].split(";")[0]
        if ";base64" not in header:
            return "a data URI that is not base64"
    elif not any(e.upper() in ("B", "BASE64") for e in prop.params.get("ENCODING", ())):
        return "a link, not a picture inside the card"
    try:
        data = base64.b64decode(re.sub(r"\s+", "", value), validate=True)
    except (binascii.Error, ValueError):
        return "its base64 is broken"
    kind = (media.split("/")[-1] if media else (prop.params.get("TYPE") or ["jpeg"])[0]).lower()
    extension = _PHOTO_EXTENSIONS.get(kind, ".jpg")
    return f"photo-card-{number}{extension}", media or f"image/{kind}", data


def _contact(ref: str, number: int, props: list[Property], agents: int) -> RawContact:
    contact = RawContact(ref, guessed_types=True)
    fields = contact.fields
    labels = {p.group: _apple_label(p.value) for p in props if p.name == "X-ABLABEL" and p.group}
    # Apple's X-ABADR, the country an address of the same group is laid out for, and its
    # X-APPLE-SUBLOCALITY, the address's district.
    laid_out: dict[str, str] = {}
    districts: dict[str, str] = {}
    for p in props:
        if p.group and p.name in _APPLE_ADDRESS_PARTS:
            (laid_out if p.name == "X-ABADR" else districts)[p.group] = p.text().strip()
    has_photo = any(p.name == "PHOTO" for p in props)
    full_name = ""
    notes: list[str] = []
    printed: list[Property] = []  # LABEL: an address as printed on an envelope
    for prop in props:
        name = prop.name
        label = labels.get(prop.group, "") if prop.group else ""
        if prop.problem:
            contact.unread.append((name, prop.text(), prop.problem))
        if name in _SILENT:
            continue
        if name == "FN":
            fields.setdefault("name", " ".join(prop.text().split()))
        elif name == "N":
            parts = (prop.components() + [""] * 5)[:5]
            family, given, additional, prefix, suffix = parts
            full_name = " ".join(
                " ".join(p for p in (prefix, given, additional, family, suffix) if p).split()
            )
            if given:
                fields.setdefault("first_name", given)
            if family:
                fields.setdefault("last_name", family)
        elif name == "ORG":
            parts = [p for p in prop.components() if p.strip()]
            if parts:
                fields.setdefault("company", parts[0])
            if len(parts) > 1:
                fields.setdefault("department", " / ".join(parts[1:]))
        elif name == "TITLE" and "job_title" not in fields:
            fields["job_title"] = prop.text()
        elif name in ("NICKNAME", "X-EPOCSECONDNAME") and "nickname" not in fields:
            # (X-EPOCSECONDNAME: the nickname, as Nokia's Symbian phones wrote it)
            fields["nickname"] = prop.components()[0].split(",")[0].strip()
        elif name == "BDAY" and "birthday" not in fields:
            fields["birthday"] = _date_text(prop)
        elif name == "URL" and "website" not in fields:
            fields["website"] = prop.text()
        elif name == "NOTE":
            notes.append(prop.text())
        elif name == "UID":
            fields.setdefault("uid", prop.text().strip())
        elif name == "EMAIL" and prop.text().strip():
            kind = _type(prop, _EMAIL_TYPES, label)
            contact.emails.append(
                {"email": prop.text().strip(), "type": kind, "primary": prop.preferred()}
            )
        elif name == "TEL" and prop.text().strip():
            if not _ASSISTANT_PHONE.isdisjoint(prop.types()) or (
                label and label.casefold() in _ASSISTANT_LABELS
            ):  # another person's number
                contact.unread.append(("Assistant's phone", prop.text(), "no field for it here"))
                continue
            kind = _type(prop, _PHONE_TYPES, label)
            contact.phones.append(
                {"number": _tel_text(prop.text()), "type": kind, "primary": prop.preferred()}
            )
        elif name == "ADR":
            address = _address(prop, label)
            if address:
                if not address["country"].strip() and prop.group:
                    address["country"] = laid_out.get(prop.group, "")
                if districts.get(prop.group):
                    address["locality"] = districts[prop.group]
                contact.addresses.append(address)
        elif name == "LABEL":  # an address as printed: read if no ADR gives it
            printed.append(prop)
        elif name == "PHOTO" or (name == "X-MS-CARDPICTURE" and not has_photo):
            # Outlook writes its business card's picture beside the PHOTO, the same one.
            photo = _photo(prop, number)
            if isinstance(photo, str):
                contact.unread.append(("PHOTO", prop.value[:80], photo))
            else:
                contact.documents.append(photo)
        elif name == "AGENT":
            agents += 1
        elif name.startswith(VCARD_CRM_PREFIX):
            _crm_field(contact, prop)
        elif name == "CATEGORIES":
            # Google's own groups say nothing: myContacts (every contact), starred.
            own = [
                c for c in prop.components()[0].split(",") if c.strip().casefold() not in _GROUPS
            ]
            if own:
                contact.unread.append(("Categories", ", ".join(own), "no field for it here"))
        elif name == "X-MS-CARDPICTURE":
            continue
        else:
            _keep_unread(contact, prop, label)
    if notes:
        fields["notes"] = "\n\n".join(notes)
    if printed:
        _printed_addresses(contact, printed)
    _outlook_mailing_address(contact, props)
    for _ in range(agents):
        contact.unread.append(
            ("AGENT", "(a vCard inside this card)", "an agent's card is left out")
        )
    name = fields.get("name", "")
    full_name = fields.pop("full_name_as_written", "") or full_name
    if not name and full_name:
        fields["name"] = full_name
        fields.pop("first_name", None)
        fields.pop("last_name", None)
    elif full_name and full_name not in (name, _given_first(name)):
        fields["full_name"] = full_name
    return contact


def _given_first(name: str) -> str:
    """`Doe, Jane` as N reads it whole (Jane Doe): not a full name of its own."""
    family, comma, given = name.partition(",")
    return f"{given.strip()} {family.strip()}" if comma else name


_OUTLOOK_POSTAL = {"1": "Personal", "2": "Office"}
"""X-MS-OL-DEFAULT-POSTAL-ADDRESS: Outlook's mailing address, 1 home, 2 business (3 other)."""


def _outlook_mailing_address(contact: RawContact, props: list[Property]) -> None:
    """The address Outlook mails to is the primary one, when no ADR says PREF."""
    chosen = next(
        (p.text().strip() for p in props if p.name == "X-MS-OL-DEFAULT-POSTAL-ADDRESS"), ""
    )
    kind = _OUTLOOK_POSTAL.get(chosen)
    if not kind or any(a["primary"] for a in contact.addresses):
        return
    for address in contact.addresses:
        if address["type"] == kind:
            address["primary"] = True
            return


def _date_text(prop: Property) -> str:
    """A date as the person gave it: Apple writes a day without a year in a year it
    names in X-APPLE-OMIT-YEAR (`1604-03-15`), which is `--03-15` (RFC 6350's form)."""
    text = prop.text().strip()
    omitted = (prop.params.get("X-APPLE-OMIT-YEAR") or [""])[0]
    if omitted and text.startswith(omitted):
        return "--" + text[len(omitted) :].lstrip("-")
    return text


def _keep_unread(contact: RawContact, prop: Property, label: str) -> None:
    """A property with no field here, for the notes, under a name people know: its
    group's Apple label (`Spouse`), else _KEPT_LABELS', else its own."""
    text = _date_text(prop) if "X-APPLE-OMIT-YEAR" in prop.params else prop.text()
    if prop.name in ("GENDER", "X-WAB-GENDER"):
        text = _gender(prop)
    elif prop.name == "RELATED" and not label and prop.types():
        label = prop.types()[0].capitalize()  # spouse, co-worker, emergency…
    elif prop.name == "IMPP" and "X-SERVICE-TYPE" in prop.params:
        # Apple's: the service (Facebook), which the value's scheme (xmpp:) may not say
        service = prop.params["X-SERVICE-TYPE"][0]
        label = f"{service} ({label})" if label else service
    elif prop.name == "X-SOCIALPROFILE" and not label and set(prop.types()) - {"pref"}:
        # Apple's and Google's: the network is its TYPE (twitter, linkedin, facebook)
        network = next(t for t in prop.types() if t != "pref")
        label = _NETWORKS.get(network, network.capitalize())
    elif prop.name == "X-APPLE-SUBADMINISTRATIVEAREA":  # an address's county, by its label
        label = f"County ({label})" if label else "County"
    elif prop.name == "X-ANDROID-CUSTOM":
        android = _android_row(contact, prop.value)
        if android is None:
            return
        label, text = label or android[0], android[1]
    if text.strip():
        shown = label or _KEPT_LABELS.get(prop.name) or prop.name.title()
        contact.unread.append((shown, text, "no field for it here"))


_NETWORKS = {"linkedin": "LinkedIn", "youtube": "YouTube", "github": "GitHub", "x": "X"}
"""A social profile's network as its owner spells it, where capitalising its TYPE does not."""

_SEXES = {"m": "Male", "f": "Female", "o": "Other", "n": "None or not applicable", "u": ""}
"""RFC 6350's GENDER letters (U, unknown, says nothing)."""
_OUTLOOK_GENDERS = {"1": "Female", "2": "Male", "0": ""}
"""Outlook's X-WAB-GENDER: its OlGender numbers (0, unspecified, says nothing)."""


def _gender(prop: Property) -> str:
    """`F` is Female, `O;intersex` Other (intersex), Outlook's `2` Male; "" for none."""
    if prop.name == "X-WAB-GENDER":
        number = prop.text().strip()
        return _OUTLOOK_GENDERS.get(number, number)
    sex, identity = [p.strip() for p in [*prop.components(), ""][:2]]
    sex = _SEXES.get(sex.casefold(), sex)
    if sex and identity:
        return f"{sex} ({identity})"
    return sex or identity


_ANDROID_LABELS = {
    "relation": (
        "Related person", "Assistant", "Brother", "Child", "Domestic partner", "Father",
        "Friend", "Manager", "Mother", "Parent", "Partner", "Referred by", "Relative",
        "Sister", "Spouse",
    ),
    "contact_event": ("Date", "Anniversary", "Other date", "Birthday"),
}  # fmt: skip
"""Android's TYPE numbers of a relation and an event (ContactsContract), 0 its custom label."""


def _android_row(contact: RawContact, value: str) -> tuple[str, str] | None:
    """Android's X-ANDROID-CUSTOM, one of its contact data rows: `vnd.android.cursor.item/
    KIND;data1;data2 (type);data3 (label);…`. A nickname or a birthday goes to its field
    (None); anything else is (label, value) for the notes."""
    mime, _, rest = value.partition(";")
    kind = mime.rpartition("/")[2]
    data = [_unescape(v).strip() for v in re.split(r"(?<!\\);", rest)] + ["", "", ""]
    text, number, custom = data[0], data[1], data[2]
    types = _ANDROID_LABELS.get(kind, ())
    label = types[int(number)] if number.isdigit() and int(number) < len(types) else ""
    fields = contact.fields
    if kind == "nickname" and text and "nickname" not in fields:
        fields["nickname"] = text
        return None
    if label == "Birthday" and text and "birthday" not in fields:
        fields["birthday"] = text
        return None
    label = custom if number == "0" and custom else label
    return label or kind.replace("_", " ").capitalize(), text


def _address(prop: Property, label: str) -> dict[str, Any] | None:
    box, extended, street, city, region, code, country = (prop.components() + [""] * 7)[:7]
    if box and not box.casefold().startswith(("po", "p.o", "postfach")):
        box = f"PO Box {box}"
    address: dict[str, Any] = {
        "address": ", ".join(p.strip() for p in (street, extended, box) if p.strip()),
        "locality": city,
        "city": city,
        "state": region,
        "zip_code": code,
        "country": country,
    }
    if not any(v.strip() for v in address.values()):
        # vCard 4.0: the address may be given only as printed, in a LABEL parameter.
        printed = (prop.params.get("LABEL") or [""])[0].replace("^n", "\n")
        return _printed_address(_unescape(printed), prop, label) if printed.strip() else None
    locality = (prop.params.get("X-LOCALITY") or [""])[0]
    if locality:  # our export: the district, which ADR has no place for
        address["locality"] = locality
    address["type"] = _type(prop, _ADDRESS_TYPES, label)
    address["primary"] = prop.preferred()
    return address


def _printed_addresses(contact: RawContact, printed: list[Property]) -> None:
    """The LABELs that print no ADR of the card (Outlook writes one for each): those of a
    type no ADR has, or any when the card has no ADR."""
    read = {address["type"] for address in contact.addresses}  # (empty: no ADR at all)
    for prop in printed:
        address = _printed_address(prop.text(), prop, label="")
        if not read or (address["type"] and address["type"] not in read):
            contact.addresses.append(address)


def _printed_address(text: str, prop: Property, label: str) -> dict[str, Any]:
    """An address given only as printed on an envelope, on lines: its lines are its
    street (the checks then keep it in the notes, for want of a zip code)."""
    parts = dict.fromkeys(("locality", "city", "state", "zip_code", "country"), "")
    return {
        "address": text,
        **parts,
        "type": _type(prop, _ADDRESS_TYPES, label),
        "primary": prop.preferred(),
    }


_CRM_FIELDS = {
    "SCORING": "scoring",
    "SEGMENTATION": "segmentation",
    "REASON-CODE": "reason_code",
    "LIFECYCLE": "lifecycle",
    "STAGE": "stage_key",
}


def _crm_field(contact: RawContact, prop: Property) -> None:
    """Our export's X-CONTACTS-TUI-… properties back into their fields."""
    key = prop.name[len(VCARD_CRM_PREFIX) :]
    text = prop.text()
    if key in _CRM_FIELDS:
        contact.fields[_CRM_FIELDS[key]] = text
    elif key == "FULL-NAME":
        contact.fields["full_name_as_written"] = text
    elif key == "ACCOUNTS":  # names separated by commas, a comma in a name escaped
        names = [_unescape(p).strip() for p in re.split(r"(?<!\\),", prop.value)]
        contact.fields["accounts"] = [a for a in names if a]
    elif key == "ARCHIVED":
        contact.fields["archived"] = text.strip().lower() in ("true", "yes", "1")
    elif key == "BANK-ACCOUNT":
        contact.bank_accounts.append(
            {
                "iban": text,
                "name": (prop.params.get("NAME") or [""])[0],
                "bic": (prop.params.get("BIC") or [""])[0],
            }
        )
    elif text.strip():
        contact.unread.append((prop.name.title(), text, "no field for it here"))


# ----- the readers ----------------------------------------------------------------------------


_GROUP_KIND = re.compile(
    r"(?:[A-Z0-9-]+\.)?(?:X-ADDRESSBOOKSERVER-)?KIND(?:;[^:]*)?:\s*group\s*", re.IGNORECASE
)


def _group_name(card: _Card) -> str | None:
    """The name of a card that is a group of contacts (vCard 4.0's KIND:group, Apple's
    and iCloud's X-ADDRESSBOOKSERVER-KIND:group), not a person; None for a person's."""
    if not any(_GROUP_KIND.fullmatch(line) for line in card.lines):
        return None
    for line in card.lines:
        prop = _property(line, "utf-8") if line[:2].upper() == "FN" else None
        if prop is not None and prop.name == "FN":
            return " ".join(prop.text().split())
    return f"card {card.number}"


def _scan_vcards(text: TextIO, name: str) -> tuple[int, tuple[str, ...]]:
    total = 0
    groups = []
    for card in _cards(text):
        group = _group_name(card) if card.closed else None
        if group is None:
            total += 1
        else:
            groups.append(display_safe(group))
    if not total and not groups:
        raise ImportFileError(
            f"{name} holds no vCard (no BEGIN:VCARD line): is it really a .vcf file?"
        )
    if not groups:
        return total, ()
    what = (
        "cards are groups of contacts, not people"
        if len(groups) > 1
        else ("card is a group of contacts, not a person")
    )
    return total, (f"{len(groups)} {what}: left out ({', '.join(groups)}).",)


def _vcard_records(text: TextIO, encoding: str = "utf-8") -> Iterator[RawContact | Unreadable]:
    for card in _cards(text):
        ref = f"card {card.number} (line {card.line})"
        if not card.closed:
            yield Unreadable(ref, "the card is not closed with END:VCARD")
            continue
        if _group_name(card) is not None:
            continue  # the file's notes name it
        props = []
        for line in card.lines:
            prop = _property(line, encoding)
            if prop is None:
                yield Unreadable(
                    ref, f"the card cannot be read (a line without a colon: {line[:40]!r})"
                )
                break
            props.append(prop)
        else:
            yield _contact(ref, card.number, props, card.agents)


def _jcard_records(text: TextIO, name: str) -> Iterator[RawContact | Unreadable]:
    """RFC 7095: ["vcard", [[name, {params}, type, value, …], …]], or a list of them."""
    try:
        data = json.load(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"{name} is not valid JSON: {error.msg.lower()}.") from None
    cards = [data] if data and data[0] == "vcard" else data
    for number, card in enumerate(cards, start=1):
        ref = f"jCard {number}"
        if not (isinstance(card, list) and len(card) == 2 and card[0] == "vcard"):
            yield Unreadable(ref, 'not a jCard (["vcard", [properties…]])')
            continue
        props = []
        for item in card[1]:
            if not (isinstance(item, list) and len(item) >= 4 and isinstance(item[1], dict)):
                continue
            params = {
                str(k).upper(): [str(x) for x in (v if isinstance(v, list) else [v])]
                for k, v in item[1].items()
            }
            group = params.pop("GROUP", [""])[0]
            values = item[3:]
            value = values[0] if len(values) == 1 else values
            if isinstance(value, list):
                props.append(Property(str(item[0]).upper(), "", params, group, parts=value))
            else:
                props.append(
                    Property(str(item[0]).upper(), str(value), params, group, parts=[value])
                )
        yield _contact(ref, number, props, 0)
