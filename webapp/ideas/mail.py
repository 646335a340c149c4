"""What e-mails about ideas need from the web adapter: signed links, and the
one-click unsubscribe header (RFC 2369 ``List-Unsubscribe``, RFC 8058 one-click)."""

from __future__ import annotations

from flask import Blueprint

from events import idea_news, verified_browsers
from events.models import OutboxMessage
from webapp.extensions import db
from webapp.site import current_site

# Kinds of e-mail that tell people news of an idea: each carries the way out.
NEWS = ("idea_status", "idea_event")


def confirm_link(message: OutboxMessage) -> str | None:
    """The confirmation link of an ``idea_verify`` e-mail, signed when it is sent."""
    return verified_browsers.link_for_message(current_site(), db.session,
                                              dict(message.context or {}))


def stop_link(message: OutboxMessage) -> str | None:
    """The one-click link that stops news of ideas for the recipient."""
    person_id = (message.context or {}).get("subscriber_id")
    if not isinstance(person_id, int):
        return None
    site = current_site()
    return site.links.stop_idea_news(idea_news.unsubscribe_token(site, person_id))


def unsubscribe_headers(message: OutboxMessage) -> dict[str, str]:
    """``List-Unsubscribe`` headers for news of ideas; none for other e-mails."""
    link = stop_link(message) if message.kind in NEWS else None
    if link is None:
        return {}
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def register(bp: Blueprint) -> None:
    bp.add_app_template_global(confirm_link, "idea_confirm_link")
    bp.add_app_template_global(stop_link, "idea_stop_link")
