"""The site is built from its own files, and each output file has one author.

- At `initialized`, before anything is read: a symlink under the content or
  the theme folder must point inside one of them. A link to a file elsewhere
  (`content/extra/notes.txt -> /etc/passwd`, a link to an ignored `.env` or
  into `.git/`) would put bytes on the site that nobody committed or checked
  there. Every such link is named with its target, then the build stops.
- At `all_generators_finalized`, when every page knows its output path and
  nothing is written yet: no content (page, question, static file) may write
  a file the site generates itself (`.htaccess`, `version.txt`, `robots.txt`,
  `sitemap.xml`, `.well-known/security.txt`, the theme's files), a hidden
  file, a compressed twin (`.gz`, `.br`), or a path another content file
  writes. Pelican lets a page's `save_as` overwrite such a file silently.
"""

from __future__ import annotations

import logging
import os
import stat
from collections import defaultdict
from collections.abc import Iterable, Mapping
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from cimw.faq import faq_paths

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {}
TWIN_SUFFIXES = (".gz", ".br")
WELL_KNOWN = ".well-known"
# The generators' lists of what they write.
WRITTEN = (
    "articles",
    "translations",
    "drafts",
    "drafts_translations",
    "pages",
    "hidden_pages",
    "hidden_translations",
    "draft_pages",
    "draft_translations",
    "staticfiles",
)


class SourceError(Exception):
    """Content that would put foreign or clashing bytes on the site."""


def outside_links(roots: Iterable[Path]) -> list[str]:
    """Every symlink under `roots` whose target is not inside one of them, with its target."""
    roots = [Path(r) for r in roots if Path(r).is_dir()]
    allowed = [r.resolve() for r in roots]
    problems = []
    for root in roots:
        if root.is_symlink():
            problems.append(f"{root} -> {os.readlink(root)}: the folder itself is a symlink")
            continue
        for folder, dirs, files in os.walk(root):
            for name in sorted(dirs + files):
                path = Path(folder) / name
                if not path.is_symlink():
                    continue
                target = path.resolve()
                if not path.exists():
                    problems.append(f"{path} -> {os.readlink(path)}: points to nothing")
                elif not any(target.is_relative_to(r) for r in allowed):
                    inside = " and ".join(map(str, allowed))
                    problems.append(f"{path} -> {os.readlink(path)}: points outside {inside}")
    return problems


def generated_paths(settings: Mapping[str, Any]) -> set[str]:
    """The output files the site makes itself, from its settings."""
    paths = set()
    for name in settings.get("DIRECT_TEMPLATES", []):
        save_as = settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html")
        if save_as:
            paths.add(save_as)
    paths |= {p for p in settings.get("TEMPLATE_PAGES", {}).values() if p}
    return paths


def collisions(written: Mapping[str, list[str]], settings: Mapping[str, Any]) -> list[str]:
    """Why each content output path is not the content's to write.

    `written` maps each output path to the source files that write it.
    """
    generated = generated_paths(settings)
    theme = settings.get("THEME_STATIC_DIR", "theme").strip("/") + "/"
    problems = []
    for path, sources in sorted(written.items()):
        named = ", ".join(sorted(sources))
        parts = path.split("/")
        if path in generated:
            problems.append(f"{named}: writes {path}, a file the site generates itself")
        elif path.startswith(theme):
            problems.append(f"{named}: writes {path}, inside the theme's folder {theme}")
        elif any(p.startswith(".") for p in parts if p != WELL_KNOWN):
            problems.append(f"{named}: writes {path}, a hidden file (reserved for the hosting)")
        elif path.endswith(TWIN_SUFFIXES):
            problems.append(f"{named}: writes {path}, reserved for the compressed twins")
        elif len(sources) > 1:
            problems.append(f"{named}: all write {path}")
    return problems


def refuse(title: str, problems: list[str]) -> None:
    if problems:
        raise SourceError(f"{len(problems)} {title}:\n" + "\n".join(problems))


# Files of the content folder's root that the quality gate reads, never published.
GATE_FILES = ("words.txt", "grammar-exceptions.txt")


def ignored(relative: Path, patterns: Iterable[str]) -> bool:
    return any(fnmatch(part, pattern) for part in relative.parts for pattern in patterns)


def content_problems(settings: Mapping[str, Any]) -> list[str]:
    """Every file of the content folder that is neither a page, a question, a static file
    nor a file of the gate, and every special file (a pipe, a socket, a device).

    Pelican silently skips a file no reader reads (`06-question.MD`,
    `notes.txt` in `pages/`); here each is named. Files matching
    IGNORE_FILES (hidden files, editors' lock, backup and swap files) are
    never read nor published.
    """
    root = Path(settings["PATH"])
    patterns = settings.get("IGNORE_FILES", [])
    text_dirs = [Path(p) for p in [*settings.get("PAGE_PATHS", []), *faq_paths(settings)]]
    static_dirs = [Path(p) for p in settings.get("STATIC_PATHS", [])]
    problems = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not ignored(Path(d), patterns))
        # One folder's files share where they are (thousands of questions in faq/).
        here = Path(folder).relative_to(root)
        static = any(here.is_relative_to(d) for d in static_dirs)
        text = not static and any(here.is_relative_to(d) for d in text_dirs)
        for name in sorted(files):
            path = Path(folder) / name
            relative = here / name
            if ignored(relative, patterns):
                continue
            mode = path.lstat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                problems.append(f"{path}: a special file (pipe, socket or device); expected a file")
            elif static or relative in static_dirs:
                problems += static_problems(path)
            elif text or relative in text_dirs:
                if os.path.splitext(name)[1] != ".md":
                    problems.append(
                        f"{path}: not read; a page or a question is a Markdown file ending in "
                        ".md (rename it, or move it out of the content folder)"
                    )
            elif str(relative) not in GATE_FILES:
                problems.append(
                    f"{path}: not part of the site; expected pages in "
                    f"{', '.join(map(str, text_dirs))}, files to copy in "
                    f"{', '.join(map(str, static_dirs))}"
                )
    return problems


# An icon file starts with its reserved word 0 and its type 1 (ICO), then a count.
ICO_HEADER = b"\x00\x00\x01\x00"


def static_problems(path: Path) -> list[str]:
    """A file copied as it is that cannot be what its name says: an icon that is not an ICO."""
    if path.suffix.lower() == ".ico":
        with path.open("rb") as handle:
            head = handle.read(6)
        if len(head) < 6 or not head.startswith(ICO_HEADER) or head[4:6] == b"\x00\x00":
            return [f"{path}: not an ICO icon; expected the favicon rendered by ./run images"]
    return []


def check_sources(pelican: Any) -> None:
    """Before anything is read: no link to a foreign file, no file the site would skip."""
    check_links(pelican)
    refuse("files in the content folder cannot be built", content_problems(pelican.settings))


def check_links(pelican: Any) -> None:
    settings = pelican.settings
    refuse(
        "symlinks point outside the site's sources (replace each with the file itself)",
        outside_links([Path(settings["PATH"]), Path(settings["THEME"])]),
    )


def check_outputs(generators: list[Any]) -> None:
    written: dict[str, list[str]] = defaultdict(list)
    settings: Mapping[str, Any] = {}
    for generator in generators:
        settings = generator.settings
        base = Path(generator.path)
        for attribute in WRITTEN:
            for item in getattr(generator, attribute, []) or []:
                save_as = getattr(item, "save_as", "")
                if save_as:
                    source = Path(item.source_path)
                    shown = (
                        source.relative_to(base.parent)
                        if source.is_relative_to(base.parent)
                        else source
                    )
                    written[os.path.normpath(save_as)].append(str(shown))
    refuse("content files write where they must not", collisions(written, settings))
