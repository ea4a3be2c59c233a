"""The system tools the checks and tests run, and how they are installed.

Each tool is a command on the PATH or a file a Debian package installs. The
Node tools (the Nu HTML Checker, axe-core) are pinned in package-lock.json.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from project import AXE_JS, ROOT, VNU_JAR

# The Debian package of each tool the checks and tests run.
SYSTEM_TOOLS: dict[str, str] = {
    "hunspell": "hunspell",
    "/usr/share/hunspell/fr_FR.dic": "hunspell-fr",
    "/usr/lib/python3/dist-packages/grammalecte/__init__.py": "python3-grammalecte",
    "java": "default-jre-headless",
    "npm": "npm",
    "ssh": "openssh-client",
    "/usr/sbin/sshd": "openssh-server",
    "rsync": "rsync",
    "git": "git",
    "/usr/sbin/apache2": "apache2",
    "brotli": "brotli",
    "openssl": "openssl",
    "chromium": "chromium",
    "chromedriver": "chromium-driver",
    "firefox-esr": "firefox-esr",
    "w3m": "w3m",
}


class ToolsMissing(Exception):
    """Tools are missing and cannot be installed here; the message says how."""


def installed(tool: str) -> bool:
    return Path(tool).is_file() if tool.startswith("/") else shutil.which(tool) is not None


def missing_tools(tools: Mapping[str, str]) -> dict[str, str]:
    """Return the tools (command or file: Debian package) that are not installed."""
    return {tool: package for tool, package in tools.items() if not installed(tool)}


def apt_install_command(packages: Iterable[str]) -> list[str]:
    return ["apt-get", "install", "-y", "--no-install-recommends", *sorted(set(packages))]


def install_system_tools(tools: Mapping[str, str] = SYSTEM_TOOLS) -> None:
    """Install the missing tools with apt-get as root; otherwise say the command."""
    missing = missing_tools(tools)
    if not missing:
        return
    command = apt_install_command(missing.values())
    if os.geteuid() != 0:
        raise ToolsMissing(
            f"Missing tools: {', '.join(missing)}. Install them with:\n  sudo {shlex.join(command)}"
        )
    print(f"Installing {', '.join(sorted(set(missing.values())))}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(command, check=True, env=env)
    still_missing = missing_tools(tools)
    if still_missing:
        raise ToolsMissing(f"Still missing after installing: {', '.join(still_missing)}")


def install_node_tools() -> None:
    """Install the Node tools pinned in package-lock.json (Nu HTML Checker, axe-core)."""
    if not (VNU_JAR.is_file() and AXE_JS.is_file()):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
