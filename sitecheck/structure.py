"""The page as a browser builds it: no part of it lost to a broken tag.

A browser does not show the tags as written: an unclosed `<textarea>`,
`<title>`, `<xmp>` or `<plaintext>` turns the rest of the page into its text,
an unclosed `<div>` or a stray `</main>` in an answer closes or moves what
follows. The page is parsed as a browser parses it (html5lib, which follows
the HTML standard's parsing algorithm) and compared with the tags as written
(Python's html.parser, which keeps each tag where it is): `<main>`, the
footer and every section and heading of the content must still be elements,
in the same place. The first repair the parser made says where it went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree

from html5lib.constants import E as PARSE_ERRORS

from .core import Finding, Page

# Elements whose text runs to their end tag, markup included: unclosed, they swallow the page.
RAW_TEXT = frozenset(
    {"textarea", "title", "xmp", "plaintext", "script", "style", "iframe", "noembed", "noframes"}
)


def _is_reference_error(code: str) -> bool:
    # Character references are the entities rule's.
    return "entity" in code or "codepoint" in code


def _finding(page: Page, line: int, message: str) -> Finding:
    return Finding(page.name, line, "document", message)


def _is_comment(node: ElementTree.Element) -> bool:
    # ElementTree marks a comment with a tag that is not a name.
    return not isinstance(node.tag, str)


def _swallower(root: ElementTree.Element) -> ElementTree.Element | None:
    """The element or comment that took the rest of the page as its text, if any."""
    nodes = list(root.iter())
    last = nodes[-1] if nodes else None  # the last node in document order
    if last is None or not (last.text or "").strip():
        return None
    if _is_comment(last) or last.tag in RAW_TEXT:
        return last if "<" in (last.text or "") else None
    return None


def _opening_line(page: Page, root: ElementTree.Element, swallower: ElementTree.Element) -> int:
    """The line of the swallower's start tag: the same rank among the raw tags of its name."""
    if _is_comment(swallower):
        rank = sum(1 for node in root.iter() if _is_comment(node)) - 1
        pattern = re.compile("<!--")
    else:
        rank = sum(1 for node in root.iter(str(swallower.tag))) - 1
        pattern = re.compile(rf"<{swallower.tag}\b", re.IGNORECASE)
    starts = [match.start() for match in pattern.finditer(page.html)]
    return page.line_of(starts[min(rank, len(starts) - 1)]) if starts else 1


def _described(code: str, data: dict[str, object]) -> str:
    try:
        return PARSE_ERRORS.get(code, code) % data
    except (KeyError, TypeError, ValueError):
        return PARSE_ERRORS.get(code, code)


def _repairs(page: Page) -> Iterator[Finding]:
    """The first repair of the markup a browser makes, with the count of those after it."""
    tree = page.browser
    # Only an element still open at the end of the file can have taken the rest of it.
    at_the_end = any("eof" in code for _, code, _ in tree.errors)
    swallower = _swallower(tree.root) if at_the_end else None
    if swallower is not None:
        name = "a comment" if _is_comment(swallower) else f"<{swallower.tag}>"
        yield _finding(
            page,
            _opening_line(page, tree.root, swallower),
            f"{name} is never closed: a browser shows the rest of the page as its text",
        )
        return
    repairs = [
        (position, code, data)
        for position, code, data in tree.errors
        if not _is_reference_error(code)
    ]
    if repairs:
        (line, _), code, data = repairs[0]
        more = f" ({len(repairs) - 1} more repairs after it)" if len(repairs) > 1 else ""
        yield _finding(
            page,
            line,
            f"a browser repairs the markup here: {_described(code, data)}"
            f" (an unclosed or stray tag?){more}",
        )


def _key(tag: str, attributes: dict[str, str]) -> tuple[str, str]:
    return tag, attributes.get("id") or attributes.get("aria-labelledby") or ""


MAIN_START_RE = re.compile(r"<main\b", re.IGNORECASE)
MAIN_END_RE = re.compile(r"</main\s*>", re.IGNORECASE)
FOOTER_RE = re.compile(r"<footer\b", re.IGNORECASE)
PART_RE = re.compile(r"<(section|h[1-6])\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE_RE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _main_span(html: str) -> tuple[int, int] | None:
    """Where `<main>` is written: from its first start tag to its last end tag."""
    start = MAIN_START_RE.search(html)
    ends = list(MAIN_END_RE.finditer(html))
    return (start.start(), ends[-1].end()) if start and ends else None


def _written_parts(html: str, span: tuple[int, int]) -> list[tuple[int, tuple[str, str]]]:
    """The sections and headings written inside `<main>`, as (offset, key), in order.

    Read from the text itself, not from a parser: any parser repairs what
    this check compares.
    """
    parts = []
    for match in PART_RE.finditer(html, *span):
        attributes = {
            name.lower(): next(value for value in values if value is not None)
            for name, *values in ATTRIBUTE_RE.findall(match.group(2))
        }
        key = _key(match.group(1).lower(), attributes)
        if key[0] != "section" or key[1]:
            parts.append((match.start(), key))
    return parts


def _lost(page: Page) -> Iterator[Finding]:
    """`<main>`, the footer, the sections and headings that a browser does not build."""
    span = _main_span(page.html)
    if span is None:
        return
    root = page.browser.root
    mains = root.findall(".//main")
    if not mains:
        yield _finding(
            page, page.line_of(span[0]), "<main> is lost in a browser's tree of the page"
        )
    inside_main = {node for main in mains for node in main.iter()}
    footers = [
        match.start()
        for match in FOOTER_RE.finditer(page.html)
        if not span[0] <= match.start() < span[1]
    ]
    built_footers = [node for node in root.iter("footer") if node not in inside_main]
    if len(built_footers) < len(footers):
        yield _finding(
            page,
            page.line_of(footers[len(built_footers)]),
            "the footer is lost in a browser's tree of the page",
        )
    built = {_key(str(node.tag), dict(node.attrib)) for node in inside_main}
    anywhere = {_key(str(node.tag), dict(node.attrib)) for node in root.iter()}
    lost = [(offset, key) for offset, key in _written_parts(page.html, span) if key not in built]
    if lost:
        offset, (tag, name) = lost[0]
        where = "falls outside <main>" if (tag, name) in anywhere else "is not an element"
        named = f' "{name}"' if name else ""
        more = f", and {len(lost) - 1} more sections and headings after it" if len(lost) > 1 else ""
        yield _finding(
            page,
            page.line_of(offset),
            f"<{tag}>{named} {where} in a browser's tree of the page{more}",
        )


def check_structure(page: Page) -> Iterator[Finding]:
    """Flag a page whose structure a browser loses: where it breaks, and what is lost."""
    yield from _repairs(page)
    yield from _lost(page)
