"""The domain's view of this deployment, built from the app's configuration and routes."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from werkzeug.routing import Map

from events.site import Site


class RouteLinks:
    """``events.site.Links`` built from the app's own routes, with or without a request
    (e-mails are rendered by workers), under the configured ``BASE_URL``."""

    def __init__(self, url_map: Map, base_url: str) -> None:
        # Only paths are built; the host comes from BASE_URL.
        self._adapter = url_map.bind("mingle.invalid")
        self._base = base_url.rstrip("/")

    def absolute(self, endpoint: str, **values: Any) -> str:
        """The absolute URL of any route of the app."""
        return self._base + self._adapter.build(endpoint, values)

    def event_page(self, event_id: int) -> str:
        return self.absolute("public.event_page", event_id=event_id)

    def event_download(self, event_id: int) -> str:
        return self.absolute("feeds.event_download", event_id=event_id)

    def join(self, token: str) -> str:
        return self.absolute("participant.join", token=token)

    def my_places(self, token: str) -> str:
        return self.absolute("participant.my_places", token=token)

    def programme_page(self, slug: str) -> str:
        return self.absolute("public.programme_page", slug=slug)

    def series_page(self, series_id: int) -> str:
        return self.absolute("public.series_page", series_id=series_id)
    def feedback(self, token: str) -> str:
        return self.absolute("participant.feedback_form", token=token)

    def follow_up(self, token: str) -> str:
        return self.absolute("participant.follow_up_form", token=token)
    def my_discussion(self, token: str, discussion_id: int) -> str:
        return self.absolute("participant.my_discussion", token=token,
                             discussion_id=discussion_id)

    def group_join(self, token: str) -> str:
        return self.absolute("participant.group_join", token=token)

    def discussion_page(self, discussion_id: int) -> str:
        return self.absolute("public.discussion_page", discussion_id=discussion_id)

    def programme_feed(self, slug: str) -> str:
        return self.absolute("feeds.programme_feed", slug=slug)

    def series_feed(self, series_id: int) -> str:
        return self.absolute("feeds.series_feed", series_id=series_id)

    def all_events_feed(self) -> str:
        return self.absolute("feeds.all_events")

    def password_reset(self, token: str) -> str:
        return self.absolute("auth.reset_password", token=token)

    def co_organiser_invitation(self, token: str) -> str:
        return self.absolute("auth.accept_invitation", token=token)

    def speaker_page(self, token: str) -> str:
        return self.absolute("speaker.page", token=token)

    def speaker_invitation(self, token: str, role_id: int, answer: str | None = None) -> str:
        if answer is None:
            return self.absolute("speaker.invitation", token=token, role_id=role_id)
        return self.absolute("speaker.invitation", token=token, role_id=role_id, answer=answer)

    def speaker_join(self, token: str) -> str:
        return self.absolute("speaker.join", token=token)

    def speaker_lost_link(self) -> str:
        return self.absolute("speaker.lost_link")
    def idea_board(self, slug: str) -> str:
        return self.absolute("ideas.board", slug=slug)

    def idea_page(self, slug: str, idea_id: int) -> str:
        return self.absolute("ideas.idea_page", slug=slug, idea_id=idea_id)

    def confirm_address(self, slug: str, token: str) -> str:
        return self.absolute("ideas.confirm", slug=slug, token=token)

    def stop_idea_news(self, token: str) -> str:
        return self.absolute("ideas.stop_news", token=token)


def route_links(app: Flask) -> RouteLinks:
    """The app's links under its ``BASE_URL`` (kept until that changes)."""
    base_url = app.config["BASE_URL"]
    kept = app.extensions.get("mingle_links")
    if kept is None or kept[0] != base_url:
        kept = app.extensions["mingle_links"] = (base_url, RouteLinks(app.url_map, base_url))
    return kept[1]  # type: ignore[no-any-return]


def site_for(app: Flask) -> Site:
    """The ``Site`` (links, sender, secret) of ``app``."""
    config = app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    if isinstance(sender, tuple):
        sender = sender[1]
    return Site(base_url=config["BASE_URL"], sender_email=sender,
                secret_key=config["SECRET_KEY"], links=route_links(app))


def current_site() -> Site:
    """The ``Site`` of the running app."""
    return site_for(current_app._get_current_object())  # type: ignore[attr-defined]


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL of the running app's route, with or without a request (e-mails)."""
    return route_links(current_app._get_current_object()).absolute(  # type: ignore[attr-defined]
        endpoint, **values)
