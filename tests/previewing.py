"""`invoke serve` on a copy of the project, for the tests of the live preview."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from servers import free_port


def fetch(url: str) -> tuple[int, str]:
    """The status and the text of a page, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def task_in(*args: str) -> list[str]:
    """A task of the project whose folder is the working directory (a copy)."""
    return [sys.executable, "-m", "invoke", *args]


def unbuffered_environment() -> dict:
    """The environment of an author's shell: Python buffers what goes into a file."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}


class Served:
    """A copy of the project served by `invoke serve`, stopped by its process id."""

    def __init__(self, root: Path, *flags: str, bind: str = "127.0.0.1"):
        self.root = root
        self.port = free_port()
        self.url = f"http://{bind}:{self.port}/"
        self.log_path = root / "serve.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            task_in("serve", "--port", str(self.port), *flags),
            cwd=root,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=unbuffered_environment(),
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def text(self, path: str = "") -> str:
        """The text of a page, whatever its status (the error page while a build failed)."""
        return fetch(self.url + path)[1]

    def page(self, path: str = "") -> str:
        status, body = fetch(self.url + path)
        assert status == 200, (status, path)
        return body

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):  # a test may have killed it already
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=10)
        self._log.close()


def first_question(root: Path) -> tuple[Path, dict]:
    """The first question's file and its front matter."""
    path = sorted((root / "content" / "faq").glob("*.md"))[0]
    return path, yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
