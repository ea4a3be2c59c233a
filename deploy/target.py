"""Where releases go: PUBLISH_TARGET, parsed strictly before anything connects."""

from __future__ import annotations

import re
from dataclasses import dataclass


class DeployError(Exception):
    """A deploy step that failed; the message says what to do."""


# Letters, digits, `._-` in each folder name: nothing a remote shell could expand.
SEGMENT = r"[A-Za-z0-9._-]+"
BASE_RE = re.compile(rf"(?:/{SEGMENT})+/?")
# A user and a host (or an ssh_config alias) that cannot be read as an ssh option.
USER = r"[A-Za-z0-9_][A-Za-z0-9._-]*"
HOST = r"[A-Za-z0-9_][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\]"
SCP_RE = re.compile(rf"(?:(?P<user>{USER})@)?(?P<host>{HOST}):(?P<base>/.*)")
URL_RE = re.compile(
    rf"(?P<scheme>ssh|sftp)://(?:(?P<user>{USER})@)?(?P<host>{HOST})(?::(?P<port>\d{{1,5}}))?"
    r"(?P<base>/.*)"
)
TRANSPORTS = ("ssh", "sftp")
FORMS = (
    "[user@]host:/absolute/base/folder, ssh://[user@]host[:port]/absolute/base/folder "
    "or sftp://[user@]host[:port]/absolute/base/folder, the folder made of letters, "
    "digits and ._- (never / itself)"
)


@dataclass(frozen=True)
class Target:
    """A server's `[user@]host`, an optional port, the base folder and the transport."""

    host: str
    base: str
    port: int | None = None
    transport: str = "ssh"

    def __str__(self) -> str:
        if self.transport == "sftp" or self.port:
            port = f":{self.port}" if self.port else ""
            return f"{self.transport}://{self.host}{port}{self.base}"
        return f"{self.host}:{self.base}"


def parse_target(value: str) -> Target:
    """Parse PUBLISH_TARGET; DeployError, naming the setting and the forms, if it is not one."""
    value = (value or "").strip()
    if not value:
        raise DeployError(
            f"PUBLISH_TARGET is not set: set it in publishconf.py or in the environment, as {FORMS}"
        )
    match = URL_RE.fullmatch(value) or SCP_RE.fullmatch(value)
    if match is None:
        raise DeployError(f"PUBLISH_TARGET {value!r} is not one of: {FORMS}")
    groups = match.groupdict()
    base = groups["base"]
    segments = base.strip("/").split("/")
    if not BASE_RE.fullmatch(base) or any(s in (".", "..") for s in segments):
        raise DeployError(
            f"PUBLISH_TARGET {value!r}: the base folder {base!r} must be an absolute path of "
            "letters, digits and ._- (no . or .. and never / itself), as in "
            "/home/cimw/site"
        )
    port = int(groups["port"]) if groups.get("port") else None
    if port is not None and not 1 <= port <= 65535:
        raise DeployError(f"PUBLISH_TARGET {value!r}: the port must be from 1 to 65535")
    host = f"{groups['user']}@{groups['host']}" if groups["user"] else groups["host"]
    return Target(host, base.rstrip("/"), port, groups.get("scheme") or "ssh")
