"""Configuration from the environment (12-factor), with defaults for a fresh machine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from events import limits

DEV_SECRET_KEY = "dev-only-secret-change-me"
# Rate limits (Flask-Limiter strings, read by webapp/ratelimits.py), each overridable by
# the environment variable of its name. Many library staff reach Mingle from one
# network address: 200 RSVPs from it in a few minutes after an all-staff e-mail must
# pass, so the per-address limit is generous and the per-e-mail one does the real work.
RATE_LIMITS = {
    "RATELIMIT_RSVP": "300 per minute;2000 per hour",
    "RATELIMIT_RSVP_EMAIL": "10 per minute;30 per hour",
    "RATELIMIT_LOST_LINK": "20 per hour",
    "RATELIMIT_LOST_LINK_EMAIL": "5 per hour",
}
# Every link Mingle sends is an HMAC-SHA256 under SECRET_KEY: a shorter key than
# the hash's own 32 bytes makes them easier to forge (RFC 2104 §3), and "" none at all.
SECRET_KEY_MIN_BYTES = 32
# The ideas board's rate limits (webapp/ratelimits.py), per address and per person.
IDEA_LIMITS = {
    "RATELIMIT_PROPOSALS": "30 per hour", "RATELIMIT_PROPOSALS_PERSON": "10 per hour",
    "RATELIMIT_VOTES": "120 per minute", "RATELIMIT_VOTES_PERSON": "30 per minute",
    "RATELIMIT_COMMENTS": "60 per minute", "RATELIMIT_COMMENTS_PERSON": "10 per minute",
}


# Rate limits are counted where RATELIMIT_STORAGE_URI says. In memory, each
# process counts on its own, so N workers would allow N times every limit: in
# production a server with more than one worker refuses to start unless the
# counts are shared (Redis). See ``shared_limits_problem`` and gunicorn.conf.py.
PER_PROCESS_STORAGE = ("memory://",)


def shared_limits_problem(config: dict[str, Any], workers: int) -> str | None:
    """Why these settings may not serve with ``workers`` processes, or ``None``.

    Rate limits kept in each process's memory hold only with one worker (on one
    host); development and test machines may do as they like.
    """
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    # gunicorn reads gunicorn.conf.py for whatever app it serves from this folder
    # (the benchmark's bare baselines too): only Mingle's settings are judged.
    if ("MINGLE_ENV" not in config or workers <= 1 or not config.get("RATELIMIT_ENABLED", True)
            or config.get("MINGLE_ENV") in ("development", "test")
            or not storage.startswith(PER_PROCESS_STORAGE)):
        return None
    return (f"Rate limits are counted in each worker's memory ({storage}), so {workers} "
            f"workers would allow {workers} times every limit. Set RATELIMIT_STORAGE_URI to "
            "a shared store (e.g. redis://127.0.0.1:6379/0), or run one worker.")


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
        **{name: env(name, default) for name, default in RATE_LIMITS.items()},
        **{name: env(name, default) for name, default in IDEA_LIMITS.items()},
        # Drain the outbox in a background thread of the web process.
        "OUTBOX_IN_PROCESS": _flag("OUTBOX_IN_PROCESS", True),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": limits.REQUEST_MAX_BYTES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def refuse_weak_secret(config: dict[str, Any], relaxed: bool) -> None:
    """Refuse to run in production with the development secret or one under 32 bytes.

    ``relaxed`` (tests, debugging, a machine of one's own) lets any key through.
    """
    if relaxed:
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY:
        raise RuntimeError(
            "SECRET_KEY is the development default. Set SECRET_KEY in the environment "
            "(or MINGLE_ENV=development on a machine of your own).")
    if len(str(key).encode()) < SECRET_KEY_MIN_BYTES:
        raise RuntimeError(
            f"SECRET_KEY is shorter than {SECRET_KEY_MIN_BYTES} bytes. Set a long random one, "
            "for example: python -c 'import secrets; print(secrets.token_urlsafe(48))'")
