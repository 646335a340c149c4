"""Ask Mozilla's ical.js (through node) what it understands of iCalendar bytes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def parse(ics: bytes | str) -> dict[str, Any]:
    """The JSON summary printed by ``parse.mjs`` for ``ics``; fails loudly on errors."""
    return _run("parse.mjs", ics)


def expand(ics: bytes | str) -> dict[str, Any]:
    """Every VEVENT's occurrences as ical.js expands them (``expand.mjs``)."""
    return _run("expand.mjs", ics)


def _run(script: str, ics: bytes | str) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is needed for the ical.js checks (install Debian's nodejs)"
    assert (ROOT / "node_modules" / "ical.js").is_dir(), (
        "ical.js is missing: run `npm install --no-audit --no-fund` (make test does)")
    data = ics.encode() if isinstance(ics, str) else ics
    # TZ=UTC: a time ical.js could not tie to a VTIMEZONE would float to the
    # process zone; in UTC such a mistake shows as a wrong instant.
    result = subprocess.run([node, str(HERE / script)], input=data, capture_output=True,
                            cwd=ROOT, env={**os.environ, "TZ": "UTC"},
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)
