"""The mail transport: render outbox messages and hand them to SMTP (or to files).

With ``MAIL_SERVER`` set, messages go through Flask-Mail. Without it, each is
written as an ``.eml`` file under ``MAIL_DIR`` so a fresh machine needs no
mail server, and ``/dev/mailbox`` shows them.
"""

from __future__ import annotations

import threading
import time
from email import policy
from email.charset import QP, Charset
from email.headerregistry import Address
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template
from flask_mail import BadHeaderError, Message
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from events import (
    access,
    accounts,
    calendar,
    feedback,
    forgetting,
    outbox,
    reminders,
    resources,
    series_signup,
)
from events.discussions import group_mail
from events.models import OutboxMessage, Person, Registration
from webapp.extensions import db, mail
from webapp.ideas.mail import unsubscribe_headers
from webapp.site import current_site
from webapp.speaker import mail as speaker_mail


class CalendarMessage(Message):
    """A Flask-Mail message whose parts are shaped for calendar clients.

    RFC 6047 §2.4: the inline text/calendar part must carry ``method=`` equal
    to the METHOD inside, or Outlook shows no meeting request. Text parts use
    quoted-printable, since 8-bit bodies do not survive every relay.
    """

    def __init__(self, *args: Any, ics_method: str | None = None,
                 sender: tuple[str, str], recipients: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, sender=sender, recipients=list(recipients), **kwargs)
        self.ics_method = ics_method
        # Flask-Mail turns the sender into "name <address>" text; keep both parts.
        self.mailboxes = {"From": [sender], "To": list(recipients)}

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        charset = Charset("utf-8")
        charset.body_encoding = QP
        return MIMEText(text or "", _subtype=subtype, _charset=charset)  # type: ignore[arg-type]

    def _message(self) -> MIMEBase:
        message = super()._message()
        # Flask-Mail writes names as bare encoded-words, so "Smith, Ada" reads as
        # two recipients to parsers that decode first: write both headers anew.
        for header, mailboxes in self.mailboxes.items():
            message.replace_header(header, address_header(mailboxes))
        for part in message.walk():
            if part.get_content_type() == "text/calendar" and self.ics_method:
                part.set_param("method", self.ics_method)
            elif part.get_content_type() == "application/ics":
                part.set_param("name", "invite.ics")
        return message


# RFC 5322 headers for the wire (ASCII, names encoded as RFC 2047 says), on one
# line: the message around them folds its own headers.
_HEADERS = policy.SMTP.clone(max_line_length=0)


def address_header(mailboxes: list[tuple[str, str]]) -> str:
    """The value of an address header (From, To) naming each (name, address) once,
    each name quoted or encoded so that ``,`` ``:`` ``;`` stay inside it (RFC 5322 §3.4).

    A name or address that no header can hold (a line break, say) raises
    ``outbox.Unsendable``: the message fails at once, with the reason.
    """
    try:
        value = _HEADERS.header_factory("To", [_address(name, email)
                                               for name, email in mailboxes])
        return value.fold(policy=_HEADERS).removeprefix("To: ").rstrip("\r\n")
    except (ValueError, TypeError, IndexError) as error:
        raise outbox.Unsendable(f"An address header cannot be written: {error}") from None


def _address(name: str, email: str) -> Address:
    local, _, domain = email.rpartition("@")
    # Names may be any text; a domain goes on the wire as IDNA (RFC 5890).
    return Address(display_name=name, username=local, domain=domain.encode("idna").decode())


def render(message: OutboxMessage) -> CalendarMessage:
    """Build the e-mail for an outbox row from the current domain objects."""
    site = current_site()
    registration: Registration | None = message.registration
    event = message.event
    context: dict[str, Any] = dict(message.context or {})
    join_url = access.join_url(site, registration) if registration is not None else None
    # Every e-mail to a participant carries their "manage your place" link.
    person = _participant(message)
    manage_url = access.manage_url(site, person) if person is not None else None
    variables = dict(message=message, event=event, registration=registration, site=site,
                     join_url=join_url, manage_url=manage_url,
                     feedback=feedback.invitation_for(site, message), **context)
    speaker = speaker_mail.speaker_of(message)
    if speaker is not None:
        variables.update(speaker_mail.variables(message, site, speaker))
    member = group_mail.member_of(db.session, message)
    if member is not None:
        variables.update(group_mail.details(db.session, site, member, message.created_at))
    # A series sign-up's summary names several events; reminders list resources.
    variables.update(series_signup.summary_details(db.session, message))
    variables["resources"] = resources.for_message(db.session, message)
    template = f"emails/{message.kind}"
    # Each kind has its subject beside its bodies: emails/<kind>.subject.txt
    subject = " ".join(render_template(f"{template}.subject.txt", **variables).split())
    programme = event.programme if event is not None else variables.get("programme")
    sender_name = ((programme.sender_name or programme.name) if programme
                   else context.get("sender_name") or "Mingle")
    method = context.get("method")
    sender, recipients = (sender_name, site.sender_email), [(message.recipient_name,
                                                             message.recipient_email)]
    # Refused now, before any part is built or anything reaches the SMTP server.
    address_header([sender, *recipients])
    email = CalendarMessage(
        subject=subject,
        recipients=recipients,
        sender=sender,
        body=render_template(f"{template}.txt", **variables)
        + render_template("emails/_manage_footer.txt", **variables),
        html=render_template(f"{template}.html", **variables),
        ics_method=method,
    )
    if method and registration is not None and join_url is not None:
        attendance = calendar.Attendance(registration, join_url=join_url, manage_url=manage_url)
        ics = calendar.invitation(attendance, site, method, context["sequence"],
                                  now=message.created_at).decode()
        email.alts["calendar"] = ics
        email.attach("invite.ics", "application/ics", ics.encode())
    elif method and member is not None:
        # A discussion member's weekly meetings: one series, one UID.
        ics = group_mail.invitation(member, site, context,
                                    join_url=variables["group_join_url"],
                                    page_url=variables["group_page_url"],
                                    now=message.created_at).decode()
        email.alts["calendar"] = ics
        email.attach("invite.ics", "application/ics", ics.encode())
    elif method and message.role is not None:
        # A guest's or facilitator's own invitation, with their own join link.
        ics = speaker_mail.role_calendar(message, site, method)
        email.alts["calendar"] = ics
        email.attach("invite.ics", "application/ics", ics.encode())
    email.extra_headers = {"Auto-Submitted": "auto-generated", **unsubscribe_headers(message)}
    return email


def _participant(message: OutboxMessage) -> Person | None:
    """The participant an e-mail goes to (not a guest's role e-mail), if any."""
    if speaker_mail.speaker_of(message) is not None:
        return None
    return message.registration.person if message.registration is not None else message.person


def deliver(message: OutboxMessage) -> None:
    """Send one outbox message through SMTP, or write it as a file."""
    if message.kind == "password_reset" and not accounts.prepare_reset(db.session, message):
        return  # no account, or one reset e-mail a moment ago: the row says which
    if not forgetting.reachable(message.recipient_email):
        return  # written for someone since forgotten (events.forgetting): nobody to send to
    person = _participant(message)
    speaker = speaker_mail.speaker_of(message)
    if person is not None or speaker is not None:
        # The e-mail carries the manage (or speaker) link: make it open the
        # person's page first, and commit that now, so no write lock (all of
        # SQLite) is held while the SMTP server takes its time.
        if person is not None:
            access.issue_manage_token(db.session, current_site(), person)
        if speaker is not None:
            speaker_mail.issue_link(current_site(), speaker)
        db.session.commit()
    email = render(message)
    if current_app.config.get("MAIL_SERVER"):
        try:
            mail.send(email)
        except BadHeaderError:
            raise outbox.Unsendable("A header of this message holds a line break.") from None
        return
    directory = Path(current_app.config["MAIL_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{message.id:08d}-{message.kind}.eml"
    path.write_bytes(email.as_bytes())


def drain_once(limit: int = 100) -> tuple[int, int]:
    """One pass over the due outbox; returns (sent, failed)."""
    return outbox.drain(db.session, deliver, limit=limit)


def queue_due_work() -> reminders.DueWork:
    """Queue the reminders, waitlist-closed notices and feedback requests that are due,
    and commit them."""
    try:
        work = reminders.run_due(db.session, site=current_site())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return work


# Seconds between looks for due reminders in the in-process drainer.
DUE_WORK_INTERVAL = 30.0


class Drainer:
    """A background thread that drains the outbox soon after each commit that fills it."""

    def __init__(self, app: Flask, interval: float = 5.0) -> None:
        self.app = app
        self.interval = interval
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._run, name="outbox-drainer", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        due_checked = 0.0
        while True:
            self.wake.wait(self.interval)
            self.wake.clear()
            with self.app.app_context():
                try:
                    # Reminders fall due with the clock, not with a commit.
                    if time.monotonic() - due_checked >= DUE_WORK_INTERVAL:
                        due_checked = time.monotonic()
                        queue_due_work()
                    while drain_once() != (0, 0):
                        pass
                except Exception:
                    self.app.logger.exception("outbox drain failed; will retry")
                finally:
                    db.session.remove()


def init_app(app: Flask) -> None:
    if not app.config.get("OUTBOX_IN_PROCESS") or app.testing:
        return
    drainer = Drainer(app)
    app.extensions["mingle_drainer"] = drainer

    @sqlalchemy_event.listens_for(Session, "after_commit")
    def _wake(session: Session) -> None:
        # Every queued row leaves this mark (events.outbox), ORM object or not.
        if session.info.pop(outbox.WRITTEN, False):
            drainer.wake.set()

    @sqlalchemy_event.listens_for(Session, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(outbox.WRITTEN, None)

    drainer.start()
