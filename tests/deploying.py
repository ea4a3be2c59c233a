"""Deploy environments for the tests: a committed copy of the site, a real sshd, a server folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from samples import COMPANY_VAT
from servers import SshServer, world_readable_dir
from support import REPO, run_invoke

from deploy import Releases
from deploy.config import BUILD_FOLDER
from deploy.prices import PriceRecord, write_record
from deploy.ssh import SshTransport
from deploy.target import Target

# What the build reads, copied into each test's own repository.
SOURCES = ["content", "theme", "plugins", "pelicanconf.py", "publishconf.py", ".gitignore"]


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (symlinks followed at the top) and its SHA-256."""
    folder = folder.resolve()
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@cimw.invalid",
            "-C",
            str(folder),
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


class ReleaseFolder:
    """A base folder on a test server: its releases/ and the live link the deploy switches."""

    base: Path

    @property
    def live_link(self) -> Path:
        return self.base / "www"

    def live(self) -> str | None:
        """The release the live link points to, if any."""
        return (
            os.readlink(self.live_link).rsplit("/", 1)[-1] if self.live_link.is_symlink() else None
        )

    def names(self) -> list[str]:
        """Every entry of releases/, sorted."""
        folder = self.base / "releases"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


class DeployEnv(ReleaseFolder):
    """A committed copy of the site in `root/project`, publishing through `sshd` to a folder."""

    def __init__(self, sshd: SshServer, root: Path):
        self.sshd = sshd
        self.root = root
        self.project = root / "project"
        self.project.mkdir()
        for name in SOURCES:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(
                    source,
                    self.project / name,
                    symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"),
                )
            else:
                shutil.copy2(source, self.project / name)
        self.content = self.project / "content"
        self.output = self.project / "output"
        self.build_folder = self.project / BUILD_FOLDER / "site"
        self.server = world_readable_dir("cimw-server-")
        self.base = self.server / "site"
        self.settings = self.project / "publish_settings.py"
        legal = "".join(f"{key} = {value!r}\n" for key, value in COMPANY_VAT.items())
        # Its own folder first: the checkout's publishconf.py, wherever it is built from.
        self.settings.write_text(
            "import os, sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
            f"from publishconf import *\n{legal}SITEURL = SITE_PUBLIC_URL\n"
        )
        git(self.project, "init", "-q")
        self.commit("The site as it is")
        self.env = {
            **os.environ,
            "PUBLISH_SSH": f"ssh -F {sshd.client_config()}",
            "PUBLISH_TARGET": f"site:{self.base}",
            "PUBLISH_CHECK_URL": "",
            "COLUMNS": "200",
        }

    def commit(self, message: str = "Edit") -> str:
        git(self.project, "add", "-A")
        git(self.project, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.project, "rev-parse", "HEAD")

    def invoke(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return run_invoke(*self.task(*args), env={**self.env, **env})

    def task(self, name: str, *args: str) -> list[str]:
        """A publishing task's arguments, with this environment's settings."""
        return [name, "--settings", str(self.settings), *args]

    def publish(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return self.invoke("publish", *args, **env)

    def cleanup(self) -> None:
        shutil.rmtree(self.server, ignore_errors=True)


class ServerFolder(ReleaseFolder):
    """A base folder on the test sshd, published to through the deploy's own code."""

    def __init__(self, sshd: SshServer, ssh_config: Path | None = None, base: Path | None = None):
        self.sshd = sshd
        self.server = world_readable_dir("cimw-server-")
        self.base = base or self.server / "site"
        self.config = ssh_config or sshd.client_config()
        self.messages: list[str] = []

    def transport(self, rsync_options: tuple[str, ...] = ()) -> SshTransport:
        return SshTransport(
            Target("site", str(self.base)), ("ssh", "-F", str(self.config)), rsync_options
        )

    def releases(self, **kwargs) -> Releases:
        return Releases(self.transport(**kwargs), log=self.messages.append)

    def cleanup(self) -> None:
        shutil.rmtree(self.server, ignore_errors=True)


def record_prices(folder: Path) -> PriceRecord:
    """Write a build's price record, as the publish pipeline does; return it."""
    return write_record(folder, [REPO / "content" / "faq"], REPO)


def output_of(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def publish_in_background(transport: str, build: Path) -> subprocess.Popen:
    """Start a publish of `build` in its own process group, to be killed midway.

    `transport` is the Python expression that makes the deploy's transport
    (`SshTransport(...)` or `SftpTransport(...)`, `Target` in scope).
    """
    script = (
        "import sys; from pathlib import Path\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from deploy import Releases, file_checksums, new_release_id\n"
        "from deploy.sftp import SftpTransport\nfrom deploy.ssh import SshTransport\n"
        "from deploy.target import Target\n"
        f"transport = {transport}\n"
        f"build = Path({str(build)!r})\n"
        "with Releases(transport) as releases:\n"
        "    releases.publish(build, new_release_id(), file_checksums(build), owner='laptop')\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
