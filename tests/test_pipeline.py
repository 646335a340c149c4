"""The request pipeline every view uses: one domain call, committed once or rolled back
whole, and one HTTP status per kind of refusal on pages, forms and the API alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Blueprint, Flask, render_template_string
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from events.errors import Busy, DomainError, InvalidInput, NotFound, NotOpen
from events.models import Programme
from tests.conftest import _empty_tables, csrf_token_from
from webapp.extensions import csrf, db
from webapp.pipeline import act, button, form_page

REFUSALS: dict[str, tuple[type[DomainError], int]] = {
    "invalid": (InvalidInput, 422), "missing": (NotFound, 404), "closed": (NotOpen, 409),
    "busy": (Busy, 503)}
PAGE = "{{ problem or '' }}|{{ form.name.errors | join(',') }}|{{ form.csrf_token }}"


class NameForm(FlaskForm):
    name = StringField("Name")


def _store_then(kind: str) -> Programme:
    """Write something, then refuse (or not): nothing written may survive a refusal."""
    programme = Programme(slug=f"p-{kind}", name="Written before the refusal")
    db.session.add(programme)
    db.session.flush()
    if kind in REFUSALS:
        error, _ = REFUSALS[kind]
        raise error(f"Refused: {kind}.", field="name" if error is InvalidInput else None)
    return programme


@pytest.fixture
def client(app_factory: Callable[..., Flask]) -> Iterator[FlaskClient]:
    app = app_factory()
    probe = Blueprint("probe", __name__)

    @probe.post("/api/v1/probe/<kind>")
    def api(kind: str) -> dict[str, str]:
        return {"slug": act(lambda: _store_then(kind)).slug}

    @probe.post("/probe/<kind>/button")
    def press(kind: str) -> object:
        return button(lambda: _store_then(kind), done=lambda made: f"Made {made.slug}.",
                      back="/", page=lambda problem: f"page: {problem}")

    @probe.route("/probe/<kind>/form", methods=["GET", "POST"])
    def fill(kind: str) -> object:
        form = NameForm()
        return form_page(form, lambda: _store_then(kind),
                         page=lambda problem: render_template_string(PAGE, form=form,
                                                                     problem=problem),
                         done=lambda made: f"done: {made.slug}")

    csrf.exempt(api)  # as the real API's blueprint is
    app.register_blueprint(probe)
    with app.app_context():
        _empty_tables()
        yield app.test_client()
        _empty_tables()


def stored() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Programme)) or 0


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_a_refusal_has_one_status_on_the_api_a_form_and_a_button_and_keeps_nothing(
        client: FlaskClient, kind: str) -> None:
    _, status = REFUSALS[kind]
    api = client.post(f"/api/v1/probe/{kind}")
    assert (api.status_code, api.get_json()["error"]) == (status, f"Refused: {kind}.")
    assert ("Retry-After" in api.headers) == (kind == "busy")
    token = csrf_token_from(client.get(f"/probe/{kind}/form").get_data(as_text=True))
    form = client.post(f"/probe/{kind}/form", data={"csrf_token": token, "name": "x"})
    pressed = client.post(f"/probe/{kind}/button", data={"csrf_token": token})
    assert (form.status_code, pressed.status_code) == (status, status)
    problem, beside_field, _ = form.get_data(as_text=True).split("|", 2)
    # Invalid input goes beside its field; any other refusal above the form.
    assert (beside_field if kind == "invalid" else problem) == f"Refused: {kind}."
    assert pressed.get_data(as_text=True) == f"page: Refused: {kind}."
    assert stored() == 0


def test_success_commits_once_and_answers_as_each_shape_says(client: FlaskClient) -> None:
    assert client.post("/api/v1/probe/api").get_json() == {"slug": "p-api"}
    token = csrf_token_from(client.get("/probe/form/form").get_data(as_text=True))
    assert client.post("/probe/form/form", data={"csrf_token": token}).get_data(
        as_text=True) == "done: p-form"
    pressed = client.post("/probe/button/button", data={"csrf_token": token})
    assert (pressed.status_code, pressed.headers["Location"]) == (303, "/")
    with client.session_transaction() as cookie:
        assert cookie["_flashes"] == [("good", "Made p-button.")]
    assert stored() == 3


def test_a_button_without_its_csrf_token_changes_nothing(client: FlaskClient) -> None:
    assert client.post("/probe/button/button").status_code == 400
    assert stored() == 0
