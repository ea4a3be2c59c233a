"""What the Apache hosting needs beyond the pages: fingerprinted CSS, compressed twins.

- The stylesheet is served under a name that carries a hash of its content
  (`main.3f2a1b9c.css`), so the host can cache it for a year as immutable: the
  `asset_url` Jinja global (added at `generator_init`) gives templates that
  name, and at `finalized` the copied file is renamed to it.
- With `HOSTING_PRECOMPRESS` (the production settings), every text file gets a
  gzip and a Brotli twin at `finalized`, made fresh by each build, where the
  twin is smaller than the file, for Apache to serve by content negotiation
  (see the theme's `htaccess.conf`).
- `HOSTING_BEHIND_PROXY` lets the HTTPS redirect trust `X-Forwarded-Proto`,
  for a host whose TLS proxy sets it; otherwise any client could send it.
- `security_txt_expires` gives `/.well-known/security.txt` (RFC 9116) an
  Expires date `SECURITY_TXT_VALID_DAYS` after the build, under a year; its
  Preferred-Languages are `SECURITY_TXT_LANGUAGES`, the languages CIMW says
  it answers in, left out while that is a placeholder.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import logging
import os
import re
from functools import partial
from pathlib import Path
from typing import Any

import brotli
from pelican import Pelican, signals
from pelican.generators import Generator

from cimw import Settings
from cimw.legal import is_placeholder

logger = logging.getLogger(__name__)

DEFAULTS = {
    "HOSTING_PRECOMPRESS": False,
    "HOSTING_FINGERPRINTED": ["css/main.css"],
    "SECURITY_TXT_VALID_DAYS": 180,
    "HOSTING_BEHIND_PROXY": False,
}
COMPRESSED_SUFFIXES = (".html", ".css", ".xml", ".txt", ".svg", ".json")
TWIN_SUFFIXES = (".gz", ".br")
HASH_LENGTH = 8
# A language tag as RFC 5646 writes it, in its common forms: fr, en, fr-CA.
LANGUAGE_TAG_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def setting(settings: Settings, name: str) -> Any:
    return settings.get(name, DEFAULTS[name])


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]


def fingerprinted_name(relative: str, digest: str) -> str:
    """'css/main.css', 'abcd1234' -> 'css/main.abcd1234.css'."""
    stem, suffix = os.path.splitext(relative)
    return f"{stem}.{digest}{suffix}"


def older_fingerprints(folder: Path, relative: str, current: str) -> list[Path]:
    """The fingerprinted copies of `relative` in `folder` other than `current`, twins included."""
    stem, suffix = os.path.splitext(os.path.basename(relative))
    pattern = re.compile(
        rf"{re.escape(stem)}\.[0-9a-f]{{{HASH_LENGTH}}}{re.escape(suffix)}(?:\.gz|\.br)?"
    )
    parent = folder / os.path.dirname(relative)
    current_name = os.path.basename(current)
    return [
        path
        for path in parent.glob(f"{stem}.*")
        if pattern.fullmatch(path.name) and not path.name.startswith(current_name)
    ]


def theme_static(settings: Settings, relative: str) -> Path:
    return Path(settings["THEME"]) / "static" / relative


def asset_url(relative: str, settings: Settings) -> str:
    """The URL of a theme file; fingerprinted files carry the hash of their content."""
    if relative in setting(settings, "HOSTING_FINGERPRINTED"):
        relative = fingerprinted_name(relative, content_hash(theme_static(settings, relative)))
    return f"{settings['SITEURL']}/{settings['THEME_STATIC_DIR']}/{relative}"


def security_txt_expires(settings: Settings, today: datetime.date | None = None) -> str:
    """The Expires field of security.txt: a date under a year after the build."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    expires = today + datetime.timedelta(days=setting(settings, "SECURITY_TXT_VALID_DAYS"))
    return f"{expires.isoformat()}T00:00:00Z"


def compress_twins(path: Path) -> int:
    """Write path.gz and path.br beside a file where smaller, reproducibly; return how many."""
    data = path.read_bytes()
    twins = {
        ".gz": gzip.compress(data, compresslevel=9, mtime=0),
        ".br": brotli.compress(data, quality=11),
    }
    written = 0
    for suffix, compressed in twins.items():
        # A twin no smaller than its file only costs bytes (a 23-byte version.txt).
        if len(compressed) < len(data):
            Path(f"{path}{suffix}").write_bytes(compressed)
            written += 1
    return written


def precompress(output: Path) -> int:
    """Replace every compressed twin under `output` with a fresh one; return how many files."""
    for stale in [p for p in output.rglob("*") if p.suffix in TWIN_SUFFIXES]:
        stale.unlink()
    files = [p for p in output.rglob("*") if p.is_file() and p.suffix in COMPRESSED_SUFFIXES]
    for path in files:
        compress_twins(path)
    return len(files)


def validate_settings(settings: Settings) -> None:
    days = setting(settings, "SECURITY_TXT_VALID_DAYS")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 364:
        raise ValueError(
            f"SECURITY_TXT_VALID_DAYS must be a whole number of days from 1 to 364 "
            f"(RFC 9116 wants Expires under a year ahead), got {days!r}"
        )
    if "SECURITY_TXT_LANGUAGES" not in settings:
        raise ValueError(
            "SECURITY_TXT_LANGUAGES is missing from the settings: set it to the languages "
            "security reports are answered in, such as ('fr',)"
        )
    languages = settings["SECURITY_TXT_LANGUAGES"]
    if not is_placeholder(languages) and not (
        isinstance(languages, list | tuple)
        and languages
        and all(isinstance(tag, str) and LANGUAGE_TAG_RE.fullmatch(tag) for tag in languages)
    ):
        raise ValueError(
            "SECURITY_TXT_LANGUAGES must be a list of language tags, such as ('fr',) or "
            f"('fr', 'en'), got {languages!r}"
        )
    behind_proxy = setting(settings, "HOSTING_BEHIND_PROXY")
    if not isinstance(behind_proxy, bool):
        raise ValueError(
            f"HOSTING_BEHIND_PROXY must be True or False (does the host's TLS proxy set "
            f"X-Forwarded-Proto?), got {behind_proxy!r}"
        )
    for relative in setting(settings, "HOSTING_FINGERPRINTED"):
        if not theme_static(settings, relative).is_file():
            raise ValueError(
                f"HOSTING_FINGERPRINTED names {relative!r}, "
                "which is not in the theme's static folder"
            )


def check_settings(pelican: Pelican) -> None:
    validate_settings(pelican.settings)


def add_globals(generator: Generator) -> None:
    generator.env.globals["asset_url"] = partial(asset_url, settings=generator.settings)
    generator.env.globals["security_txt_expires"] = partial(
        security_txt_expires, generator.settings
    )


def finish_output(pelican: Pelican) -> None:
    settings = pelican.settings
    static = Path(pelican.output_path) / settings["THEME_STATIC_DIR"]
    for relative in setting(settings, "HOSTING_FINGERPRINTED"):
        copied = static / relative
        digest = content_hash(theme_static(settings, relative))
        current = fingerprinted_name(relative, digest)
        copied.replace(static / current)
        # The output folder is kept between development builds: drop the old versions.
        for older in older_fingerprints(static, relative, current):
            older.unlink()
    if setting(settings, "HOSTING_PRECOMPRESS"):
        count = precompress(Path(pelican.output_path))
        logger.info("Compressed twins (gzip, Brotli) of %d files", count)


def register() -> None:
    # Bad hosting settings stop the build before anything is read.
    signals.initialized.connect(check_settings)
    # Templates need the fingerprinted names and the security.txt date.
    signals.generator_init.connect(add_globals)
    # Everything is written by then: rename the fingerprinted files, compress.
    signals.finalized.connect(finish_output)
