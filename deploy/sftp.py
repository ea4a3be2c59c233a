"""The SFTP transport, for hosting that offers SFTP and no shell: no remote command runs.

OpenSSH's own `ssh` (the PUBLISH_SSH command, with its -F, -i and -o options
and the same host-key and key-only rules as the ssh+rsync transport) opens the
server's `sftp` subsystem, and paramiko's SFTP client speaks the protocol over
that pipe (paramiko supports a plain socket in place of its own SSH channel).
So one ssh configuration serves both transports, and ssh's errors read the same.

The OpenSSH extensions it relies on: `posix-rename@openssh.com` to replace the
live symlink atomically, and `hardlink@openssh.com` to link unchanged files to
the live release (paramiko has no method for it: one extended request, hence
the upper bound on paramiko).
"""

from __future__ import annotations

import hashlib
import select
import socket
import stat
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

import paramiko
from paramiko.sftp import CMD_EXTENDED

from .releases import say
from .ssh import SSH_OPTIONS, explain_ssh_failure
from .target import DeployError, Target
from .transport import Kind, RemoteError, Upload

HARDLINK = "hardlink@openssh.com"
POSIX_RENAME = "posix-rename@openssh.com"
NOT_ATOMIC_HELP = (
    "see the README (Publishing, SFTP-only hosting): ask the host for an OpenSSH SFTP "
    "server, or pass --non-atomic to accept a switch that is not atomic"
)


class SshPipe(socket.socket):
    """Our end of the pipe to `ssh -s HOST sftp`, named as paramiko names a channel in its log."""

    def get_name(self) -> str:
        return "ssh"

    def recv_ready(self) -> bool:
        """Whether a reply is waiting, as paramiko asks a channel while it writes."""
        return bool(select.select([self], [], [], 0)[0])


def reason(error: BaseException) -> str:
    return str(error.args[-1] if error.args else error) or type(error).__name__


class SftpTransport:
    """File operations over SFTP; the upload sends changed files and hard-links the rest."""

    def __init__(
        self,
        target: Target,
        ssh: Sequence[str] = ("ssh",),
        non_atomic: bool = False,
        log: Callable[[str], None] = say,
    ) -> None:
        self.target = target
        self.ssh = tuple(ssh)
        self.non_atomic = non_atomic
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None
        self._client: paramiko.SFTPClient | None = None

    # -- the connection ------------------------------------------------------

    def open(self) -> None:
        pair, theirs = socket.socketpair()
        ours = SshPipe(fileno=pair.detach())
        port = ["-p", str(self.target.port)] if self.target.port else []
        self._process = subprocess.Popen(
            [*self.ssh, *SSH_OPTIONS, *port, "-s", self.target.host, "sftp"],
            stdin=theirs.fileno(),
            stdout=theirs.fileno(),
            stderr=subprocess.PIPE,
        )
        theirs.close()
        try:
            # paramiko's SFTP client takes any socket-like pipe, not only its own Channel.
            self._client = paramiko.SFTPClient(ours)  # type: ignore[arg-type]
        except (paramiko.SSHException, EOFError, OSError):
            ours.close()
            stderr = b""
            if self._process.stderr is not None:
                stderr = self._process.stderr.read()
            self._process.wait(timeout=30)
            self._process = None
            raise DeployError(
                explain_ssh_failure(self.target, stderr.decode("utf-8", "replace"))
            ) from None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._process is not None:
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stderr is not None:
                self._process.stderr.close()
            self._process = None

    @property
    def sftp(self) -> paramiko.SFTPClient:
        if self._client is None:
            raise DeployError("the SFTP connection is not open")
        return self._client

    def path(self, relative: str) -> str:
        return f"{self.target.base}/{relative}" if relative else self.target.base

    # -- file operations -----------------------------------------------------

    def kind(self, path: str) -> Kind | None:
        try:
            mode = self.sftp.lstat(self.path(path)).st_mode or 0
        except FileNotFoundError:
            return None
        except OSError as error:
            raise RemoteError("stat", self.path(path), reason(error)) from None
        if stat.S_ISLNK(mode):
            return "link"
        return "dir" if stat.S_ISDIR(mode) else "file"

    def make_dir(self, path: str, parents: bool = False) -> None:
        full = self.path(path)
        folders = [full]
        if parents:
            parts = PurePosixPath(full).parts
            folders = [str(PurePosixPath(*parts[: i + 1])) for i in range(1, len(parts))]
        for folder in folders:
            if parents:
                try:
                    self.sftp.stat(folder)
                    continue
                except FileNotFoundError:
                    pass
                except OSError as error:
                    raise RemoteError("mkdir", folder, reason(error)) from None
            try:
                self.sftp.mkdir(folder, 0o755)
            except OSError as error:
                raise RemoteError("mkdir", folder, reason(error)) from None

    def read_text(self, path: str) -> str | None:
        try:
            with self.sftp.open(self.path(path), "r") as remote:
                data: bytes = remote.read()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise RemoteError("read", self.path(path), reason(error)) from None
        return data.decode("utf-8", "replace")

    def write_bytes(self, path: str, data: bytes, mode: str = "w") -> None:
        try:
            with self.sftp.open(self.path(path), mode) as remote:
                remote.write(data)
        except OSError as error:
            raise RemoteError("write", self.path(path), reason(error)) from None

    def write_text(self, path: str, text: str) -> None:
        self.write_bytes(path, text.encode("utf-8"))

    def append_text(self, path: str, text: str) -> None:
        self.write_bytes(path, text.encode("utf-8"), "a")

    def list_dir(self, path: str) -> list[str]:
        try:
            return sorted(self.sftp.listdir(self.path(path)))
        except FileNotFoundError:
            return []
        except OSError as error:
            raise RemoteError("list", self.path(path), reason(error)) from None

    def read_link(self, path: str) -> str | None:
        if self.kind(path) != "link":
            return None
        target = self.sftp.readlink(self.path(path))
        return str(target) if target is not None else None

    def remove(self, paths: list[str]) -> None:
        for path in paths:
            self.remove_tree(self.path(path))

    def remove_tree(self, full: str) -> None:
        try:
            mode = self.sftp.lstat(full).st_mode or 0
            if stat.S_ISDIR(mode):
                for entry in self.sftp.listdir(full):
                    self.remove_tree(f"{full}/{entry}")
                self.sftp.rmdir(full)
            else:
                self.sftp.remove(full)
        except FileNotFoundError:
            return
        except OSError as error:
            raise RemoteError("remove", full, reason(error)) from None

    def rename(self, source: str, destination: str) -> None:
        if self.kind(destination) is not None:
            raise RemoteError("rename", self.path(destination), "already exists")
        try:
            self.sftp.rename(self.path(source), self.path(destination))
        except OSError as error:
            raise RemoteError("rename", self.path(source), reason(error)) from None

    def switch_link(self, link: str, points_to: str, temporary: str) -> None:
        self.remove([temporary])
        try:
            self.sftp.symlink(points_to, self.path(temporary))
        except OSError as error:
            raise DeployError(
                f"the server cannot make a symlink ({reason(error)}): the live folder is "
                f"switched by a symlink; {NOT_ATOMIC_HELP}."
            ) from None
        try:
            self.sftp.posix_rename(self.path(temporary), self.path(link))
        except OSError as error:
            if not self.non_atomic:
                self.remove([temporary])
                raise DeployError(
                    f"the server's SFTP does not offer an atomic rename ({POSIX_RENAME}: "
                    f"{reason(error)}), so the live symlink cannot be switched in one step; "
                    f"{NOT_ATOMIC_HELP}. The live site was not changed."
                ) from None
            # --non-atomic: remove the old link and rename the new one in its place,
            # back to back; visitors may get an error for that moment.
            self.remove([link])
            self.sftp.rename(self.path(temporary), self.path(link))
            self.log("The switch was not atomic (--non-atomic): the live link was replaced.")

    def preflight(self, scratch: str) -> None:
        """Try a symlink and an atomic rename in `scratch` before anything is uploaded."""
        first, second = f"{scratch}/probe-link", f"{scratch}/probe-renamed"
        try:
            if self.non_atomic:
                self.sftp.symlink(".", self.path(first))
            else:
                self.switch_link(second, ".", first)
        except OSError as error:
            raise DeployError(
                f"the server cannot make a symlink ({reason(error)}): the live folder is "
                f"switched by a symlink; {NOT_ATOMIC_HELP}."
            ) from None
        finally:
            self.remove([first, second])

    # -- the release as a whole ----------------------------------------------

    def hardlink(self, source: str, destination: str) -> None:
        # paramiko has no method for OpenSSH's hard-link extension.
        self.sftp._request(CMD_EXTENDED, HARDLINK, source, destination)  # type: ignore[attr-defined]

    def upload(
        self,
        folder: Path,
        destination: str,
        reuse: str | None,
        checksums: dict[str, str],
        reused: dict[str, str] | None = None,
    ) -> Upload:
        base = self.path(destination)
        self.make_dir(destination, parents=True)
        can_link = bool(reuse and reused)
        sent = linked = bytes_sent = 0
        files = sorted(p for p in folder.rglob("*") if p.is_file() or p.is_dir())
        for local in files:
            relative = local.relative_to(folder).as_posix()
            remote = f"{base}/{relative}"
            if local.is_dir():
                self.sftp.mkdir(remote, 0o755)
                continue
            name = f"./{relative}"
            if can_link and reused and name in checksums and reused.get(name) == checksums[name]:
                try:
                    self.hardlink(self.path(f"{reuse}/{relative}"), remote)
                    linked += 1
                    continue
                except OSError as error:
                    can_link = False
                    self.log(f"The server made no hard link ({reason(error)}): uploading.")
            try:
                self.sftp.put(str(local), remote)
                self.sftp.chmod(remote, 0o644)
            except OSError as error:
                raise DeployError(
                    f"the upload of {relative} failed ({reason(error)}); the live site was not "
                    "changed. Publish again to retry."
                ) from None
            sent += 1
            bytes_sent += local.stat().st_size
        note = ""
        if reuse and not linked:
            note = "the server offers no hard links: unchanged files were uploaded too"
        return Upload(sent, linked, note, bytes_sent)

    def checksums(self, folder: str) -> dict[str, str]:
        """Read every file back and hash it (the site is small; SFTP has no checksum request)."""
        found: dict[str, str] = {}
        root = self.path(folder)

        def walk(full: str, relative: str) -> None:
            for entry in self.sftp.listdir_attr(full):
                child, name = f"{full}/{entry.filename}", f"{relative}/{entry.filename}"
                if stat.S_ISDIR(entry.st_mode or 0):
                    walk(child, name)
                elif stat.S_ISREG(entry.st_mode or 0):
                    digest = hashlib.sha256()
                    with self.sftp.open(child, "r") as remote:
                        remote.prefetch()
                        digest.update(remote.read())
                    found[name] = digest.hexdigest()

        walk(root, ".")
        return found
