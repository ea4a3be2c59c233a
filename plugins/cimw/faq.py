"""Assemble the FAQ from one Markdown file per question.

A generator (hooked with `get_generators`) reads `FAQ_PATHS` with the site's
reader and content cache; the reader has validated each file's front matter
as a question (`frontmatter.Question`) with its answer. The generator checks
the questions against each other (unique positions and anchors), refuses a
folder with no question, and raises once with every problem. The entries, ordered by
position, go into the template context as `faq_entries`; the home template
renders the table of contents, the anchored questions and the back-to-top
links from them, so the author never types an anchor or a link.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.contents import Page
from pelican.generators import CachingGenerator

from cimw.frontmatter import FrontMatterError, raise_problems

logger = logging.getLogger(__name__)

DEFAULTS = {
    "FAQ_PATHS": ["faq"],
    "FAQ_EXCLUDES": [],
}


def faq_paths(settings: Any) -> list[str]:
    """The folders of the questions, under the content folder (FAQ_PATHS)."""
    return list(settings.get("FAQ_PATHS", DEFAULTS["FAQ_PATHS"]))


class FaqEntry(Page):
    """One question and its answer: shown on the home page, never written alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.override_save_as = ""
        self.override_url = f"#{self.metadata.get('anchor', '')}"


def duplicate_problems(entries: Iterable[FaqEntry], field_name: str) -> list[str]:
    """Return a problem for each value of `field_name` that several entries share."""
    by_value: defaultdict[object, list[str]] = defaultdict(list)
    for entry in entries:
        value = entry.metadata.get(field_name)
        if value is not None:
            by_value[value].append(os.path.relpath(entry.source_path))
    return [
        f"{paths[0]}: {field_name}: {value!r} is also used by {', '.join(paths[1:])}; "
        f"expected a {field_name} of its own"
        for value, paths in by_value.items()
        if len(paths) > 1
    ]


def faq_problems(entries: list[FaqEntry]) -> list[str]:
    """Every problem of the questions taken together (shared values), one line each."""
    problems: list[str] = []
    for field_name in ("position", "anchor"):
        problems += duplicate_problems(entries, field_name)
    return problems


def ordered(entries: Iterable[FaqEntry]) -> list[FaqEntry]:
    """Return the published entries in page order."""
    return sorted(
        (entry for entry in entries if entry.status == "published"),
        key=lambda entry: entry.metadata["position"],
    )


class FaqGenerator(CachingGenerator):
    """Read the questions and put them in the context as `faq_entries`."""

    def faq_folders(self) -> list[Path]:
        return [Path(self.path) / p for p in faq_paths(self.settings)]

    def generate_context(self) -> None:
        entries: list[FaqEntry] = []
        problems: list[str] = []  # each file's problems, as the reader found them
        # A file in the folder that is not a question is refused at `initialized` (sources).
        for folder in self.faq_folders():
            if not folder.is_dir():
                problems.append(
                    f"{os.path.relpath(folder)}: missing; expected the questions' folder"
                )
        for path in self.get_files(
            faq_paths(self.settings),
            exclude=self.settings.get("FAQ_EXCLUDES", DEFAULTS["FAQ_EXCLUDES"]),
        ):
            entry = self.get_cached_data(path, None)
            if entry is None:
                try:
                    entry = self.readers.read_file(
                        base_path=self.path,
                        path=path,
                        content_class=FaqEntry,
                        context=self.context,
                    )
                except FrontMatterError as error:
                    problems += str(error).split("\n")
                    continue
                except OSError as error:
                    where = os.path.relpath(os.path.join(self.path, path))
                    problems.append(f"{where}: cannot be read: {error.strerror}")
                    continue
                self.cache_data(path, entry)
            entries.append(entry)
        problems += faq_problems(entries)
        if not problems and not ordered(entries):
            folders = ", ".join(os.path.relpath(f) for f in self.faq_folders())
            problems.append(f"{folders}: no published question; expected at least one")
        raise_problems(problems, "the questions")
        self.context["faq_entries"] = ordered(entries)
        logger.debug("FAQ: %d entries", len(self.context["faq_entries"]))
        self.save_cache()
        self.readers.save_cache()


def get_generators(_pelican: Pelican) -> type[FaqGenerator]:
    return FaqGenerator
