"""What the author runs: the live preview, and a new question's file."""

from __future__ import annotations

import datetime
import errno
import hashlib
import io
import logging
import re
import shutil
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cimw.frontmatter import Question

from project import (
    CACHE,
    DEV_SETTINGS,
    OUTPUT,
    ROOT,
    THEME,
    BuildError,
    build_into,
    gate_inputs,
    public_url,
)

# Watched by `serve`: a change to any of these rebuilds the site.
WATCHED = ["content", "theme", "pelicanconf.py"]
WATCH_INTERVAL_MS = 100
# What the cached pages are made with, besides their own file: a change to
# any of these starts a fresh content cache.
CACHE_INPUTS = [DEV_SETTINGS, THEME / "templates", ROOT / "plugins"]


class AuthoringError(Exception):
    """The author's request cannot be done; the message says why."""


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise AuthoringError(f"cannot serve on {host}:{port}: {error.strerror}") from None
    return False


def free_port_after(host: str, port: int) -> int:
    """The first port after `port` that nothing listens on."""
    candidate = port + 1
    while candidate < 65535 and port_in_use(host, candidate):
        candidate += 1
    return candidate


def content_cache(inputs: list[Path] = CACHE_INPUTS, cache: Path = CACHE) -> Path:
    """The content cache folder for the current settings, templates and plugins.

    Pages are cached with their placeholders filled and their block
    placeholders rendered by the theme; a cache made with other settings or
    templates would serve old prices, so each combination has its own
    folder, and the others are removed.
    """
    digest = hashlib.sha256()
    for source in inputs:
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    folder = cache / digest.hexdigest()[:16]
    if cache.is_dir():
        for other in cache.iterdir():
            if other != folder:
                shutil.rmtree(other) if other.is_dir() else other.unlink()
    return folder


def site_file_handler():
    """livereload's file handler, answering an unknown path with the site's 404.html."""
    from livereload.handlers import StaticFileHandler

    class SiteFileHandler(StaticFileHandler):
        def write_error(self, status_code, **kwargs):
            page = Path(self.root) / "404.html"
            if status_code == 404 and page.is_file():
                self.set_header("Content-Type", "text/html; charset=UTF-8")
                self.finish(page.read_bytes())
            else:
                super().write_error(status_code, **kwargs)

    return SiteFileHandler


def quiet_livereload() -> None:
    """Let livereload say only what goes wrong: `serve` says what it serves, once."""
    logging.getLogger("livereload").addFilter(lambda record: record.levelno >= logging.WARNING)


def serve(host: str, port: int) -> None:
    """Build, then serve the output folder, rebuilding and reloading on every change."""
    from livereload import Server
    from livereload.watcher import Watcher
    from tornado import ioloop

    from sitecheck import FAST_RULES, run_gate

    class PromptWatcher(Watcher):
        """livereload's file watcher, checking every 100 ms instead of 800 ms."""

        def start(self, callback):
            ioloop.PeriodicCallback(callback, WATCH_INTERVAL_MS).start()
            return True

    # Each line as it is printed, even into a file or a pipe.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    if port_in_use(host, port):
        raise AuthoringError(f"port {port} is in use; try --port {free_port_after(host, port)}")
    inputs = gate_inputs(site_url=public_url())

    def rebuild():
        overrides = {
            "CACHE_CONTENT": True,
            "LOAD_CONTENT_CACHE": True,
            "CACHE_PATH": str(content_cache()),
        }
        try:
            build_into(DEV_SETTINGS, OUTPUT, overrides)
        except BuildError as error:
            # Keep serving the last good site; the author fixes the file and saves.
            print(f"\nBuild failed: {error}\nThe server keeps running.\n", file=sys.stderr)
            return
        print("Checking (fast rules):")
        # Offline: an author's every save must not wait on other hosts.
        run_gate(OUTPUT, inputs, FAST_RULES, external=False)

    rebuild()
    server = Server(watcher=PromptWatcher())
    server.SFH = site_file_handler()
    for path in WATCHED:
        server.watch(str(ROOT / path), rebuild)
    quiet_livereload()
    print(f"Serving on http://{host}:{port}/ (Ctrl+C stops)")
    server.serve(host=host, port=port, root=str(OUTPUT), open_url_delay=None)


def faq_front_matter(faq_dir: Path) -> dict[Path, Question]:
    """The front matter of each question file in `faq_dir`, read as the build reads it."""
    from cimw.frontmatter import FrontMatterError, Question, read_front_matter

    questions = {}
    for path in sorted(faq_dir.glob("*.md")):
        try:
            front = read_front_matter(str(path), path.read_text(encoding="utf-8-sig"), "question")
        except (UnicodeDecodeError, FrontMatterError) as error:
            raise AuthoringError(
                f"{path} is unfinished or has a problem: fix it first, then add the next "
                f"question:\n{error}"
            ) from None
        assert isinstance(front.header, Question)
        questions[path] = front.header
    return questions


def question_anchor(question: str) -> str:
    """Return the anchor for a question: 'Combien ça coûte ?' -> 'combien-ca-coute'."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    slug = slugify(re.sub(r"['’]", " ", question), DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    return re.sub(r"[^a-z0-9]+", "-", slug).strip("-")


def faq_file_text(question: str, position: int, anchor: str, reviewed: datetime.date) -> str:
    """The new question's file: its front matter, an empty summary and no answer.

    Nothing in it can be published by mistake: the build refuses the
    question until its summary and its answer are written.
    """
    import yaml

    front_matter = yaml.safe_dump(
        {
            "title": question,
            "position": position,
            "anchor": anchor,
            "summary": "",
            "reviewed": reviewed,
        },
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    front_matter = front_matter.replace(
        "summary: ''", "summary: ''  # to write: the answer in one or two sentences"
    )
    return f"---\n{front_matter}---\n\n"


def new_question(question: str, faq_dir: Path) -> Path:
    """Write faq_dir/NN-anchor.md for a new question, with its front matter filled in."""
    question = " ".join(question.split())
    anchor = question_anchor(question)
    if not question or not anchor:
        raise AuthoringError('Give the question, e.g.: ./run new-faq "Combien ça coûte ?"')
    questions = faq_front_matter(faq_dir) if faq_dir.is_dir() else {}
    for other, header in questions.items():
        if header.anchor == anchor:
            raise AuthoringError(
                f"{other} already has the anchor {anchor!r} ({header.title!r}): "
                "edit that question, or word the new one differently"
            )
    position = max((header.position for header in questions.values()), default=0) + 1
    path = faq_dir / f"{position:02d}-{anchor}.md"
    if path.exists():
        raise AuthoringError(f"{path} exists already")
    faq_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        faq_file_text(question, position, anchor, datetime.date.today()), encoding="utf-8"
    )
    return path
