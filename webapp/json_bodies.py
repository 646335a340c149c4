"""Reading JSON request bodies: whatever arrives is a body or a refusal, never a 500."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class JsonBodies(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply for the parser (which
    raises ``RecursionError``, as ``[[[[...]]]]`` a hundred thousand deep does) is
    malformed like any other: ``request.get_json(silent=True)`` answers ``None``
    and the view refuses it with a reason."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None
