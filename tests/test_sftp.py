"""Publishing to SFTP-only hosting: OpenSSH with ForceCommand internal-sftp in a chroot.

The same release model as over ssh+rsync, through the SFTP transport; Apache
serves the live link inside the chroot.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from deploying import (
    DeployEnv,
    ReleaseFolder,
    git,
    output_of,
    publish_in_background,
    record_prices,
    tree_digest,
)
from servers import ApacheServer, SftpOnlyServer, get, wait_for

from deploy import DeployError, Releases, file_checksums, new_release_id
from deploy.prices import PRICES
from deploy.releases import LOCK
from deploy.sftp import SftpTransport
from deploy.target import Target


@pytest.fixture(scope="module")
def sftpd(tmp_path_factory):
    server = SftpOnlyServer(tmp_path_factory.mktemp("sftpd"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def apache(sftpd, tmp_path_factory):
    # Apache checks the docroot once, at start; each test's first publish makes the link.
    (sftpd.chroot / "site" / "www").mkdir(parents=True, exist_ok=True)
    server = ApacheServer(
        tmp_path_factory.mktemp("apache-sftp"), sftpd.chroot, sftpd.chroot / "site" / "www"
    )
    yield server
    server.stop()


class Site(ReleaseFolder):
    """The base folder /site in the chroot, published to over SFTP."""

    def __init__(self, sftpd: SftpOnlyServer):
        self.sftpd = sftpd
        self.base = sftpd.chroot / "site"
        shutil.rmtree(self.base, ignore_errors=True)
        self.config = sftpd.client_config()
        self.messages: list[str] = []

    def transport(self, config: Path | None = None, **kwargs) -> SftpTransport:
        ssh = ("ssh", "-F", str(config or self.config))
        return SftpTransport(
            Target("site", "/site", transport="sftp"), ssh, log=self.messages.append, **kwargs
        )

    def releases(self, **kwargs) -> Releases:
        return Releases(self.transport(**kwargs), log=self.messages.append)

    def publish(self, folder: Path, **kwargs) -> str:
        release_id = new_release_id()
        transport = kwargs.pop("transport", {})
        with self.releases(**transport) as releases:
            releases.publish(folder, release_id, file_checksums(folder), **kwargs)
        return release_id


@pytest.fixture
def site(sftpd):
    return Site(sftpd)


@pytest.fixture
def build(release_build, tmp_path):
    return Path(shutil.copytree(release_build.output, tmp_path / "build"))


def edit(folder: Path, text: str = "<!-- edited -->") -> None:
    page = folder / "contact.html"
    page.write_text(page.read_text(encoding="utf-8") + text, encoding="utf-8")
    for twin in (".gz", ".br"):
        Path(f"{page}{twin}").unlink(missing_ok=True)


def test_the_account_has_no_shell(sftpd):
    result = subprocess.run(
        ["ssh", "-F", str(sftpd.client_config()), "-o", "BatchMode=yes", "site", "echo shell"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "shell" not in result.stdout


def test_first_and_second_publish_link_unchanged_files_and_apache_serves_them(site, build, apache):
    record_prices(build)
    first = site.publish(build)
    assert tree_digest(site.live_link) == tree_digest(build)
    assert get(apache, "/version.txt")[2] == (build / "version.txt").read_bytes()
    # The price record goes with the release, and is never served.
    assert (site.live_link / PRICES).is_file()
    assert get(apache, f"/{PRICES}")[0] == 404
    edit(build)
    second = site.publish(build)
    assert site.live() == second != first
    old, new = site.base / "releases" / first, site.base / "releases" / second
    changed = set()
    for path in (p for p in new.rglob("*") if p.is_file()):
        name = path.relative_to(new).as_posix()
        if (old / name).is_file() and (old / name).read_bytes() == path.read_bytes():
            assert (old / name).stat().st_ino == path.stat().st_ino, f"{name} was sent, not linked"
        else:
            changed.add(name)
    assert changed == {"contact.html", ".manifest.sha256"}
    sent = next(m for m in reversed(site.messages) if m.startswith("Sent "))
    linked = rf"hard-linked \d+ unchanged files to release {first}"
    assert re.fullmatch(rf"Sent 2 files \([\d.]+ (bytes|kB)\); {linked}\.", sent), sent
    assert b"<!-- edited -->" in get(apache, "/contact.html")[2]


def test_an_upload_killed_midway_leaves_the_live_site_as_it_was(site, build):
    first = site.publish(build)
    before = tree_digest(site.live_link)
    (build / "bulk.bin").write_bytes(os.urandom(60_000_000))
    process = publish_in_background(
        "SftpTransport(Target('site', '/site', transport='sftp'), "
        f"('ssh', '-F', {str(site.config)!r}))",
        build,
    )
    wait_for(
        lambda: next((site.base / "releases").glob("*.partial/bulk.bin"), None), 60, "the upload"
    )
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert site.live() == first
    assert tree_digest(site.live_link) == before
    with pytest.raises(DeployError, match=r"another publish holds the lock .*laptop since"):
        site.publish(build)
    with site.releases() as releases:
        assert releases.unlock().startswith("laptop since")
    site.publish(build)
    assert (site.live_link / "bulk.bin").stat().st_size == 60_000_000
    assert not list((site.base / "releases").glob("*.partial"))


def test_a_held_lock_refuses_a_publish(site, build):
    first = site.publish(build)
    (site.base / LOCK).mkdir()
    (site.base / LOCK / "owner").write_text("alice@laptop (pid 42) since 2026-11-26T10:00:00Z\n")
    edit(build)
    with pytest.raises(DeployError, match=r"holds the lock .*alice@laptop \(pid 42\) since 2026"):
        site.publish(build)
    assert site.live() == first
    assert site.names() == [first]


class CorruptingTransport(SftpTransport):
    """A server that changes a file once it is written: the verification must notice."""

    chroot: Path

    def upload(self, folder, destination, reuse, checksums, reused=None):
        report = super().upload(folder, destination, reuse, checksums, reused)
        (self.chroot / "site" / destination / "robots.txt").write_text("corrupted")
        return report


def test_a_corrupted_upload_is_caught_before_the_switch(site, build):
    first = site.publish(build)
    edit(build)
    transport = CorruptingTransport(
        Target("site", "/site", transport="sftp"), ("ssh", "-F", str(site.config))
    )
    transport.chroot = site.sftpd.chroot
    with (
        Releases(transport, log=site.messages.append) as releases,
        pytest.raises(DeployError) as refused,
    ):
        releases.publish(build, new_release_id(), file_checksums(build))
    assert "does not match the build" in str(refused.value)
    assert "different: ./robots.txt" in str(refused.value)
    assert site.live() == first


def test_rollback_releases_and_pruning_through_the_tasks(site, build, sshd, tmp_path):
    published = []
    for round_ in range(3):
        edit(build, f"<!-- {round_} -->")
        published.append(site.publish(build, keep=2))
    assert site.names() == published[1:]
    tasks = DeployEnv(sshd, tmp_path)
    env = {"PUBLISH_TARGET": "sftp://site/site", "PUBLISH_SSH": f"ssh -F {site.config}"}
    listing = tasks.invoke("releases", **env)
    date = r"20\d\d-\d\d-\d\d \d\d:\d\d UTC"
    lines = listing.stdout.splitlines()
    assert len(lines) == 2, output_of(listing)
    # The build copy's version.txt names no commit.
    assert re.fullmatch(rf"  {published[1]}  {date}  \?", lines[0]), lines[0]
    assert re.fullmatch(rf"\* {published[2]}  {date}  \?  live", lines[1]), lines[1]
    assert tasks.invoke("rollback", **env).returncode == 0
    assert site.live() == published[1]
    (site.base / LOCK).mkdir()
    unlocked = tasks.invoke("unlock", **env)
    assert "Lock cleared (it had no owner" in unlocked.stdout, output_of(unlocked)
    tasks.cleanup()


def test_an_unknown_host_key_is_refused(site, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    transport = site.transport(site.sftpd.client_config("unknown", known_hosts=empty))
    with pytest.raises(DeployError, match="is not in known_hosts"), Releases(transport):
        pass
    assert empty.read_text() == ""


def test_no_atomic_rename_is_refused_unless_non_atomic(site, build):
    first = site.publish(build)
    other = site.sftpd.client_config("no-rename", port=site.sftpd.other_port)
    edit(build)
    with (
        pytest.raises(DeployError, match=r"does not offer an atomic rename \(posix-rename@openssh"),
        Releases(site.transport(other)) as releases,
    ):
        releases.publish(build, new_release_id(), file_checksums(build))
    assert site.live() == first
    assert site.names() == [first]
    with Releases(site.transport(other, non_atomic=True), log=site.messages.append) as releases:
        second = releases.publish(build, new_release_id(), file_checksums(build))
    assert site.live() == second
    assert any("not atomic" in m for m in site.messages)


def test_the_publish_task_builds_checks_and_deploys_over_sftp(sftpd, tmp_path):
    """`invoke publish` end to end with an sftp:// target: dry run, then the real thing."""
    env = DeployEnv(sftpd, tmp_path)
    env.base = sftpd.chroot / "site"
    shutil.rmtree(env.base, ignore_errors=True)
    env.env["PUBLISH_TARGET"] = "sftp://site/site"
    try:
        dry = env.publish("--dry-run")
        assert dry.returncode == 0, output_of(dry)
        assert env.live() is None, "a dry run changes nothing on the server"
        files = int(re.search(r"^Built (\d+) files", dry.stdout, re.M).group(1))
        assert dry.stdout.splitlines()[-1] == (
            f"Dry run: {files} files to send, 0 to hard-link, 0 to delete; nothing was changed "
            "on the server."
        )
        result = env.publish()
        assert result.returncode == 0, output_of(result)
        live = env.live()
        assert live is not None
        release_id, commit = (env.live_link / "version.txt").read_text().split()
        assert release_id == live
        assert commit == git(env.project, "rev-parse", "HEAD")
        assert tree_digest(env.live_link) == tree_digest(env.build_folder)
    finally:
        env.cleanup()
