"""Who may take part: a programme's allow-list of e-mail domains.

Organisers write it as a list, e.g. ``*.ac.nz, *.govt.nz, library.example.org``:
``*.ac.nz`` admits any address under ``ac.nz`` (``lib.auckland.ac.nz``), a
plain domain admits exactly that domain. An empty list admits everyone. The
list always applies to the ideas board (proposing, voting, commenting,
offering help) and, when the organisers switch it on, to RSVPs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from events import limits
from events.errors import InvalidInput

if TYPE_CHECKING:
    from events.models import Programme

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PATTERN = re.compile(rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})+")
_SEPARATORS = re.compile(r"[\s,;]+")


def patterns_of(text: str) -> list[str]:
    """The patterns written in ``text``, in order, each once."""
    return list(dict.fromkeys(part for part in _SEPARATORS.split(text.lower()) if part))


def clean_patterns(raw: object) -> str:
    """The allow-list as it is stored (``"*.ac.nz, library.example.org"``), or a refusal
    naming the first pattern that is not a domain."""
    text = raw.strip() if isinstance(raw, str) else ""
    if len(text) > limits.ALLOWED_DOMAINS_MAX:
        raise InvalidInput(f"The list must be at most {limits.ALLOWED_DOMAINS_MAX} characters.",
                           field="allowed_domains")
    patterns = patterns_of(text)
    for pattern in patterns:
        if "@" in pattern:
            pattern = pattern.rsplit("@", 1)[1]
        if not _PATTERN.fullmatch(pattern):
            raise InvalidInput(
                f"“{pattern}” is not a domain. Write domains such as library.example.org, "
                "or *.ac.nz for every address under ac.nz, separated by commas.",
                field="allowed_domains")
    return ", ".join(pattern.rsplit("@", 1)[-1] for pattern in patterns)


def clean_label(raw: object) -> str:
    """Who the list admits, in words (e.g. "library staff")."""
    label = " ".join(raw.split()) if isinstance(raw, str) else ""
    if len(label) > limits.ALLOWED_DOMAINS_LABEL_MAX:
        raise InvalidInput(f"The description must be at most {limits.ALLOWED_DOMAINS_LABEL_MAX} "
                           "characters.", field="allowed_domains_label")
    return label


def admits(programme: Programme, email: str) -> bool:
    """Whether the programme's list admits this (clean, lower-case) address."""
    patterns = patterns_of(programme.allowed_domains or "")
    if not patterns:
        return True
    domain = email.rsplit("@", 1)[-1]
    for pattern in patterns:
        if pattern.startswith("*."):
            if domain.endswith(pattern[1:]):
                return True
        elif domain == pattern:
            return True
    return False


def refusal(programme: Programme, what: str) -> str:
    """The message for an address the list does not admit, e.g. "This programme's RSVPs
    are open to library staff addresses only: *.ac.nz, *.govt.nz."."""
    who = f"{programme.allowed_domains_label} addresses" if programme.allowed_domains_label \
        else "addresses"
    return (f"This programme's {what} open to {who} only: {programme.allowed_domains}. "
            "Please use an address under one of these domains.")


def check(programme: Programme, email: str, what: str) -> None:
    """Refuse ``email`` (beside the e-mail field) unless the programme's list admits it.

    ``what`` names what is refused, with its verb: "ideas board is", "RSVPs are".
    """
    if not admits(programme, email):
        raise InvalidInput(refusal(programme, what), field="email")
