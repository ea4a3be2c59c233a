"""The deploy's settings: the one place that reads the environment for publishing."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping

from . import Server
from .remote import parse_target


def target_setting(settings: Mapping, environ: Mapping[str, str] = os.environ) -> str:
    """PUBLISH_TARGET: the environment variable wins over the settings file."""
    return environ.get("PUBLISH_TARGET") or settings.get("PUBLISH_TARGET", "")


def server_from(settings: Mapping, environ: Mapping[str, str] = os.environ) -> Server:
    """The server the production settings name; DeployError if none or malformed."""
    target = parse_target(target_setting(settings, environ))
    return Server(target, settings.get("PUBLISH_LIVE_LINK", "www"))


def check_url(settings: Mapping, environ: Mapping[str, str] = os.environ) -> str:
    """Where the post-switch check reads /version.txt."""
    return environ.get("PUBLISH_CHECK_URL") or settings.get("SITEURL", "")


def owner() -> str:
    """Who holds the lock: user, machine and process."""
    return f"{getpass.getuser()}@{socket.gethostname()} (pid {os.getpid()})"
