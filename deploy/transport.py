"""What a way of reaching a host supplies to the release model: file operations.

Every path is relative to the target's base folder and written with `/`. The
release model (`deploy.releases`) names every file and folder; a transport
only carries out operations on them, so the model is written once for all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from .target import DeployError, Target

Kind = Literal["dir", "file", "link"]


class RemoteError(DeployError):
    """A file operation the server refused; `reason` is the server's own words."""

    def __init__(self, operation: str, path: str, reason: str) -> None:
        super().__init__(f"{operation} {path}: {reason}")
        self.operation = operation
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Upload:
    """What an upload did: files and bytes sent, files linked to the live release, and how."""

    sent: int
    linked: int
    note: str = ""
    bytes_sent: int = 0


class Transport(Protocol):
    """The file operations of one way of reaching a host (ssh+rsync, sftp)."""

    target: Target

    def open(self) -> None:
        """Connect and check that the server can take a release; DeployError says why not."""

    def close(self) -> None:
        """Disconnect."""

    def kind(self, path: str) -> Kind | None:
        """What `path` is, without following a symlink; None if there is nothing."""

    def make_dir(self, path: str, parents: bool = False) -> None:
        """Create a folder; without `parents` it must not exist (atomic: a lock)."""

    def read_text(self, path: str) -> str | None:
        """A file's text; None if there is no file."""

    def write_text(self, path: str, text: str) -> None:
        """Create or overwrite a file."""

    def append_text(self, path: str, text: str) -> None:
        """Add text at the end of a file, creating it if needed."""

    def list_dir(self, path: str) -> list[str]:
        """The names in a folder; empty if there is no folder."""

    def read_link(self, path: str) -> str | None:
        """Where a symlink points; None if `path` is not a symlink."""

    def remove(self, paths: list[str]) -> None:
        """Delete files and folders with everything in them."""

    def rename(self, source: str, destination: str) -> None:
        """Rename; fails if `destination` exists."""

    def switch_link(self, link: str, points_to: str, temporary: str) -> None:
        """Make `link` point to `points_to` in one atomic step (via `temporary`)."""

    def preflight(self, scratch: str) -> None:
        """Check, in the folder `scratch`, what the switch needs; DeployError if missing."""

    def upload(
        self,
        folder: Path,
        destination: str,
        reuse: str | None,
        checksums: dict[str, str],
        reused: dict[str, str] | None = None,
    ) -> Upload:
        """Copy `folder` into `destination`; files equal to `reuse`'s (`reused`) may be linked."""

    def checksums(self, folder: str) -> dict[str, str]:
        """SHA-256 of every file under `folder`, keyed './relative/path'."""
