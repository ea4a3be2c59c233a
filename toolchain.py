"""The tools each task needs, and how they are installed: every task gets only what it uses.

- `build`, `serve`, `new-faq`, `clean`: the runtime Python packages only
  (`./run` is `uv run --no-dev`), nothing from apt, no server.
- `check`: what its rules run. Each rule declares its tools in the gate's
  table (`sitecheck.RULES`), read here into `RULE_TOOLS` (and
  `RULE_NODE_FILES` for what npm installs); `--rules` installs, or asks for,
  only those.
- `publish`: check's tools for every rule, then git, rsync and an ssh client.
- `test`: everything: the servers and browsers the tests start themselves,
  and the dev group of Python packages (`dev_python`).

A tool is a command on the PATH or a file, with the Debian package that
installs it. The Node tools (the Nu HTML Checker, axe-core) are pinned in
package-lock.json and installed with `npm ci`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from project import AXE_JS, ROOT, VNU_JAR
from sitecheck import RULES

# Where npm installs each Node package that a rule of the gate or a test needs.
NODE_FILES: dict[str, Path] = {"vnu-jar": VNU_JAR, "axe-core": AXE_JS}
# What each rule of the quality gate runs, as the gate's table declares it (a
# rule that runs only Python has no entry): command or file -> Debian package.
RULE_TOOLS: dict[str, dict[str, str]] = {
    name: dict(rule.tools) for name, rule in RULES.items() if rule.tools
}
# What each rule needs from package-lock.json.
RULE_NODE_FILES: dict[str, tuple[Path, ...]] = {
    name: tuple(NODE_FILES[package] for package in rule.node_packages)
    for name, rule in RULES.items()
    if rule.node_packages
}
# What `publish` runs after the gate: git (only committed sources are
# published), and the upload over SSH.
PUBLISH_TOOLS = {"git": "git", "ssh": "openssh-client"}
# What each deploy transport runs beside ssh: rsync copies over a shell account;
# an SFTP-only account is reached with ssh's own sftp subsystem.
TRANSPORT_TOOLS: dict[str, dict[str, str]] = {"ssh": {"rsync": "rsync"}, "sftp": {}}
# What only the tests run: the servers and browsers they start, and their helpers.
TEST_TOOLS = {
    "ssh-keygen": "openssh-client",
    "/usr/sbin/sshd": "openssh-server",
    "/usr/sbin/apache2": "apache2",
    "openssl": "openssl",
    "brotli": "brotli",
    "chromium": "chromium",
    "firefox-esr": "firefox-esr",
    "w3m": "w3m",
}
TEST_NODE_FILES = (NODE_FILES["axe-core"],)
NPM = {"npm": "npm"}


def check_tools(rules: Iterable[str]) -> dict[str, str]:
    """The system tools of the quality gate's `rules`."""
    return {tool: package for rule in rules for tool, package in RULE_TOOLS.get(rule, {}).items()}


def check_node_files(rules: Iterable[str]) -> tuple[Path, ...]:
    return tuple(path for rule in rules for path in RULE_NODE_FILES.get(rule, ()))


ALL_RULE_TOOLS = check_tools(RULE_TOOLS)
ALL_RULE_NODE_FILES = check_node_files(RULE_NODE_FILES)
# Everything: what `invoke tools` and `invoke test` install.
SYSTEM_TOOLS: dict[str, str] = {
    **ALL_RULE_TOOLS,
    **PUBLISH_TOOLS,
    **{tool: package for tools in TRANSPORT_TOOLS.values() for tool, package in tools.items()},
    **TEST_TOOLS,
    **NPM,
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


def install_system_tools(
    tools: Mapping[str, str] = SYSTEM_TOOLS, as_root: bool | None = None
) -> None:
    """Install the missing tools with apt-get as root; otherwise say the command."""
    missing = missing_tools(tools)
    if not missing:
        return
    command = apt_install_command(missing.values())
    if not (os.geteuid() == 0 if as_root is None else as_root):
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


def install_node_tools(files: Iterable[Path] = (VNU_JAR, AXE_JS)) -> None:
    """Install the Node tools pinned in package-lock.json if any of `files` is missing."""
    if all(Path(path).is_file() for path in files):
        return
    if not installed("npm"):
        raise ToolsMissing("npm is needed to install the Node tools: apt-get install npm")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


def ensure(tools: Mapping[str, str], node_files: Iterable[Path] = ()) -> None:
    """Make sure `tools` and the Node tools `node_files` are there, installing what can be."""
    node_files = tuple(node_files)
    needs_npm = not all(path.is_file() for path in node_files)
    install_system_tools({**tools, **(NPM if needs_npm else {})})
    install_node_tools(node_files)


def ensure_check_tools(rules: Iterable[str]) -> None:
    """The tools of the quality gate's `rules`, and nothing else."""
    rules = tuple(rules)
    ensure(check_tools(rules), check_node_files(rules))


def publish_tools(transport: str) -> dict[str, str]:
    """Every rule's tools, for the gate, then git, ssh and the transport's own, for the upload."""
    return {**ALL_RULE_TOOLS, **PUBLISH_TOOLS, **TRANSPORT_TOOLS[transport]}


def ensure_publish_tools(transport: str) -> None:
    """The tools of a publish through `transport` ("ssh" or "sftp")."""
    ensure(publish_tools(transport), ALL_RULE_NODE_FILES)


def ensure_test_tools() -> None:
    """Everything the tests run."""
    ensure(SYSTEM_TOOLS, (*ALL_RULE_NODE_FILES, *TEST_NODE_FILES))


def dev_python() -> list[str]:
    """The command of the project's Python with the dev group (the test libraries).

    `./run` starts every task without the dev group, so that building or
    serving never installs it; under uv, the tasks that need it run Python
    through `uv run --group dev`, which adds the group to the environment.
    """
    uv = os.environ.get("UV")
    if uv:
        return [uv, "run", "--project", str(ROOT), "--group", "dev", "python"]
    return [sys.executable]
