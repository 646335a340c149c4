"""Configuration from the environment (12-factor), with defaults for a fresh machine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from events import limits

DEV_SECRET_KEY = "dev-only-secret-change-me"
# The ideas board's rate limits (webapp/ratelimits.py), per address and per person.
IDEA_LIMITS = {
    "RATELIMIT_PROPOSALS": "30 per hour", "RATELIMIT_PROPOSALS_PERSON": "10 per hour",
    "RATELIMIT_VOTES": "120 per minute", "RATELIMIT_VOTES_PERSON": "30 per minute",
    "RATELIMIT_COMMENTS": "60 per minute", "RATELIMIT_COMMENTS_PERSON": "10 per minute",
}


def database_url(raw: str | None, instance_path: str) -> str:
    """Map the configured URL to a driver; default to SQLite in the instance folder."""
    if not raw:
        return "sqlite:///" + str(Path(instance_path) / "mingle.db")
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw.removeprefix("postgresql://")
    return raw


def refuse_unusable_sender(config: Mapping[str, Any]) -> None:
    """In production, refuse a sender whose domain has no dot (``mingle@localhost``):
    mail from it is refused or lost as spam, and calendar checkers reject invitations
    that name it as their ORGANIZER."""
    sender = config.get("MAIL_DEFAULT_SENDER") or ""
    address = sender[1] if isinstance(sender, tuple) else sender
    domain = str(address).rpartition("@")[2].strip(".")
    if "." not in domain:
        raise RuntimeError(
            f"MAIL_DEFAULT_SENDER {address!r} has no domain that mail can come from. Set "
            "MAIL_DEFAULT_SENDER to an address of your own domain, e.g. mingle@example.org "
            "(or MINGLE_ENV=development on a machine of your own).")


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def from_environment(instance_path: str) -> dict[str, Any]:
    """Read every setting Mingle knows from the process environment."""
    env = os.environ.get
    return {
        "SECRET_KEY": env("SECRET_KEY", DEV_SECRET_KEY),
        "MINGLE_ENV": env("MINGLE_ENV", "production"),
        "SQLALCHEMY_DATABASE_URI": database_url(env("DATABASE_URL"), instance_path),
        "BASE_URL": env("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_SERVER": env("MAIL_SERVER", ""),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "mingle@localhost"),
        "MAIL_DIR": env("MAIL_DIR", str(Path(instance_path) / "mail")),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        # Flask-Limiter strings ("60 per minute"); see webapp/ratelimits.py.
        "RATELIMIT_RSVP": env("RATELIMIT_RSVP", "60 per minute"),
        "RATELIMIT_RSVP_EMAIL": env("RATELIMIT_RSVP_EMAIL", "10 per minute"),
        "RATELIMIT_LOST_LINK": env("RATELIMIT_LOST_LINK", "20 per hour"),
        "RATELIMIT_LOST_LINK_EMAIL": env("RATELIMIT_LOST_LINK_EMAIL", "5 per hour"),
        **{name: env(name, default) for name, default in IDEA_LIMITS.items()},
        # Drain the outbox in a background thread of the web process.
        "OUTBOX_IN_PROCESS": _flag("OUTBOX_IN_PROCESS", True),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": limits.REQUEST_MAX_BYTES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }
