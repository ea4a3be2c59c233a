"""HTML validity with the Nu HTML Checker (vnu.jar, from the npm package vnu-jar).

vnu checks each file on its own, and starting Java costs most of its time:
given a cache folder, the messages of each file are kept under a key made of
the file's bytes, the checker's jar and its options, and only the files never
checked in that form are given to vnu. An unreadable or foreign entry is
checked again; entries are written whole (a temporary file renamed), so two
checks at once can share the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .core import Finding


class ValidatorUnavailable(RuntimeError):  # noqa: N818, RUF100 (named for the state)
    """Java or vnu.jar is missing."""


def vnu_command(jar: Path) -> list[str]:
    java = shutil.which("java")
    if java is None:
        raise ValidatorUnavailable("java is not installed: apt-get install default-jre-headless")
    if not jar.is_file():
        raise ValidatorUnavailable(f"{jar} is missing: run npm ci")
    # A short run: the JVM's quick compiler and serial collector halve its CPU;
    # that compiler's frames are larger, so the checker gets a larger stack.
    fast_start = ["-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    return [java, *fast_start, "-jar", str(jar), "--format", "json", "--exit-zero-always"]


def vnu_messages(command: list[str], files: list[str]) -> list[dict]:
    if not files:
        return []
    result = subprocess.run(command + files, capture_output=True, text=True, check=False)
    try:
        messages: list[dict] = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise ValidatorUnavailable(f"vnu gave no report: {result.stderr[:500]}") from error
    return messages


def message_path(message: dict) -> Path:
    return Path(unquote(urlsplit(message.get("url", "")).path))


class MessageCache:
    """vnu's messages for each file, kept in `folder` by the file's bytes and the command."""

    def __init__(self, folder: Path, command: list[str], jar: Path):
        self.folder = folder
        stat = jar.stat()
        self.identity = json.dumps([command, stat.st_size, stat.st_mtime_ns]).encode()

    def key(self, file: Path) -> str:
        digest = hashlib.sha256(self.identity)
        digest.update(b"\0")
        digest.update(file.read_bytes())
        return digest.hexdigest()

    def get(self, key: str) -> list[dict] | None:
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, list) or not all(isinstance(m, dict) for m in entry):
            return None
        return entry

    def put(self, key: str, messages: list[dict]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", dir=self.folder, suffix=".tmp", delete=False, encoding="utf-8"
            ) as entry:
                json.dump([{k: v for k, v in m.items() if k != "url"} for m in messages], entry)
            os.replace(entry.name, self.folder / f"{key}.json")
        except OSError:
            pass  # a cache that cannot be written only costs time


def checked_messages(
    command: list[str], files: list[str], jar: Path, cache_folder: Path | None
) -> list[dict]:
    """vnu's messages for `files`, in their order; those of files checked before from the cache."""
    if cache_folder is None:
        return vnu_messages(command, files)
    cache = MessageCache(cache_folder, command, jar)
    keys = {file: cache.key(Path(file)) for file in files}
    known = {file: cache.get(key) for file, key in keys.items()}
    unchecked = [file for file, messages in known.items() if messages is None]
    resolved = {file: Path(file).resolve() for file in files}
    by_file: dict[Path, list[dict]] = {resolved[file]: [] for file in unchecked}
    stray: list[dict] = []  # a message about no file given (vnu's own trouble): shown, never kept
    for message in vnu_messages(command, unchecked):
        by_file.get(message_path(message).resolve(), stray).append(message)
    messages = []
    for file in files:
        cached = known[file]
        if cached is None:
            messages += by_file[resolved[file]]
            if not stray:
                cache.put(keys[file], by_file[resolved[file]])
        else:
            url = resolved[file].as_uri()
            messages += [{**message, "url": url} for message in cached]
    return messages + stray


def check_validity(root: Path, jar: Path, cache: Path | None = None) -> Iterator[Finding]:
    """Run vnu on the HTML files of `root`, then on its CSS files; yield the errors.

    With `cache`, a folder, a file whose bytes were checked before is not checked again.
    """
    root = Path(root)
    command = vnu_command(jar)
    html = sorted(str(p) for p in root.rglob("*.html"))
    css = sorted(str(p) for p in root.rglob("*.css"))
    # Two runs: with --also-check-css, vnu 26.9 reports HTML errors a line too early.
    messages = checked_messages(command, html, jar, cache) + checked_messages(
        [*command, "--css"], css, jar, cache
    )
    for message in messages:
        if message.get("type") != "error" and message.get("subType") != "fatal":
            continue
        path = message_path(message)
        try:
            name = path.relative_to(root.resolve()).as_posix()
        except ValueError:
            name = str(path)
        yield Finding(
            name,
            message.get("lastLine", message.get("firstLine", 1)) or 1,
            "validity",
            message.get("message", "invalid"),
        )
