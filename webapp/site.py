"""The domain's view of this deployment, built from the app's configuration."""

from __future__ import annotations

from flask import current_app

from events.site import Site


def current_site() -> Site:
    """The ``Site`` (base URL, sender, secret) of the running app."""
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    if isinstance(sender, tuple):
        sender = sender[1]
    return Site(base_url=config["BASE_URL"], sender_email=sender,
                secret_key=config["SECRET_KEY"])
