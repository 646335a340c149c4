"""Help for organisers: a season walked through, each step linking to its own screen."""

from __future__ import annotations

from flask import render_template

from events.help_examples import examples_for
from webapp.extensions import db
from webapp.organise.access import bp, organiser


@bp.get("/help")
def help_page() -> str:
    return render_template("organise/help.html",
                           examples=examples_for(db.session, organiser()))
