"""The project's folders, and how its settings are loaded and its site built.

The ground floor: the tasks, the gate runner, the deploy and the tests take
their folders and settings from here. It imports none of them, but for the
typed inputs of the gate (sitecheck/inputs.py, which imports nothing).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sitecheck.inputs import GateInputs

ROOT = Path(__file__).resolve().parent
CONTENT = ROOT / "content"
FAQ_DIR = CONTENT / "faq"
WORD_LIST = CONTENT / "words.txt"
GRAMMAR_EXCEPTIONS = CONTENT / "grammar-exceptions.txt"
THEME = ROOT / "theme"
PLUGINS = ROOT / "plugins"
# The site plugin's model (cimw.facts) is read by the tasks, the gate's
# inputs and the deploy as well as by Pelican: one import path for all.
if str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))
IMAGES = THEME / "static" / "images"
DEV_SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"
OUTPUT = ROOT / "output"
CACHE = ROOT / "cache"
# Pelican's content cache of the preview, one folder per settings, templates and plugins.
CONTENT_CACHE = CACHE / "content"
# vnu's messages for each page and stylesheet it checked, by their bytes.
VALIDITY_CACHE = CACHE / "validity"
NODE_MODULES = ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
TYPOGRAPHY_TABLE = ROOT / "plugins" / "cimw" / "typography.toml"


class BuildError(Exception):
    """A build that stopped; the message says why."""


class _Collector(logging.Handler):
    """Keeps every warning and error logged during a build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        self.messages: list[str] = []
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(self.format(record))
        self.texts.append(record.getMessage())


@contextmanager
def collected_warnings() -> Iterator[_Collector]:
    """Collect the warnings and errors logged inside the block, for this block only."""
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield collector
    finally:
        root.removeHandler(collector)


def load_settings(settings_file: Path, overrides: Mapping[str, Any] | None = None) -> dict:
    """Pelican's settings from a file, with its defaults (nothing is built)."""
    from pelican.settings import read_settings

    settings: dict[str, Any] = read_settings(str(settings_file), override=dict(overrides or {}))
    return settings


def template_problem(error: BaseException) -> str:
    """Where in the theme's templates an error was raised, as 'path:line: ', or ''."""
    import traceback

    from jinja2 import TemplateSyntaxError

    if isinstance(error, TemplateSyntaxError) and error.filename:
        return f"{os.path.relpath(error.filename)}:{error.lineno}: "
    # Jinja gives each template line a frame of its own in the traceback.
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.endswith(".py") and Path(frame.filename).is_file()
    ]
    return f"{os.path.relpath(frames[-1].filename)}:{frames[-1].lineno}: " if frames else ""


def build(settings_file: Path, overrides: Mapping[str, Any] | None = None) -> dict:
    """Build the site; any warning or error stops it with a BuildError. Return the settings."""
    from pelican import Pelican

    with collected_warnings() as collector:
        try:
            settings = load_settings(settings_file, overrides)
            Pelican(settings).run()
        except Exception as error:  # a plugin's or Pelican's: reported, never a traceback
            # A problem logged and then raised is said once, in the error.
            logged = "".join(
                f"{message}\n"
                for message, text in zip(collector.messages, collector.texts, strict=True)
                if text not in str(error)
            )
            where = template_problem(error)
            raise BuildError(f"{logged}{where}{type(error).__name__}: {error}") from error
    if collector.messages:
        raise BuildError("\n".join(collector.messages) + "\n(warnings count as errors)")
    return settings


def build_into(
    settings_file: Path, output: Path, overrides: Mapping[str, Any] | None = None
) -> dict:
    """Build the site into a fresh folder and put it in place of `output` once it succeeds.

    A page deleted or made a draft leaves `output` with the next build, and
    a failed build leaves the last good site in place.
    """
    output = Path(output)
    fresh = output.with_name(f"{output.name}.partial")
    previous = output.with_name(f"{output.name}.previous")
    for folder in (fresh, previous):
        shutil.rmtree(folder, ignore_errors=True)
    try:
        settings = build(settings_file, {**(overrides or {}), "OUTPUT_PATH": str(fresh)})
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if output.is_symlink() or output.exists():
        output.rename(previous)
    fresh.rename(output)
    shutil.rmtree(previous, ignore_errors=True)
    return {**settings, "OUTPUT_PATH": str(output)}


def public_url(settings_file: Path = DEV_SETTINGS) -> str:
    """The site's public address, as the facts model reads it: links to it are internal links."""
    settings = load_settings(settings_file)
    return str(parse_facts(settings).site_url)


def parse_facts(settings: Mapping[str, Any]) -> Any:
    """The site's facts, parsed by the site plugin's model (plugins/cimw/facts.py)."""
    from cimw.facts import parse_facts as parse

    return parse(settings)


def gate_inputs(
    content: Path = CONTENT, site_url: str = "", typography_table: Path = TYPOGRAPHY_TABLE
) -> GateInputs:
    """What the quality gate reads besides the built site: the files of `content`, the tools'.

    `content` is the content folder the site was built from (a copy's, in the
    tests): its word list and grammar exceptions go with it; the typography
    table is the one of the sources built (the publish builds a commit's).
    """
    from sitecheck.inputs import GateInputs

    return GateInputs(
        content_dir=content,
        word_list=content / WORD_LIST.name,
        jar=VNU_JAR,
        typography_table=typography_table,
        grammar_exceptions=content / GRAMMAR_EXCEPTIONS.name,
        site_url=site_url,
        validity_cache=VALIDITY_CACHE,
    )
