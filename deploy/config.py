"""The deploy's settings: the one place that reads the environment for publishing.

Everything else in `deploy` takes these values as arguments.
"""

from __future__ import annotations

import getpass
import os
import re
import shlex
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import project  # noqa: F401  (puts the site plugin, whose model this reads, on the path)
from cimw.facts import Unconfirmed

from .releases import Log, Releases, say
from .sftp import SftpTransport
from .ssh import SshTransport
from .target import DeployError, Target, parse_target
from .transport import Transport

# The production build and the publish lock of a checkout, beside its settings file.
BUILD_FOLDER = "publish-build"
LIVE_LINK_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
CHECK_URL_RE = re.compile(r"https?://[^\s/?#]+(?:/[^\s?#]*)?")


@dataclass(frozen=True)
class DeployConfig:
    """Where and how to publish, from the production settings and the environment."""

    target: Target
    live_link: str = "www"
    ssh: tuple[str, ...] = ("ssh",)
    rsync_options: tuple[str, ...] = ()
    check_url: str = ""
    keep: int = 5


def deploy_config(
    settings: Mapping[str, Any], environ: Mapping[str, str] = os.environ
) -> DeployConfig:
    """Read and check every publishing setting; DeployError names a bad one."""
    target = parse_target(environ.get("PUBLISH_TARGET") or settings.get("PUBLISH_TARGET", ""))
    live_link = environ.get("PUBLISH_LIVE_LINK") or settings.get("PUBLISH_LIVE_LINK", "www")
    if not LIVE_LINK_RE.fullmatch(live_link) or live_link in ("releases", "releases.log"):
        raise DeployError(
            f"PUBLISH_LIVE_LINK {live_link!r}: expected a plain name of letters, digits and ._- "
            "(the docroot symlink in the base folder), like www"
        )
    keep = settings.get("PUBLISH_KEEP_RELEASES", 5)
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
        raise DeployError(f"PUBLISH_KEEP_RELEASES must be a whole number from 1, got {keep!r}")
    try:
        ssh = tuple(shlex.split(environ.get("PUBLISH_SSH") or "ssh"))
        rsync_options = tuple(shlex.split(environ.get("PUBLISH_RSYNC_OPTIONS", "")))
    except ValueError as error:
        raise DeployError(
            f"PUBLISH_SSH or PUBLISH_RSYNC_OPTIONS cannot be split: {error}"
        ) from None
    return DeployConfig(
        target, live_link, ssh, rsync_options, check_url_of(settings, environ), keep
    )


def check_url_of(settings: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """Where the post-switch check asks for version.txt: the environment, the setting, the site.

    An empty PUBLISH_CHECK_URL (in the environment or the settings) turns the check off.
    """
    if "PUBLISH_CHECK_URL" in environ:
        url, where = environ["PUBLISH_CHECK_URL"], "PUBLISH_CHECK_URL in the environment"
    elif "PUBLISH_CHECK_URL" in settings:
        url, where = settings["PUBLISH_CHECK_URL"], "PUBLISH_CHECK_URL"
    else:
        url, where = settings.get("SITE_PUBLIC_URL", ""), "SITE_PUBLIC_URL"
    if isinstance(url, Unconfirmed):
        raise DeployError(
            f"{where} is still unconfirmed: set the site's public address in pelicanconf.py "
            "before publishing"
        )
    if not isinstance(url, str) or (url and not CHECK_URL_RE.fullmatch(url)):
        raise DeployError(
            f"{where} {url!r}: expected the site's public address, like https://www.cimw.fr "
            "(or an empty string to skip the check after the switch)"
        )
    return url


def transport_for(config: DeployConfig, non_atomic: bool = False, log: Log = say) -> Transport:
    """The transport PUBLISH_TARGET's form asks for: sftp:// or ssh+rsync."""
    if config.target.transport == "sftp":
        return SftpTransport(config.target, config.ssh, non_atomic, log)
    return SshTransport(config.target, config.ssh, config.rsync_options)


def releases_for(config: DeployConfig, non_atomic: bool = False, log: Log = say) -> Releases:
    return Releases(transport_for(config, non_atomic, log), config.live_link, log)


def owner() -> str:
    """Who holds the lock: user, machine and process."""
    return f"{getpass.getuser()}@{socket.gethostname()} (pid {os.getpid()})"
