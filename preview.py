"""The live preview: `serve` builds the site, serves output/ and rebuilds on every change.

Each change is rebuilt in-process, with the content cache and a cache of the
compiled templates, while the server keeps answering. Every page it sends
carries the version of the preview it shows (a build and its findings) and a
small script that holds a WebSocket open: the server tells each socket the
version whenever it changes, and as soon as it opens, so a page made before
the last change reloads, even one that connected after the news. It also
adds the problems of the last build: after a failed build every page
answers with an error page listing them (and reloads by itself once the build
succeeds), and after a good one each page shows the findings of the fast
rules of the gate in a banner. None of it is written into output/: the built
site stays what `build` makes.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import io
import logging
import multiprocessing
import os
import queue
import re
import shutil
import signal
import socket
import stat
import sys
import threading
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from project import (
    CONTENT,
    CONTENT_CACHE,
    DEV_SETTINGS,
    OUTPUT,
    PLUGINS,
    ROOT,
    THEME,
    BuildError,
    build_into,
    collected_warnings,
    gate_inputs,
    load_settings,
    parse_facts,
)

# Watched by `serve`: a change to any of these rebuilds the site.
WATCHED_FOLDERS = [CONTENT, THEME, PLUGINS]
WATCHED_FILES = [DEV_SETTINGS]
# What the cached pages are made with, besides their own file: a change to
# any of these starts a fresh content cache.
CACHE_INPUTS = [DEV_SETTINGS, THEME / "templates", PLUGINS]
# How long the watcher waits for the rest of a save (an editor writes a file
# in several calls) before it reports the change, in milliseconds.
SETTLE_MS = 2
# The development pages' templates: never rendered into the built site.
ERROR_TEMPLATE = "dev-error.html"
FINDINGS_TEMPLATE = "dev-findings.html"
HEAD_TEMPLATE = "dev-head.html"
# What Pelican raises on a content cache file it cannot read back.
UNREADABLE_CACHE = ("EOFError", "UnpicklingError")
# Where each page's script opens its WebSocket (no file of the site has this name).
RELOAD_SOCKET = "/_preview/reload"
# A failed build answers every page with the error page, with this status.
FAILED_STATUS = 500

# A located problem line of a build error: "path:line: message".
PROBLEM_RE = re.compile(
    r"^(?:(?:ERROR|WARNING|CRITICAL): )?(?:\w+Error: )?(?P<path>[^\s:]+):(?P<line>\d+): "
    r"(?P<message>.*)$"
)
# What introduces a list of problems, said again by each of them.
HEADING_RE = re.compile(r"^(?:\w+Error: )?\d+ problems? in [^:]+:$")
SPECIAL_FILES = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


class PreviewError(Exception):
    """The preview cannot start; the message says why."""


@dataclass(frozen=True)
class Problem:
    """One problem of a failed build: where (a file and a line, if known) and what."""

    path: str
    line: int
    message: str
    part: str = ""  # "front matter" or "body" for a content file

    @property
    def place(self) -> str:
        if not self.path:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        said = self.message
        if self.part and not said.startswith(self.part):
            said = f"in the {self.part}: {said}"
        return f"{self.place}: {said}" if self.place else said


@dataclass(frozen=True)
class BuildReport:
    """What one build did: its problems if it failed, otherwise what it made."""

    changed: tuple[str, ...]
    seconds: float
    problems: tuple[Problem, ...] = ()
    questions: int = 0
    pages: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def summary(self, at: str) -> str:
        what = ", ".join(self.changed) if self.changed else "first build"
        if self.changed:
            what += " changed"
        if self.failed:
            count = len(self.problems)
            return (
                f"{at} {what}: build failed in {self.seconds:.2f} s, "
                f"{count} problem{'s' if count > 1 else ''} "
                "(the pages show them until the build succeeds):\n"
                + "\n".join(f"  {problem}" for problem in self.problems)
            )
        return (
            f"{at} {what}: built in {self.seconds:.2f} s, "
            f"{self.questions} question{'s' if self.questions != 1 else ''}, "
            f"{self.pages} page{'s' if self.pages != 1 else ''}"
        )


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as probe:
        # As the server will: connections closed a moment ago do not hold the port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise PreviewError(f"cannot serve on {host}:{port}: {error.strerror}") from None
    return False


def free_port_after(host: str, port: int) -> int:
    """The first port after `port` that nothing listens on."""
    candidate = port + 1
    while candidate < 65535 and port_in_use(host, candidate):
        candidate += 1
    return candidate


def inputs_digest(inputs: Iterable[Path] = CACHE_INPUTS) -> str:
    """A digest of the settings, templates and plugins the cached pages are made with."""
    digest = hashlib.sha256()
    for source in inputs:
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def content_cache(inputs: Iterable[Path] = CACHE_INPUTS, cache: Path = CONTENT_CACHE) -> Path:
    """The content cache folder for the current settings, templates and plugins.

    Pages are cached with their placeholders filled and their block
    placeholders rendered by the theme; a cache made with other settings or
    templates would serve old prices, so each combination has its own
    folder, and the others in `cache` are removed.
    """
    folder = cache / inputs_digest(inputs)
    if cache.is_dir():
        for other in cache.iterdir():
            if other != folder:
                shutil.rmtree(other) if other.is_dir() else other.unlink()
    return folder


def special_files(folders: Iterable[Path], root: Path = ROOT) -> list[Problem]:
    """Each named pipe, socket or device under `folders`: opening one would block the build."""
    problems = []
    for folder in folders:
        for place, _, names in os.walk(folder):
            for name in names:
                path = Path(place) / name
                try:
                    kind = SPECIAL_FILES.get(stat.S_IFMT(path.stat().st_mode))
                except OSError:  # a broken link: the sources plugin names it
                    continue
                if kind:
                    problems.append(
                        Problem(
                            os.path.relpath(path, root),
                            0,
                            f"{kind}, not a file: the site is built from files only; "
                            "remove it or move it out of the folder",
                        )
                    )
    return problems


def front_matter_end(path: Path) -> int:
    """The line of the '---' that closes a Markdown file's front matter, or 0 if none."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    if not lines or lines[0].strip() != "---":
        return 0
    return next((number for number, line in enumerate(lines[1:], 2) if line.strip() == "---"), 0)


def problem_part(path: str, line: int, root: Path = ROOT) -> str:
    """Whether a problem in a Markdown file is in its front matter or in its body."""
    source = root / path
    if source.suffix != ".md" or not source.is_file():
        return ""
    end = front_matter_end(source)
    return "body" if end and line > end else "front matter"


def build_problems(error: str, root: Path = ROOT) -> list[Problem]:
    """The problems a BuildError's message lists, one per line, each with its place."""
    problems = []
    for text in error.splitlines():
        text = text.strip()
        if not text or HEADING_RE.match(text) or text == "(warnings count as errors)":
            continue
        located = PROBLEM_RE.match(text)
        if located:
            path, line = located["path"], int(located["line"])
            problems.append(Problem(path, line, located["message"], problem_part(path, line, root)))
        else:
            problems.append(Problem("", 0, text))
    return problems


class BuildCounts:
    """What the generators of one build made: the questions and pages it counts."""

    def __init__(self) -> None:
        self.questions = 0
        self.pages = 0

    def count(self, generators: list[Any]) -> None:
        # The generators share one context: the questions the FAQ plugin put there.
        self.questions = len(generators[0].context.get("faq_entries", ())) if generators else 0
        self.pages = sum(
            len(getattr(generator, "pages", ())) + len(getattr(generator, "hidden_pages", ()))
            for generator in generators
        )


class TemplateCache:
    """Jinja's compiled templates, kept between the builds made with the same inputs.

    Jinja compares each template's source with the one it compiled, so an
    edited template is compiled again; settings or plugins that change start
    a fresh cache, as the content cache does (Jinja's options live there).
    """

    def __init__(self) -> None:
        from jinja2 import BytecodeCache

        class Compiled(BytecodeCache):
            def __init__(self) -> None:
                self.buckets: dict[str, bytes] = {}

            def load_bytecode(self, bucket: Any) -> None:
                if bucket.key in self.buckets:
                    bucket.bytecode_from_string(self.buckets[bucket.key])

            def dump_bytecode(self, bucket: Any) -> None:
                self.buckets[bucket.key] = bucket.bytecode_to_string()

        self._new = Compiled
        self._inputs = ""
        self.compiled: BytecodeCache = Compiled()

    def for_inputs(self, inputs: str) -> None:
        if inputs != self._inputs:
            self._inputs = inputs
            self.compiled = self._new()

    def attach(self, generator: Any) -> None:
        generator.env.bytecode_cache = self.compiled


def forget_pages() -> None:
    """Empty Pelican's memo of each page's content and summary, which no build reads again.

    Pelican keeps it for the life of the process: in a server that builds
    many times, it would keep every page of every build, and the plugins'
    classes of those pages with them.
    """
    from pelican.contents import Content

    for method in ("get_content", "get_summary"):
        memo = Content.__dict__.get(method)
        if memo is not None and isinstance(getattr(memo, "cache", None), dict):
            memo.cache.clear()


def forget_plugins(plugins: Path = PLUGINS, settings_file: Path = DEV_SETTINGS) -> None:
    """Drop the site's plugin modules, so that the next build imports them afresh.

    Their signal receivers are weakly referenced: once the modules are gone
    and collected, the old receivers are too. The settings module Pelican
    last read goes as well: its values (the facts model's Unconfirmed) hold
    the old plugin modules.
    """
    forget_pages()
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None) or ""
        if where and (Path(where).is_relative_to(plugins) or Path(where) == settings_file):
            del sys.modules[name]
    # typing keeps each Union and Annotated it made, and the classes in them:
    # the facts model's types would keep its old module.
    for clear in getattr(typing, "_cleanups", ()):
        clear()
    gc.collect()


@contextlib.contextmanager
def pelican_quiet() -> Iterator[None]:
    """Silence Pelican's own console line ("Done: Processed … pages"): serve says it better."""
    from pelican.log import console

    was = console.quiet
    console.quiet = True
    try:
        yield
    finally:
        console.quiet = was


@dataclass
class Prepared:
    """Pelican made ready for the next build: settings read, plugins registered, generators made.

    None of that depends on the content: made while the author is still
    typing, it is off the path from a save to the page.
    """

    pelican: Any
    generators: list[Any]
    fresh: Path


def prepare(
    settings_file: Path, fresh: Path, overrides: Mapping[str, Any], templates: TemplateCache
) -> Prepared | None:
    """Set Pelican up as its `run` does before it reads anything; None if anything went wrong.

    A setup that logs or raises is dropped: the next build is then a plain
    one, which reports the problem in the words of `build`.
    """
    from pelican import Pelican, signals

    shutil.rmtree(fresh, ignore_errors=True)
    try:
        with (
            collected_warnings() as collector,
            signals.generator_init.connected_to(templates.attach),
        ):
            settings = load_settings(settings_file, {**overrides, "OUTPUT_PATH": str(fresh)})
            pelican = Pelican(settings)
            context = pelican.settings.copy()
            context.update(
                generated_content={},
                static_links=set(),
                static_content={},
                localsiteurl=pelican.settings["SITEURL"],
            )
            generators = [
                generator_class(
                    context=context,
                    settings=pelican.settings,
                    path=pelican.path,
                    theme=pelican.theme,
                    output_path=pelican.output_path,
                )
                for generator_class in pelican._get_generator_classes()
            ]
    except Exception:  # said by the plain build that follows
        return None
    return None if collector.messages else Prepared(pelican, generators, fresh)


def run_prepared(prepared: Prepared, counts: BuildCounts) -> bool:
    """Run the rest of Pelican's `run` on a prepared setup; False if it logged or raised anything.

    The steps of Pelican 4.12's `Pelican.run`, less its closing "Done" line.
    """
    from pelican import signals

    generators = prepared.generators
    with collected_warnings() as collector:
        try:
            for generator in generators:
                if hasattr(generator, "generate_context"):
                    generator.generate_context()
                if hasattr(generator, "check_disabled_readers"):
                    generator.check_disabled_readers()
            signals.all_generators_finalized.send(generators)
            counts.count(generators)
            for generator in generators:
                if hasattr(generator, "refresh_metadata_intersite_links"):
                    generator.refresh_metadata_intersite_links()
            writer = prepared.pelican._get_writer()
            for generator in generators:
                if hasattr(generator, "generate_output"):
                    generator.generate_output(writer)
            signals.finalized.send(prepared.pelican)
        except Exception:  # said by the plain build that follows
            return False
    return not collector.messages


def swap_in(fresh: Path, output: Path) -> Path:
    """Put a fresh build in place of `output`; return where the old one went, to remove later."""
    previous = output.with_name(f"{output.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if output.is_symlink() or output.exists():
        output.rename(previous)
    fresh.rename(output)
    return previous


def touches_setup(changed: Iterable[Path]) -> bool:
    """Whether a change reaches what every page is made with: settings, theme or plugins."""
    return any(
        path == DEV_SETTINGS or path.is_relative_to(THEME) or path.is_relative_to(PLUGINS)
        for path in map(Path, changed)
    )


@dataclass
class Preview:
    """The state of the preview: the last build's report and the findings on each page.

    A build runs on a Pelican set up ahead (`prepare_next`) when nothing it
    was set up with changed since; otherwise, and whenever that build logs
    or raises anything, it is a plain `build_into`, so that a failed build
    says exactly what `build` says. Either way the site is built into a
    fresh folder that replaces output/ only when the build succeeds.
    """

    output: Path = OUTPUT
    settings_file: Path = DEV_SETTINGS
    site_url: str = ""
    site_name: str = ""
    report: BuildReport | None = None
    # Each page's findings, in the words of the terminal (located in the sources).
    findings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    templates: TemplateCache = field(default_factory=TemplateCache)
    prepared: Prepared | None = None
    cache: Path | None = None
    previous: Path | None = None
    gate: Executor | None = None

    def overrides(self) -> dict[str, Any]:
        return {
            "CACHE_CONTENT": True,
            "LOAD_CONTENT_CACHE": True,
            "CACHE_PATH": str(self.cache),
            # What the readers made of each file, not whole pages: a page
            # keeps the settings, whose Jinja options (select_autoescape's
            # function) cannot be pickled.
            "CONTENT_CACHING_LAYER": "reader",
        }

    def build(self, changed: Iterable[Path] = ()) -> BuildReport:
        """Rebuild the site into output/; a failed build leaves the last good site there."""
        changed = {Path(path) for path in changed}
        names = tuple(sorted({os.path.relpath(path, ROOT) for path in changed}))
        start = time.perf_counter()
        refused = special_files(WATCHED_FOLDERS)
        if refused:
            return self._keep(BuildReport(names, time.perf_counter() - start, tuple(refused)))
        if self.cache is None or touches_setup(changed):
            self.prepared = None
            if any(path.is_relative_to(PLUGINS) for path in changed):
                forget_plugins()
            self.cache = content_cache()
            self.templates.for_inputs(self.cache.name)
            site = site_facts(self.settings_file)
            if site:
                self.site_url, self.site_name = site["url"], site["name"]
        counts = BuildCounts()
        try:
            if not self._build_prepared(counts):
                counts = BuildCounts()
                self._build_plain(counts)
        except BuildError as error:
            problems = tuple(build_problems(str(error))) or (Problem("", 0, str(error)),)
            return self._keep(BuildReport(names, time.perf_counter() - start, problems))
        seconds = time.perf_counter() - start
        return self._keep(BuildReport(names, seconds, (), counts.questions, counts.pages))

    def _build_prepared(self, counts: BuildCounts) -> bool:
        prepared, self.prepared = self.prepared, None
        if prepared is None or not run_prepared(prepared, counts):
            return False
        try:
            self.previous = swap_in(prepared.fresh, self.output)
        except OSError:
            return False
        return True

    def _build_plain(self, counts: BuildCounts) -> None:
        from pelican import signals

        with (
            pelican_quiet(),
            signals.generator_init.connected_to(self.templates.attach),
            signals.all_generators_finalized.connected_to(counts.count),
        ):
            try:
                build_into(self.settings_file, self.output, self.overrides())
            except BuildError as error:
                if not any(unreadable in str(error) for unreadable in UNREADABLE_CACHE):
                    raise
                # A cache file cut short (a server stopped while writing it):
                # build without it, once; the build writes a new one.
                if self.cache is not None:
                    shutil.rmtree(self.cache, ignore_errors=True)
                build_into(self.settings_file, self.output, self.overrides())

    def prepare_next(self) -> None:
        """Remove the site the last build replaced, and set Pelican up for the next build."""
        forget_pages()
        if self.previous is not None:
            shutil.rmtree(self.previous, ignore_errors=True)
            self.previous = None
        if self.cache is not None:
            fresh = self.output.with_name(f"{self.output.name}.partial")
            self.prepared = prepare(self.settings_file, fresh, self.overrides(), self.templates)

    def _keep(self, report: BuildReport) -> BuildReport:
        self.report = report
        return report

    def check(self) -> list[str]:
        """Run the fast rules of the gate on the built site; keep each page's findings.

        Return the terminal's report: the findings grouped by rule, or "0 findings".
        With a `gate` (another process), the server answers meanwhile.
        """
        if self.gate is None:
            findings, report = fast_findings(self.output, self.site_url)
        else:
            findings, report = self.gate.submit(fast_findings, self.output, self.site_url).result()
        # The same findings are the same version of the pages: no second reload.
        if findings != self.findings:
            self.findings = findings
        return report


def fast_findings(output: Path, site_url: str) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """The findings of the fast rules on each page of a built site, and the terminal's report."""
    from sitecheck import FAST_RULES, RULES, Site, format_report, locate_in_sources

    # Offline: an author's every save must not wait on other hosts.
    inputs = gate_inputs(CONTENT, site_url)
    site = Site(output)
    found = [finding for name in FAST_RULES for finding in RULES[name].check(site, inputs)]
    by_page: dict[str, list[Any]] = {}
    for finding in found:
        by_page.setdefault(finding.path, []).append(finding)
    # Each page's banner says where to fix each finding: its Markdown file and line.
    findings = {
        page: tuple(str(f) for f in locate_in_sources(page_findings, CONTENT, site=site))
        for page, page_findings in by_page.items()
    }
    located = locate_in_sources(found, CONTENT, site=site)
    return findings, format_report(located).splitlines()


class DevPages:
    """The development pages: the error page, the findings banner, what every page gets.

    Each answer is made once per build (and again when the findings come):
    the browser, and whoever polls the page, is answered at once.
    """

    def __init__(self, preview: Preview, templates: Path = THEME / "templates") -> None:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        self.preview = preview
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,
        )
        self._answers: dict[str, bytes] = {}
        self._made_for: tuple[object, object] = (None, None)
        # This server's own: a page of an earlier `serve` never matches it.
        self._started = f"{os.getpid()}.{time.monotonic_ns()}"
        self._changes = 0

    def version(self) -> str:
        """The version of what the pages show: a new one after each build and new findings."""
        made_for = (self.preview.report, self.preview.findings)
        if made_for[0] is not self._made_for[0] or made_for[1] is not self._made_for[1]:
            self._answers = {}
            self._made_for = made_for
            self._changes += 1
        return f"{self._started}.{self._changes}"

    def answer(self, name: str, make: Callable[[], bytes]) -> bytes:
        """The answer for a page, made again after each build and each run of the gate."""
        self.version()
        if name not in self._answers:
            self._answers[name] = make()
        return self._answers[name]

    def stylesheet(self) -> str:
        """The built site's stylesheet, as its pages link to it ('' before the first build)."""
        css = sorted(self.preview.output.glob("theme/css/main*.css"))
        return f"/{css[-1].relative_to(self.preview.output).as_posix()}" if css else ""

    def error_page(self) -> bytes:
        """The page every page is while the last build failed: its problems."""
        report = self.preview.report
        problems = report.problems if report else ()
        template = self.env.get_template(ERROR_TEMPLATE)
        return template.render(
            problems=problems,
            stylesheet=self.stylesheet(),
            head=self.head(),
            site_name=self.preview.site_name,
        ).encode()

    def head(self) -> str:
        from markupsafe import Markup

        template = self.env.get_template(HEAD_TEMPLATE)
        return Markup(template.render(version=self.version(), socket=RELOAD_SOCKET))

    def page(self, html: bytes, name: str) -> bytes:
        """A built page as the preview serves it: with the reload script and its findings."""
        text = html.decode("utf-8", errors="replace")
        text = text.replace("</head>", f"{self.head()}</head>", 1)
        findings = self.preview.findings.get(name)
        if findings:
            banner = self.env.get_template(FINDINGS_TEMPLATE).render(findings=findings)
            text = text.replace("</body>", f"{banner}</body>", 1)
        return text.encode()


def resolve(output: Path, path: str) -> tuple[str, Path] | None:
    """The page a request path names in the output folder, and its file, or None."""
    name = path.lstrip("/")
    if not name or name.endswith("/"):
        name += "index.html"
    elif (output / name).is_dir():
        name += "/index.html"
    if not name.endswith(".html"):
        return None
    file = (output / name).resolve()
    if not file.is_relative_to(output.resolve()):
        return None
    return name, file


def file_handler(pages: DevPages) -> type:
    """Tornado's static file handler, answering HTML pages as the preview shows them."""
    from tornado import web

    class PreviewFileHandler(web.StaticFileHandler):
        async def get(self, path: str, include_body: bool = True) -> None:
            preview = pages.preview
            page = resolve(preview.output, path)
            failed = preview.report is not None and preview.report.failed
            if failed and (page is not None or not (preview.output / path).is_file()):
                self.answer(FAILED_STATUS, pages.answer("", pages.error_page))
            elif page is not None and page[1].is_file():
                name, file = page
                self.answer(200, pages.answer(name, lambda: pages.page(file.read_bytes(), name)))
            else:
                await super().get(path, include_body)

        def answer(self, status: int, body: bytes) -> None:
            self.set_status(status)
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(body)

        def should_return_304(self) -> bool:
            return False

        def compute_etag(self) -> None:
            # Every answer is fresh: the page may change with the next build.
            return None

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            not_found = pages.preview.output / "404.html"
            if status_code == 404 and not_found.is_file():
                body = pages.answer(
                    "404.html", lambda: pages.page(not_found.read_bytes(), "404.html")
                )
                self.answer(404, body)
            else:
                super().write_error(status_code, **kwargs)

    return PreviewFileHandler


def saved(found: Iterable[tuple[Any, str]]) -> set[str]:
    """The paths of a burst of changes, less an editor's temporary files (made, then removed)."""
    from watchfiles import Change

    kinds: dict[str, set[Any]] = {}
    for kind, path in found:
        kinds.setdefault(path, set()).add(kind)
    return {
        path
        for path, seen in kinds.items()
        if not ({Change.added, Change.deleted} <= seen and not os.path.lexists(path))
    }


def watch(
    folders: list[Path], files: list[Path], changes: queue.Queue[set[Path]], stop: threading.Event
) -> list[threading.Thread]:
    """Watch the folders (recursively) and the files with inotify; put each change in `changes`."""
    import watchfiles

    def watching(paths: list[Path], recursive: bool, keep: Callable[[Path], bool]) -> None:
        for found in watchfiles.watch(
            *paths,
            step=SETTLE_MS,
            debounce=200,
            stop_event=stop,
            recursive=recursive,
            raise_interrupt=False,
        ):
            changed = {Path(path) for path in saved(found) if keep(Path(path))}
            if changed:
                changes.put(changed)

    wanted = {file.resolve() for file in files}
    threads = [
        threading.Thread(
            target=watching, args=(folders, True, lambda _: True), daemon=True, name="watch"
        ),
        threading.Thread(
            target=watching,
            args=(sorted({file.parent for file in files}), False, lambda p: p.resolve() in wanted),
            daemon=True,
            name="watch-files",
        ),
    ]
    for thread in threads:
        thread.start()
    return threads


def printed(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)


def rebuild_forever(
    preview: Preview, changes: queue.Queue[set[Path]], reload: Callable[[], None]
) -> None:
    """Rebuild on each change (changes made during a build make one more), then reload."""
    while True:
        changed = changes.get()
        with contextlib.suppress(queue.Empty):
            while True:
                changed |= changes.get_nowait()
        rebuild_and_report(preview, changed, reload)


def rebuild_and_report(
    preview: Preview, changed: set[Path], reload: Callable[[], None]
) -> BuildReport:
    """Build, reload the browsers, say what was done, then show the findings."""
    before = preview.findings
    report = preview.build(changed)
    reload()
    print(report.summary(time.strftime("%H:%M:%S")), file=sys.stderr if report.failed else None)
    if not report.failed:
        printed(preview.check())
        if preview.findings != before:
            reload()
    preview.prepare_next()
    return report


def reload_socket(pages: DevPages) -> Any:
    """The WebSocket every page opens: it is told the preview's version, now and on each change."""
    from tornado import websocket

    class ReloadSocket(websocket.WebSocketHandler):
        open_sockets: ClassVar[set[ReloadSocket]] = set()

        def open(self, *args: str, **kwargs: str) -> None:
            del args, kwargs
            self.open_sockets.add(self)
            # The page was made before the last change: it reloads at once.
            if self.get_argument("seen", "") != pages.version():
                self.write_message(pages.version())

        def on_close(self) -> None:
            self.open_sockets.discard(self)

        @classmethod
        def tell_all(cls) -> None:
            """Tell every open page the version (on the server's loop)."""
            version = pages.version()
            for page in list(cls.open_sockets):
                with contextlib.suppress(websocket.WebSocketClosedError):
                    page.write_message(version)

    return ReloadSocket


def line_buffered() -> None:
    """Each line as it is printed, even into a file or a pipe."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(line_buffering=True)


def quiet_servers() -> None:
    """Keep tornado's messages out of the builds' warnings and the terminal.

    A build counts every warning logged during it, from any thread, as an
    error: a 404 logged by the server meanwhile must not be one.
    """
    levels = {
        "tornado": logging.ERROR,
        "tornado.access": logging.CRITICAL,
    }
    for name, level in levels.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.propagate = False
        if not logger.handlers and name != "tornado.access":
            logger.addHandler(logging.StreamHandler(sys.stderr))


def site_facts(settings_file: Path = DEV_SETTINGS) -> dict[str, str]:
    """The site's name and public address, from the facts model; none while they cannot be read.

    Broken settings do not stop the preview: its first build fails, and
    every page shows why.
    """
    try:
        facts = parse_facts(load_settings(settings_file))
    except Exception:  # said by the build, with the file's name
        return {}
    return {"name": str(facts.name), "url": str(facts.site_url)}


def leave_interrupts() -> None:
    """Let Ctrl+C stop the server alone, which then stops the gate's process.

    On Linux the gate's process also ends with the server however it ends,
    killed included: nothing is left running.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def serve(host: str, port: int) -> None:
    """Build, then serve the output folder, rebuilding and reloading on every change."""
    from tornado import ioloop, web

    line_buffered()
    if port_in_use(host, port):
        raise PreviewError(f"port {port} is in use; try --port {free_port_after(host, port)}")
    quiet_servers()
    # The gate runs in a process of its own, forked now, before any thread
    # starts: while it reads the new pages the server answers the browser.
    gate = ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("fork"), initializer=leave_interrupts
    )
    gate.submit(int).result()
    preview = Preview(gate=gate)
    pages = DevPages(preview)
    loop = ioloop.IOLoop.current()
    sockets = reload_socket(pages)

    def reload() -> None:
        loop.add_callback(sockets.tell_all)

    changes: queue.Queue[set[Path]] = queue.Queue()
    stop = threading.Event()
    watch(WATCHED_FOLDERS, WATCHED_FILES, changes, stop)
    rebuild_and_report(preview, set(), reload)
    threading.Thread(
        target=rebuild_forever, args=(preview, changes, reload), daemon=True, name="rebuild"
    ).start()
    app = web.Application(
        [
            (RELOAD_SOCKET, sockets),
            (
                r"/(.*)",
                file_handler(pages),
                {"path": str(preview.output), "default_filename": "index.html"},
            ),
        ]
    )
    app.listen(port, address=host)
    print(f"Serving on http://{host}:{port}/ (Ctrl+C stops)")
    try:
        loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        gate.shutdown(cancel_futures=True)
