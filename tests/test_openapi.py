"""The OpenAPI 3.1 description of /api/v1: it names every route of the API, and the
running server keeps to it under property-based requests to every operation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from sqlalchemy.orm import Session

from events.models import Programme
from tests.live_server import gunicorn_server
from tests.test_discussions import make_discussion
from webapp.api.openapi import document

EXAMPLES = 40
# What "keeps to it" means: no server error, and every status, header, content type
# and body is one the description allows.
CONFORMANCE = [checks.not_a_server_error, checks.status_code_conformance,
               checks.content_type_conformance, checks.response_schema_conformance,
               checks.response_headers_conformance]


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_api_route_and_method_is_described(app: Flask, client: FlaskClient) -> None:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json == document()
    assert served.json["openapi"].startswith("3.1")
    paths = document()["paths"]
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")]
    assert len(rules) >= 5
    for rule in rules:
        described = paths.get(_openapi_path(rule.rule))
        assert described is not None, rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = described.get(method.lower())
            assert operation is not None, (method, rule.rule)
            assert "200" in operation["responses"], (method, rule.rule)
            if method == "POST":
                assert "requestBody" in operation and "422" in operation["responses"]


@pytest.fixture
def live_api(app: Flask, session: Session, programme: Programme, database_url: str,
             tmp_path: Path) -> Iterator[str]:
    """A gunicorn server on the test database, with a published event and discussion."""
    make_discussion(session, programme, places=3)
    session.commit()
    with gunicorn_server(database_url, tmp_path, workers=1, threads=4) as base_url:
        yield base_url


@pytest.mark.slow
def test_the_running_api_keeps_to_its_description(live_api: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_api}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every operation but the description itself, which the client has just read.
    assert {operation.label for operation in operations} == {
        f"{method.upper()} {path}" for path, item in document()["paths"].items()
        for method in item if path != "/api/v1/openapi.json"}
    for operation in operations:
        modes = [schemathesis.GenerationMode.POSITIVE]
        if operation.body or list(operation.iter_parameters()):
            # Input that breaks the description must be refused cleanly too.
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def keeps_to_it(case: schemathesis.Case) -> None:
                case.call_and_validate(base_url=live_api, checks=CONFORMANCE)

            keeps_to_it()
