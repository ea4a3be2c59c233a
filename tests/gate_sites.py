"""Tiny sites for the gate's tests: written into a folder, built in this process.

A tiny site is the project's settings and theme over a content folder of a
few files: the home page, and whatever questions and pages a test writes.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from support import HOME

import project
from sitecheck import GateInputs, Site


def question(position: int, anchor: str, answer: str, summary: str = "La réponse en bref.") -> str:
    """A question's file: its front matter, then `answer`."""
    return (
        "---\n"
        f"title: La question {position} ?\n"
        f"position: {position}\n"
        f"anchor: {anchor}\n"
        f"summary: {summary}\n"
        "reviewed: 2026-11-26\n"
        "---\n\n"
        f"{answer}\n"
    )


def page(title: str, text: str, summary: str = "Une page.") -> str:
    """A page's file: its front matter, then `text`."""
    return f"---\ntitle: {title}\nsummary: {summary}\nreviewed: 2026-11-26\n---\n\n{text}\n"


class TinySite:
    """The content of a tiny site in `root`/content, built into `root`/output."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.output = root / "output"
        self.write("pages/index.md", HOME)

    def write(self, relative: str, text: str) -> Path:
        """Write a file of the content folder; return its path."""
        path = self.content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def build(self, settings: Path = project.DEV_SETTINGS) -> Site:
        """Build with `settings` (every warning an error) and read the built pages."""
        project.build_into(
            settings,
            self.output,
            {"PATH": str(self.content), "CACHE_PATH": str(self.root / "cache")},
        )
        return Site(self.output)

    def inputs(self) -> GateInputs:
        """What the gate reads for this site: its own content, the project's tools."""
        return project.gate_inputs(self.content)

    def lines_of(self, relative: str, words: str) -> list[int]:
        """The 1-based lines of a content file on which `words` are written."""
        lines = (self.content / relative).read_text(encoding="utf-8").splitlines()
        return [number for number, line in enumerate(lines, start=1) if words in line]

    def line_of(self, relative: str, words: str) -> int:
        """The first line of a content file on which `words` are written."""
        return self.lines_of(relative, words)[0]
