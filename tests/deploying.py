"""A deploy environment for the tests: a copy of the site, a real sshd, a server folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from conftest import FILLED_LEGAL, REPO, run_invoke
from servers import world_readable_dir


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (symlinks followed at the top) and its SHA-256."""
    folder = folder.resolve()
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class DeployEnv:
    """The site's content copied to `root`, publishing to a folder through `sshd`."""

    def __init__(self, sshd, root: Path):
        self.sshd = sshd
        self.root = root
        self.content = root / "content"
        shutil.copytree(REPO / "content", self.content)
        self.server = world_readable_dir("cimw-server-")
        self.base = self.server / "site"
        self.output = root / "output"
        self.settings = root / "publish_settings.py"
        legal = "".join(f"{key} = {value!r}\n" for key, value in FILLED_LEGAL.items())
        self.settings.write_text(
            f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom publishconf import *\n"
            f"PATH = {str(self.content)!r}\nOUTPUT_PATH = {str(self.output)!r}\n"
            f"PLUGIN_PATHS = [{str(REPO / 'plugins')!r}]\nTHEME = {str(REPO / 'theme')!r}\n"
            f"CACHE_PATH = {str(root / 'cache')!r}\n{legal}SITEURL = SITE_PUBLIC_URL\n"
        )
        self.env = {
            **os.environ,
            "PUBLISH_SSH": f"ssh -F {sshd.client_config()}",
            "PUBLISH_TARGET": f"site:{self.base}",
            "PUBLISH_CHECK_URL": "",
            "COLUMNS": "200",
        }

    def invoke(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return run_invoke(*self.task(*args), env={**self.env, **env})

    def task(self, name: str, *args: str) -> list[str]:
        """A publishing task's arguments, with this environment's settings."""
        return [name, "--settings", str(self.settings), *args]

    def publish(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return self.invoke("publish", *args, **env)

    @property
    def live_link(self) -> Path:
        return self.base / "www"

    def live(self) -> str | None:
        return (
            os.readlink(self.live_link).rsplit("/", 1)[-1] if self.live_link.is_symlink() else None
        )

    def releases(self) -> list[str]:
        folder = self.base / "releases"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    def cleanup(self) -> None:
        shutil.rmtree(self.server, ignore_errors=True)


def output_of(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr
