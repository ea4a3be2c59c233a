"""The ssh+rsync transport: OpenSSH for every operation, rsync for the upload.

Each file operation is a one-line POSIX sh command run on the server with its
paths as positional arguments (never pasted into the command), over one
multiplexed OpenSSH connection (ControlMaster), so the many small steps of a
publish cost one login. The upload is rsync's: only changed files are sent,
the others are hard links to the live release (`--link-dest`).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from .target import DeployError, Target
from .transport import Kind, RemoteError, Upload

SSH_OPTIONS = (
    # Keys only, never a password prompt; the host key must already be known.
    "-o",
    "BatchMode=yes",
    "-o",
    "PreferredAuthentications=publickey",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "ConnectTimeout=15",
)
SSH_FAILED = 255
# How long the shared connection outlives its last use, should publish be killed.
CONTROL_PERSIST_SECONDS = 30
MISSING = 9
# rsync's line for each file it sends: a mark, what it did (%i) and the bytes sent (%b).
OUT_MARK = "cimw-sent"
OUT_FORMAT = f"{OUT_MARK} %i %b"

PREFLIGHT = r"""
command -v rsync >/dev/null 2>&1 || { echo "rsync is not installed" >&2; exit 3; }
command -v sha256sum >/dev/null 2>&1 || { echo "sha256sum is not installed" >&2; exit 4; }
"""
KIND = r"""
if [ -L "$1" ]; then echo link
elif [ -d "$1" ]; then echo dir
elif [ -e "$1" ]; then echo file
fi
"""
MAKE_DIR = r"""mkdir -- "$1" """
MAKE_DIRS = r"""mkdir -p -- "$1" """
READ = r"""if [ -f "$1" ]; then cat -- "$1"; else exit 9; fi"""
WRITE = r"""cat > "$1" """
APPEND = r"""cat >> "$1" """
LIST = r"""if [ -d "$1" ]; then ls -1A -- "$1"; fi"""
READ_LINK = r"""if [ -L "$1" ]; then readlink -- "$1"; else exit 9; fi"""
REMOVE = r"""rm -rf -- "$@" """
RENAME = r"""
if [ -e "$2" ] || [ -L "$2" ]; then echo "$2 already exists" >&2; exit 1; fi
mv -T -- "$1" "$2"
"""
SWITCH = r"""ln -sfn -- "$2" "$3" && mv -T -- "$3" "$1" """
CHECKSUMS = r"""cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum"""


def explain_ssh_failure(target: Target, stderr: str) -> str:
    """Turn ssh's complaint into what happened and what to do."""
    text = stderr.strip()
    if "REMOTE HOST IDENTIFICATION HAS CHANGED" in text:
        return (
            f"the host key of {target.host} has CHANGED since it was recorded: "
            "someone may be impersonating the server, or it was reinstalled. Check the "
            "new key with the host, then update known_hosts. Nothing was published."
        )
    if (
        "Host key verification failed" in text
        or "No ED25519 host key is known" in text
        or "host key is known" in text
    ):
        return (
            f"the host key of {target.host} is not in known_hosts: get its fingerprint "
            "from the host, check it, and add it (ssh-keyscan, then compare). "
            "Nothing was published."
        )
    if "Permission denied" in text:
        return (
            f"{target.host} refused the key: add your public key to the server's "
            "authorized_keys (key authentication only). Nothing was published."
        )
    if re.search(
        r"Could not resolve|Name or service not known|Connection refused|"
        r"timed out|No route to host|Network is unreachable|Connection closed",
        text,
    ):
        return f"cannot reach {target}: {text.splitlines()[-1]}. Nothing was published."
    return f"ssh to {target} failed: {text or 'no message'}"


def server_words(stderr: str) -> str:
    """The last line of a command's complaint: 'mkdir: cannot create …: Read-only file system'."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


class SshTransport:
    """File operations over OpenSSH (the PUBLISH_SSH command) and an rsync upload."""

    def __init__(
        self, target: Target, ssh: Sequence[str] = ("ssh",), rsync_options: Sequence[str] = ()
    ) -> None:
        self.target = target
        self.ssh = tuple(ssh)
        self.rsync_options = tuple(rsync_options)
        self._control: Path | None = None

    # -- the connection ------------------------------------------------------

    def ssh_command(self) -> list[str]:
        """The ssh command: PUBLISH_SSH, the safety options, the shared connection."""
        command = [*self.ssh, *SSH_OPTIONS]
        if self._control is not None:
            command += [
                "-o",
                "ControlMaster=auto",
                "-o",
                f"ControlPath={self._control / 'master'}",
                "-o",
                f"ControlPersist={CONTROL_PERSIST_SECONDS}",
            ]
        if self.target.port:
            command += ["-p", str(self.target.port)]
        return command

    def open(self) -> None:
        self._control = Path(tempfile.mkdtemp(prefix="cimw-ssh-"))
        result = self.run(PREFLIGHT, check=False)
        if result.returncode in (3, 4):
            tool = "rsync" if result.returncode == 3 else "sha256sum"
            self.close()
            raise DeployError(
                f"{tool} is not installed on {self.target.host}: ask the host to install it, "
                "or publish over SFTP (see the README). Nothing was published."
            )
        if result.returncode != 0:
            self.close()
            raise DeployError(f"on {self.target.host}: {server_words(result.stderr)}")

    def close(self) -> None:
        if self._control is None:
            return
        if (self._control / "master").exists():
            subprocess.run(
                [*self.ssh_command(), "-O", "exit", self.target.host],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self._control, ignore_errors=True)
        self._control = None

    def run(
        self, script: str, *args: str, check: bool = True, input_text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a POSIX sh script on the server with positional arguments."""
        remote = f"sh -c {shlex.quote(script)} sh " + " ".join(shlex.quote(a) for a in args)
        result = subprocess.run(
            [*self.ssh_command(), self.target.host, remote],
            capture_output=True,
            text=True,
            input=input_text,
            check=False,
        )
        if result.returncode == SSH_FAILED:
            raise DeployError(explain_ssh_failure(self.target, result.stderr))
        if check and result.returncode != 0:
            raise DeployError(f"on {self.target.host}: {server_words(result.stderr)}")
        return result

    def path(self, relative: str) -> str:
        return f"{self.target.base}/{relative}" if relative else self.target.base

    def operation(
        self, name: str, script: str, *paths: str, input_text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = self.run(script, *map(self.path, paths), check=False, input_text=input_text)
        if result.returncode not in (0, MISSING):
            raise RemoteError(name, self.path(paths[0]), server_words(result.stderr))
        return result

    # -- file operations -----------------------------------------------------

    def kind(self, path: str) -> Kind | None:
        found = self.operation("stat", KIND, path).stdout.strip()
        if found == "link":
            return "link"
        if found == "dir":
            return "dir"
        return "file" if found == "file" else None

    def make_dir(self, path: str, parents: bool = False) -> None:
        self.operation("mkdir", MAKE_DIRS if parents else MAKE_DIR, path)

    def read_text(self, path: str) -> str | None:
        result = self.operation("read", READ, path)
        return None if result.returncode == MISSING else result.stdout

    def write_text(self, path: str, text: str) -> None:
        self.operation("write", WRITE, path, input_text=text)

    def append_text(self, path: str, text: str) -> None:
        self.operation("append to", APPEND, path, input_text=text)

    def list_dir(self, path: str) -> list[str]:
        return [n for n in self.operation("list", LIST, path).stdout.splitlines() if n]

    def read_link(self, path: str) -> str | None:
        result = self.operation("readlink", READ_LINK, path)
        return None if result.returncode == MISSING else result.stdout.strip()

    def remove(self, paths: list[str]) -> None:
        if paths:
            self.operation("remove", REMOVE, *paths)

    def rename(self, source: str, destination: str) -> None:
        self.operation("rename", RENAME, source, destination)

    def switch_link(self, link: str, points_to: str, temporary: str) -> None:
        result = self.run(SWITCH, self.path(link), points_to, self.path(temporary), check=False)
        if result.returncode != 0:
            raise RemoteError("switch", self.path(link), server_words(result.stderr))

    # -- the release as a whole ----------------------------------------------

    def rsync_command(self, source: str, destination: str, options: Sequence[str]) -> list[str]:
        # -s (--protect-args): paths travel inside rsync's protocol, never
        # through the remote shell, whatever rsync's version or RSYNC_OLD_ARGS.
        return [
            "rsync",
            "-s",
            "-e",
            shlex.join(self.ssh_command()),
            *options,
            *self.rsync_options,
            source,
            f"{self.target.host}:{destination}",
        ]

    def preflight(self, scratch: str) -> None:
        """Nothing to try: open() found rsync, and `mv -T` switches atomically."""

    def upload(
        self,
        folder: Path,
        destination: str,
        reuse: str | None,
        checksums: dict[str, str],
        reused: dict[str, str] | None = None,
    ) -> Upload:
        del checksums, reused  # rsync compares the files with the live release itself
        options = [
            "--recursive",
            "--links",
            "--perms",
            "--chmod=D755,F644",
            "--checksum",
            "--delete",
            # One line per file sent, read here and never shown: the publish says
            # how many files and bytes went, not rsync's progress or statistics.
            f"--out-format={OUT_FORMAT}",
        ]
        # Pelican rewrites every mtime, so files are compared by checksum, and
        # times are not kept: a new mtime would stop rsync from linking a file.
        if reuse:
            options.append(f"--link-dest=../{PurePosixPath(reuse).name}")
        command = self.rsync_command(f"{folder}/", f"{self.path(destination)}/", options)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise DeployError(
                f"the upload did not finish ({server_words(result.stderr)}); the live site was "
                "not changed. Publish again to retry."
            )
        sent, bytes_sent = sent_files(result.stdout)
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        return Upload(sent, max(files - sent, 0) if reuse else 0, "", bytes_sent)

    def checksums(self, folder: str) -> dict[str, str]:
        result = self.run(CHECKSUMS, self.path(folder))
        found = {}
        for line in result.stdout.splitlines():
            digest, _, name = line.partition("  ")
            if name:
                found[name] = digest
        return found


def sent_files(out: str) -> tuple[int, int]:
    """The files rsync sent and their bytes, from its --out-format lines."""
    sent = bytes_sent = 0
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[0] == OUT_MARK and parts[1][:2] in ("<f", ">f"):
            sent += 1
            bytes_sent += int(parts[2]) if parts[2].isdigit() else 0
    return sent, bytes_sent
