"""Findings, built pages, and the report."""

from __future__ import annotations

import dataclasses
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

import html5lib
from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)

# Text in these elements is code or machinery, not prose.
NOT_PROSE = frozenset({"code", "pre", "kbd", "samp", "script", "style", "template"})


@dataclass(frozen=True)
class Finding:
    """One problem: where, which rule, what.

    `needle` is the offending text as an author would have typed it, used to
    point at the Markdown source the text came from; `needle_at` is where the
    problem starts in it, for words that a source wraps over two lines.
    """

    path: str
    line: int
    rule: str
    message: str
    needle: str | None = None
    needle_at: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class BrowserTree:
    """A page parsed as a browser parses it (html5lib), and the repairs the parser made."""

    root: ElementTree.Element
    # ((line, column), html5lib's error code, its data), in the order met.
    errors: tuple[tuple[tuple[int, int], str, dict[str, object]], ...]


class Page:
    """A built HTML page: its name in the output folder, raw text and parse trees."""

    def __init__(self, name: str, html: str) -> None:
        self.name = name
        self.html = html

    @cached_property
    def soup(self) -> BeautifulSoup:
        """The tags as written, with their lines (Python's html.parser)."""
        return BeautifulSoup(self.html, "html.parser")

    @cached_property
    def browser(self) -> BrowserTree:
        """The tree a browser builds: elements swallowed, closed or moved as HTML says."""
        parser = html5lib.HTMLParser(
            tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False
        )
        root = parser.parse(self.html)
        return BrowserTree(root, tuple(parser.errors))

    @cached_property
    def source_spans(self) -> list[_SourceSpan]:
        """The built lines of each element that names its source (development builds)."""
        return source_spans(self.soup)

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        starts += [i + 1 for i, char in enumerate(self.html) if char == "\n"]
        return starts

    def line_of(self, offset: int) -> int:
        """Return the 1-based line of a character offset in the raw HTML."""
        low, high = 0, len(self._line_starts)
        while low + 1 < high:
            middle = (low + high) // 2
            if self._line_starts[middle] <= offset:
                low = middle
            else:
                high = middle
        return low + 1

    def text_nodes(self) -> Iterator[tuple[str, int]]:
        """Yield (text, line) for each piece of visible prose, in document order."""
        body = self.soup.body or self.soup
        for node in body.descendants:
            if not isinstance(node, NavigableString) or isinstance(
                node, Comment | Declaration | Doctype | ProcessingInstruction
            ):
                continue
            if any(parent.name in NOT_PROSE for parent in node.parents):
                continue
            if node.strip() and node.parent is not None:
                yield str(node), node.parent.sourceline or 1

    def head_texts(self) -> Iterator[tuple[str, int]]:
        """Yield (text, line) for the title and the meta description."""
        if self.soup.title and self.soup.title.string:
            yield str(self.soup.title.string), self.soup.title.sourceline or 1
        description = self.soup.select_one('meta[name="description"]')
        if description and description.get("content"):
            yield str(description["content"]), description.sourceline or 1

    @cached_property
    def _ids(self) -> frozenset[str]:
        # Only class-like attributes are lists in bs4; an id or a name is one string.
        return frozenset(
            {str(tag["id"]) for tag in self.soup.select("[id]")}
            | {str(tag["name"]) for tag in self.soup.select("a[name]")}
        )

    def ids(self) -> frozenset[str]:
        """Every id (and <a name>) of the page: the targets of #fragments."""
        return self._ids


class Site:
    """The HTML pages of an output folder, read once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.pages = {
            path.relative_to(self.root).as_posix(): Page(
                path.relative_to(self.root).as_posix(), path.read_text(encoding="utf-8")
            )
            for path in sorted(self.root.rglob("*.html"))
        }

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()


# The attribute a development build puts on each element whose text comes from
# one Markdown file (the page's <main>, each question's section and entry of
# the table of contents): the file, relative to the content folder.
SOURCE_ATTRIBUTE = "data-source"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass(frozen=True)
class SourcePart:
    """Where the text of a built line was typed: a Markdown file, its front matter or its body."""

    path: str
    front_matter: bool


@dataclass(frozen=True)
class _SourceSpan:
    """The built lines of one element that names its source, and those of its title."""

    element: str
    path: str
    first: int
    last: int
    title: tuple[int, int] | None


def _last_line(tag: Tag) -> int:
    """The last built line of an element: the line before the next element starts."""
    descendants = list(tag.descendants)
    last: PageElement = descendants[-1] if descendants else tag
    following = last.find_next()
    if not isinstance(following, Tag) or following.sourceline is None:
        return sys.maxsize
    return max(tag.sourceline or 1, following.sourceline - 1)


def source_spans(soup: BeautifulSoup) -> list[_SourceSpan]:
    """The elements of a page that name their source, in document order."""
    spans = []
    for tag in soup.find_all(True, attrs={SOURCE_ATTRIBUTE: True}):
        heading = tag if tag.name in HEADINGS else tag.find(HEADINGS)
        title = None
        if isinstance(heading, Tag) and heading.sourceline is not None:
            title = (heading.sourceline, _last_line(heading))
        spans.append(
            _SourceSpan(
                tag.name, str(tag[SOURCE_ATTRIBUTE]), tag.sourceline or 1, _last_line(tag), title
            )
        )
    return spans


def _source_of(page: Page, line: int) -> SourcePart | None:
    """The source of a built line of a page that names its sources; None: the templates'."""
    spans = page.source_spans
    body = page.soup.body
    if body is not None and body.sourceline is not None and line < body.sourceline:
        # The title and the meta description: the page's own front matter.
        main = next((span for span in spans if span.element == "main"), None)
        return SourcePart(main.path, True) if main else None
    inside = [span for span in spans if span.first <= line <= span.last]
    if not inside:
        return None
    span = max(inside, key=lambda span: span.first)  # the innermost
    in_title = span.title is not None and span.title[0] <= line <= span.title[1]
    return SourcePart(span.path, in_title)


Lines = list[tuple[int, str]]


def front_matter_end(lines: list[str]) -> int:
    """The number of lines of the front matter, its two `---` included; 0 if there is none."""
    if not lines or lines[0].strip() != "---":
        return 0
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return number
    return 0


def locate_in_sources(
    findings: Iterable[Finding],
    content_dir: Path | None,
    root: Path | None = None,
    site: Site | None = None,
) -> list[Finding]:
    """Point findings whose text comes from content at the Markdown line it was typed on.

    A page built in development names the source of each part of its text
    (SOURCE_ATTRIBUTE): a finding is looked for in that file only, first in
    its front matter (a title) or its body (the rest), and text that no
    source names (the templates') stays where it was built. Without those
    names (a production build, a page written by hand) every source is
    searched, and words found in several files stay where they were built.
    The same text built into several places of one source is one finding;
    the same text in two sources is two.
    """
    findings = list(findings)
    if content_dir is None or not Path(content_dir).is_dir():
        return findings
    content = Path(content_dir)
    sources = _Sources(
        {
            path.relative_to(content).as_posix(): path.read_text(encoding="utf-8").splitlines()
            for path in sorted(content.rglob("*.md"))
        }
    )
    shown = {name: _shown(content / name, root or Path.cwd()) for name in sources.lines}
    located: dict[tuple[str, int, str, str, str | None], list[str]] = {}
    for finding in findings:
        page = site.pages.get(finding.path) if site is not None else None
        moved = _locate(finding, sources, page, shown)
        key = (moved.path, moved.line, moved.rule, finding.message, moved.needle)
        located.setdefault(key, [])
        place = f"{finding.path}:{finding.line}"
        if moved is not finding and place not in located[key]:
            located[key].append(place)
    return [
        Finding(
            path, line, rule, f"{message} (in {', '.join(pages)})" if pages else message, needle
        )
        for (path, line, rule, message, needle), pages in located.items()
    ]


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class _Sources:
    """The Markdown files of the content folder, each line numbered, read once."""

    def __init__(self, lines: dict[str, list[str]]) -> None:
        self.lines = lines
        self.numbered = {name: list(enumerate(text, start=1)) for name, text in lines.items()}

    def parts(self, part: SourcePart) -> list[Lines]:
        """A file's lines: the part its text comes from (front matter or body), then the other."""
        lines = self.numbered[part.path]
        end = front_matter_end(self.lines[part.path])
        front_matter, body = lines[:end], lines[end:]
        return [front_matter, body] if part.front_matter else [body, front_matter]


def _first_match(finding: Finding, pattern: re.Pattern[str], lines: Lines) -> int | None:
    """The source line of the first match of a finding's words in `lines`, or None."""
    for index, (number, line) in enumerate(lines):
        following = [text for _, text in lines[index + 1 : index + 2]]
        found = _find(pattern, finding.needle_at, line, following)
        if found is not None:
            return number + found
    return None


def _locate(
    finding: Finding, sources: _Sources, page: Page | None, shown: dict[str, str]
) -> Finding:
    if not finding.needle or len(finding.needle) < 3:
        return finding
    pattern = _needle_pattern(finding.needle)
    if page is not None and page.source_spans:
        part = _source_of(page, finding.line)
        if part is None or part.path not in sources.lines:
            return finding  # the templates' text
        for lines in sources.parts(part):
            line = _first_match(finding, pattern, lines)
            if line is not None:
                return dataclasses.replace(finding, path=shown[part.path], line=line)
        return finding
    found = {
        name: line
        for name, lines in sources.numbered.items()
        if (line := _first_match(finding, pattern, lines)) is not None
    }
    if len(found) != 1:
        return finding  # nowhere, or in several files: which one is unknown
    [(name, line)] = found.items()
    return dataclasses.replace(finding, path=shown[name], line=line)


# Markdown's inline syntax, absent from the text a reader sees: emphasis, code, link targets.
MARKDOWN_INLINE_RE = re.compile(r"\]\([^)]*\)|[*_`\[\]]")


def _needle_pattern(needle: str) -> re.Pattern:
    """The needle, whole words at its edges, with either apostrophe."""
    needle = needle.replace("\u2019", "'")
    start = r"(?<!\w)" if re.match(r"\w", needle) else ""
    end = r"(?!\w)" if re.search(r"\w$", needle) else ""
    return re.compile(start + re.escape(needle) + end)


def _find(pattern: re.Pattern, needle_at: int, line: str, following: list[str]) -> int | None:
    """Whether the needle is on this line: None, or 0, or 1 when its problem is on the next one.

    The line is read as typed and as a reader sees it (without Markdown's
    inline syntax); words may go on to the next line (Markdown and YAML wrap text).
    """
    for strip in (False, True):
        text, after = (
            (MARKDOWN_INLINE_RE.sub("", t) if strip else t).replace("\u2019", "'")
            for t in (line, following[0] if following else "")
        )
        if pattern.search(text):
            return 0
        text = text.rstrip()
        match = pattern.search(f"{text} {after.strip()}") if after.strip() else None
        if match and match.start() < len(text) < match.end():
            return int(match.start() + needle_at > len(text))
    return None


def format_report(findings: Iterable[Finding]) -> str:
    """Return the findings grouped by rule, one per line, then a count."""
    findings = list(findings)
    lines = []
    counts = Counter(f.rule for f in findings)
    for rule in sorted(counts):
        lines.append(f"== {rule} ({counts[rule]})")
        lines += [
            str(f)
            for f in sorted(findings, key=lambda f: (f.path, f.line, f.message))
            if f.rule == rule
        ]
    if findings:
        by_rule = ", ".join(f"{rule} {count}" for rule, count in sorted(counts.items()))
        lines.append(f"{len(findings)} finding{'s' if len(findings) > 1 else ''} ({by_rule})")
    else:
        lines.append("0 findings")
    return "\n".join(lines)
