"""The page rules: pure functions from a built page to findings."""

from __future__ import annotations

import posixpath
import re
from html.entities import html5 as html5_entities
from urllib.parse import unquote, urlsplit

from .core import Finding, Page, Site

# ----------------------------------------------------------------------------
# Character references, on the raw HTML: parsers repair or drop broken ones.

REFERENCE_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*)(;?)")
# A word broken by a semicolon: what is left of a mangled reference (systès;mes).
BROKEN_WORD_RE = re.compile(r"[^\W\d_]{2,};[^\W\d_]+")
VALID_REFERENCE_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def check_entities(page: Page, site: Site | None = None):
    """Flag unknown `&name;`, bare `&name` and words broken by a stray `;`."""
    for match in REFERENCE_RE.finditer(page.html):
        name, semicolon = match.groups()
        line = page.line_of(match.start())
        if name.startswith("#"):
            if not semicolon:
                yield Finding(
                    page.name,
                    line,
                    "entities",
                    f"numeric reference {match.group(0)} has no closing ';'",
                )
            continue
        if semicolon and name + ";" not in html5_entities:
            yield Finding(
                page.name,
                line,
                "entities",
                f"unknown character reference {match.group(0)}",
                match.group(0),
            )
        elif not semicolon:
            yield Finding(
                page.name,
                line,
                "entities",
                f"bare {match.group(0)}: browsers may decode it as a character; "
                f"write &amp;{name} or a full reference ending in ';'",
                match.group(0),
            )
    without_references = VALID_REFERENCE_RE.sub(lambda m: " " * len(m.group(0)), page.html)
    without_references = re.sub(r"<[^>]*>", lambda m: " " * len(m.group(0)), without_references)
    for match in BROKEN_WORD_RE.finditer(without_references):
        yield Finding(
            page.name,
            page.line_of(match.start()),
            "entities",
            f"word broken by ';': {match.group(0)} (a mangled character reference?)",
            match.group(0),
        )


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


def check_document(page: Page, site: Site | None = None, site_netloc: str = ""):
    """Flag what a document needs and what the Content-Security-Policy forbids.

    Resources at `site_netloc` (the site's own public address) are not from another host.
    """
    soup = page.soup

    def finding(tag, message):
        line = getattr(tag, "sourceline", None) or 1
        return Finding(page.name, line, "document", message)

    html = soup.find("html")
    if html is None or html.get("lang") != "fr":
        yield finding(
            html, f'<html> must have lang="fr", has {html.get("lang") if html else None!r}'
        )
    title = soup.find("title")
    if title is None or not title.get_text().strip():
        yield finding(title or html, "empty or missing <title>")
    description = soup.select_one('meta[name="description"]')
    if description is None or not str(description.get("content", "")).strip():
        yield finding(description or html, "empty or missing meta description")

    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        yield finding(h1s[1] if len(h1s) > 1 else html, f"{len(h1s)} <h1> elements; expected one")
    level = 0
    for heading in soup.find_all(re.compile(r"^h[1-6]$")):
        new_level = int(heading.name[1])
        if new_level > level + 1:
            yield finding(
                heading,
                f"<{heading.name}> after <h{level}>: a heading level is skipped"
                if level
                else f"<{heading.name}> before any <h1>",
            )
        level = new_level

    seen: dict[str, int | None] = {}
    for tag in soup.select("[id]"):
        # Only class-like attributes are lists in bs4; an id is one string.
        tag_id = str(tag["id"])
        if tag_id in seen:
            yield finding(tag, f'id "{tag_id}" is used twice (first on line {seen[tag_id]})')
        seen.setdefault(tag_id, tag.sourceline)

    for image in soup.find_all("img"):
        if not image.has_attr("alt"):
            yield finding(image, f'<img src="{image.get("src")}"> has no alt attribute')

    for script in soup.find_all("script"):
        # A data block (structured data) is never run, so the policy allows it.
        if not script.get("src") and script.get("type") not in DATA_BLOCK_TYPES:
            yield finding(script, "inline <script>: forbidden by the Content-Security-Policy")
    for tag in soup.find_all(style=True):
        yield finding(
            tag,
            f"style= attribute on <{tag.name}>: forbidden by the "
            "Content-Security-Policy; use the stylesheet",
        )
    for tag in soup.find_all("style"):
        yield finding(tag, "<style> element: use the stylesheet")
    for tag in soup.find_all(True):
        for attribute in tag.attrs:
            if attribute.lower().startswith("on"):
                yield finding(tag, f"{attribute}= event handler on <{tag.name}>: inline script")

    for tag, url in _resources(soup):
        if urlsplit(url).netloc not in ("", site_netloc) or url.startswith("//"):
            yield finding(tag, f"<{tag.name}> loads {url} from another host")


def _resources(soup):
    for name, attribute in RESOURCE_SELECTORS.items():
        for tag in soup.find_all(name):
            if tag.get(attribute):
                yield tag, tag[attribute]
    for tag in soup.find_all("link", href=True):
        rel = {value.lower() for value in tag.get("rel", [])}
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
            yield tag, tag["href"]
    for tag in soup.find_all(srcset=True):
        for candidate in tag["srcset"].split(","):
            if candidate.strip():
                yield tag, candidate.split()[0]


# ----------------------------------------------------------------------------
# Links: every internal target exists, every fragment has its id.

EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
TEL_RE = re.compile(r"\+?[0-9][0-9().-]*")
LINK_ATTRIBUTES = {"a": "href", "area": "href", "link": "href", **RESOURCE_SELECTORS}


def link_targets(page: Page):
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


def check_links(page: Page, site: Site, site_netloc: str = ""):
    """Flag internal links to missing files or ids, and malformed mailto: and tel:."""
    for tag, url in link_targets(page):
        line = tag.sourceline or 1

        def finding(message, url=url, line=line):
            # The URL as the author typed it finds the Markdown line it came from.
            return Finding(page.name, line, "links", message, url)

        if not url:
            yield finding(f"<{tag.name}> with an empty link")
            continue
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "mailto":
            address = unquote(parts.path)
            if not EMAIL_RE.fullmatch(address):
                yield finding(f"malformed e-mail address in {url}")
            continue
        if scheme == "tel":
            if not TEL_RE.fullmatch(parts.path):
                yield finding(f"malformed phone number in {url}: use digits, e.g. tel:+33123456789")
            continue
        if scheme in ("http", "https") or url.startswith("//"):
            if not site_netloc or parts.netloc != site_netloc:
                continue  # external: listed, not checked here
        elif scheme:
            yield finding(f"unexpected link scheme in {url}")
            continue
        if parts.path:
            target = resolve(page.name, parts.path)
            if target.startswith("../") or not site.exists(target):
                yield finding(f"{url}: no file {target} in the site")
                continue
        else:
            target = page.name
        if parts.fragment:
            fragment = unquote(parts.fragment)
            target_page = site.pages.get(target)
            if target_page is not None and fragment not in target_page.ids():
                yield finding(f'{url}: no id "{fragment}" in {target}')


def external_urls(page: Page, site_netloc: str = ""):
    """Yield the URLs of the page that point to other hosts."""
    for _tag, url in link_targets(page):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc != site_netloc:
            yield url
