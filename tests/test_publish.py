"""`invoke publish`, rollback, releases and unlock against a real OpenSSH server.

The full pipeline (`invoke publish`: committed sources, production build,
quality gate, deploy) runs where it is what is tested; the release model's
cases publish a copy of the production build, built once, through the deploy's
own code, which is much faster.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import samples
from bs4 import BeautifulSoup
from deploying import (
    DeployEnv,
    ServerFolder,
    git,
    output_of,
    publish_in_background,
    record_prices,
    tree_digest,
)
from servers import StaticServer, free_port, wait_for
from support import invoke_command, made_once, run_invoke

from deploy import (
    MANIFEST,
    DeployError,
    file_checksums,
    live_order,
    manifest_differences,
    new_release_id,
    parse_target,
    previous_release,
    prune_plan,
)
from deploy.prices import AMOUNT_RE, PRICES, parse_record, question_sections
from deploy.releases import (
    HISTORY,
    LOCK,
    CheckError,
    Event,
    history_line,
    parse_history,
    parse_manifest,
)
from deploy.transport import RemoteError


@pytest.fixture
def deploy(sshd, tmp_path):
    env = DeployEnv(sshd, tmp_path)
    yield env
    env.cleanup()


@pytest.fixture
def server(sshd):
    folder = ServerFolder(sshd)
    yield folder
    folder.cleanup()


@pytest.fixture
def build(release_build, tmp_path):
    """A fresh copy of the production build, to publish or to change."""
    return Path(shutil.copytree(release_build.output, tmp_path / "build"))


def publish(server, folder: Path, **kwargs) -> str:
    """Publish `folder` as a new release through the deploy's code; return its id."""
    release_id = new_release_id()
    with server.releases(**kwargs.pop("transport", {})) as releases:
        releases.publish(folder, release_id, file_checksums(folder), **kwargs)
    return release_id


def publish_stamped(server, folder: Path) -> str:
    """Publish `folder` with its own release id in version.txt, as a real build has."""
    release_id = new_release_id()
    (folder / "version.txt").write_text(f"{release_id} 0123456789ab\n")
    with server.releases() as releases:
        releases.publish(folder, release_id, file_checksums(folder))
    return release_id


def edit(folder: Path, name: str = "contact.html", text: str = "<!-- edited -->") -> None:
    page = folder / name
    page.write_text(page.read_text(encoding="utf-8") + text, encoding="utf-8")
    for twin in (".gz", ".br"):
        Path(f"{page}{twin}").unlink(missing_ok=True)


def edit_contact_page(deploy, text="Écrivez-nous : nous vous répondrons rapidement."):
    page = deploy.content / "pages" / "contact.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


# -- pure parts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "host", "base", "port", "transport"),
    [
        (
            "cimw@ssh.example.fr:/home/cimw/site",
            "cimw@ssh.example.fr",
            "/home/cimw/site",
            None,
            "ssh",
        ),
        ("ssh.example.fr:/srv/site/", "ssh.example.fr", "/srv/site", None, "ssh"),
        ("site:/var/www/cimw_2.fr", "site", "/var/www/cimw_2.fr", None, "ssh"),
        (
            "ssh://cimw@ssh.example.fr:2222/home/cimw/site",
            "cimw@ssh.example.fr",
            "/home/cimw/site",
            2222,
            "ssh",
        ),
        (
            "sftp://cimw@sftp.example.fr/home/cimw/site",
            "cimw@sftp.example.fr",
            "/home/cimw/site",
            None,
            "sftp",
        ),
        ("sftp://site:2222/site", "site", "/site", 2222, "sftp"),
    ],
)
def test_parse_target(value, host, base, port, transport):
    target = parse_target(value)
    assert (target.host, target.base, target.port, target.transport) == (
        host,
        base,
        port,
        transport,
    )


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ssh.example.fr",
        "host:relative/path",
        "host:/",
        "host://",
        "host:/.",
        "host:/var/www/..",
        "host:/var//www",
        "ssh://host",
        "ssh://host:22/",
        "alias:/var/www/x$(touch${IFS}pwned)",
        "alias:/var/www/x;touch pwned",
        "alias:/var/www/x`id`",
        "alias:/var/www/x y",
        "alias:~/site",
        "-oProxyCommand=touch:/tmp/site",
        "user@-oProxyCommand=x:/tmp/site",
        "ftp://host/site",
        "ssh://host:0/site",
        "ssh://host:70000/site",
    ],
)
def test_parse_target_refuses(value):
    with pytest.raises(DeployError, match="PUBLISH_TARGET"):
        parse_target(value)


def ids(*numbers):
    return [f"20260101-000000-{n:06d}" for n in numbers]


def test_prune_keeps_the_newest_the_live_and_the_previous():
    order = ids(1, 2, 3, 4, 5, 6, 7)
    assert prune_plan(order, ids(7)[0], set(), 5) == ids(1, 2)
    # After a rollback to an old release, it and the one before it stay.
    assert prune_plan(order, ids(2)[0], set(), 5) == []
    assert prune_plan(order, ids(4)[0], set(), 2) == ids(1, 2, 5)
    assert previous_release(order, ids(4)[0], set()) == ids(3)[0]
    assert previous_release(order, ids(1)[0], set()) is None
    # A failed release is never the previous one, which stays.
    assert previous_release(order, ids(4)[0], {ids(3)[0]}) == ids(2)[0]
    assert prune_plan(order, ids(7)[0], {ids(6)[0]}, 2) == ids(1, 2, 3, 4)


def test_releases_are_ordered_by_when_they_went_live_not_by_id():
    future, today = "20991231-235959-000000", "20260101-000000-000001"
    events = parse_history(
        history_line(future, "live")
        + history_line(today, "live")
        + history_line(future, "rollback")
    )
    assert events[0] == Event(future, "live", "")
    # The clock-ahead release went live first: it is the older one.
    assert live_order([today, future, "x.partial"], events) == [future, today]
    assert previous_release([future, today], today, set()) == future
    # Releases from before the history was kept come first, by id.
    assert live_order([today, future, ids(9)[0]], events) == [ids(9)[0], future, today]


def test_manifest_differences():
    expected = {"./a": "1", "./b": "2", "./c": "3"}
    assert manifest_differences(expected, dict(expected)) == []
    assert manifest_differences(expected, {"./a": "1", "./b": "9", "./d": "4"}) == [
        "missing: ./c",
        "unexpected: ./d",
        "different: ./b",
    ]


# -- the whole pipeline: invoke publish --------------------------------------------


UNCOMMITTED_TAGLINE = "Une accroche pas encore relue"


def plant_uncommitted_work(deploy: DeployEnv) -> dict[str, Path]:
    """An untracked file, an ignored one, an edited page and an edited settings module."""
    planted = {
        "untracked": deploy.content / "extra" / "pycon-2026.pycfg",
        "ignored": deploy.content / "extra" / "notes.pyc",
    }
    for path in planted.values():
        path.write_text("pas encore\n")
    assert git(deploy.project, "check-ignore", str(planted["ignored"]))
    edit_contact_page(deploy, "Une phrase pas encore relue.")
    settings = deploy.project / "pelicanconf.py"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + f'\nSITE_TAGLINE = "{UNCOMMITTED_TAGLINE}"\n', encoding="utf-8")
    return planted


@pytest.fixture(scope="session")
def first_publish(sshd, tmp_path_factory) -> dict:
    """One first publish of a checkout with uncommitted work, as it stood right after.

    Made once for the run (`made_once`): the tests below read what it left.
    """

    def make(folder: Path) -> None:
        deploy = DeployEnv(sshd, folder)
        try:
            planted = plant_uncommitted_work(deploy)
            result = deploy.publish()
            assert result.returncode == 0, output_of(result)
            facts = {
                "stdout": result.stdout,
                "commit": git(deploy.project, "rev-parse", "HEAD"),
                "live": deploy.live(),
                "link": os.readlink(deploy.live_link),
                "planted": [path.name for path in planted.values()],
                "version": (deploy.live_link / "version.txt").read_text().split(),
                "live_digest": tree_digest(deploy.live_link),
                "build_digest": tree_digest(deploy.build_folder),
                "pages": {
                    name: (deploy.live_link / name).read_text()
                    for name in ("index.html", "contact.html")
                },
                "lock_left": (deploy.base / LOCK).exists(),
                "output_written": deploy.output.exists(),
            }
            (folder / "facts.json").write_text(json.dumps(facts))
        finally:
            deploy.cleanup()

    return json.loads(
        (made_once(tmp_path_factory, "first-publish", make) / "facts.json").read_text()
    )


def test_first_publish_ships_the_checked_build_of_the_commit(first_publish):
    live, commit = first_publish["live"], first_publish["commit"]
    assert re.fullmatch(r"\d{8}-\d{6}-\d{6}", live)
    assert first_publish["link"] == f"releases/{live}"
    assert first_publish["version"] == [live, commit]
    # The production build has its own folder: serve's output/ is not touched.
    assert not first_publish["output_written"]
    assert first_publish["live_digest"] == first_publish["build_digest"]
    assert "index.html.br" in first_publish["live_digest"]
    assert "index.html.gz" in first_publish["live_digest"]
    assert not first_publish["lock_left"]
    # One line per step, in order although piped; no rsync progress or statistics.
    steps = [
        "Connected to site:",
        f"Building release {live} from commit {commit[:12]}",
        "Left out, not committed:",
        "Built ",
        "Quality gate: every rule passed",
        f"Uploading release {live}",
        "Sent ",
        "Verified: the",
        f"Switched www to release {live}.",
        f"Release {live} is live.",
    ]
    lines = first_publish["stdout"].splitlines()
    assert len(lines) == len(steps), first_publish["stdout"]
    for line, step in zip(lines, steps, strict=True):
        assert line.startswith(step), first_publish["stdout"]


def test_only_committed_files_reach_the_release(first_publish):
    for name in first_publish["planted"]:
        assert f"extra/{name}" not in first_publish["live_digest"], name
    assert "pas encore relue" not in first_publish["pages"]["contact.html"]
    # The author is told what stayed out.
    left_out = next(
        line for line in first_publish["stdout"].splitlines() if line.startswith("Left out")
    )
    for name in ("content/extra/pycon-2026.pycfg", "content/pages/contact.md", "pelicanconf.py"):
        assert name in left_out
    assert "notes.pyc" not in left_out, "ignored files are not the author's work"


def test_the_settings_modules_of_the_commit_are_built_not_the_work_tree(first_publish):
    index = first_publish["pages"]["index.html"]
    assert UNCOMMITTED_TAGLINE not in index
    assert samples.COMPANY_VAT["PUBLISHER_NAME"] in index


def test_allow_dirty_publishes_the_work_tree_and_marks_it(deploy):
    plant_uncommitted_work(deploy)
    allowed = deploy.publish("--allow-dirty")
    assert allowed.returncode == 0, output_of(allowed)
    commit = git(deploy.project, "rev-parse", "HEAD")
    assert (deploy.live_link / "version.txt").read_text().split() == [
        deploy.live(),
        f"{commit}-dirty",
    ]
    assert (deploy.live_link / "extra" / "pycon-2026.pycfg").is_file()
    assert "pas encore relue" in (deploy.live_link / "contact.html").read_text()
    assert UNCOMMITTED_TAGLINE in (deploy.live_link / "index.html").read_text()
    assert not (deploy.base / LOCK).exists()


def test_a_settings_file_that_is_not_committed_is_refused(deploy):
    extra = deploy.project / "other_settings.py"
    extra.write_text(deploy.settings.read_text())
    result = run_invoke(*deploy.task("publish")[:1], "--settings", str(extra), env=deploy.env)
    assert result.returncode != 0
    assert "other_settings.py is not in the commit" in output_of(result)
    assert "--allow-dirty" in output_of(result)
    assert "Traceback" not in output_of(result)
    assert not deploy.base.exists()


def dev_build_loop(deploy, stop: threading.Event, rounds: list[int]) -> None:
    """serve's rebuild into output/, over and over, with a planted script after each."""
    settings = deploy.project / "pelicanconf.py"
    while not stop.is_set():
        subprocess.run(
            [sys.executable, "-m", "pelican", "-s", str(settings), "-o", str(deploy.output), "-q"],
            cwd=deploy.project,
            capture_output=True,
            check=False,
        )
        index = deploy.output / "index.html"
        if index.is_file():
            index.write_text(index.read_text() + "<script>alert(1)</script>")
        rounds.append(1)
        # At an author's pace (a save now and then), not a core's worth of builds.
        stop.wait(0.5)


def test_serve_rebuilding_output_throughout_a_publish_changes_nothing_live(deploy):
    stop, rounds = threading.Event(), []
    writer = threading.Thread(target=dev_build_loop, args=(deploy, stop, rounds))
    writer.start()
    try:
        publishing = subprocess.Popen(
            invoke_command(*deploy.task("publish")),
            env=deploy.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # A second publish from the same checkout is refused at once.
        lock = deploy.project / "publish-build" / "lock"
        wait_for(lambda: lock.is_file() and lock.read_text(), 60, "the first publish's lock")
        second = deploy.publish()
        out, _ = publishing.communicate(timeout=300)
    finally:
        stop.set()
        writer.join(timeout=120)
    assert publishing.returncode == 0, out
    assert second.returncode != 0
    assert "another publish is running from this checkout" in output_of(second)
    assert "Traceback" not in output_of(second)
    assert len(rounds) >= 2, "the dev build did not run during the publish"

    # Live: the build the gate checked, byte for byte, as its manifest (taken before the gate) says.
    assert tree_digest(deploy.live_link) == tree_digest(deploy.build_folder)
    manifest = parse_manifest((deploy.live_link / MANIFEST).read_text())
    assert manifest == file_checksums(deploy.live_link)
    assert b"<script>" not in (deploy.live_link / "index.html").read_bytes()
    assert (deploy.live_link / "version.txt").read_text().split()[0] == deploy.live()


def test_a_symlink_out_of_the_content_is_not_published(deploy):
    (deploy.content / "extra" / "notes.txt").symlink_to("/etc/passwd")
    deploy.commit("Add notes")
    result = deploy.publish()
    assert result.returncode != 0
    assert "notes.txt -> /etc/passwd" in output_of(result)
    assert not deploy.base.exists()


def test_a_page_saved_over_a_hosting_file_is_not_published(deploy):
    (deploy.content / "pages" / "piege.md").write_text(
        "---\ntitle: Piège\nsummary: Un piège.\nreviewed: 2026-01-01\nstatus: hidden\n"
        "save_as: .htaccess\n---\n\nDu texte.\n"
    )
    deploy.commit("Add a page")
    result = deploy.publish()
    assert result.returncode != 0
    assert "content/pages/piege.md:6: save_as: expected the path of an HTML file" in output_of(
        result
    )
    assert not deploy.base.exists()


def test_a_failed_gate_publishes_nothing(deploy):
    page = deploy.content / "pages" / "contact.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\nUne fote d'ortographe.\n", encoding="utf-8"
    )
    deploy.commit()
    result = deploy.publish()
    assert result.returncode != 0
    assert "the quality gate found" in output_of(result)
    assert "spelling" in output_of(result)
    assert not deploy.base.exists()


def test_not_configured_refuses_before_building(deploy):
    result = deploy.publish(PUBLISH_TARGET="")
    assert result.returncode != 0
    assert "PUBLISH_TARGET is not set" in output_of(result)
    assert not deploy.build_folder.exists()


def test_shell_metacharacters_in_the_target_are_refused_before_connecting(deploy, tmp_path):
    pwned = tmp_path / "pwned"
    for target in (f"site:{deploy.base}$(touch${{IFS}}{pwned})", "site://", "site:/."):
        result = deploy.publish(
            PUBLISH_TARGET=target,
            RSYNC_OLD_ARGS="1",
            PUBLISH_RSYNC_OPTIONS="--old-args",
        )
        assert result.returncode != 0
        assert "PUBLISH_TARGET" in output_of(result)
        assert "letters, digits" in output_of(result)
        assert not pwned.exists()
    assert not deploy.build_folder.exists()
    assert not deploy.base.exists()


def test_a_connection_error_through_invoke_publish(deploy):
    config = deploy.sshd.client_config("closed", port=free_port())
    result = deploy.publish("--allow-dirty", PUBLISH_SSH=f"ssh -F {config}")
    assert result.returncode != 0
    assert "Not published: cannot reach site" in output_of(result)
    assert not deploy.base.exists()


# -- the release model, on a copy of the production build ---------------------------


def test_second_publish_sends_only_the_changed_page_and_links_the_rest(server, build):
    first = publish(server, build)
    edit(build)
    second = publish(server, build)
    assert server.live() == second != first
    old, new = server.base / "releases" / first, server.base / "releases" / second
    changed, linked = set(), set()
    for path in sorted(p for p in new.rglob("*") if p.is_file()):
        name = path.relative_to(new).as_posix()
        before = old / name
        if before.is_file() and before.read_bytes() == path.read_bytes():
            assert before.stat().st_ino == path.stat().st_ino, f"{name} was copied, not linked"
            linked.add(name)
        else:
            changed.add(name)
    assert changed == {"contact.html", MANIFEST}
    assert not (new / "contact.html.gz").exists()
    assert "index.html" in linked
    assert len(linked) > 20
    # A count and the bytes, not rsync's progress: one line.
    sent = next(m for m in reversed(server.messages) if m.startswith("Sent "))
    assert re.fullmatch(
        rf"Sent {len(changed)} files \([\d.]+ (bytes|kB)\); hard-linked {len(linked)} "
        rf"unchanged files to release {first}\.",
        sent,
    ), sent


def test_a_file_changed_after_the_gate_stops_the_publish(server, build):
    checksums = file_checksums(build)
    (build / "index.html").write_bytes(b"<script>alert(1)</script>")
    with (
        server.releases() as releases,
        pytest.raises(DeployError, match="changed after it was checked"),
    ):
        releases.publish(build, new_release_id(), checksums)
    assert not server.base.exists()


def test_an_upload_killed_midway_leaves_the_live_site_as_it_was(server, build):
    first = publish(server, build)
    before = tree_digest(server.live_link)
    (build / "bulk.bin").write_bytes(os.urandom(1_500_000))
    process = publish_in_background(
        f"SshTransport(Target('site', {str(server.base)!r}), "
        f"('ssh', '-F', {str(server.config)!r}), ('--bwlimit=100',))",
        build,
    )
    wait_for(
        lambda: next((server.base / "releases").glob("*.partial/*.html"), None),
        60,
        "the upload's start",
    )
    os.killpg(process.pid, signal.SIGKILL)  # the laptop lid closes
    process.wait(timeout=10)

    assert server.live() == first
    assert tree_digest(server.live_link) == before
    with pytest.raises(DeployError, match=r"another publish holds the lock .*laptop since 20\d\d-"):
        publish(server, build)
    with server.releases() as releases:
        assert releases.unlock().startswith("laptop since ")
    assert publish(server, build) != first
    assert (server.live_link / "bulk.bin").stat().st_size == 1_500_000
    assert not list((server.base / "releases").glob("*.partial"))


def test_a_held_lock_refuses_a_publish(server, build):
    first = publish(server, build)
    before = tree_digest(server.live_link)
    (server.base / LOCK).mkdir()
    (server.base / LOCK / "owner").write_text("alice@laptop (pid 42) since 2026-11-26T10:00:00Z\n")
    edit(build)
    with pytest.raises(DeployError) as refused:
        publish(server, build)
    assert "another publish holds the lock" in str(refused.value)
    assert "alice@laptop (pid 42) since 2026-11-26T10:00:00Z" in str(refused.value)
    assert "uv run invoke unlock" in str(refused.value)
    assert server.live() == first
    assert tree_digest(server.live_link) == before
    assert server.names() == [first]


def test_a_lock_with_no_owner_is_reported_stale(server, build):
    (server.base / LOCK).mkdir(parents=True)
    with pytest.raises(DeployError, match=r"stale lock with no owner.*uv run invoke unlock"):
        publish(server, build)
    with server.releases() as releases:
        assert releases.unlock() == ""
        assert releases.unlock() is None
    publish(server, build)


@pytest.fixture
def small_disk(server):
    """The base folder on a tiny file system of its own (root only), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.fail("mounting a small file system needs root: run the tests as root (as CI does)")
    server.base.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(server.base)], check=True
    )
    yield server.base
    subprocess.run(["umount", "-l", str(server.base)], check=False)


def test_a_read_only_base_folder_is_reported_as_such(server, build, small_disk):
    (small_disk / "releases").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(DeployError) as refused:
        publish(server, build)
    message = str(refused.value)
    assert "is not writable" in message
    assert "Read-only file system" in message
    assert "holds the lock" not in message
    assert "unlock" not in message
    with server.releases() as releases:
        assert releases.unlock() is None


def test_a_full_disk_while_taking_the_lock_leaves_no_lock(server, build, small_disk):
    (small_disk / "releases").mkdir()
    subprocess.run(
        ["dd", "if=/dev/zero", f"of={small_disk / 'filler'}", "bs=4k"],
        capture_output=True,
        check=False,
    )
    with pytest.raises(DeployError) as refused:
        publish(server, build)
    message = str(refused.value)
    assert "could not write the lock's owner" in message
    assert "disk full" in message
    assert "No space left on device" in message
    assert not (small_disk / LOCK).exists()


def test_a_checksum_mismatch_stops_before_the_switch(server, build, tmp_path):
    first = publish(server, build)
    # A server that changes a file after it is written: the verification must notice.
    wrapper = tmp_path / "ssh-corrupting"
    wrapper.write_text(
        "#!/bin/sh\n"
        'case "$*" in *sha256sum*)\n'
        f"  for d in {server.base}/releases/*.partial; do\n"
        '    printf corrupted > "$d/robots.txt.tmp" && mv "$d/robots.txt.tmp" "$d/robots.txt"\n'
        "  done;;\nesac\n"
        f'exec ssh -F {server.config} "$@"\n'
    )
    wrapper.chmod(0o755)
    edit(build)
    releases = server.releases()
    releases.transport.ssh = (str(wrapper),)
    with releases, pytest.raises(DeployError) as refused:
        releases.publish(build, new_release_id(), file_checksums(build))
    assert "does not match the build" in str(refused.value)
    assert "different: ./robots.txt" in str(refused.value)
    assert server.live() == first
    assert (server.live_link / "robots.txt").read_text().startswith("User-agent")


@pytest.fixture
def stale_site(tmp_path):
    """An HTTP server that keeps answering an old release id."""
    (tmp_path / "stale").mkdir()
    (tmp_path / "stale" / "version.txt").write_text("20200101-000000-000000 0123abc\n")
    server = StaticServer(tmp_path / "stale", tmp_path / "stale.log")
    yield server.url
    server.stop()


def test_a_release_that_fails_its_check_is_switched_back_marked_and_skipped(
    server, build, stale_site, deploy
):
    commit = "0123456789abcdef0123456789abcdef01234567"
    (build / "version.txt").write_text(f"20260101-000000-000000 {commit}\n")
    first = publish(server, build)
    edit(build)
    with pytest.raises(CheckError) as switched_back:
        publish(server, build, check_url=stale_site)
    failed = next(n for n in server.names() if n != first)
    # Only what happened: switched back, and what to do; the new release was never "live".
    assert str(switched_back.value).startswith(
        f"Not published: {stale_site} answered '20200101-000000-000000' instead of release "
        f"{failed}, so the live site was switched back to release {first}, and {failed} is "
        "marked failed. Check that the host serves"
    )
    assert f"Release {failed} is live." not in server.messages
    assert server.live() == first
    assert not (server.base / LOCK).exists()

    env = {"PUBLISH_TARGET": f"site:{server.base}", "PUBLISH_SSH": f"ssh -F {server.config}"}
    # No good release went live before the first: rollback names --release and the candidates.
    nothing_before = deploy.invoke("rollback", **env)
    assert nothing_before.returncode != 0
    assert (
        f"there is no good release that went live before {first} to roll back to: name one "
        f"with --release ID, among: {failed} (failed)"
    ) in output_of(nothing_before)

    edit(build, text="<!-- again -->")
    third = publish(server, build)
    listing = deploy.invoke("releases", **env)
    date = r"20\d\d-\d\d-\d\d \d\d:\d\d UTC"
    expected = [
        rf"  {first}  {date}  {commit[:12]}",
        rf"  {failed}  {date}  {commit[:12]}  failed: {re.escape(stale_site)} answered "
        r"'20200101-000000-000000'",
        rf"\* {third}  {date}  {commit[:12]}  live",
    ]
    lines = listing.stdout.splitlines()
    assert len(lines) == len(expected), listing.stdout
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), line
    # rollback skips the failed release...
    assert deploy.invoke("rollback", **env).returncode == 0
    assert server.live() == first
    # ...unless it is named.
    named = deploy.invoke("rollback", "--release", failed, **env)
    assert named.returncode == 0
    assert "it had failed" in output_of(named)
    assert server.live() == failed
    missing = deploy.invoke("rollback", "--release", "20200101-000000-000000", **env)
    assert missing.returncode != 0
    assert "there is no release 20200101-000000-000000" in output_of(missing)


def test_a_first_release_that_fails_its_check_stays_live_marked_failed(server, build, stale_site):
    with pytest.raises(CheckError) as still_live:
        publish(server, build, check_url=stale_site)
    release = server.live()
    assert str(still_live.value).startswith(
        f"Release {release} is still live, marked failed: {stale_site} answered "
        "'20200101-000000-000000' instead of it, and there is no earlier release to switch "
        "back to. Check that the host serves"
    )
    assert "Not published" not in str(still_live.value)
    assert f"Release {release} is live." not in server.messages
    assert not (server.base / LOCK).exists()


def test_rollback_checks_the_public_url_and_switches_back_if_it_is_not_served(
    server, build, stale_site, deploy
):
    first = publish_stamped(server, build)
    second = publish_stamped(server, build)
    env = {
        "PUBLISH_TARGET": f"site:{server.base}",
        "PUBLISH_SSH": f"ssh -F {server.config}",
        "PUBLISH_CHECK_URL": stale_site,
    }
    result = deploy.invoke("rollback", **env)
    assert result.returncode != 0
    assert (
        output_of(result)
        .strip()
        .startswith(
            f"Switched www to release {first}.\n"
            f"Not rolled back: {stale_site} answered '20200101-000000-000000' instead of release "
            f"{first}, so the live site was switched back to release {second}."
        )
    ), output_of(result)
    assert server.live() == second
    # A site that serves what it is given: the rollback is checked and holds.
    served = StaticServer(server.base / "www", server.base.parent / "served.log")
    try:
        checked = deploy.invoke("rollback", **{**env, "PUBLISH_CHECK_URL": served.url})
    finally:
        served.stop()
    assert checked.returncode == 0, output_of(checked)
    assert f"Checked: {served.url} serves release {first}." in checked.stdout
    assert server.live() == first


def test_an_unreachable_check_url_only_warns(server, build):
    publish(server, build, check_url=f"http://127.0.0.1:{free_port()}")
    assert any("is not reachable from here" in m for m in server.messages)


def test_an_existing_release_id_is_refused(server, build):
    first = publish(server, build)
    edit(build)
    with (
        server.releases() as releases,
        pytest.raises(DeployError, match=f"a release {first} already exists"),
    ):
        releases.publish(build, first, file_checksums(build))
    assert server.names() == [first]
    assert not [p for p in (server.base / "releases" / first).rglob("*") if "partial" in p.name]
    assert (server.base / HISTORY).read_text().count(first) == 1


def test_a_rename_never_nests_into_an_existing_folder(server):
    (server.base / "releases" / "a").mkdir(parents=True)
    (server.base / "releases" / "b").mkdir()
    (server.base / "releases" / "b" / "index.html").write_text("b")
    with server.releases() as releases, pytest.raises(RemoteError, match="already exists"):
        releases.transport.rename("releases/a", "releases/b")
    assert not (server.base / "releases" / "b" / "a").exists()


def test_a_release_stamped_in_the_future_keeps_its_place(server, build):
    # A publish from a machine whose clock was ten years ahead, then one from the right time.
    ahead = "20361126-101010-000000"
    with server.releases() as releases:
        releases.publish(build, ahead, file_checksums(build))
    edit(build)
    now = publish(server, build)
    assert now < ahead
    with server.releases() as releases:
        assert releases.state().order == [ahead, now]
        assert releases.rollback() == ahead
    for round_ in range(1):
        edit(build, text=f"<!-- {round_} -->")
        publish(server, build, keep=2)
    # The clock-ahead release went live first, so it is the first pruned.
    assert ahead not in server.names()


def test_old_releases_are_pruned(server, build):
    old = ids(1, 2, 3, 4, 5, 6)
    for name in old:
        (server.base / "releases" / name).mkdir(parents=True)
    server.live_link.symlink_to(f"releases/{old[-1]}")
    live = publish(server, build)
    assert server.names() == [*old[2:], live]


def test_dry_run_lists_the_changes_without_touching_the_server(server, build):
    with server.releases() as releases:
        assert "+ index.html" in releases.changes(build, file_checksums(build))
    publish(server, build)
    before = tree_digest(server.base)
    edit(build)
    (build / "robots.txt").unlink()
    with server.releases() as releases:
        changes = releases.changes(build, file_checksums(build))
    assert changes == ["- contact.html.br", "- contact.html.gz", "- robots.txt", "~ contact.html"]
    with server.releases() as releases:
        summary = releases.plan(build, file_checksums(build)).summary()
    unchanged = len(file_checksums(build)) - 1
    assert summary == (
        f"Dry run: 1 file to send, {unchanged} to hard-link to release {server.live()}, "
        "3 to delete; nothing was changed on the server."
    )
    assert tree_digest(server.base) == before


def test_rsync_never_hands_the_path_to_a_shell(sshd, build, tmp_path, monkeypatch):
    # Even with rsync's old argument handling, -s keeps the path out of the remote shell.
    monkeypatch.setenv("RSYNC_OLD_ARGS", "1")
    pwned = tmp_path / "pwned"
    odd = ServerFolder(sshd, base=tmp_path / f"x$(touch {pwned})")
    transport = odd.transport()
    transport.open()
    try:
        transport.make_dir("releases", parents=True)
        transport.upload(build, "releases/one", None, {})
    finally:
        transport.close()
    assert not pwned.exists()
    assert (odd.base / "releases" / "one" / "index.html").is_file()
    odd.cleanup()


# -- connection errors ---------------------------------------------------------------


def connect(server, config: Path) -> None:
    server.config = config
    with server.releases():
        pass


def test_unreachable_host(server):
    with pytest.raises(
        DeployError, match=r"cannot reach .*Connection refused.*Nothing was published"
    ):
        connect(server, server.sshd.client_config("closed", port=free_port()))


def test_refused_key(server):
    with pytest.raises(DeployError, match=r"refused the key.*authorized_keys"):
        connect(server, server.sshd.client_config("stranger", key=server.sshd.other_key))


def test_changed_host_key(server, tmp_path):
    impostor = tmp_path / "impostor_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(impostor)], check=True)
    known = tmp_path / "known_hosts"
    kind, key = Path(f"{impostor}.pub").read_text().split()[:2]
    known.write_text(f"[127.0.0.1]:{server.sshd.port} {kind} {key}\n")
    with pytest.raises(DeployError, match="host key of site has CHANGED"):
        connect(server, server.sshd.client_config("changed", known_hosts=known))
    assert not server.base.exists()


def test_unknown_host_key_is_never_trusted_on_first_use(server, tmp_path):
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    with pytest.raises(DeployError, match="is not in known_hosts"):
        connect(server, server.sshd.client_config("unknown", known_hosts=empty))
    assert empty.read_text() == ""


def test_no_rsync_on_the_server(server, tmp_path):
    key = tmp_path / "limited_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    server.sshd.authorize_without_rsync(key)
    with pytest.raises(DeployError, match="rsync is not installed on site"):
        connect(server, server.sshd.client_config("limited", key=key))


# -- a price and its date ------------------------------------------------------------


def priced_question(record: dict) -> str:
    """The anchor of a question that shows a price (read from the site, never named here)."""
    return next(anchor for anchor, question in record.items() if question.amounts)


def change_question(folder: Path, anchor: str, *, price: bool = False, reviewed: str = "") -> None:
    """Raise the first price of a question's section, or give it another reviewed date."""
    page = folder / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    section = next(s for a, s in question_sections(soup) if a == anchor)
    if price:
        text = next(t for t in section.find_all(string=True) if AMOUNT_RE.search(str(t)))
        text.replace_with(AMOUNT_RE.sub(lambda m: "9" + m.group(), str(text), count=1))
    if reviewed:
        section.select_one(".reviewed time")["datetime"] = reviewed
    page.write_text(str(soup), encoding="utf-8")
    for twin in (".gz", ".br"):
        Path(f"{page}{twin}").unlink(missing_ok=True)


def test_a_price_changed_under_the_same_reviewed_date_is_refused(server, build):
    anchor = priced_question(record_prices(build))
    first = publish(server, build)
    assert (server.live_link / PRICES).is_file()
    change_question(build, anchor, price=True)
    source = record_prices(build)[anchor].source
    with pytest.raises(DeployError) as refused:
        publish(server, build)
    message = str(refused.value)
    assert f"{source}: the prices shown changed" in message
    assert "`reviewed`" in message
    assert "Nothing was published" in message
    assert server.live() == first
    assert server.names() == [first]
    # The same change with a new date goes live.
    change_question(build, anchor, reviewed="2099-01-01")
    record_prices(build)
    assert publish(server, build) != first


def test_a_new_day_rate_without_a_new_reviewed_date_is_refused_by_invoke_publish(
    deploy, release_build, tmp_path
):
    # Live: the production build of the same sources, with its price record.
    live_build = Path(shutil.copytree(release_build.output, tmp_path / "live"))
    record_prices(live_build)
    first = publish(ServerFolder(deploy.sshd, base=deploy.base), live_build)
    settings = deploy.project / "pelicanconf.py"
    text = settings.read_text(encoding="utf-8")
    rate = int(re.search(r"^DAY_RATE = (\d+)", text, re.M).group(1))
    settings.write_text(text.replace(f"DAY_RATE = {rate}", f"DAY_RATE = {rate + 50}"), "utf-8")
    deploy.commit("A new day rate")
    refused = deploy.publish()
    assert refused.returncode != 0
    record = parse_record((deploy.live_link / PRICES).read_text())
    priced = [q.source for q in record.values() if q.amounts]
    assert priced
    for source in priced:
        assert f"{source}: the prices shown changed" in output_of(refused)
    assert "`reviewed`" in output_of(refused)
    # Refused as soon as the build is compared, before the gate's long run.
    assert "Quality gate" not in refused.stdout
    assert deploy.live() == first
