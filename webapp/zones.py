"""The IANA zones forms offer, in one sorted list."""

from __future__ import annotations

from zoneinfo import available_timezones

ZONES = sorted(available_timezones() | {"UTC"})
