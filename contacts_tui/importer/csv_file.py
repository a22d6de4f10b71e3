"""Read a CSV file: our export's columns, and those of the address books people leave.

Google Contacts (`E-mail 1 - Value`, `Address 1 - Street`…), Outlook (`E-mail 2
Address`, `Business Street`…), Thunderbird (`Secondary Email`, `Work City`…), Pipedrive
(`Person - Email - Work`), Microsoft Dynamics (`Address 1: City`), HubSpot and LinkedIn
exports are recognised from their header (German Outlook's and Thunderbird's too),
whatever the delimiter (sniffed: comma, semicolon, tab or bar) and after a preamble
(LinkedIn starts with `Notes:` and a paragraph). `--map 'Column=field'` reads any other
column as a field. A column with no field here is not dropped: its values go to the
contact's notes, and the file's notes say which columns those are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TextIO

from contacts_tui.csv_guard import unguard
from contacts_tui.importer.shared import ImportFileError, RawContact, Unreadable
from contacts_tui.safe_text import display_safe

_DELIMITERS = ",;\t|"
_PREAMBLE_LINES = 20
"""Lines looked at for the header: LinkedIn's export has a few lines of notes first."""


def _header_key(name: str) -> str:
    """`E-mail Address`, `email_address` and `EMAIL ADDRESS` all become `emailaddress`."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


# What each header means, after _header_key: (field, type). The field is a contact
# field, or email/phone, or an address part (address, city, state, zip_code, country,
# locality, extended, po_box); the type is what a phone or e-mail column implies.
# Our export's names first, then those of Outlook, Thunderbird, Google, HubSpot,
# LinkedIn and others for the same thing.
CSV_COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("name", ""),
    "contactname": ("name", ""),
    "displayname": ("name", ""),
    "fullname": ("full_name", ""),
    "firstname": ("first_name", ""),
    "first": ("first_name", ""),  # Yahoo: First, Middle, Last
    "middle": ("middle_name", ""),
    "last": ("last_name", ""),
    "givenname": ("first_name", ""),
    "lastname": ("last_name", ""),
    "familyname": ("last_name", ""),
    "surname": ("last_name", ""),
    "middlename": ("middle_name", ""),
    "additionalname": ("middle_name", ""),
    "nameprefix": ("name_prefix", ""),
    "salutation": ("name_prefix", ""),  # Salesforce, Zoho
    "suffix": ("name_suffix", ""),
    "namesuffix": ("name_suffix", ""),
    "email": ("email", ""),
    "emailaddress": ("email", ""),
    "mail": ("email", ""),
    "primaryemail": ("email", ""),
    "secondaryemail": ("email", ""),
    "otheremails": ("email", ""),  # our plain export: the others after the primary
    "othernumbers": ("phone", ""),
    "email2address": ("email", ""),
    "email3address": ("email", ""),
    "emailaddress2": ("email", ""),  # Microsoft Dynamics
    "emailaddress3": ("email", ""),
    "alternateemail1": ("email", ""),  # Yahoo
    "alternateemail2": ("email", ""),
    "workemail": ("email", "Business"),
    "businessemail": ("email", "Business"),
    "homeemail": ("email", "Personal"),
    "personalemail": ("email", "Personal"),
    "number": ("phone", ""),
    "phone": ("phone", ""),
    "phonenumber": ("phone", ""),
    "telephone": ("phone", ""),
    "primaryphone": ("primary_phone", ""),  # Outlook: the main one, as another column has it
    "mobile": ("phone", "Mobile"),
    "mobilephone": ("phone", "Mobile"),
    "mobilephonenumber": ("phone", "Mobile"),
    "mobilenumber": ("phone", "Mobile"),
    "cell": ("phone", "Mobile"),
    "cellphone": ("phone", "Mobile"),
    "workphone": ("phone", "Office"),
    "businessphone": ("phone", "Office"),
    "businessphone2": ("phone", "Office"),
    "officephone": ("phone", "Office"),
    "companymainphone": ("phone", "Office"),
    "homephone": ("phone", "Home"),
    "homephone2": ("phone", "Home"),
    "otherphone": ("phone", ""),
    "fax": ("phone", "Fax"),
    "faxnumber": ("phone", "Fax"),
    "businessfax": ("phone", "Fax"),
    "homefax": ("phone", "Fax"),
    "otherfax": ("phone", "Fax"),  # Outlook
    "carphone": ("phone", "Mobile"),
    "company": ("company", ""),
    "companyname": ("company", ""),
    "organization": ("company", ""),
    "organisation": ("company", ""),
    "organizationname": ("company", ""),
    "accountname": ("company", ""),  # Salesforce, Zoho: the company is an account there
    "jobtitle": ("job_title", ""),
    "title": ("job_title", ""),
    "position": ("job_title", ""),
    "organizationtitle": ("job_title", ""),
    "department": ("department", ""),
    "organizationdepartment": ("department", ""),
    "website": ("website", ""),
    "websiteurl": ("website", ""),
    "webpage": ("website", ""),
    "webpage1": ("website", ""),
    "url": ("website", ""),
    "birthday": ("birthday", ""),
    "birthyear": ("birth_year", ""),  # Thunderbird: Birth Year, Birth Month, Birth Day
    "birthmonth": ("birth_month", ""),
    "dateofbirth": ("birthday", ""),
    "nickname": ("nickname", ""),
    "notes": ("notes", ""),
    "note": ("notes", ""),
    "description": ("notes", ""),  # Salesforce, Zoho
    "stage": ("stage", ""),
    "lifecycle": ("lifecycle", ""),
    "segmentation": ("segmentation", ""),
    "segment": ("segmentation", ""),
    "scoring": ("scoring", ""),
    "score": ("scoring", ""),
    "leadscore": ("scoring", ""),
    "reasoncode": ("reason_code", ""),
    "reason": ("reason_code", ""),
    "assignedaccounts": ("accounts", ""),
    "accounts": ("accounts", ""),
    "uid": ("uid", ""),
    "labels": ("labels", ""),  # Google's groups: `* myContacts ::: Customers`
    "groupmembership": ("labels", ""),  # the same in its older export
    "address": ("address", ""),
    "street": ("address", ""),
    "streetaddress": ("address", ""),
    "address1": ("address", ""),  # Shopify: Address1, Address2
    "address2": ("extended", ""),
    "addressline1": ("address", ""),
    "addressline2": ("extended", ""),
    "city": ("city", ""),
    "town": ("city", ""),
    "state": ("state", ""),
    "region": ("state", ""),
    "province": ("state", ""),
    "stateregion": ("state", ""),
    "stateprovince": ("state", ""),  # Salesforce: State/Province, Zip/Postal Code
    "zippostalcode": ("zip_code", ""),
    "zip": ("zip_code", ""),
    "zipcode": ("zip_code", ""),
    "postalcode": ("zip_code", ""),
    "postcode": ("zip_code", ""),
    "country": ("country", ""),
    "countryregion": ("country", ""),
    "countrycode": ("country", ""),  # Shopify: beside Country, the same as a code
    "provincecode": ("state", ""),  # Shopify: beside Province, the same as a code
    "locality": ("locality", ""),
    "district": ("locality", ""),
    # Written by our export and worked out again on import: read, not used.
    "id": ("", ""),
    "status": ("", ""),
    "category": ("", ""),
    "updated": ("", ""),
}

# Address columns named by where the address is: Outlook's `Business Street`,
# Thunderbird's `Home Address 2`, `Work ZipCode`.
_ADDRESS_PARTS = {
    "street": "address",
    "street2": "extended",
    "street3": "extended",
    "address": "address",
    "address2": "extended",
    "city": "city",
    "state": "state",
    "postalcode": "zip_code",
    "zipcode": "zip_code",
    "zip": "zip_code",  # Yahoo's Work ZIP
    "stateprovince": "state",  # Salesforce's Mailing State/Province
    "zippostalcode": "zip_code",
    "country": "country",
    "countryregion": "country",
    "pobox": "po_box",
    "addresspobox": "po_box",  # Outlook's Business Address PO Box
}
_PLACES = {
    "business": "Office",
    "work": "Office",
    "home": "Personal",
    "other": "",
    "mailing": "",  # Salesforce, Zoho: Mailing Street, Mailing City…
}
_ADDRESS_FIELDS = ("address", "extended", "po_box", "city", "state", "zip_code", "country")

# Google Contacts: `E-mail 1 - Value`, `Phone 2 - Label`, `Address 1 - Postal Code`,
# `Organization 1 - Title` (its older export says Type for Label).
_GOOGLE_COLUMN = re.compile(
    r"(e-?mail|phone|address|organization|website|relation|event|custom field|im) (\d+) - (.+)",
    re.IGNORECASE,
)
_GOOGLE_LABELLED = {
    "relation": "Relation",
    "event": "Event",
    "custom field": "Custom field",
    "im": "IM",
}
"""Google's values with no field here, each with its label (`Spouse`, `Anniversary`,
a custom field's name): kept in the notes under the label."""
_GOOGLE_PARTS = {
    "value": "value",
    "label": "label",
    "type": "label",
    "street": "address",
    "extendedaddress": "extended",
    "pobox": "po_box",
    "city": "city",
    "region": "state",
    "postalcode": "zip_code",
    "country": "country",
    "name": "company",
    "title": "job_title",
    "department": "department",
    "formatted": "formatted",  # the address on lines: read when it has no parts
    "service": "service",  # an IM's: Skype, Jabber…
}
_GOOGLE_TYPES = {
    "email": {"work": "Business", "home": "Personal"},
    "phone": {"work": "Office", "home": "Home", "mobile": "Mobile"},
    "address": {"work": "Office", "home": "Personal"},
}
_GOOGLE_SEPARATOR = re.compile(r"\s*:::\s*")  # several values in one cell
_SEVERAL = re.compile(r"\s*(?: ::: |;)\s*")  # Google's separator, or our export's "; "

# Columns of other products that say nothing a person would miss (or repeat another).
_QUIET = {
    "emailtype",
    "emaildisplayname",
    "email2type",
    "email2displayname",
    "email3type",
    "email3displayname",
    "fileas",
    "createdate",
    "connectedon",
    "recordid",
    "photo",
    "addressformatted",
    "lastmodifieddate",
}
_NO_INFORMATION = {
    "priority": ("normal",),
    "private": ("false", "aus"),
    "sensitivity": ("normal",),
    "gender": ("unspecified", "keine angabe"),
    "anniversary": ("0/0/00", "0.0.00"),
}
"""Outlook's columns and the values it writes in them (in English and German) for every
contact that has none: kept in the notes, they said nothing and buried what did."""
_JOB_TITLES = {"jobtitle", "organizationtitle", "position"}
"""Beside one of these, a Title column is the courtesy title (Outlook's: Dr., Ms.)."""
_HUBSPOT_KEYS = {"recordid", "contactowner", "leadstatus"}
_MAILCHIMP_KEYS = {"optintime", "leid", "euid", "memberrating"}
_MAILCHIMP_COLUMNS = {
    "address": ("mailchimp_address", ""),  # its parts in one cell, two spaces between
    "birthday": ("month_day", ""),  # MM/DD
    # Where Mailchimp placed the subscriber's IP, its own ids and its last change:
    # not the person's address, nothing they would miss.
    **{k: ("", "") for k in ("cc", "region", "latitude", "longitude", "gmtoff", "dstoff")},
    **{k: ("", "") for k in ("leid", "euid", "lastchanged")},
}
"""Mailchimp's audience export, whose Address, Birthday and REGION mean their own."""
_YAHOO_KEYS = {"yahoophone", "messengerid"}
_YAHOO_COLUMNS = {
    "home": ("phone", "Home"),
    "work": ("phone", "Office"),
    "other": ("phone", ""),
    "yahoophone": ("phone", ""),
    "personalwebsite": ("website", ""),
    "businesswebsite": ("website", ""),
    "comments": ("notes", ""),
}
"""Yahoo Mail's columns, whose bare names (Home, Work) mean its phones only in its file."""

# Microsoft Dynamics 365 names a contact's addresses `Address 1: Street 1`, `Address 2:
# City`…; their other parts (Latitude, UPS Zone…) go to the notes.
_DYNAMICS_ADDRESS = re.compile(r"address (\d+): (.+)", re.IGNORECASE)
_DYNAMICS_PARTS = {
    "street1": "address",
    "street2": "extended",
    "street3": "extended",
    "city": "city",
    "stateprovince": "state",
    "zippostalcode": "zip_code",
    "countryregion": "country",
    "postofficebox": "po_box",
}

# Pipedrive names each column by its record and the value's label: `Person - Name`,
# `Person - Email - Work`, `Organization - Name`, `Deal - Title`.
_PIPEDRIVE_COLUMN = re.compile(r"(person|organization|deal|lead) - (.+)", re.IGNORECASE)
_PIPEDRIVE_COLUMNS = {
    "emailwork": ("email", "Business"),
    "emailhome": ("email", "Personal"),
    "emailother": ("email", ""),
    "phonework": ("phone", "Office"),
    "phonehome": ("phone", "Home"),
    "phonemobile": ("phone", "Mobile"),
    "phoneother": ("phone", ""),
}
_PIPEDRIVE_QUIET = {"personcreated", "updatetime", "visibleto"}
"""When Pipedrive made and last changed its record, and who in it may see it."""


# A German Outlook's and Thunderbird's names of the columns read here, and what their
# English exports call them. (Their other columns, Hobby or Kinder, go to the notes under
# their own names; so does Outlook's Mobiltelefon 2, which is its Radio Phone.)
_GERMAN_COLUMNS = {
    "Anrede": "Title",
    "Vorname": "First Name",
    "Weitere Vornamen": "Middle Name",
    "Nachname": "Last Name",
    "Firma": "Company",
    "Abteilung": "Department",
    "Position": "Job Title",
    "Straße geschäftlich": "Business Street",
    "Straße geschäftlich 2": "Business Street 2",
    "Straße geschäftlich 3": "Business Street 3",
    "Ort geschäftlich": "Business City",
    "Region geschäftlich": "Business State",
    "Postleitzahl geschäftlich": "Business Postal Code",
    "Land/Region geschäftlich": "Business Country/Region",
    "Postfach geschäftlich": "Business Address PO Box",
    "Straße privat": "Home Street",
    "Straße privat 2": "Home Street 2",
    "Straße privat 3": "Home Street 3",
    "Ort privat": "Home City",
    "Bundesland/Kanton privat": "Home State",
    "Postleitzahl privat": "Home Postal Code",
    "Land/Region privat": "Home Country/Region",
    "Postfach privat": "Home Address PO Box",
    "Weitere Straße": "Other Street",
    "Weitere Straße 2": "Other Street 2",
    "Weitere Straße 3": "Other Street 3",
    "Weiterer Ort": "Other City",
    "Weiteres/r Bundesland/Kanton": "Other State",
    "Weitere Postleitzahl": "Other Postal Code",
    "Weiteres/e Land/Region": "Other Country/Region",
    "Weiteres Postfach": "Other Address PO Box",
    "Telefon geschäftlich": "Business Phone",
    "Telefon geschäftlich 2": "Business Phone 2",
    "Fax geschäftlich": "Business Fax",
    "Telefon Firma": "Company Main Phone",
    "Telefon privat": "Home Phone",
    "Telefon privat 2": "Home Phone 2",
    "Fax privat": "Home Fax",
    "Mobiltelefon": "Mobile Phone",
    "Autotelefon": "Car Phone",
    "Weiteres Telefon": "Other Phone",
    "Weiteres Fax": "Other Fax",
    "Haupttelefon": "Primary Phone",
    "E-Mail-Adresse": "E-mail Address",
    "E-Mail-Typ": "E-mail Type",
    "E-Mail: Angezeigter Name": "E-mail Display Name",
    "E-Mail 2: Adresse": "E-mail 2 Address",
    "E-Mail 2: Typ": "E-mail 2 Type",
    "E-Mail 2: Angezeigter Name": "E-mail 2 Display Name",
    "E-Mail 3: Adresse": "E-mail 3 Address",
    "E-Mail 3: Typ": "E-mail 3 Type",
    "E-Mail 3: Angezeigter Name": "E-mail 3 Display Name",
    "Geburtstag": "Birthday",  # (Thunderbird's is the day alone, as its Birth Day)
    "Jahrestag": "Anniversary",
    "Geschlecht": "Gender",
    "Priorität": "Priority",
    "Privat": "Private",
    "Vertraulichkeit": "Sensitivity",
    "Notizen": "Notes",
    "Webseite": "Web Page",
    # Thunderbird's
    "Anzeigename": "Display Name",
    "Spitzname": "Nickname",
    "Primäre E-Mail-Adresse": "Primary Email",
    "Sekundäre E-Mail-Adresse": "Secondary Email",
    "Tel. dienstlich": "Work Phone",
    "Tel. privat": "Home Phone",
    "Fax-Nummer": "Fax Number",
    "Mobil-Tel.-Nr.": "Mobile Number",
    "Privat: Adresse": "Home Address",
    "Privat: Adresse 2": "Home Address 2",
    "Privat: Ort": "Home City",
    "Privat: Bundesland": "Home State",
    "Privat: PLZ": "Home ZipCode",
    "Privat: Land": "Home Country",
    "Dienstlich: Adresse": "Work Address",
    "Dienstlich: Adresse 2": "Work Address 2",
    "Dienstlich: Ort": "Work City",
    "Dienstlich: Bundesland": "Work State",
    "Dienstlich: PLZ": "Work ZipCode",
    "Dienstlich: Land": "Work Country",
    "Arbeitstitel": "Job Title",
    "Organisation": "Organization",
    "Webseite 1": "Web Page 1",
    "Webseite 2": "Web Page 2",
    "Geburtsjahr": "Birth Year",
    "Geburtsmonat": "Birth Month",
}
_ENGLISH_NAMES = {_header_key(german): english for german, english in _GERMAN_COLUMNS.items()}


@dataclass(frozen=True)
class Column:
    """What one column of the file is read as."""

    field: str  # a contact field, "email", "phone", an address part, "" (read, not used)
    kind: str = ""  # the type of the e-mail, phone or address
    slot: str = ""  # columns of one e-mail, phone or address share a slot
    part: str = ""  # "value" or "label" of a Google e-mail/phone; an address part
    header: str = ""  # as the file names it (unknown columns go to the notes by it)
    unknown: bool = False
    blank: tuple[str, ...] = ()  # an unknown column's values that mean none (casefolded)


FIELDS = (
    *(f for f, _ in CSV_COLUMNS.values() if f),
    "extended",
    "po_box",
    "notes",
)
"""The fields --map may name."""


def check_mapping(mapping: dict[str, str]) -> dict[str, str]:
    """--map's column -> field, each field one we know ("" leaves the column out)."""
    known = set(FIELDS)
    for column, field in mapping.items():
        if field and field not in known:
            raise ImportFileError(
                f"--map {display_safe(column)}={display_safe(field)}: there is no field "
                f"{display_safe(field)!r}; use one of: {', '.join(sorted(known))}."
            )
    return mapping


def _column(
    header: str,
    mapping: dict[str, str],
    hubspot: bool,
    yahoo: bool = False,
    mailchimp: bool = False,
) -> Column:
    key = _header_key(header)
    for column, field in mapping.items():
        if _header_key(column) == key:
            return Column(field, header=header)
    if yahoo and key == "category":  # the person's, not our export's stage category
        return Column("", header=header, unknown=True)
    if yahoo and key in _YAHOO_COLUMNS:
        field, kind = _YAHOO_COLUMNS[key]
        return Column(field, kind, header=header)
    if mailchimp and key in _MAILCHIMP_COLUMNS:
        return Column(_MAILCHIMP_COLUMNS[key][0], header=header)
    if hubspot and key == "lifecyclestage":
        # HubSpot's stages (subscriber, lead, …) are not this workspace's steps.
        return Column("", header=header, unknown=True)
    dynamics = _DYNAMICS_ADDRESS.fullmatch(header.strip())
    if dynamics:
        number, part = dynamics.groups()
        field = _DYNAMICS_PARTS.get(_header_key(part), "")
        return Column(field, slot=f"address{number}", header=header, unknown=not field)
    pipedrive = _PIPEDRIVE_COLUMN.fullmatch(header.strip())
    if pipedrive:
        return _pipedrive_column(header, *pipedrive.groups())
    google = _GOOGLE_COLUMN.fullmatch(header.strip())
    if google:
        what, number, written = google.groups()
        what = "email" if what.lower().replace("-", "") == "email" else what.lower()
        part = _GOOGLE_PARTS.get(_header_key(written))
        if what in _GOOGLE_LABELLED and part in ("value", "label", "service"):
            return Column(_GOOGLE_LABELLED[what], slot=f"{what}{number}", part=part, header=header)
        if part is None:  # quiet by its name without the number: Organization 1 - Symbol
            return Column("", header=header, unknown=_header_key(what + written) not in _QUIET)
        if what == "organization":
            return Column(part, header=header) if number == "1" else Column("", header=header)
        if what == "website":
            return Column("website" if part == "value" else "", header=header)
        if what == "address":
            field = "address_label" if part == "label" else part
            return Column(field, slot=f"address{number}", header=header)
        return Column(what, slot=f"{what}{number}", part=part, header=header)
    if key.startswith("defaultaddress"):  # Shopify: Default Address City, … Company
        key = key.removeprefix("defaultaddress")
    if key in CSV_COLUMNS:
        field, kind = CSV_COLUMNS[key]
        return Column(field, kind, header=header)
    for place, kind in _PLACES.items():  # Business Street, Home Address 2, Work ZipCode
        if key.startswith(place) and key[len(place) :] in _ADDRESS_PARTS:
            return Column(_ADDRESS_PARTS[key[len(place) :]], kind, slot=place, header=header)
    if key in _QUIET:
        return Column("", header=header)
    return Column("", header=header, unknown=True, blank=_NO_INFORMATION.get(key, ()))


def _pipedrive_column(header: str, record: str, name: str) -> Column:
    """A column of Pipedrive's: the person's own are read as the same name without its
    `Person - `; of their organization only the name is the company, and the rest, and
    a deal's or lead's columns (its Title is no job title), go to the notes."""
    key = _header_key(name)
    if record.casefold() != "person":
        if record.casefold() == "organization" and key == "name":
            return Column("company", header=header)
        return Column("", header=header, unknown=True)
    field, kind = _PIPEDRIVE_COLUMNS.get(key) or CSV_COLUMNS.get(key) or ("", "")
    if field or key in CSV_COLUMNS or key in _PIPEDRIVE_QUIET:
        return Column(field, kind, header=header)
    return Column("", header=header, unknown=True)


def _layout(header: list[str], mapping: dict[str, str]) -> list[Column]:
    written = header
    if {_header_key(h) for h in header} & {"vorname", "nachname", "firma"}:
        # German: read as the English export's columns, then named as written
        mapped = {_header_key(column) for column in mapping}
        header = [
            h if _header_key(h) in mapped else _ENGLISH_NAMES.get(_header_key(h), h) for h in header
        ]
    keys = {_header_key(h) for h in header}
    hubspot = bool(keys & _HUBSPOT_KEYS)
    yahoo = bool(keys & _YAHOO_KEYS)
    mailchimp = bool(keys & _MAILCHIMP_KEYS)
    layout = [_column(h, mapping, hubspot, yahoo, mailchimp) for h in header]
    if keys & _JOB_TITLES:  # Outlook's Title is Dr., its Job Title the job
        layout = [_instead(c, "job_title", "title", "name_prefix") for c in layout]
    if keys & {"birthyear", "birthmonth"}:  # Thunderbird's Birth Day is the day alone
        layout = [_instead(c, "birthday", "birthday", "birth_day") for c in layout]
    # Shopify's province and country by name beside their codes: the codes are read.
    if {"province", "provincecode"} <= keys:
        layout = [_instead(c, "state", "province", "") for c in layout]
    if {"country", "countrycode"} <= keys:
        layout = [_instead(c, "country", "country", "") for c in layout]
    if header is not written:
        layout = [replace(c, header=h) for c, h in zip(layout, written, strict=True)]
    return layout


def _instead(column: Column, field: str, key: str, meant: str) -> Column:
    """The column read as `meant` if it is `field`'s under the name `key`."""
    if column.field == field and _header_key(column.header) == key:
        return Column(meant, header=column.header)
    return column


_NAMING = {"name", "first_name", "last_name", "full_name", "email", "company"}


def _names_contacts(layout: list[Column]) -> bool:
    return any(c.field in _NAMING for c in layout)


def _find_header(lines: list[str], mapping: dict[str, str]) -> tuple[int, str, list[Column]] | None:
    """(line index, delimiter, layout) of the first line that reads as a header."""
    for index, line in enumerate(lines):
        counts = {d: line.count(d) for d in _DELIMITERS}
        tried = [d for d in sorted(_DELIMITERS, key=lambda d: -counts[d]) if counts[d]]
        for delimiter in tried or [","]:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            layout = _layout(cells, mapping)
            if _names_contacts(layout):
                return index, delimiter, layout
    return None


@dataclass(frozen=True)
class _Shape:
    skip: int  # lines before the header
    delimiter: str
    layout: list[Column]
    notes: tuple[str, ...]


def _shape(text: TextIO, name: str, mapping: dict[str, str]) -> _Shape:
    """Where the header is, the delimiter, and what each column holds."""
    lines = []
    for line in text:
        if line.strip():
            lines.append(line.rstrip("\r\n"))
        else:
            lines.append("")
        if len(lines) >= _PREAMBLE_LINES:
            break
    if not any(line.strip() for line in lines):
        raise ImportFileError(f"{name} is empty: there is nothing to import.")
    found = _find_header(lines, mapping)
    if found is None:
        raise ImportFileError(
            f"{name} has no Name column (nor First Name / Last Name, E-mail or Company): "
            "its first line must name the columns, e.g. Name,E-mail,Number,Company; "
            "or say which column is which with --map 'Column=name'."
        )
    index, delimiter, layout = found
    notes = []
    if index:
        notes.append(f"The first {index} lines, before the column names, are not contacts.")
    if delimiter != ",":
        shown = {"\t": "tab", ";": "semicolon", "|": "bar"}[delimiter]
        notes.append(f"Columns are separated by a {shown}.")
    # (A column without a name is mostly the empty one after a trailing delimiter.)
    unknown = [display_safe(c.header) for c in layout if c.unknown and c.header.strip()]
    if unknown:
        # Said of the header: a column may be empty in every row (Google's phonetic names).
        notes.append(
            "Columns with no field here (a value in them is kept in its contact's notes): "
            f"{', '.join(unknown)}."
        )
    return _Shape(index, delimiter, layout, tuple(notes))


def _csv_reader(text: TextIO, shape: _Shape) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, cells) of each non-blank row after the header."""
    for _ in range(shape.skip + 1):
        text.readline()
    # csv counts lines from where it starts; the header's line comes first.
    reader = csv.reader(text, delimiter=shape.delimiter)
    start = shape.skip + 2
    for row in reader:
        if "".join(row).strip():  # a cell that is not blank
            yield start, row
        start = shape.skip + 2 + reader.line_num


def _scan_csv(text: TextIO, name: str, mapping: dict[str, str]) -> tuple[int, tuple[str, ...]]:
    shape = _shape(text, name, mapping)
    text.seek(0)
    return sum(1 for _ in _csv_rows(text, name, shape)), shape.notes


def _csv_rows(text: TextIO, name: str, shape: _Shape) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from _csv_reader(text, shape)
    except csv.Error as error:
        raise ImportFileError(f"{name} is not a readable CSV file: {error}.") from None


def _csv_records(
    text: TextIO, name: str, mapping: dict[str, str] | None = None
) -> Iterator[RawContact | Unreadable]:
    shape = _shape(text, name, mapping or {})
    text.seek(0)
    layout = shape.layout
    plan = _reading(layout)
    finish = _finishing(layout)
    for line, row in _csv_rows(text, name, shape):
        ref = f"line {line}"
        if len(row) > len(layout) and any(cell.strip() for cell in row[len(layout) :]):
            yield Unreadable(
                ref,
                f"the row has {len(row)} values but the first line names {len(layout)} "
                "columns (a comma in a value without quotes around it?)",
            )
            continue
        yield _read_row(ref, plan, row, finish)


def _google_type(kind: str, label: str) -> tuple[str, bool]:
    """(type, primary) of a Google label: `* Work` is the primary work one."""
    primary = label.startswith("*")
    label = label.lstrip("* ").strip()
    if "fax" in label.casefold():
        return "Fax", primary
    return _GOOGLE_TYPES[kind].get(label.casefold(), label), primary


_LABELLED_FIELDS = frozenset(_GOOGLE_LABELLED.values())
_ADDRESS_COLUMNS = frozenset((*_ADDRESS_FIELDS, "locality", "address_label", "formatted"))
_ADDRESS_PARTS_KEPT = frozenset((*_ADDRESS_FIELDS, "locality"))


def _reading(layout: list[Column]) -> list[tuple[Column, str, str]]:
    """(column, what is done with its cells, the slot they go to) for each column: worked
    out once a file, not for each of its cells."""
    plan = []
    for number, column in enumerate(layout, start=1):
        if column.unknown and not column.header.strip():  # its values named by its place
            column = replace(column, header=f"Column {number}")
        field, slot = column.field, ""
        if column.unknown:
            what = "unknown"
        elif not field:
            what = "skip"
        elif column.slot and (field in ("email", "phone") or field in _LABELLED_FIELDS):
            what, slot = "slot", column.slot
        elif field in ("email", "phone"):
            what = field
        elif field in _ADDRESS_COLUMNS:
            what, slot = "address", f"address:{column.slot}"
        elif field == "accounts":
            what = "accounts"
        elif field == "labels":
            what = "labels"
        else:
            what = "field"
        plan.append((column, what, slot))
    return plan


def _read_row(
    ref: str,
    plan: list[tuple[Column, str, str]],
    row: list[str],
    finish: tuple[Callable[[RawContact], None], ...] = (),
) -> RawContact:
    contact = RawContact(ref, guessed_types=True)
    fields = contact.fields
    slots: dict[str, dict[str, str]] = {}
    extra: list[str] = []
    for (column, what, slot), cell in zip(plan, row, strict=False):  # short rows: blanks
        if not cell:
            continue
        value = (unguard(cell) if "'" in cell else cell).strip()  # the export's formula guard
        if not value or what == "skip":
            continue
        if what == "field":
            if fields.setdefault(column.field, value) != value:
                # Two columns for one field (Home Phone 2…, a CRM's two titles): the
                # first, and the other kept in the notes.
                extra.append(f"{column.header}: {value}")
        elif what == "address":
            place = slots.get(slot)
            if place is None:
                place = slots[slot] = {"kind": "address", "type": column.kind}
            if column.field == "address_label":
                place["label"] = value
            elif place.setdefault(column.field, value) != value:  # Street 2 and Street 3
                place[column.field] += f", {value}"
        elif what == "email":
            for one in _several(value):
                contact.emails.append({"email": one, "type": column.kind})
        elif what == "phone":
            for one in _several(value):
                contact.phones.append({"number": one, "type": column.kind})
        elif what == "unknown":
            if not column.blank or value.casefold() not in column.blank:
                extra.append(f"{column.header}: {value}")
        elif what == "slot":
            slots.setdefault(slot, {"kind": column.field})[column.part] = value
        elif what == "labels":
            # A person's labels; Google's own (`* myContacts`, `* starred`) say nothing.
            own = [label for label in _values(value) if not label.startswith("*")]
            if own:
                extra.append(f"{column.header}: {', '.join(own)}")
        else:  # accounts
            fields["accounts"] = [a for a in (p.strip() for p in value.split(";")) if a]
    for group in slots.values():
        labels = _values(group.get("label", ""))
        if group["kind"] in ("email", "phone") and group.get("value"):
            key = "email" if group["kind"] == "email" else "number"
            for n, one in enumerate(_values(group["value"])):
                kind, primary = _google_type(group["kind"], _nth(labels, n))
                # One label for several values (Google's): only the first is its primary.
                record = {
                    key: one,
                    "type": kind,
                    "primary": primary and (len(labels) > 1 or n == 0),
                }
                if one:
                    getattr(contact, f"{group['kind']}s").append(record)
        elif group["kind"] == "address":
            for address in _several_addresses(group, labels):
                _add_address(contact, address)
        elif group.get("value"):  # a relation, event, custom field or IM of Google's
            extra.extend(_labelled(group, labels))
    if extra:
        own = fields.get("notes", "")
        fields["notes"] = "\n".join([own, *extra] if own else extra)
    for step in finish:  # what this file's columns need done after the row's cells
        step(contact)
    return contact


def _finishing(layout: list[Column]) -> tuple[Callable[[RawContact], None], ...]:
    """The steps a row of this file needs after its cells are read: only those its
    columns call for, so that a plain file's rows take none."""
    fields = {c.field for c in layout}
    steps: list[Callable[[RawContact], None]] = []
    if fields & {"middle_name", "name_prefix", "name_suffix"}:
        steps.append(_full_name)
    if fields & {"birth_year", "birth_month", "birth_day"}:
        steps.append(_birthday)
    if "primary_phone" in fields:
        steps.append(_primary_phone)
    if "mailchimp_address" in fields:
        steps.append(_mailchimp_address)
    if "month_day" in fields:
        steps.append(_month_day)
    return tuple(steps)


def _mailchimp_address(contact: RawContact) -> None:
    """Mailchimp's address, its parts in one cell with two spaces between (`12 Elm St
    Springfield  IL  62701  US`): street lines, city, state, zip code, country."""
    whole = contact.fields.pop("mailchimp_address", "")
    if not whole:
        return
    parts = re.split(r"\s{2,}", whole.strip())
    if len(parts) < 5:  # not the parts it should be: its street, as written
        _add_address(contact, {"address": whole.strip()})
        return
    *street, city, state, code, country = parts
    address = {"address": ", ".join(street), "city": city, "state": state}
    _add_address(contact, {**address, "zip_code": code, "country": country})


def _month_day(contact: RawContact) -> None:
    """Mailchimp's birthday, MM/DD without a year: --MM-DD."""
    when = contact.fields.pop("month_day", "")
    month, _, day = when.partition("/")
    if month.isdigit() and day.isdigit() and len(month) <= 2 and len(day) <= 2:
        contact.fields.setdefault("birthday", f"--{month.zfill(2)}-{day.zfill(2)}")
    elif when:
        contact.fields.setdefault("birthday", when)  # checked, and reported, as any date


def _primary_phone(contact: RawContact) -> None:
    """Outlook's Primary Phone repeats the number of another column (Mobile Phone…): that
    one is the primary; a number of its own is added as the primary."""
    number = contact.fields.pop("primary_phone", "")
    if not number:
        return
    digits = re.sub(r"\D", "", number)
    for phone in contact.phones:
        if re.sub(r"\D", "", phone["number"]) == digits:
            phone["primary"] = True
            return
    contact.phones.insert(0, {"number": number, "type": "", "primary": True})


def _labelled(slot: dict[str, str], labels: list[str]) -> list[str]:
    """`Spouse: Wei Chen`, `Skype (Work): mia.chen`: a Google value under its label."""
    lines = []
    for n, value in enumerate(_values(slot["value"])):
        label = _nth(labels, n).lstrip("* ").strip() if labels else ""
        service = slot.get("service", "")
        if service:
            label = f"{service} ({label})" if label else service
        lines.append(f"{label or slot['kind']}: {value}")
    return lines


_EXTENSION = re.compile(r"(?:ext=)?\d{1,7}", re.IGNORECASE)
"""What follows a number's `;` as its own: our export's `+14168109897;ext=752`, a
phone's wait before an extension (`;456`)."""


def _several(cell: str) -> list[str]:
    """The e-mails or phones of a cell: `; ` or ` ::: ` between several, most hold one."""
    if ";" not in cell and " ::: " not in cell:  # what _SEVERAL splits at, spaces aside
        return [cell]
    values: list[str] = []
    for part in _SEVERAL.split(cell):
        if values and _EXTENSION.fullmatch(part):
            values[-1] += ";" + part  # the number's extension, not a number
        else:
            values.append(part)
    return values


def _birthday(contact: RawContact) -> None:
    """Thunderbird's birthday in three columns, as one (--04-12 without the year); an
    incomplete one is kept in the notes as it was."""
    fields = contact.fields
    if not ("birth_year" in fields or "birth_month" in fields or "birth_day" in fields):
        return
    year, month, day = (fields.pop(k, "") for k in ("birth_year", "birth_month", "birth_day"))
    if month and day and month.isdigit() and day.isdigit():
        when = f"{month.zfill(2)}-{day.zfill(2)}"
        fields.setdefault("birthday", f"{year}-{when}" if year else f"--{when}")
        return
    parts = [f"Birth {n}: {v}" for n, v in (("year", year), ("month", month), ("day", day)) if v]
    own = fields.get("notes", "")
    fields["notes"] = "\n".join([own, *parts] if own else parts)


def _full_name(contact: RawContact) -> None:
    """The name as written whole (Dr. Lee J. Kim Jr.) from its parts, as a vCard's N
    gives it; the name itself stays first and last."""
    fields = contact.fields
    if not ("middle_name" in fields or "name_prefix" in fields or "name_suffix" in fields):
        return
    parts = [fields.pop(k, "") for k in ("name_prefix", "first_name", "middle_name", "last_name")]
    whole = " ".join(p for p in (*parts, fields.pop("name_suffix", "")) if p)
    if parts[1]:
        fields["first_name"] = parts[1]
    if parts[3]:
        fields["last_name"] = parts[3]
    fields.setdefault("full_name", whole)


def _values(cell: str) -> list[str]:
    """The values of one cell: several with ` ::: ` between (Google's), most just one."""
    return _GOOGLE_SEPARATOR.split(cell) if ":::" in cell else [cell]


def _nth(labels: list[str], n: int) -> str:
    """The label of a slot's n-th value. Google writes one label for several values
    (`Home`, `a ::: b`); our own export one each (`Shipping ::: Billing`)."""
    return labels[n] if n < len(labels) else labels[0]


def _several_addresses(slot: dict[str, str], labels: list[str]) -> list[dict[str, str]]:
    """A slot's addresses: each of its columns may hold several, ` ::: ` between, the
    n-th value of each column belonging to the n-th address."""
    if ":::" not in "\n".join(slot.values()):
        # One address (the usual), its blank parts left out; none without a part.
        one = slot.copy()
        for key in _NOT_PARTS:
            one.pop(key, None)
        if not one:
            return []
        if "" in one.values():
            one = {k: v for k, v in one.items() if v}
        one["kind"] = "address"
        one["type"] = slot.get("type", "")
        if "label" in slot:
            one["type"] = _google_type("address", _nth(labels, 0))[0]
        return [one]
    columns = {k: _values(v) for k, v in slot.items() if k not in _NOT_PARTS}
    count = max((len(values) for values in columns.values()), default=0)
    addresses = []
    for n in range(count):
        one = {k: values[n] for k, values in columns.items() if n < len(values) and values[n]}
        kind = slot.get("type", "")
        if "label" in slot:
            kind = _google_type("address", _nth(labels, n))[0]
        addresses.append({**one, "kind": "address", "type": kind})
    return addresses


_NOT_PARTS = ("kind", "type", "label")


def _add_address(contact: RawContact, slot: dict[str, str]) -> None:
    if _ADDRESS_PARTS_KEPT.isdisjoint(slot):
        if not slot.get("formatted"):
            return
        # Google's address on lines, and no parts: the lines are its street.
        lines = filter(None, map(str.strip, slot["formatted"].splitlines()))
        slot = {"address": ", ".join(lines), "type": slot.get("type", "")}
    get = slot.get  # only its parts and type are read
    box = get("po_box", "")
    if box and not box.casefold().startswith(("po", "p.o")):
        box = f"PO Box {box}"
    street = ", ".join(filter(None, (get("address", ""), get("extended", ""), box)))
    address = {
        "address": street,
        "city": get("city", ""),
        "locality": get("locality") or get("city", ""),
        "state": get("state", ""),
        "zip_code": get("zip_code", ""),
        "country": get("country", ""),
        "type": get("type", ""),
    }
    contact.addresses.append({k: v for k, v in address.items() if v})
