"""The shape rules: the domain stays free of Flask, and migrations match the models."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from events.schema import metadata
from tests.conftest import ROOT, upgrade_to_head


def test_events_package_never_imports_flask_or_webapp() -> None:
    offenders = []
    for path in (ROOT / "events").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names
                          if name.split(".")[0] in ("flask", "flask_sqlalchemy", "webapp")]
    assert offenders == []


SITE_PATHS = ("/events", "/join", "/me", "/programmes", "/series", "/calendar", "/login",
              "/invitations", "/organise", "/api", "/speaker", "/feedback")


def test_the_domain_spells_no_path_of_the_site() -> None:
    # Links come from the web adapter's routes (events.site.Links), so a route
    # changed there cannot leave a stale copy in an e-mail or a calendar.
    offenders = []
    for path in (ROOT / "events").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value.startswith(SITE_PATHS)):
                offenders.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert offenders == []


def test_importing_the_domain_loads_no_flask() -> None:
    code = ("import sys, events.booking, events.calendar, events.outbox, events.demo; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'flask'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_migrations_upgrade_an_empty_database_to_the_models(database_url: str) -> None:
    # database_url was upgraded from empty to head by Alembic; the models must agree.
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_a_fresh_sqlite_file_upgrades_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_to_head(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_heads()
        assert compare_metadata(context, metadata) == []
    engine.dispose()
