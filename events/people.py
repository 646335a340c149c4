"""People known by e-mail, and the checks on what they type in."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from sqlalchemy import literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from events import limits
from events.errors import InvalidInput
from events.models import Base, Person

# Characters no text a person types needs: control characters (PostgreSQL refuses
# NUL; CR and LF end an e-mail header) and lone UTF-16 surrogates ("\ud800", which
# JSON can spell but neither UTF-8, a database nor an e-mail can hold).
_UNPRINTABLE = frozenset({"Cc", "Cs"})
# What ends a line besides CR and LF (NEL is a control character already):
# mail and calendar readers may break a header at either.
_LINE_BREAKS = frozenset({"Zl", "Zp"})


def has_unprintable(text: str, allowed: str = "") -> bool:
    """Whether ``text`` holds a control character (other than those ``allowed``)
    or a lone surrogate."""
    return any(unicodedata.category(c) in _UNPRINTABLE and c not in allowed for c in text)


def clean_name(raw: object) -> str:
    """Return the trimmed name, or refuse an empty or overlong one."""
    if not isinstance(raw, str):
        raise InvalidInput("Name must be text.", field="name")
    name = " ".join(raw.split())
    # PostgreSQL refuses NUL in text, and no name needs control characters.
    if has_unprintable(name):
        raise InvalidInput("Name contains control characters; please retype it.", field="name")
    if not name:
        raise InvalidInput("Please enter your name.", field="name")
    if len(name) > limits.PERSON_NAME_MAX:
        raise InvalidInput(f"Name must be at most {limits.PERSON_NAME_MAX} characters.",
                           field="name")
    return name


def clean_text(raw: object, field: str, label: str, limit: int, required: bool = False) -> str:
    """Return the trimmed text typed into ``field``, or refuse control characters,
    an empty required one, or one longer than ``limit``."""
    value = raw.strip() if isinstance(raw, str) else ""
    if has_unprintable(value, allowed="\n\r\t"):
        raise InvalidInput(f"The {label} contains control characters; please retype it.",
                           field=field)
    if required and not value:
        raise InvalidInput(f"Please enter the {label}.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"The {label} must be at most {limit} characters.", field=field)
    return value


def clean_line(raw: object, field: str, label: str, limit: int, required: bool = False) -> str:
    """Like ``clean_text``, for text of one line: a name or title that may reach an
    e-mail header (From, Subject) or a calendar's SUMMARY. Line breaks and tabs are
    refused rather than joined, so what the organiser sees is what is sent."""
    value = clean_text(raw, field, label, limit, required)
    if any(c in "\n\r\t" or unicodedata.category(c) in _LINE_BREAKS for c in value):
        raise InvalidInput(f"The {label} must be on one line, without line breaks or tabs.",
                           field=field)
    return value


def clean_web_address(raw: object, field: str, label: str, limit: int) -> str:
    """An http or https address with a host, or empty; anything else (``javascript:``,
    ``data:``, a bare word) is refused for ``field``."""
    url = clean_text(raw, field, label, limit)
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        raise InvalidInput(f"The {label} must be an http:// or https:// address.", field=field)
    return url


# Nearly every address is plain ASCII: a dot-atom local part and a domain of
# letters, digits and hyphens under an alphabetic top-level domain. For those
# the full check (Unicode normalisation, IDNA) returns the address itself, so
# they skip it; anything else, valid or not, goes through email_validator.
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN = re.compile(rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?P<domain>(?:{_LABEL}\.)+[a-z]{{2,63}})")
# email_validator refuses these (RFC 6761 and kin); so must the shortcut.
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _is_plain_address(address: str) -> bool:
    """Whether a lower-case ASCII address is plainly valid as it stands."""
    match = _PLAIN.fullmatch(address)
    if match is None or len(address) > 254 or len(match["local"]) > 64:
        return False
    domain = match["domain"]
    # "xn--" labels are IDNA and other "ab--" labels are refused: leave both to the full check.
    if "--" in domain or len(domain) > 253:
        return False
    return domain.rsplit(".", 1)[-1] not in _SPECIAL_USE


def email_key(raw: str) -> str:
    """The one form of an address that Mingle stores, looks up and counts by.

    NFKC folds look-alike forms (``heidi@\uff45xample.org``, with a fullwidth
    letter, is ``heidi@example.org``), then the whole address is lower-cased:
    the domain is case-insensitive (RFC 5321 §2.4) and, although a local part
    need not be, people's addresses have been stored lower-cased from the
    start, so one person is one key. Valid or not, the same text gives the
    same key, so a rate limit counts a malformed address as well.
    """
    return unicodedata.normalize("NFKC", raw.strip()).lower()


def clean_email(raw: object) -> str:
    """Return the address in its one stored form (``email_key``), or refuse a malformed one.

    Syntax only: no DNS look-up, so a volunteer's laptop offline still works.
    """
    if not isinstance(raw, str):
        raise InvalidInput("E-mail must be text.", field="email")
    if has_unprintable(raw):
        raise InvalidInput("That e-mail address contains control characters; please retype it.",
                           field="email")
    address = email_key(raw)
    if not address:
        raise InvalidInput("Please enter your e-mail address.", field="email")
    if len(address) > limits.EMAIL_MAX:
        raise InvalidInput("That e-mail address is too long.", field="email")
    if address.isascii() and _is_plain_address(address):
        return address
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(f"That e-mail address is not valid: {error}", field="email") from None
    return email_key(checked.normalized)


def add_once(session: Session, model: type[Base], **values: Any) -> bool:
    """INSERT ``values`` unless a unique key already holds them; True if a row was added.

    Settled by the database, so two requests adding the same row at once add it once.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING, not the row count: drivers need not report one for an INSERT.
    added = session.execute(insert(model.__table__).values(**values).on_conflict_do_nothing()
                            .returning(literal_column("1")))
    return added.first() is not None


def person_for(session: Session, email: str, name: str) -> Person:
    """Return the person with this (clean) e-mail, creating them if new.

    An upsert rather than select-then-insert: two first RSVPs from one address
    arriving together must not collide on the unique e-mail.
    """
    add_once(session, Person, email=email, name=name)
    return session.execute(select(Person).where(Person.email == email)).scalar_one()


def free_text(raw: object, field_name: str, label: str, limit: int) -> str:
    """What a person typed, trimmed; refused if too long or holding control characters."""
    text = raw.strip() if isinstance(raw, str) else ""
    # PostgreSQL refuses NUL, and no answer needs control characters.
    if has_unprintable(text, allowed="\n\r\t"):
        raise InvalidInput(f"The {label} contains control characters; please retype it.",
                           field=field_name)
    if len(text) > limit:
        raise InvalidInput(f"Please keep the {label} to {limit} characters.", field=field_name)
    return text
