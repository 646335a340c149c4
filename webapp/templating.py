"""Jinja filters shared by pages and e-mails: times in a zone, Markdown."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup

from events import large_groups, limits
from events.descriptions import markdown_to_text, render_markdown
from events.models import utcnow
from webapp.site import absolute_url


def local_time(moment: datetime, zone_name: str) -> str:
    """'Tuesday 1 December 2026, 7:30 pm NZDT' in the given zone."""
    local = moment.astimezone(ZoneInfo(zone_name))
    hour = local.strftime("%I").lstrip("0")
    return (f"{local.strftime('%A')} {local.day} {local.strftime('%B %Y')}, "
            f"{hour}:{local.strftime('%M')} {local.strftime('%p').lower()} {local.tzname()}")


def clock_time(moment: datetime, zone_name: str) -> str:
    """'7:30 pm' in the given zone."""
    local = moment.astimezone(ZoneInfo(zone_name))
    hour = local.strftime("%I").lstrip("0")
    return f"{hour}:{local.strftime('%M')} {local.strftime('%p').lower()}"


def minutes(span: timedelta) -> int:
    """A span of time in whole minutes (``limits.JOIN_OPENS_BEFORE | minutes``)."""
    return span // timedelta(minutes=1)


def markdown(text: str) -> Markup:
    """Organiser Markdown, rendered and sanitised, safe to place in a page."""
    return Markup(render_markdown(text or ""))


def plain_text(text: str) -> str:
    """Organiser Markdown as plain text, for e-mails' text parts (autoescape is off there)."""
    return markdown_to_text(text or "")


def clock() -> dict[str, datetime]:
    """``now`` for templates, so they ask the model's rules at the time of rendering
    (``event.offers_seat(now)``) instead of writing the rules again."""
    return {"now": utcnow()}


def init_app(app: Flask) -> None:
    app.context_processor(clock)
    # Templates quote limits (a password's length, when the room opens) from the one place.
    app.jinja_env.globals["limits"] = limits
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.globals["large_group_guidance_for"] = large_groups.guidance_for
    app.jinja_env.filters.update(local_time=local_time, clock_time=clock_time, markdown=markdown,
                                 plain_text=plain_text,
                                 minutes=minutes)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
