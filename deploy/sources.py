"""Which commit a production build comes from: publish builds committed sources only."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .target import DeployError

# Files git ignores that a build never reads.
HARMLESS = ("__pycache__", ".pyc")


def source_paths(settings: Mapping[str, Any], settings_file: Path) -> list[Path]:
    """What the build reads: the settings, the content, the theme and the plugins."""
    folder = settings_file.parent
    paths = [settings_file, *(folder / n for n in ("pelicanconf.py", "publishconf.py"))]
    paths += [Path(settings["PATH"]), Path(settings["THEME"])]
    paths += [Path(p) for p in settings.get("PLUGIN_PATHS", [])]
    resolved: list[Path] = []
    for path in paths:
        path = (folder / path).resolve() if not path.is_absolute() else path.resolve()
        if path.exists() and path not in resolved:
            resolved.append(path)
    return resolved


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
    )


def uncommitted(top: Path, paths: Iterable[Path]) -> list[str]:
    """Changed, new or ignored files under `paths`, as `git status` names them."""
    relative = [str(p.relative_to(top)) or "." for p in paths]
    status = git(
        top, "status", "--porcelain", "--untracked-files=all", "--ignored=matching", "--", *relative
    )
    if status.returncode != 0:
        raise DeployError(f"git status failed in {top}: {status.stderr.strip()}")
    entries = [line[3:] for line in status.stdout.splitlines() if len(line) > 3]
    return [e for e in entries if not any(h in e for h in HARMLESS)]


def committed_state(paths: list[Path], folder: Path, allow_dirty: bool) -> str:
    """The commit the sources are at ('-dirty' when allowed to differ); DeployError otherwise."""
    found = git(folder, "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        if allow_dirty:
            return "uncommitted"
        raise DeployError(
            f"{folder} is not in a git repository: publish builds committed sources only. "
            "Commit them, or pass --allow-dirty to publish them as they are."
        )
    top = Path(found.stdout.strip()).resolve()
    outside = [p for p in paths if not p.is_relative_to(top)]
    if outside and not allow_dirty:
        raise DeployError(
            f"{', '.join(map(str, outside))}: outside the repository {top}, so not committed. "
            "Move it into the repository, or pass --allow-dirty."
        )
    changes = uncommitted(top, [p for p in paths if p.is_relative_to(top)])
    head = git(top, "rev-parse", "HEAD")
    if head.returncode != 0:
        if allow_dirty:
            return "uncommitted"
        raise DeployError(f"the repository {top} has no commit yet: commit the site first.")
    if changes and not allow_dirty:
        shown = ", ".join(changes[:10]) + (
            f" and {len(changes) - 10} more" if len(changes) > 10 else ""
        )
        raise DeployError(
            f"uncommitted changes in the site's sources: {shown}. Publish builds committed "
            "sources only: commit them (or stash them), or pass --allow-dirty."
        )
    commit = head.stdout.strip()
    return f"{commit}-dirty" if changes or outside else commit
