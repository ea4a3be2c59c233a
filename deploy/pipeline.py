"""Publish: the production build, its checksums, the quality gate, then the deploy.

The production build goes to its own folder beside the settings file
(`publish-build/site/`), never to `output/`, which belongs to `serve` and
`build`. Its checksums are taken before the gate, and everything uploaded is
verified against them.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from project import GATE_INPUTS, GRAMMAR_EXCEPTIONS, WORD_LIST, build, load_settings
from sitecheck import RULES, run_gate
from sitecheck.grammar import GrammarUnavailable

from .config import BUILD_FOLDER, deploy_config, owner, releases_for
from .releases import file_checksums, new_release_id
from .sources import committed_state, source_paths
from .target import DeployError


@contextmanager
def checkout_lock(folder: Path) -> Iterator[None]:
    """One publish at a time from a checkout; the lock goes with the process that holds it."""
    folder.mkdir(exist_ok=True)
    path = folder / "lock"
    with path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise DeployError(
                f"another publish is running from this checkout ({holder}): wait for it to "
                "finish. Nothing was published."
            ) from None
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}, since {datetime.datetime.now():%H:%M:%S}\n")
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)
            fcntl.flock(lock, fcntl.LOCK_UN)


def publish_site(
    settings_file: Path,
    *,
    dry_run: bool = False,
    allow_dirty: bool = False,
    non_atomic: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Build with the production settings, check, and deploy; DeployError says why not."""
    conf = load_settings(settings_file)
    config = deploy_config(conf, environ)
    workdir = settings_file.parent / BUILD_FOLDER
    with checkout_lock(workdir):
        paths = source_paths(conf, settings_file)
        commit = committed_state(paths, settings_file.parent, allow_dirty)
        # Connect first: a wrong key or host stops the publish before the build.
        with releases_for(config, non_atomic) as releases:
            output, release_id, checksums = checked_build(
                settings_file, workdir / "site", commit, paths, allow_dirty
            )
            if dry_run:
                changes = releases.changes(output, checksums)
                print("\n".join(changes) if changes else "Nothing would change.")
                return
            releases.publish(
                output,
                release_id,
                checksums,
                check_url=config.check_url,
                keep=config.keep,
                owner=owner(),
            )


def checked_build(
    settings_file: Path, output: Path, commit: str, paths: list[Path], allow_dirty: bool
) -> tuple[Path, str, dict[str, str]]:
    """Build into `output`, take its checksums, run the gate; return the release id too."""
    release_id = new_release_id()
    shutil.rmtree(output, ignore_errors=True)
    print(f"Building release {release_id} of {commit} into {output}", flush=True)
    conf = build(
        settings_file,
        {
            "RELEASE_ID": release_id,
            "RELEASE_COMMIT": commit,
            "OUTPUT_PATH": str(output),
            "DELETE_OUTPUT_DIRECTORY": True,
            # Never a cache another build (serve's) wrote.
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
        },
    )
    if not allow_dirty and committed_state(paths, settings_file.parent, False) != commit:
        raise DeployError("the sources changed during the build. Nothing was published.")
    if not list(output.glob("*.html")):
        raise DeployError(f"the build in {output} has no pages.")
    # Taken before the gate: what is uploaded is verified against these.
    checksums = file_checksums(output)
    print("Quality gate:", flush=True)
    # The content, word list and grammar exceptions the settings name (a copy's, in the tests).
    content = Path(conf["PATH"])
    inputs: dict[str, Any] = {
        **GATE_INPUTS,
        "content_dir": content,
        "word_list": content / WORD_LIST.name,
        "grammar_exceptions": content / GRAMMAR_EXCEPTIONS.name,
    }
    try:
        findings = run_gate(output, RULES, site_url=conf["SITE_PUBLIC_URL"], **inputs)
    except GrammarUnavailable as error:
        raise DeployError(f"the quality gate cannot run: {error}") from None
    if findings:
        raise DeployError(f"the quality gate found {len(findings)} problems (above).")
    return output, release_id, checksums
