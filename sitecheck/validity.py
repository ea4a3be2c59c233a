"""HTML validity with the Nu HTML Checker (vnu.jar, from the npm package vnu-jar)."""

from __future__ import annotations

import json
import shutil
import subprocess
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


def check_validity(root: Path, jar: Path) -> Iterator[Finding]:
    """Run vnu on the HTML files of `root`, then on its CSS files; yield the errors."""
    root = Path(root)
    command = vnu_command(jar)
    html = sorted(str(p) for p in root.rglob("*.html"))
    css = sorted(str(p) for p in root.rglob("*.css"))
    # Two runs: with --also-check-css, vnu 26.9 reports HTML errors a line too early.
    messages = vnu_messages(command, html) + vnu_messages([*command, "--css"], css)
    for message in messages:
        if message.get("type") != "error" and message.get("subType") != "fatal":
            continue
        path = Path(unquote(urlsplit(message.get("url", "")).path))
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
