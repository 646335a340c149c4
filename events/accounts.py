"""Organisers' accounts: logins tied to a person, programme membership, invitations, resets.

Passwords are stored only as scrypt hashes (Werkzeug's ``generate_password_hash``).
Links sent by e-mail (password reset, co-organiser invitation) are an HMAC of
the row's id under the site's secret, so nothing that lets someone in is stored
in the database or the outbox: reading a backup does not open any account.
A reset link also signs the current password hash, so it stops working as
soon as it has been used once (or the password changed otherwise).

A login lives in a signed cookie that also carries the account's session
stamp. Logging out and setting a password draw a new stamp, so every cookie
issued before (a copy saved by someone else included) stops opening the
workspace: the cookie alone proves nothing the server has not agreed to.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from events import limits, outbox, signed_links
from events.errors import InvalidInput, NotFound
from events.models import Base, OutboxMessage, Person, Programme, UTCDateTime, utcnow
from events.people import clean_email, clean_name, email_key, has_unprintable, person_for
from events.site import Site

PASSWORD_MIN, PASSWORD_MAX = limits.PASSWORD_MIN, limits.PASSWORD_MAX
RESET_VALID_FOR = timedelta(hours=1)
# Checked against when an address has no account, so a wrong e-mail and a
# wrong password take the same time (no account enumeration by timing).
# Written out rather than computed at import: scrypt needs 32 MB for a moment,
# and every web worker would carry that peak.
_UNUSABLE_HASH = ("scrypt:32768:8:1$ysjldZNXusBUzJfh$40b87167b55f20a5ecfc0821c3fbdf67e81f2dab19"
                  "a350f4e9799256bc62f4be1e3433750df8fde3f12bb48a78c5d7ea7b50d621dbd1d23b14903a"
                  "9e97037156")


def new_session_stamp() -> str:
    """A fresh random session stamp (128 bits)."""
    return secrets.token_urlsafe(16)


class Account(Base):
    """An organiser's login. Admins see every programme; others only their own."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Carried by each login's cookie; a new one ends every login (``end_sessions``).
    session_stamp: Mapped[str] = mapped_column(String(32), default=new_session_stamp)

    person: Mapped[Person] = relationship(lazy="joined")
    memberships: Mapped[list[ProgrammeMembership]] = relationship(
        back_populates="account", cascade="all, delete-orphan")

    @property
    def email(self) -> str:
        return self.person.email

    @property
    def name(self) -> str:
        return self.person.name


class ProgrammeMembership(Base):
    """An organiser's place in a programme's team."""

    __tablename__ = "programme_memberships"
    __table_args__ = (UniqueConstraint("account_id", "programme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship(back_populates="memberships")
    programme: Mapped[Programme] = relationship()


class PasswordReset(Base):
    """A requested password reset; the link itself is signed, never stored."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship()


def clean_password(raw: object) -> str:
    """Return the password, or refuse one too short or too long to be sensible."""
    if not isinstance(raw, str) or len(raw) < PASSWORD_MIN:
        raise InvalidInput(f"Use at least {PASSWORD_MIN} characters.", field="password")
    if len(raw) > PASSWORD_MAX:
        raise InvalidInput(f"Use at most {PASSWORD_MAX} characters.", field="password")
    return raw


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``."""
    return generate_password_hash(password, method="scrypt")


def end_sessions(account: Account) -> None:
    """End every login of the account, in every browser (on logging out)."""
    account.session_stamp = new_session_stamp()


def set_password(account: Account, password: str) -> None:
    """Give the account a new password; every login made with the old one ends."""
    account.password_hash = hash_password(password)
    end_sessions(account)


def account_for_email(session: Session, email: str) -> Account | None:
    """The account of the person with this address, if any."""
    if has_unprintable(email):
        return None  # no address holds one, and PostgreSQL refuses NUL even to compare
    return session.execute(
        select(Account).join(Person).where(Person.email == email_key(email))
    ).scalar_one_or_none()


def create_account(session: Session, email: object, name: object, password: object,
                   is_admin: bool = False) -> Account:
    """Give the person with ``email`` an organiser's login (creating the person if new)."""
    address, clean = clean_email(email), clean_name(name)
    secret = clean_password(password)
    if account_for_email(session, address) is not None:
        raise InvalidInput("An account with that e-mail address already exists.", field="email")
    person = person_for(session, address, clean)
    person.name = clean
    account = Account(person=person, password_hash=hash_password(secret), is_admin=is_admin)
    session.add(account)
    session.flush()
    return account


def authenticate(session: Session, email: object, password: object,
                 now: datetime | None = None) -> Account | None:
    """The active account these credentials open, or ``None``."""
    address = email_key(email) if isinstance(email, str) else ""
    secret = password if isinstance(password, str) else ""
    account = account_for_email(session, address) if address else None
    if account is None or not account.is_active:
        check_password_hash(_UNUSABLE_HASH, secret)
        return None
    if not check_password_hash(account.password_hash, secret):
        return None
    account.last_login_at = now or utcnow()
    return account


def account_by_id(session: Session, account_id: object) -> Account | None:
    """The active account with this id, or ``None``."""
    if not isinstance(account_id, int):
        return None
    account = session.get(Account, account_id)
    return account if account is not None and account.is_active else None


def programme_ids_of(session: Session, account: Account) -> set[int] | None:
    """Ids of the programmes the account may manage; ``None`` means all (an admin)."""
    if account.is_admin:
        return None
    return set(session.execute(
        select(ProgrammeMembership.programme_id)
        .where(ProgrammeMembership.account_id == account.id)
    ).scalars())


def visible_programmes(session: Session, account: Account) -> list[Programme]:
    """The programmes the account may see, by name."""
    query = select(Programme).order_by(Programme.name)
    allowed = programme_ids_of(session, account)
    if allowed is not None:
        query = query.where(Programme.id.in_(allowed))
    return list(session.execute(query).scalars())


def can_manage(session: Session, account: Account, programme_id: int) -> bool:
    """True when the account is an admin or a member of the programme's team."""
    allowed = programme_ids_of(session, account)
    return allowed is None or programme_id in allowed


def require_programme(session: Session, account: Account, programme_id: int) -> Programme:
    """The programme if the account may manage it; otherwise ``NotFound``.

    Other teams' programmes answer exactly as missing ones do, so their
    existence is not given away.
    """
    programme = session.get(Programme, programme_id)
    if programme is None or not can_manage(session, account, programme.id):
        raise NotFound("There is no such programme in your workspace.")
    return programme


def add_member(session: Session, account: Account, programme: Programme) -> None:
    """Put the account in the programme's team (once)."""
    exists = session.execute(
        select(ProgrammeMembership.id).where(ProgrammeMembership.account_id == account.id,
                                             ProgrammeMembership.programme_id == programme.id)
    ).first()
    if exists is None:
        session.add(ProgrammeMembership(account=account, programme=programme))
        session.flush()


def team_of(session: Session, programme: Programme) -> list[Account]:
    """The accounts in the programme's team, by name."""
    return list(session.execute(
        select(Account).join(ProgrammeMembership).join(Person, Account.person_id == Person.id)
        .where(ProgrammeMembership.programme_id == programme.id).order_by(Person.name)
    ).scalars())


def signed(site: Site, purpose: str, *parts: object) -> str:
    """The MAC of an account link's parts, for its purpose."""
    return signed_links.mac(site.secret_key, purpose, *parts)


def row_id_of(token: str) -> int:
    """The row a link's token names (``NotFound`` when it is not a token at all)."""
    # The whole token is compared with the one made for that row afterwards.
    parts = signed_links.split_token(token)
    if parts is None:
        raise NotFound("This link is not valid. Ask for a new one.")
    return parts[0]


def enqueue_account_email(session: Session, kind: str, email: str, name: str,
                          **context: Any) -> OutboxMessage:
    """Queue an e-mail tied to no registration (an organiser's, or a future one's)."""
    return outbox.enqueue_to(session, kind, email, name, **context)


# Password reset ------------------------------------------------------------

def request_password_reset(session: Session, email: object) -> None:
    """Queue a request for a reset link to this address, whether or not it has an account.

    The answer must not tell who has an account, by its words or by its time:
    so nothing here reads the database. The outbox worker looks the address up
    when it comes to send (``prepare_reset``), and sends nothing when there is
    no account or a link went to it a moment ago.
    """
    outbox.enqueue_to(session, "password_reset", clean_email(email), "", reset_requested=True)


def prepare_reset(session: Session, message: OutboxMessage, now: datetime | None = None) -> bool:
    """Turn a queued reset request into the reset its e-mail links to; False when
    nothing is to be sent (no active account, or one reset e-mail went to it in
    the last ``limits.RESET_EMAIL_QUIET``). The message then keeps no address."""
    now = now or utcnow()
    context = dict(message.context or {})
    if "password_reset_id" in context:
        return True
    query = select(Account).join(Person).where(Person.email == message.recipient_email)
    if session.get_bind().dialect.name == "postgresql":
        # Two workers taking two requests of one account: the second waits, then sees the first.
        query = query.with_for_update(of=Account)
    account = session.execute(query).scalar_one_or_none()
    reason = None
    if account is None or not account.is_active:
        reason = "no active account"
    elif session.execute(select(PasswordReset.id).where(
            PasswordReset.account_id == account.id,
            PasswordReset.created_at > now - limits.RESET_EMAIL_QUIET)).first() is not None:
        reason = "a reset e-mail went to this account a moment ago"
    if account is None or reason is not None:
        message.recipient_email = ""
        message.context = {"not_sent": reason}
        return False
    reset = PasswordReset(account=account, created_at=now, expires_at=now + RESET_VALID_FOR)
    session.add(reset)
    session.flush()
    message.recipient_name = account.name
    message.context = {"password_reset_id": reset.id}
    return True


def password_reset_token(site: Site, reset: PasswordReset) -> str:
    """The token of the reset link (signed with the current password hash)."""
    return f"{reset.id}-{signed(site, 'password-reset', reset.id, reset.account.password_hash)}"


def reset_for_token(session: Session, site: Site, token: str,
                    now: datetime | None = None) -> PasswordReset:
    """The unused, unexpired reset a link belongs to, or ``NotFound``."""
    now = now or utcnow()
    reset = session.get(PasswordReset, row_id_of(token))
    if (reset is None or reset.used_at is not None or reset.expires_at <= now
            or not signed_links.same_mac(token, password_reset_token(site, reset))):
        raise NotFound("This password reset link has expired or was already used. "
                       "Ask for a new one.")
    return reset


def reset_password(session: Session, site: Site, token: str, password: object,
                   now: datetime | None = None) -> Account:
    """Set a new password through a reset link; the link then stops working."""
    now = now or utcnow()
    reset = reset_for_token(session, site, token, now)
    secret = clean_password(password)
    reset.used_at = now
    set_password(reset.account, secret)
    return reset.account
