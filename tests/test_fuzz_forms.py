"""Generated input posted to every state-changing route of the app: never a 5xx, and a
refusal (4xx) leaves every stored row as it was.

The routes come from ``app.url_map`` (every POST, PUT, PATCH and DELETE rule), their ids
and tokens from a seeded world (``tests/fuzz_world.py``), so that each request gets past
routing and access to the form's own checks; the form's fields (and a CSRF token of the
session) from the page that shows it, found by walking up the route's path. JSON routes
get JSON documents, nested, malformed or not. One test fails when a route is added that
the fuzzer cannot reach.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Map, Rule

from tests.conftest import _empty_tables, _url_map, app_config
from tests.fuzz_world import CommittedWrites, Tables, World, read_tables, restore, seed
from webapp import create_app
from webapp.extensions import db
from webapp.ratelimits import DEFAULTS as LIMIT_SETTINGS
from webapp.site import current_site

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
EXAMPLES = 15
# Refusals that may write, and why. Nothing else may change a row when answering 4xx.
WRITES_ON_REFUSAL: dict[str, set[str]] = {
    # A wrong password is counted against the account typed in, whatever the answer.
    "auth.login": {"login_failures", "outbox"},
}


def changing_rules() -> list[Rule]:
    return sorted((rule for rule in _url_map().iter_rules() if rule.methods & CHANGING),
                  key=lambda rule: rule.rule)


# -- Forms as the pages show them ----------------------------------------------------


@dataclass
class Form:
    action: str | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class FormReader(HTMLParser):
    """The POST forms of a page: their actions, fields and the values they offer."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name", "")
        if tag == "option" and self._select and "value" in attributes:
            self.forms[-1].fields[self._select].append(attributes["value"])
        elif tag == "form":
            if attributes.get("method", "get").lower() == "post":
                self.forms.append(Form(attributes.get("action") or None))
            else:
                self.forms.append(Form("GET"))
        elif not self.forms or not name:
            return
        elif tag == "input":
            kind = attributes.get("type", "text")
            if kind == "file":
                self.forms[-1].files.add(name)
            elif kind not in ("submit", "button", "image", "reset"):
                default = "on" if kind in ("checkbox", "radio") else ""
                self.forms[-1].fields.setdefault(name, []).append(
                    attributes.get("value", default))
        elif tag == "button" and "value" in attributes:
            self.forms[-1].fields.setdefault(name, []).append(attributes["value"])
        elif tag == "select":
            self._select = name
            self.forms[-1].fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self.forms[-1].fields.setdefault(name, [""])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea][-1] += data


def form_for(client: FlaskClient, app: Flask, rule: Rule, path: str) -> Form:
    """The form that posts to ``rule``, from the first page up its path that shows one
    (an empty form, with a CSRF token of the session, when no page does)."""
    adapter = app.url_map.bind("localhost")
    pieces = path.split("/")
    token = ""
    for end in range(len(pieces), 1, -1):
        page_path = "/".join(pieces[:end])
        page = client.get(page_path)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        reader = FormReader()
        reader.feed(page.get_data(as_text=True))
        for form in reader.forms:
            token = token or (form.fields.get("csrf_token") or [""])[0]
            if form.action == "GET":
                continue
            target = urlsplit(form.action or page_path).path
            try:
                endpoint, _ = adapter.match(target, method="POST")
            except Exception:
                continue
            if endpoint == rule.endpoint:
                return form
    return Form(None, {"csrf_token": [token]} if token else {})


# -- What is posted ------------------------------------------------------------------

ODD_TEXT = st.sampled_from([
    "", " ", "0", "-1", "1.5", "2147483648", "99999999999999999999", "1e309", "NaN",
    "2031-02-30", "2031-02-28T25:61", "24:00", "a\r\nBcc: x@example.org", "\x00", "\u2028",
    "<script>alert(1)</script>", "x" * 3000, "ada@example.org", "ADA@\uff25XAMPLE.org",
    "Smith, Ada: <a@example.org>;", "../../etc/passwd", "%00", "[]", "{}", "true", "\u202e",
    "١٢٣", "²", "yes", "no", "vote", "public", "confirmed", "Pacific/Auckland", "Mars/Base",
])
TEXT = st.one_of(ODD_TEXT, st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))


def field_values(offered: list[str]) -> st.SearchStrategy[Any]:
    """What the page offers for a field, something else, several values, or nothing."""
    one = st.one_of(st.sampled_from(offered), TEXT) if any(offered) else TEXT
    return st.one_of(one, one, st.lists(one, min_size=2, max_size=3))


MISSING = object()


@st.composite
def form_data(draw: st.DrawFn, form: Form) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, offered in form.fields.items():
        if name == "csrf_token":
            data[name] = offered[0]
            continue
        value = draw(st.one_of(st.just(MISSING), field_values(offered), st.sampled_from(
            offered or [""])))
        if value is not MISSING:
            data[name] = value
    for name in form.files:
        content = draw(st.one_of(st.binary(max_size=200), TEXT.map(str.encode), st.just(
            b"Name,Email,Attended\nAda,ada@example.org,yes\n")))
        data[name] = (io.BytesIO(content), draw(st.sampled_from(["report.csv", "x.exe", ""])))
    if draw(st.booleans()):
        data[draw(st.sampled_from(["extra", "id", "status", "email"]))] = draw(TEXT)
    return data


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=20), ODD_TEXT)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)
API_FIELDS = ["name", "email", "slots", "threads", "with", "share_first_name", "timezone"]


@st.composite
def json_body(draw: st.DrawFn, world: World) -> tuple[str, str]:
    """A body and its content type: a JSON object with the API's fields, any JSON, or not JSON."""
    good = {"name": st.sampled_from(["Ada", "A\ud800", "Smith, Ada"]),
            "email": st.sampled_from(["ada@example.org", "ada@\uff25XAMPLE.org", "a\udfff@x.org"]),
            "slots": st.lists(st.integers(0, 2**40), max_size=3),
            "threads": st.lists(st.integers(0, 2**40), max_size=3)}
    fields = {name: st.one_of(good[name], JSON_VALUES) if name in good else JSON_VALUES
              for name in API_FIELDS}
    document = draw(st.one_of(
        st.fixed_dictionaries({name: fields[name] for name in ("name", "email")},
                              optional={name: fields[name] for name in API_FIELDS[2:]}),
        JSON_VALUES))
    shape = draw(st.sampled_from(["json", "nested", "json", "broken", "json", "form"]))
    if shape == "nested":
        # Python's parser gives up (RecursionError) beyond about a thousand levels.
        depth = draw(st.sampled_from([5000, 100_000]))
        return '{"name": "Ada", "email": ' + "[" * depth + "]" * depth + "}", "application/json"
    if shape == "broken":
        return json.dumps(document)[:-1] + "\udcff", "application/json"
    if shape == "form":
        return "name=Ada&email=ada%40example.org", "application/x-www-form-urlencoded"
    return json.dumps(document), "application/json"


# -- The app, seeded once per database -----------------------------------------------


@dataclass
class Fuzzing:
    app: Flask
    world: World
    session_cookie: str
    writes: CommittedWrites
    # Every table as it stands, kept up to date from the tables each request wrote.
    baseline: Tables = field(default_factory=dict)
    dirty: bool = False
    # The form of each route, found once: every client shares the seeded session, so
    # the CSRF token in it stays good.
    forms: dict[str, Form] = field(default_factory=dict)

    def form(self, client: FlaskClient, rule: Rule, path: str) -> Form:
        if rule.rule not in self.forms:
            self.forms[rule.rule] = form_for(client, self.app, rule, path)
        return self.forms[rule.rule]

    def fresh(self) -> None:
        """Every table as seeded, before each route."""
        if self.dirty:
            restore(self.world.rows)
            self.dirty = False
        self.writes.take()
        self.baseline = dict(self.world.rows)

    def changes(self) -> set[str]:
        """The tables whose rows the last request changed (and the baseline updated)."""
        written = self.writes.take()
        if not written:
            return set()
        self.dirty = True
        now = read_tables(written)
        changed = {name for name in written if now[name] != self.baseline[name]}
        self.baseline.update(now)
        return changed

    def client(self) -> FlaskClient:
        """A client logged in as the demo organiser (a copy of the seeded session)."""
        client = self.app.test_client()
        client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.session_cookie)
        return client


@pytest.fixture(scope="module")
def fuzzing(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzing]:
    limits = dict.fromkeys([*LIMIT_SETTINGS, "RATELIMIT_LOGIN"], "100000 per minute")
    # Rate limits on, so that their keys read every body, but never reached.
    app = create_app(app_config(database_url, tmp_path_factory.mktemp("fuzz"),
                                RATELIMIT_ENABLED=True, **limits))
    with app.app_context():
        _empty_tables()
        world = seed(db.session, current_site())
        db.session.remove()
        world.rows = read_tables()
        writes = CommittedWrites(db.engine)
        client = app.test_client()
        email, password = world.organiser
        login_rule = next(rule for rule in app.url_map.iter_rules()
                          if rule.endpoint == "auth.login")
        login = form_for(client, app, login_rule, "/login")
        answer = client.post("/login", data={**{k: v[0] for k, v in login.fields.items()},
                                             "email": email, "password": password})
        assert answer.status_code == 302, answer.get_data(as_text=True)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        yield Fuzzing(app, world, cookie.value, writes)
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.mark.parametrize("rule", changing_rules(), ids=lambda rule: rule.rule)
def test_generated_input_never_fails_the_server_and_refusals_change_nothing(
        fuzzing: Fuzzing, rule: Rule) -> None:
    app, world = fuzzing.app, fuzzing.world
    method = sorted(rule.methods & CHANGING)[0]
    statuses: list[int] = []
    with app.app_context():
        fuzzing.fresh()
        path = app.url_map.bind("localhost").build(rule.endpoint, world.values_for(rule))
        client = fuzzing.client()
        is_json = path.startswith("/api/")
        form = Form(None) if is_json else fuzzing.form(client, rule, path)
        fuzzing.changes()
        allowed = WRITES_ON_REFUSAL.get(rule.endpoint, set())

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(payload=json_body(world) if is_json else form_data(form))
        def post(payload: Any) -> None:
            if is_json:
                body, content_type = payload
                answer = client.open(path, method=method, data=body.encode(
                    "utf-8", "surrogatepass"), content_type=content_type)
            else:
                answer = client.open(path, method=method, data=payload)
            statuses.append(answer.status_code)
            assert answer.status_code < 500, (payload, answer.get_data(as_text=True)[:500])
            changed = fuzzing.changes()
            if answer.status_code >= 400:
                assert not changed - allowed, (
                    f"a {answer.status_code} refusal changed {changed - allowed}", payload)

        try:
            post()
        finally:
            db.session.remove()
            fuzzing.changes()
    reached = [status for status in statuses if status not in (404, 405)]
    assert reached, f"{rule.rule}: every answer was {set(statuses)}; the world cannot reach it"


def test_every_state_changing_route_is_fuzzed(fuzzing: Fuzzing) -> None:
    """A route added later is fuzzed too: its arguments must have values in the world, and
    a post of the form its page shows must get past routing and access checks."""
    app, world = fuzzing.app, fuzzing.world
    rules = [rule for rule in app.url_map.iter_rules() if rule.methods & CHANGING]
    assert {rule.rule for rule in rules} == {rule.rule for rule in changing_rules()}
    unreached = {}
    with app.app_context():
        for rule in rules:
            fuzzing.fresh()
            try:
                path = app.url_map.bind("localhost").build(rule.endpoint,
                                                           world.values_for(rule))
            except KeyError as missing:
                unreached[rule.rule] = str(missing)
                continue
            client = fuzzing.client()
            if path.startswith("/api/"):
                answer = client.post(path, json={"name": "Ada", "email": "ada@example.org"})
            else:
                form = fuzzing.form(client, rule, path)
                answer = client.post(path, data={k: v[0] for k, v in form.fields.items() if v})
            if answer.status_code in (404, 405) or answer.status_code >= 500:
                unreached[rule.rule] = f"answered {answer.status_code}"
            fuzzing.changes()
            db.session.remove()
    assert not unreached, unreached


def test_the_fuzzer_reads_forms_as_pages_write_them() -> None:
    reader = FormReader()
    reader.feed('<form method="post" action="/x"><input type="hidden" name="csrf_token" '
                'value="t"><input name="name" value="Ada"><select name="zone"><option '
                'value="UTC">UTC</option><option value="Pacific/Auckland">NZ</option></select>'
                '<textarea name="body">Hello</textarea><input type="file" name="file">'
                '<input type="checkbox" name="ids" value="3"><input type="checkbox" name="ids" '
                'value="4"><button type="submit">Go</button></form><form method="get"></form>')
    [form, search] = reader.forms
    assert form.action == "/x" and search.action == "GET"
    assert form.fields == {"csrf_token": ["t"], "name": ["Ada"],
                           "zone": ["UTC", "Pacific/Auckland"], "body": ["Hello"],
                           "ids": ["3", "4"]}
    assert form.files == {"file"}



def test_a_route_the_world_cannot_fill_is_named(fuzzing: Fuzzing) -> None:
    # What the coverage test reports for a route added without a value for its argument.
    added = Rule("/organise/widgets/<int:widget_id>/polish", methods=["POST"],
                 endpoint="organise.polish_widget")
    added.bind(Map())
    with pytest.raises(KeyError, match="widget_id"):
        fuzzing.world.values_for(added)
    token = Rule("/badges/<token>/claim", methods=["POST"], endpoint="badges.claim")
    token.bind(Map())
    with pytest.raises(KeyError, match="no token"):
        fuzzing.world.values_for(token)
