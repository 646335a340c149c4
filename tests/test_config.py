"""Configuration from the environment: database URLs and the development secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp import create_app
from webapp.config import DEV_SECRET_KEY, database_url


def test_plain_postgresql_urls_map_to_psycopg_3() -> None:
    assert database_url("postgresql://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/mingle.db"


def test_production_refuses_the_development_secret_key(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": DEV_SECRET_KEY, "MINGLE_ENV": "production",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


@pytest.mark.parametrize("key", ["", "short", "x" * 31, "é" * 15])
def test_production_refuses_a_secret_key_shorter_than_32_bytes(tmp_path: Path, key: str) -> None:
    with pytest.raises(RuntimeError, match="shorter than 32 bytes"):
        create_app({"SECRET_KEY": key, "MINGLE_ENV": "production",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_production_starts_with_a_real_secret_key(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": "a-real-secret-of-thirty-two-bytes", "MINGLE_ENV": "production",
                      "OUTBOX_IN_PROCESS": False, "MAIL_DEFAULT_SENDER": "mingle@example.org",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert "dev.mailbox" not in app.view_functions
