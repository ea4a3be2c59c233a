"""What the Apache hosting needs beyond the pages: fingerprinted CSS, compressed twins.

- The stylesheet is served under a name that carries a hash of its content
  (`main.3f2a1b9c.css`), so the host can cache it for a year as immutable: the
  `asset_url` Jinja global (see `templating`) gives templates that name, and
  at `finalized` the copied file is renamed to it.
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
import functools
import gzip
import hashlib
import logging
import os
import re
from pathlib import Path

import brotli
from pelican import Pelican

from cimw.facts import Facts, FactsError, Settings, facts_in

logger = logging.getLogger(__name__)

COMPRESSED_SUFFIXES = (".html", ".css", ".xml", ".txt", ".svg", ".json")
TWIN_SUFFIXES = (".gz", ".br")
HASH_LENGTH = 8


def content_hash(path: Path) -> str:
    """The short hash of a file's content, read again only when the file changes."""
    found = path.stat()
    return _content_hash(path, found.st_mtime_ns, found.st_size)


@functools.lru_cache(maxsize=64)
def _content_hash(path: Path, mtime_ns: int, size: int) -> str:
    del mtime_ns, size  # the key: a changed file is read again
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
    if relative in facts_in(settings).hosting.fingerprinted:
        relative = fingerprinted_name(relative, content_hash(theme_static(settings, relative)))
    return f"{settings['SITEURL']}/{settings['THEME_STATIC_DIR']}/{relative}"


def security_txt_expires(facts: Facts, today: datetime.date | None = None) -> str:
    """The Expires field of security.txt: a date under a year after the build."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    expires = today + datetime.timedelta(days=facts.hosting.security_txt_valid_days)
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


def missing_fingerprinted(settings: Settings) -> list[str]:
    """The fingerprinted files the theme does not have."""
    return [
        relative
        for relative in facts_in(settings).hosting.fingerprinted
        if not theme_static(settings, relative).is_file()
    ]


def check_theme_files(pelican: Pelican) -> None:
    missing = missing_fingerprinted(pelican.settings)
    if missing:
        raise FactsError(
            f"HOSTING_FINGERPRINTED: names {', '.join(map(repr, missing))}, "
            "which is not in the theme's static folder"
        )


def finish_output(pelican: Pelican) -> None:
    settings = pelican.settings
    static = Path(pelican.output_path) / settings["THEME_STATIC_DIR"]
    hosting = facts_in(settings).hosting
    for relative in hosting.fingerprinted:
        copied = static / relative
        digest = content_hash(theme_static(settings, relative))
        current = fingerprinted_name(relative, digest)
        copied.replace(static / current)
        # The output folder is kept between development builds: drop the old versions.
        for older in older_fingerprints(static, relative, current):
            older.unlink()
    if hosting.precompress:
        count = precompress(Path(pelican.output_path))
        logger.info("Compressed twins (gzip, Brotli) of %d files", count)
