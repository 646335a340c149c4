"""Plain addresses skip the full e-mail check; the answer must not change."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from events.errors import InvalidInput
from events.people import _is_plain_address, clean_email


def full_check(address: str) -> str | None:
    """What email_validator alone makes of an address (lower-cased), or None if refused."""
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def ours(address: str) -> str | None:
    try:
        return clean_email(address)
    except InvalidInput:
        return None


# Pieces that sit on either side of every rule the shortcut copies: dots,
# hyphens, "--", special-use names, IDNA prefixes, digits in the TLD, long
# labels, case, non-ASCII look-alikes (the Kelvin sign lower-cases to "k").
PIECES = st.sampled_from([
    "a", "Z", "0", "9", ".", "..", "-", "--", "_", "+", "'", "!", "~", "`", "{", "|", "=",
    "@", "@@", " ", "xn--", "xn--abc", "test", "localhost", "local", "onion", "arpa",
    "invalid", "org", "ORG", "co", "c", "c1", "123", "example", "\u212a", "é", "\u0131", "\u00a0",
    "a" * 63, "b" * 64, "c" * 70,
])
ADDRESSES = st.lists(PIECES, min_size=1, max_size=12).map("".join) | st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.lists(PIECES, min_size=1, max_size=4).map("".join),
    st.lists(st.lists(PIECES, min_size=1, max_size=3).map("".join), min_size=1, max_size=4),
    st.sampled_from(["org", "NZ", "co", "c", "test", "localhost", "a1", "xn--p1ai", "x" * 64]),
)


@settings(max_examples=3000, deadline=None)
@given(ADDRESSES)
def test_the_shortcut_agrees_with_the_full_check(address: str) -> None:
    assert ours(address) == full_check(address.strip()) or (
        # clean_email refuses only what is longer than any mailbox can be.
        len(address.strip()) > 320 and ours(address) is None
    )


@pytest.mark.parametrize("address", [
    "ada.lovelace@library.example.org",
    "Ada.Lovelace@Library.Example.ORG",
    "o'neil+books@x.co",
    "a@1.2.3.com",
    "x" * 64 + "@example.org",
])
def test_plain_addresses_take_the_shortcut(address: str) -> None:
    assert _is_plain_address(address.lower())
    assert clean_email(address) == full_check(address)


@pytest.mark.parametrize("address", [
    "a@x.test",                 # special-use name: refused by the full check
    "a@sub.localhost",
    "a@xn--abc.org",            # IDNA: decided by the full check
    "a@b.c1",                   # not a top-level domain
    "x" * 65 + "@example.org",  # local part too long
    "a..b@example.org",
    ".a@example.org",
    "a@-x.org",
    "a@b.c",                    # valid, but left to the full check (one-letter TLD)
])
def test_anything_else_gets_the_full_check(address: str) -> None:
    assert not _is_plain_address(address.lower())
    assert ours(address) == full_check(address)
