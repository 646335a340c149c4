"""Descriptions written in Markdown: what people type, checked, and rendered to HTML that
is safe to show."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> str:
    """Render organiser-written Markdown and strip anything that could run or track.

    Headings are shifted down to ``h3`` so a description never outranks the
    page title (an accessibility rule of heading order).
    """
    html = _markdown.render(text or "")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@lru_cache(maxsize=1024)
def markdown_to_text(text: str) -> str:
    """The same Markdown as plain text, for calendars, e-mails' text parts and compose links.

    Emphasis marks go, paragraphs stay apart by a blank line, list items keep a
    dash (or their number), and a link keeps its address in brackets after its
    words, since plain text cannot hide it behind them.
    """
    blocks: list[tuple[str, int | None]] = []  # (text, the list it is an item of)
    lists: list[list[int]] = []  # per open list: [is ordered, next number]
    lists_seen = 0
    prefix = ""
    for token in _markdown.parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists_seen += 0 if lists else 1
            lists.append([token.type == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open" and lists:
            ordered, number = lists[-1]
            indent = "  " * (len(lists) - 1)
            prefix = f"{indent}{number}. " if ordered else f"{indent}- "
            lists[-1][1] = number + 1
        elif token.type == "inline":
            blocks.append((prefix + _inline_text(token.children or []),
                           lists_seen if lists else None))
            prefix = ""
        elif token.type in ("fence", "code_block"):
            blocks.append((token.content.rstrip("\n"), None))
        elif token.type == "hr":
            blocks.append(("---", None))
    # The items of a list sit on adjacent lines; everything else is a paragraph.
    lines: list[str] = []
    for index, (block, in_list) in enumerate(blocks):
        if index and (in_list is None or in_list != blocks[index - 1][1]):
            lines.append("")
        lines.append(block)
    return "\n".join(lines).strip()


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    href: str | None = None
    link_words: list[str] = []
    for child in children:
        if child.type == "link_open":
            href, link_words = str(child.attrGet("href") or ""), []
        elif child.type == "link_close":
            words = "".join(link_words)
            parts.append(words if not href or words == href else f"{words} ({href})")
            href = None
        elif child.type in ("softbreak", "hardbreak"):
            (link_words if href is not None else parts).append("\n")
        elif child.type in ("text", "code_inline", "image"):
            (link_words if href is not None else parts).append(child.content)
    return "".join(parts)
