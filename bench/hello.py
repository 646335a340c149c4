"""The baseline: a bare Flask app answering a short string, under the same server settings."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello from Mingle's benchmark."
