"""Every table of the domain in one metadata, for migrations and schema checks.

Models live beside the rules they serve (accounts, announcements, ...); this
module imports them all so nothing depends on import order to see a table.
"""

from __future__ import annotations

from events import accounts, announcements, models
from events.discussions import models as discussions

metadata = models.Base.metadata

__all__ = ["accounts", "announcements", "discussions", "metadata", "models"]
