"""What a production build is built from: a clean export of the commit, or the work tree.

`publish` builds `git archive HEAD`, extracted into a temporary folder, so
nothing untracked, ignored or modified in the work tree can reach a release.
`--allow-dirty` builds the work tree as it is, and the version says `-dirty`.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .target import DeployError

# How many uncommitted paths a note names before it only counts them.
SHOWN = 5


@dataclass(frozen=True)
class Sources:
    """Where a build reads from, its settings file there, and the commit it stands for."""

    folder: Path
    settings_file: Path
    commit: str
    # Uncommitted paths of the work tree that the build leaves out.
    left_out: tuple[str, ...] = ()


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)


def git_text(folder: Path, *args: str) -> str | None:
    """A git command's output, or None when it fails."""
    result = git(folder, *args)
    return result.stdout.decode("utf-8", "replace").strip() if result.returncode == 0 else None


def repository_of(folder: Path) -> Path | None:
    top = git_text(folder, "rev-parse", "--show-toplevel")
    return Path(top).resolve() if top else None


def uncommitted(top: Path) -> tuple[str, ...]:
    """Modified, staged and untracked paths of the work tree (not the ignored ones)."""
    status = git(top, "status", "--porcelain", "-z", "--untracked-files=all")
    entries = status.stdout.decode("utf-8", "replace").split("\0")
    # A rename's entry is followed by its old name, which has no status of its own.
    return tuple(e[3:] for e in entries if len(e) > 3 and e[2] == " ")


def describe_paths(paths: tuple[str, ...]) -> str:
    shown = ", ".join(paths[:SHOWN])
    return shown + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")


def committed_settings(settings_file: Path) -> tuple[Path, str, str]:
    """The repository, the settings file's path in it and HEAD; DeployError says what is off."""
    top = repository_of(settings_file.parent)
    if top is None:
        raise DeployError(
            f"{settings_file.parent} is not in a git repository: publish builds a commit. "
            "Commit the site, or pass --allow-dirty to publish the files as they are."
        )
    if not settings_file.is_relative_to(top):
        raise DeployError(
            f"{settings_file}: outside the repository {top}, so not committed. Move it into "
            "the repository and commit it, or pass --allow-dirty."
        )
    commit = git_text(top, "rev-parse", "--verify", "HEAD^{commit}")
    if commit is None:
        raise DeployError(f"the repository {top} has no commit yet: commit the site first.")
    relative = settings_file.relative_to(top).as_posix()
    if git(top, "cat-file", "-e", f"HEAD:{relative}").returncode != 0:
        raise DeployError(
            f"{relative} is not in the commit {commit[:12]}: commit it, or pass --allow-dirty."
        )
    return top, relative, commit


def export_commit(top: Path, commit: str, folder: Path) -> None:
    """Extract the files of `commit` into `folder`."""
    archive = git(top, "archive", "--format=tar", commit)
    if archive.returncode != 0:
        words = archive.stderr.decode("utf-8", "replace").strip()
        raise DeployError(f"git archive of {commit[:12]} failed in {top}: {words}")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="tar")
    except (tarfile.TarError, OSError) as error:
        raise DeployError(f"the files of {commit[:12]} cannot be extracted: {error}") from None


@contextmanager
def build_sources(settings_file: Path, allow_dirty: bool = False) -> Iterator[Sources]:
    """The sources of a production build, for as long as the build needs them."""
    if allow_dirty:
        top = repository_of(settings_file.parent)
        head = git_text(top, "rev-parse", "--verify", "HEAD^{commit}") if top else None
        folder = top or settings_file.parent
        yield Sources(folder, settings_file, f"{head or 'uncommitted'}-dirty")
        return
    top, relative, commit = committed_settings(settings_file)
    with tempfile.TemporaryDirectory(prefix="cimw-publish-") as temporary:
        folder = Path(temporary) / "source"
        export_commit(top, commit, folder)
        yield Sources(folder, folder / relative, commit, uncommitted(top))
