"""Logging in with a limit per account: wrong passwords are counted by the
e-mail typed, whichever address they come from, and each one past the free
few makes the next try wait longer (``limits.LOGIN_*``).

Failures are counted in the database, so every worker and every host sees the
same count without a shared store. They are kept for any address typed, with
an account behind it or not, so a refusal to try again says nothing about
who has an account. The account holder (if there is one) is told once per
burst of failures, by e-mail through the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, case, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from events import limits, outbox
from events.accounts import Account, account_for_email, authenticate
from events.errors import TooManyTries
from events.models import Base, UTCDateTime, utcnow
from events.people import add_once, email_key, has_unprintable


class LoginFailures(Base):
    """The current burst of wrong passwords typed for one e-mail address."""

    __tablename__ = "login_failures"

    email: Mapped[str] = mapped_column(String(limits.EMAIL_MAX), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # No try is checked before this moment.
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the account holder was told of this burst.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def delay_after(failures: int) -> float:
    """Seconds the next try must wait after ``failures`` wrong passwords in a row."""
    beyond = failures - limits.LOGIN_FREE_FAILURES
    if beyond < 0:
        return 0.0
    first = limits.LOGIN_FIRST_DELAY.total_seconds()
    return min(first * 2 ** min(beyond, 30), limits.LOGIN_LONGEST_DELAY.total_seconds())


def log_in(session: Session, email: object, password: object,
           now: datetime | None = None) -> Account | None:
    """The account these credentials open, or ``None`` (the failure counted);
    ``TooManyTries`` while the address must wait, without checking the password."""
    now = now or utcnow()
    # No account's address holds a control character (PostgreSQL refuses NUL even to
    # compare): such a try is refused without looking anything up or counting it.
    key = email_key(email) if isinstance(email, str) and not has_unprintable(email) else ""
    burst = session.get(LoginFailures, key, populate_existing=True) if key else None
    if burst is not None and burst.blocked_until is not None and burst.blocked_until > now:
        wait = max(1, round((burst.blocked_until - now).total_seconds()))
        raise TooManyTries(
            f"Too many wrong passwords for this account. Try again in {_spoken(wait)}, "
            "or set a new password through \u201cForgotten your password?\u201d.",
            field="password")
    account = authenticate(session, key, password, now)
    if account is not None:
        if burst is not None:
            session.delete(burst)
        return account
    if key:
        _count_failure(session, key, now)
    return None


def _count_failure(session: Session, key: str, now: datetime) -> None:
    add_once(session, LoginFailures, email=key, failures=0, first_failed_at=now,
             last_failed_at=now)
    # One guarded UPDATE, so two workers failing at once both count.
    stale = LoginFailures.last_failed_at < now - limits.LOGIN_FAILURES_FORGOTTEN_AFTER
    failures = session.execute(
        update(LoginFailures).where(LoginFailures.email == key)
        .values(failures=case((stale, 1), else_=LoginFailures.failures + 1),
                first_failed_at=case((stale, now), else_=LoginFailures.first_failed_at),
                notified_at=case((stale, None), else_=LoginFailures.notified_at),
                last_failed_at=now)
        .returning(LoginFailures.failures)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    wait = delay_after(failures)
    if wait:
        session.execute(
            update(LoginFailures).where(LoginFailures.email == key)
            .values(blocked_until=now + timedelta(seconds=wait))
            .execution_options(synchronize_session=False))
    if failures >= limits.LOGIN_FREE_FAILURES:
        _tell_the_holder(session, key, now)


def _tell_the_holder(session: Session, key: str, now: datetime) -> None:
    # The guard makes the notice once per burst, however many workers fail at once.
    first = session.execute(
        update(LoginFailures)
        .where(LoginFailures.email == key, LoginFailures.notified_at.is_(None))
        .values(notified_at=now).returning(LoginFailures.failures)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if first is None:
        return
    account = account_for_email(session, key)
    if account is None or not account.is_active:
        return
    outbox.enqueue_to(session, "login_failures", account.email, account.name,
                      failures=first, sender_name="Mingle")


def failures_for(session: Session, email: str) -> int:
    """Wrong passwords counted in the current burst for this address."""
    return session.execute(select(LoginFailures.failures)
                           .where(LoginFailures.email == email_key(email))
                           ).scalar_one_or_none() or 0


def _spoken(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"
