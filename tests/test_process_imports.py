"""What each kind of process loads: every module costs memory in every process that
imports it, and a small machine runs several (bench/memory.py measures them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, upgrade_to_head

# Modules that neither a web worker nor the outbox worker needs: the schema's
# migrations (about 11 MB), the demo's seeding, and test tools.
NOT_SERVING = ("alembic", "flask_migrate", "events.demo", "hypothesis", "pytest")


def imported(tmp_path: Path, *command: str) -> set[str]:
    """The modules a fresh Python process running ``command`` imported, read from outside
    (``-X importtime`` names each on standard error)."""
    url = f"sqlite:///{tmp_path / 'mingle.db'}"
    upgrade_to_head(url)
    env = {**os.environ, "DATABASE_URL": url, "MINGLE_ENV": "production",
           "SECRET_KEY": "k" * 64, "MAIL_DEFAULT_SENDER": "mingle@example.org",
           "OUTBOX_IN_PROCESS": "0", "MAIL_DIR": str(tmp_path / "mail"),
           "MINGLE_INSTANCE": str(tmp_path / "instance")}
    env.pop("MAIL_SERVER", None)
    result = subprocess.run([sys.executable, "-X", "importtime", *command], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True, timeout=120)
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def loaded(modules: set[str], package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in modules)


def test_the_outbox_worker_loads_neither_migrations_nor_the_demo(tmp_path: Path) -> None:
    modules = imported(tmp_path, "-m", "flask", "--app", "wsgi", "worker", "--once")

    assert loaded(modules, "webapp.mailer")
    assert [name for name in NOT_SERVING if loaded(modules, name)] == []


def test_a_web_process_loads_neither_migrations_nor_the_demo(tmp_path: Path) -> None:
    modules = imported(tmp_path, "-c", "import wsgi")

    assert loaded(modules, "webapp.public")
    assert [name for name in NOT_SERVING if loaded(modules, name)] == []


def test_migrations_still_load_for_the_db_commands(tmp_path: Path) -> None:
    modules = imported(tmp_path, "-m", "flask", "--app", "wsgi", "db", "current")

    assert loaded(modules, "alembic") and loaded(modules, "flask_migrate")
