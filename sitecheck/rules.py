"""The page rules: pure functions from a built page to findings."""

from __future__ import annotations

import html
import posixpath
import re
import sys
from collections.abc import Iterator
from html.entities import html5 as html5_entities
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from .core import NOT_PROSE, Finding, Page, Site
from .structure import check_structure

# ----------------------------------------------------------------------------
# Character references: on the raw HTML, where parsers repair or drop broken
# ones, and on the text as the reader gets it, where an escaped `&` shows a
# reference as text (Markdown writes `l&eacute` as `l&amp;eacute`).

REFERENCE_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*)(;?)")
# The text of these elements is not parsed for references by a browser.
RAW_TEXT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
NOT_PROSE_RE = re.compile(
    r"<({})\b.*?</\1\s*>".format("|".join(sorted(NOT_PROSE))), re.IGNORECASE | re.DOTALL
)
TAG_OR_COMMENT_RE = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
DESCRIPTION_RE = re.compile(
    r"""<meta\s[^>]*?name=["']?description["']?[^>]*?content=(["'])(.*?)\1""",
    re.IGNORECASE | re.DOTALL,
)
# Where the text had an escaped ampersand: not a character of French prose.
AMPERSAND = "\ue000"
SHOWN_REFERENCE_RE = re.compile(
    rf"([^\W\d_]*){AMPERSAND}([A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9a-fA-F]+)(;?)"
)
# A word broken by a semicolon: what is left of a mangled reference (systès;mes),
# with the no-break space the typography plugin puts before a `;`.
# A reference shown as text (`s&eacute;curité`) is reported as such, not as a broken word.
BROKEN_WORD_RE = re.compile(rf"(?<![\w&{AMPERSAND}])([^\W\d_]{{2,}})[\u00a0\u202f]?;([^\W\d_]+)")
# Numbers a browser does not take as written: (first, last, why).
BAD_CODE_POINTS = (
    (0x0, 0x0, "NUL, which browsers replace with U+FFFD"),
    (0xD800, 0xDFFF, "a surrogate, which browsers replace with U+FFFD"),
    (0x110000, sys.maxsize, "beyond Unicode (above U+10FFFF)"),
    (0x80, 0x9F, "a C1 control, which browsers read as windows-1252 {char}"),
)


def _blank(match: re.Match[str]) -> str:
    """The matched text as spaces, its line breaks kept: offsets and lines do not move."""
    return re.sub(r"[^\n]", " ", match.group(0))


def bad_code_point(reference: str) -> str | None:
    """Why a numeric reference (`&#128;`, `&#xD800;`) is not the character written, or None."""
    digits = reference.strip("&#;")
    value = int(digits[1:], 16) if digits[:1] in "xX" and digits else int(digits)
    for first, last, why in BAD_CODE_POINTS:
        if first <= value <= last:
            return why.format(char=html.unescape(reference))
    return None


def _decode(reference: re.Match[str]) -> str:
    """A complete reference as its character, an escaped `&` as AMPERSAND; others as written."""
    text = reference.group(0)
    if not text.endswith(";") or not (text.startswith("&#") or text[1:] in html5_entities):
        return text  # reported on the raw HTML
    character = html.unescape(text)
    return AMPERSAND if character == "&" else character


def _meant(name: str) -> str | None:
    """The character a reference shown as text stands for, if it is one."""
    known = name.startswith("#") or f"{name};" in html5_entities
    return html.unescape(f"&{name};") if known else None


def prose(page: Page) -> list[tuple[str, int]]:
    """The text a reader gets, as (text, line of its start): the page, then its description.

    Tags, comments, code and scripts are blanked and references decoded, but
    for an escaped `&` (AMPERSAND), so that line breaks stay where they were.
    """
    text = NOT_PROSE_RE.sub(_blank, page.html)
    text = TAG_OR_COMMENT_RE.sub(_blank, text)
    texts = [(REFERENCE_RE.sub(_decode, text), 1)]
    description = DESCRIPTION_RE.search(page.html)
    if description:
        texts.append(
            (REFERENCE_RE.sub(_decode, description.group(2)), page.line_of(description.start(2)))
        )
    return texts


def _raw_reference_findings(page: Page) -> Iterator[Finding]:
    for match in REFERENCE_RE.finditer(RAW_TEXT_RE.sub(_blank, page.html)):
        name, semicolon = match.groups()
        reference = match.group(0)

        def finding(
            message: str, needle: str | None = reference, start: int = match.start()
        ) -> Finding:
            return Finding(page.name, page.line_of(start), "entities", message, needle)

        if name.startswith("#"):
            why = bad_code_point(reference)
            if not semicolon:
                yield finding(f"numeric reference {reference} has no closing ';'", None)
            elif why:
                yield finding(f"numeric reference {reference} is {why}")
        elif semicolon and name + ";" not in html5_entities:
            yield finding(f"unknown character reference {reference}")
        elif not semicolon:
            yield finding(
                f"bare {reference}: browsers may decode it as a character; "
                f"write &amp;{name} or a full reference ending in ';'"
            )


def _shown_reference_findings(page: Page) -> Iterator[Finding]:
    for text, first_line in prose(page):
        for match in SHOWN_REFERENCE_RE.finditer(text):
            word, name, semicolon = match.groups()
            meant = _meant(name)
            if not semicolon and meant is None:
                continue  # R&D, Q&A: an ampersand, not a reference
            typed = f"{word}&{name}{semicolon}"
            yield Finding(
                page.name,
                first_line + text.count("\n", 0, match.start()),
                "entities",
                f"“{typed}” reaches the reader as text: "
                + (f"write {meant}" if meant else "not a character reference"),
                typed,
            )
        for match in BROKEN_WORD_RE.finditer(text):
            typed = f"{match.group(1)};{match.group(2)}"
            yield Finding(
                page.name,
                first_line + text.count("\n", 0, match.start()),
                "entities",
                f"word broken by ';': {typed} (a mangled character reference?)",
                typed,
            )


def check_entities(page: Page) -> Iterator[Finding]:
    """Flag unknown `&name;`, bare `&name`, numbers browsers change, and references shown as text.

    A reference the reader sees as text (`l&eacute`) and a word broken by a
    stray `;` (`systès;mes`) are read on the text as built, whatever the
    typography plugin put around the `;`.
    """
    yield from _raw_reference_findings(page)
    yield from _shown_reference_findings(page)


# ----------------------------------------------------------------------------
# The document: structure, metadata, no inline code, nothing from other hosts.

DATA_BLOCK_TYPES = {"application/ld+json"}
RESOURCE_SELECTORS = {
    "img": "src",
    "script": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "track": "src",
    "embed": "src",
    "object": "data",
    "input": "src",
}


# Elements the production Content-Security-Policy or the site's own rules forbid, and why.
FORBIDDEN_ELEMENTS = {
    "iframe": "frames are forbidden by the Content-Security-Policy (default-src 'none')",
    "object": "plugins are forbidden by the Content-Security-Policy (default-src 'none')",
    "embed": "plugins are forbidden by the Content-Security-Policy (default-src 'none')",
    "form": "forms are forbidden by the Content-Security-Policy (form-action 'none')",
    "base": "<base> is forbidden by the Content-Security-Policy (base-uri 'none')",
}
REFRESH_MESSAGE = (
    "<meta http-equiv=refresh>: the site never reloads or redirects a page by itself "
    "(WCAG 2.2.1), not even to its own host; redirect on the server"
)


Problems = Iterator[tuple["Tag | None", str]]


def _forbidden(soup: BeautifulSoup) -> Problems:
    for tag in soup.find_all(list(FORBIDDEN_ELEMENTS)):
        yield tag, f"<{tag.name}>: {FORBIDDEN_ELEMENTS[tag.name]}"
    for tag in soup.find_all("meta", attrs={"http-equiv": True}):
        if str(tag["http-equiv"]).strip().lower() == "refresh":
            yield tag, REFRESH_MESSAGE


def _metadata(soup: BeautifulSoup) -> Problems:
    html = soup.find("html")
    root = html if isinstance(html, Tag) else None
    if root is None or root.get("lang") != "fr":
        yield root, f'<html> must have lang="fr", has {root.get("lang") if root else None!r}'
    title = soup.find("title")
    if not isinstance(title, Tag) or not title.get_text().strip():
        yield title if isinstance(title, Tag) else root, "empty or missing <title>"
    description = soup.select_one('meta[name="description"]')
    if description is None or not str(description.get("content", "")).strip():
        yield description or root, "empty or missing meta description"


def _headings(soup: BeautifulSoup) -> Problems:
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        html = soup.find("html")
        where = h1s[1] if len(h1s) > 1 else html if isinstance(html, Tag) else None
        yield where, f"{len(h1s)} <h1> elements; expected one"
    level = 0
    for heading in soup.find_all(re.compile(r"^h[1-6]$")):
        new_level = int(heading.name[1])
        if new_level > level + 1:
            yield (
                heading,
                f"<{heading.name}> after <h{level}>: a heading level is skipped"
                if level
                else f"<{heading.name}> before any <h1>",
            )
        level = new_level


def _ids_and_images(soup: BeautifulSoup) -> Problems:
    seen: dict[str, int | None] = {}
    for tag in soup.select("[id]"):
        # Only class-like attributes are lists in bs4; an id is one string.
        tag_id = str(tag["id"])
        if tag_id in seen:
            yield tag, f'id "{tag_id}" is used twice (first on line {seen[tag_id]})'
        seen.setdefault(tag_id, tag.sourceline)
    for image in soup.find_all("img"):
        if not image.has_attr("alt"):
            yield image, f'<img src="{image.get("src")}"> has no alt attribute'


def _inline_code(soup: BeautifulSoup) -> Problems:
    for script in soup.find_all("script"):
        # A data block (structured data) is never run, so the policy allows it.
        if not script.get("src") and script.get("type") not in DATA_BLOCK_TYPES:
            yield script, "inline <script>: forbidden by the Content-Security-Policy"
    for tag in soup.find_all(style=True):
        yield (
            tag,
            f"style= attribute on <{tag.name}>: forbidden by the "
            "Content-Security-Policy; use the stylesheet",
        )
    for tag in soup.find_all("style"):
        yield tag, "<style> element: use the stylesheet"
    for tag in soup.find_all(True):
        for attribute in tag.attrs:
            if attribute.lower().startswith("on"):
                yield tag, f"{attribute}= event handler on <{tag.name}>: inline script"


def _other_hosts(soup: BeautifulSoup, site_netloc: str) -> Problems:
    for tag, url in _resources(soup):
        if tag.name in FORBIDDEN_ELEMENTS:
            continue  # reported whatever it loads
        if urlsplit(url).netloc not in ("", site_netloc) or url.startswith("//"):
            yield tag, f"<{tag.name}> loads {url} from another host"


def check_document(page: Page, site_netloc: str = "") -> Iterator[Finding]:
    """Flag what a document needs, what a browser's parse loses, what the policy forbids.

    Resources at `site_netloc` (the site's own public address) are not from another host.
    """
    yield from check_structure(page)
    soup = page.soup
    for problems in (
        _forbidden(soup),
        _metadata(soup),
        _headings(soup),
        _ids_and_images(soup),
        _inline_code(soup),
        _other_hosts(soup, site_netloc),
    ):
        for tag, message in problems:
            yield Finding(page.name, (tag.sourceline if tag else None) or 1, "document", message)


def _resources(soup: BeautifulSoup) -> Iterator[tuple[Tag, str]]:
    for name, attribute in RESOURCE_SELECTORS.items():
        for tag in soup.find_all(name):
            if tag.get(attribute):
                yield tag, str(tag[attribute])
    for tag in soup.find_all("link", href=True):
        # rel is class-like: bs4 gives it as a list of words.
        rel = {value.lower() for value in tag.get_attribute_list("rel") if value}
        if rel & {
            "stylesheet",
            "icon",
            "preload",
            "modulepreload",
            "manifest",
            "prefetch",
            "apple-touch-icon",
            "mask-icon",
        }:
            yield tag, str(tag["href"])
    for tag in soup.find_all(srcset=True):
        for candidate in str(tag["srcset"]).split(","):
            if candidate.strip():
                yield tag, candidate.split()[0]


# ----------------------------------------------------------------------------
# Links: every internal target exists, every fragment has its id.

EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
TEL_RE = re.compile(r"\+?[0-9][0-9().-]*")
LINK_ATTRIBUTES = {"a": "href", "area": "href", "link": "href", **RESOURCE_SELECTORS}


def link_targets(page: Page) -> Iterator[tuple[Tag, str]]:
    """Yield (tag, url) for every link and resource of the page."""
    for name, attribute in LINK_ATTRIBUTES.items():
        for tag in page.soup.find_all(name):
            if tag.get(attribute) is not None:
                yield tag, str(tag[attribute]).strip()


def resolve(page_name: str, path: str) -> str:
    """Return the output file an internal URL path points to, from `page_name`."""
    path = unquote(path)
    if path.startswith("/"):
        target = path.lstrip("/")
    else:
        target = posixpath.join(posixpath.dirname(page_name), path)
    target = posixpath.normpath(target) if target else ""
    if target in ("", "."):
        return "index.html"
    if path.endswith("/"):
        return posixpath.join(target, "index.html")
    return target


def _link_problem(page: Page, site: Site, url: str, site_netloc: str) -> str | None:
    """What is wrong with one link of a page, or None."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        ok = EMAIL_RE.fullmatch(unquote(parts.path))
        return None if ok else f"malformed e-mail address in {url}"
    if scheme == "tel":
        ok = TEL_RE.fullmatch(parts.path)
        return None if ok else f"malformed phone number in {url}: use digits, e.g. tel:+33123456789"
    if scheme in ("http", "https") or url.startswith("//"):
        if not site_netloc or parts.netloc != site_netloc:
            return None  # external: listed, not checked here
    elif scheme:
        return f"unexpected link scheme in {url}"
    target = resolve(page.name, parts.path) if parts.path else page.name
    if parts.path and (target.startswith("../") or not site.exists(target)):
        return f"{url}: no file {target} in the site"
    fragment = unquote(parts.fragment)
    target_page = site.pages.get(target)
    if fragment and target_page is not None and fragment not in target_page.ids():
        return f'{url}: no id "{fragment}" in {target}'
    return None


def check_links(page: Page, site: Site, site_netloc: str = "") -> Iterator[Finding]:
    """Flag internal links to missing files or ids, and malformed mailto: and tel:."""
    for tag, url in link_targets(page):
        problem = f"<{tag.name}> with an empty link" if not url else None
        problem = problem or (_link_problem(page, site, url, site_netloc) if url else None)
        if problem:
            # The URL as the author typed it finds the Markdown line it came from.
            yield Finding(page.name, tag.sourceline or 1, "links", problem, url)


def external_urls(page: Page, site_netloc: str = "") -> Iterator[str]:
    """Yield the URLs of the page that point to other hosts."""
    for _tag, url in link_targets(page):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc != site_netloc:
            yield url
