"""The server end of a deploy: the target, ssh and rsync commands, and their errors."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit

SSH_OPTIONS = [
    # Keys only, never a password prompt; the host key must already be known.
    "-o",
    "BatchMode=yes",
    "-o",
    "PreferredAuthentications=publickey",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "ConnectTimeout=15",
]
SSH_FAILED = 255


class DeployError(Exception):
    """A deploy step that failed; the message says what to do."""


@dataclass(frozen=True)
class Target:
    """Where releases go: `[user@]host`, an optional port, and the base folder."""

    host: str
    base: str
    port: int | None = None

    def __str__(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"{self.host}{port}:{self.base}"


TARGET_RE = re.compile(r"(?P<host>(?:[^@/:\s]+@)?[^@/:\s]+):(?P<base>/\S*)")


def parse_target(value: str) -> Target:
    """Parse `[user@]host:/abs/folder` or `ssh://user@host:port/abs/folder`."""
    value = (value or "").strip()
    if not value:
        raise DeployError(
            "PUBLISH_TARGET is not set: set it in publishconf.py or in the environment, "
            "as [user@]host:/absolute/base/folder or ssh://user@host:port/folder"
        )
    if value.startswith("ssh://"):
        parts = urlsplit(value)
        if not parts.hostname or not parts.path.startswith("/") or len(parts.path) < 2:
            raise DeployError(f"PUBLISH_TARGET {value!r}: expected ssh://user@host:port/folder")
        host = f"{parts.username}@{parts.hostname}" if parts.username else parts.hostname
        return Target(host, parts.path.rstrip("/") or "/", parts.port)
    match = TARGET_RE.fullmatch(value)
    if not match or match.group("base") == "/":
        raise DeployError(f"PUBLISH_TARGET {value!r}: expected [user@]host:/absolute/base/folder")
    return Target(match.group("host"), match.group("base").rstrip("/"))


def ssh_command(target: Target) -> list[str]:
    """The ssh command: PUBLISH_SSH (default `ssh`), then the safety options."""
    command = shlex.split(os.environ.get("PUBLISH_SSH", "ssh")) + SSH_OPTIONS
    if target.port:
        command += ["-p", str(target.port)]
    return command


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


def run_remote(
    target: Target, script: str, *args: str, check: bool = True, input_text: str | None = None
) -> subprocess.CompletedProcess:
    """Run a POSIX sh script on the server with positional arguments."""
    remote = f"sh -c {shlex.quote(script)} sh " + " ".join(shlex.quote(a) for a in args)
    result = subprocess.run(
        [*ssh_command(target), target.host, remote],
        capture_output=True,
        text=True,
        input=input_text,
        check=False,
    )
    if result.returncode == SSH_FAILED:
        raise DeployError(explain_ssh_failure(target, result.stderr))
    if check and result.returncode != 0:
        raise DeployError(f"on {target.host}: {result.stderr.strip() or result.stdout.strip()}")
    return result


def rsync_command(target: Target, source: str, destination: str, options: list[str]) -> list[str]:
    extra = shlex.split(os.environ.get("PUBLISH_RSYNC_OPTIONS", ""))
    return [
        "rsync",
        "-e",
        shlex.join(ssh_command(target)),
        *options,
        *extra,
        source,
        f"{target.host}:{destination}",
    ]
