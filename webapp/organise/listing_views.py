"""Publishing a programme's or a series' public page and feed, and taking it down again."""

from __future__ import annotations

from flask import request, url_for

from events import listings
from events.errors import InvalidInput
from events.models import Programme, Series
from webapp.extensions import db
from webapp.organise.access import bp, load_programme, load_series
from webapp.pipeline import Page, button


def _switch(listed: Programme | Series, name: str, programme_id: int) -> Page:
    wanted = request.form.get("public", "")
    if wanted not in ("yes", "no"):
        raise InvalidInput("Choose to publish the page or take it down.")
    if wanted == "yes":
        return button(lambda: listings.publish(db.session, listed),
                      done=lambda _: f"The public page of {name} is published.",
                      back=url_for("organise.programme", programme_id=programme_id))
    return button(lambda: listings.withdraw(db.session, listed),
                  done=lambda _: f"The public page of {name} is taken down.",
                  back=url_for("organise.programme", programme_id=programme_id))


@bp.post("/programmes/<int:programme_id>/public-page")
def programme_public_page(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    return _switch(programme, programme.name, programme.id)


@bp.post("/series/<int:series_id>/public-page")
def series_public_page(series_id: int) -> Page:
    series = load_series(series_id)
    return _switch(series, series.title, series.programme_id)
