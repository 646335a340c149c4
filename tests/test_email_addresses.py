"""E-mail addresses: plain ones skip the full check (the answer must not change); address
headers hold one mailbox per person whatever their name; single-line fields refuse line
breaks; a message that cannot be built fails at once; invitations name a real ORGANIZER."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.utils import getaddresses
from pathlib import Path

import pytest
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import booking, demo, planning
from events.errors import InvalidInput
from events.models import Event, OutboxMessage, OutboxStatus, Programme
from events.people import _is_plain_address, clean_email, clean_line, clean_text
from tests.conftest import SmtpInbox
from webapp import create_app
from webapp.extensions import db
from webapp.mailer import drain_once


def full_check(address: str) -> str | None:
    """What email_validator alone makes of an address (lower-cased), or None if refused."""
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def ours(address: str) -> str | None:
    try:
        return clean_email(address)
    except InvalidInput:
        return None


# Pieces that sit on either side of every rule the shortcut copies: dots,
# hyphens, "--", special-use names, IDNA prefixes, digits in the TLD, long
# labels, case, non-ASCII look-alikes (the Kelvin sign lower-cases to "k").
PIECES = st.sampled_from([
    "a", "Z", "0", "9", ".", "..", "-", "--", "_", "+", "'", "!", "~", "`", "{", "|", "=",
    "@", "@@", " ", "xn--", "xn--abc", "test", "localhost", "local", "onion", "arpa",
    "invalid", "org", "ORG", "co", "c", "c1", "123", "example", "\u212a", "é", "\u0131", "\u00a0",
    "a" * 63, "b" * 64, "c" * 70,
])
ADDRESSES = st.lists(PIECES, min_size=1, max_size=12).map("".join) | st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.lists(PIECES, min_size=1, max_size=4).map("".join),
    st.lists(st.lists(PIECES, min_size=1, max_size=3).map("".join), min_size=1, max_size=4),
    st.sampled_from(["org", "NZ", "co", "c", "test", "localhost", "a1", "xn--p1ai", "x" * 64]),
)


@settings(max_examples=3000, deadline=None)
@given(ADDRESSES)
def test_the_shortcut_agrees_with_the_full_check(address: str) -> None:
    assert ours(address) == full_check(address.strip()) or (
        # clean_email refuses only what is longer than any mailbox can be.
        len(address.strip()) > 320 and ours(address) is None
    )


@pytest.mark.parametrize("address", [
    "ada.lovelace@library.example.org",
    "Ada.Lovelace@Library.Example.ORG",
    "o'neil+books@x.co",
    "a@1.2.3.com",
    "x" * 64 + "@example.org",
])
def test_plain_addresses_take_the_shortcut(address: str) -> None:
    assert _is_plain_address(address.lower())
    assert clean_email(address) == full_check(address)


@pytest.mark.parametrize("address", [
    "a@x.test",                 # special-use name: refused by the full check
    "a@sub.localhost",
    "a@xn--abc.org",            # IDNA: decided by the full check
    "a@b.c1",                   # not a top-level domain
    "x" * 65 + "@example.org",  # local part too long
    "a..b@example.org",
    ".a@example.org",
    "a@-x.org",
    "a@b.c",                    # valid, but left to the full check (one-letter TLD)
])
def test_anything_else_gets_the_full_check(address: str) -> None:
    assert not _is_plain_address(address.lower())
    assert ours(address) == full_check(address)


# --- Address headers, single-line fields, and messages that cannot be built ---

HOSTILE_NAMES = ["Smith, Ada", "Ada: the <admin@example.org>;", 'Quote "q" \\ back',
                 "Zoë, Ōtautahi; branch", "undisclosed-recipients:;"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_with_address_punctuation_is_one_recipient_over_smtp(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event], name: str) -> None:
    _, inbox = mail_app
    event = make_event()
    booking.register(db.session, event.id, name, "ada@example.org")
    db.session.commit()
    assert drain_once() == (1, 0)
    [message] = inbox.wait_for(1)
    [recipient] = message["To"].addresses
    assert (recipient.display_name, recipient.addr_spec) == (name, "ada@example.org")
    if name.isascii():
        # Many readers decode RFC 2047 words first and parse the text after: a name
        # sent as a bare encoded-word then splits into several recipients.
        raw = message_from_bytes(inbox.envelopes[0][1])["To"]
        assert getaddresses([str(make_header(decode_header(raw)))]) == [
            (name, "ada@example.org")]
    assert message["From"].addresses[0].display_name == "Conversations team"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_local_mailbox_lists_and_opens_messages_to_such_names(
        app: Flask, client: FlaskClient, make_event: Callable[..., Event], name: str) -> None:
    event = make_event()
    booking.register(db.session, event.id, name, "ada@example.org")
    db.session.commit()
    assert drain_once() == (1, 0)
    [path] = Path(app.config["MAIL_DIR"]).glob("*.eml")
    [recipient] = message_from_bytes(path.read_bytes(), policy=policy.default)["To"].addresses
    assert recipient.display_name == name
    listing = client.get("/dev/mailbox")
    assert listing.status_code == 200
    shown = client.get(f"/dev/mailbox/{path.stem}")
    assert shown.status_code == 200
    assert escape(name) in shown.get_data(as_text=True)


@pytest.mark.parametrize("field", ["name", "sender_name", "slug"])
@pytest.mark.parametrize("breaking", ["\r\nBcc: all@example.org", "\n", "\t", "\u2028", "\x85"])
def test_programme_single_line_fields_refuse_line_breaks(session: Session, field: str,
                                                         breaking: str) -> None:
    values = {"name": "Book Club", "slug": "book-club", "timezone": "Pacific/Auckland",
              "sender_name": "Book Club team"}
    values[field] = "book" + breaking + "club"
    with pytest.raises(InvalidInput) as refused:
        planning.save_programme(session, planning.ProgrammePlan(**values))
    assert refused.value.field == field


def test_series_and_event_titles_refuse_line_breaks(session: Session,
                                                    programme: Programme) -> None:
    with pytest.raises(InvalidInput, match="one line") as refused:
        planning.save_series(session, programme, planning.SeriesPlan(title="A\r\nB"))
    assert refused.value.field == "title"
    plan = planning.EventPlan(kind="conversation", title="Evening\nBcc: x@example.org",
                              starts_at_local=datetime(2031, 3, 4, 19, 30))
    with pytest.raises(InvalidInput, match="one line") as refused:
        planning.create_event(session, programme, plan)
    assert refused.value.field == "title"
    # Text of several lines stays allowed where it belongs.
    assert clean_text("one\ntwo", "description", "description", 100) == "one\ntwo"
    assert clean_line("Leading, from any chair: together", "title", "title", 100)


def test_a_message_that_cannot_be_built_fails_at_once_and_the_rest_go_out(
        mail_app: tuple[Flask, SmtpInbox], client: FlaskClient, session: Session,
        make_event: Callable[..., Event], programme: Programme) -> None:
    _, inbox = mail_app
    # Written before the domain refused it (or straight into the database).
    broken = Programme(slug="broken", name="Broken", timezone="UTC",
                       sender_name="Team\r\nBcc: everyone@example.org")
    session.add(broken)
    session.commit()
    bad_event = make_event(programme=broken, title="Bad sender")
    good_event = make_event(title="Good sender")
    booking.register(session, bad_event.id, "Ada", "ada@example.org")
    booking.register(session, good_event.id, "Bob", "bob@example.org")
    session.commit()

    assert drain_once() == (1, 1)
    [delivered] = inbox.wait_for(1)
    assert delivered["To"].addresses[0].addr_spec == "bob@example.org"
    failed = session.scalars(select(OutboxMessage).where(
        OutboxMessage.event_id == bad_event.id)).one()
    assert failed.status == OutboxStatus.failed and failed.attempts == 1
    assert "address header" in failed.last_error
    assert drain_once() == (0, 0)

    from tests.test_auth import log_in, make_organiser

    make_organiser(session, programme=broken)
    log_in(client)
    page = client.get(f"/organise/programmes/{broken.id}").get_data(as_text=True)
    assert "E-mails that could not be sent" in page and "address header" in page
    assert "ada@example.org" in page


def test_without_a_mail_server_a_crafted_sender_cannot_replace_the_from_address(
        app: Flask, session: Session, make_event: Callable[..., Event]) -> None:
    broken = Programme(slug="broken", name="Broken", timezone="UTC",
                       sender_name="x <evil@example.net>\r\nFrom: evil@example.net")
    session.add(broken)
    session.commit()
    booking.register(session, make_event(programme=broken).id, "Ada", "ada@example.org")
    session.commit()
    assert drain_once() == (0, 1)
    assert list(Path(app.config["MAIL_DIR"]).glob("*.eml")) == []


def test_invitations_name_the_programme_contact_address_as_organizer(
        mail_app: tuple[Flask, SmtpInbox], session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    planning.save_programme(session, planning.ProgrammePlan(
        name=programme.name, slug=programme.slug, timezone=programme.timezone,
        sender_name=programme.sender_name, contact_email=" Team@Conversations.example.org "),
        programme)
    session.commit()
    booking.register(session, make_event().id, "Ada", "ada@example.org")
    session.commit()
    drain_once()
    [message] = inbox.wait_for(1)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    [vevent] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert str(vevent["ORGANIZER"]) == "mailto:team@conversations.example.org"
    with pytest.raises(InvalidInput) as refused:
        planning.save_programme(session, planning.ProgrammePlan(
            name="X", slug="x", timezone="UTC", contact_email="not an address"))
    assert refused.value.field == "contact_email"


def test_the_demo_programme_has_a_contact_address(session: Session) -> None:
    programme = demo.seed_demo(session)
    assert "." in programme.contact_email.rpartition("@")[2]


@pytest.mark.parametrize("sender", ["mingle@localhost", "mingle@intranet", "nobody",
                                    ("Mingle", "mingle@localhost")])
def test_production_refuses_a_sender_whose_domain_has_no_dot(tmp_path: Path,
                                                             sender: object) -> None:
    with pytest.raises(RuntimeError, match="MAIL_DEFAULT_SENDER"):
        create_app({"SECRET_KEY": "s" * 40, "MINGLE_ENV": "production",
                    "MAIL_DEFAULT_SENDER": sender, "OUTBOX_IN_PROCESS": False,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_production_starts_with_a_sender_of_a_real_domain(tmp_path: Path) -> None:
    create_app({"SECRET_KEY": "s" * 40, "MINGLE_ENV": "production",
                "MAIL_DEFAULT_SENDER": "mingle@library.example.org", "OUTBOX_IN_PROCESS": False,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
