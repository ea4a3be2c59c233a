"""Findings, built pages, and the report."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

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


class Page:
    """A built HTML page: its name in the output folder, raw text and parse tree."""

    def __init__(self, name: str, html: str):
        self.name = name
        self.html = html

    @cached_property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.html, "html.parser")

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

    def text_nodes(self):
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

    def head_texts(self):
        """Yield (text, line) for the title and the meta description."""
        if self.soup.title and self.soup.title.string:
            yield self.soup.title.string, self.soup.title.sourceline or 1
        description = self.soup.select_one('meta[name="description"]')
        if description and description.get("content"):
            yield description["content"], description.sourceline or 1

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

    def __init__(self, root: Path):
        self.root = Path(root)
        self.pages = {
            path.relative_to(self.root).as_posix(): Page(
                path.relative_to(self.root).as_posix(), path.read_text(encoding="utf-8")
            )
            for path in sorted(self.root.rglob("*.html"))
        }

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()


def locate_in_sources(
    findings: Iterable[Finding], content_dir: Path | None, root: Path | None = None
) -> list[Finding]:
    """Point findings whose text comes from content at the Markdown line it was typed on."""
    if content_dir is None or not Path(content_dir).is_dir():
        return list(findings)
    sources = {
        path: path.read_text(encoding="utf-8").splitlines()
        for path in sorted(Path(content_dir).rglob("*.md"))
    }
    root = root or Path.cwd()
    # The same text built into several pages is one mistake in one source line.
    located: dict[tuple, list[str]] = {}
    for finding in findings:
        moved = _locate(finding, sources, root)
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


def _locate(finding: Finding, sources, root: Path) -> Finding:
    if not finding.needle or len(finding.needle) < 3:
        return finding
    pattern = _needle_pattern(finding.needle)
    for path, lines in sources.items():
        for number, line in enumerate(lines, start=1):
            found = _find(pattern, finding.needle_at, line, lines[number : number + 1])
            if found is not None:
                try:
                    shown = path.resolve().relative_to(root.resolve()).as_posix()
                except ValueError:
                    shown = path.as_posix()
                return dataclasses.replace(finding, path=shown, line=number + found)
    return finding


# Markdown's inline syntax, absent from the text a reader sees: emphasis, code, link targets.
MARKDOWN_INLINE_RE = re.compile(r"\]\([^)]*\)|[*_`\[\]]")


def _needle_pattern(needle: str) -> re.Pattern:
    """The needle, whole words at its edges, with either apostrophe."""
    needle = needle.replace("’", "'")
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
            (MARKDOWN_INLINE_RE.sub("", t) if strip else t).replace("’", "'")
            for t in (line, following[0] if following else "")
        )
        if pattern.search(text):
            return 0
        text = text.rstrip()
        match = pattern.search(f"{text} {after.strip()}") if after.strip() else None
        if match and match.start() < len(text) < match.end():
            return int(match.start() + needle_at > len(text))
    return None


def format_report(findings) -> str:
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
