"""Help for participants: what Mingle's e-mails mean, how the calendar entry keeps itself
up to date, how to cancel or get a new link, and what Mingle keeps about them."""

from __future__ import annotations

from flask import render_template

from webapp.caching import cached_page
from webapp.public.views import bp


@bp.get("/help")
def help_page() -> str:
    return cached_page(("help",), lambda: render_template("public/help.html"))
