"""`invoke publish`, rollback, releases and unlock against a real OpenSSH server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import invoke_command
from deploying import DeployEnv, output_of, tree_digest
from servers import SshServer, StaticServer, free_port, wait_for

from deploy import (
    DeployError,
    Server,
    manifest_differences,
    parse_target,
    previous_release,
    prune_plan,
)

ID = "20261126-101010-000001"


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    server = SshServer(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture
def deploy(sshd, tmp_path):
    env = DeployEnv(sshd, tmp_path)
    yield env
    env.cleanup()


def published(deploy, *args, **env) -> str:
    result = deploy.publish(*args, **env)
    assert result.returncode == 0, output_of(result)
    return deploy.live()


def edit_contact_page(deploy, text="Écrivez-nous : nous vous répondrons rapidement."):
    page = deploy.content / "pages" / "contact.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


# -- pure parts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "host", "base", "port"),
    [
        ("cimw@ssh.example.fr:/home/cimw/site", "cimw@ssh.example.fr", "/home/cimw/site", None),
        ("ssh.example.fr:/srv/site/", "ssh.example.fr", "/srv/site", None),
        (
            "ssh://cimw@ssh.example.fr:2222/home/cimw/site",
            "cimw@ssh.example.fr",
            "/home/cimw/site",
            2222,
        ),
    ],
)
def test_parse_target(value, host, base, port):
    target = parse_target(value)
    assert (target.host, target.base, target.port) == (host, base, port)


@pytest.mark.parametrize(
    "value", ["", "ssh.example.fr", "host:relative/path", "host:/", "ssh://host", "ssh://host:22/"]
)
def test_parse_target_refuses(value):
    with pytest.raises(DeployError, match="PUBLISH_TARGET"):
        parse_target(value)


def ids(*numbers):
    return [f"20260101-000000-{n:06d}" for n in numbers]


def test_prune_keeps_the_newest_the_live_and_the_previous():
    releases = ids(1, 2, 3, 4, 5, 6, 7) + ["20260101-000000-000008.partial"]
    assert prune_plan(releases, ids(7)[0], 5) == ids(1, 2)
    # After a rollback to an old release, it and the one before it stay.
    assert prune_plan(releases, ids(2)[0], 5) == []
    assert prune_plan(releases, ids(4)[0], 2) == ids(1, 2, 5)
    assert previous_release(releases, ids(4)[0]) == ids(3)[0]
    assert previous_release(releases, ids(1)[0]) is None


def test_manifest_differences():
    expected = {"./a": "1", "./b": "2", "./c": "3"}
    assert manifest_differences(expected, dict(expected)) == []
    assert manifest_differences(expected, {"./a": "1", "./b": "9", "./d": "4"}) == [
        "missing: ./c",
        "unexpected: ./d",
        "different: ./b",
    ]


# -- publishing ------------------------------------------------------------------


def test_first_publish(deploy):
    live = published(deploy)
    assert re.fullmatch(r"\d{8}-\d{6}-\d{6}", live)
    assert os.readlink(deploy.live_link) == f"releases/{live}"
    served = tree_digest(deploy.live_link)
    built = tree_digest(deploy.output)
    assert served == built
    assert (deploy.live_link / "version.txt").read_text().strip() == live
    assert (deploy.live_link / "index.html.br").is_file() and (
        deploy.live_link / "index.html.gz"
    ).is_file()
    assert not (deploy.base / ".publish.lock").exists()


def test_second_publish_sends_only_the_changed_page_and_links_the_rest(deploy):
    first = published(deploy)
    edit_contact_page(deploy)
    result = deploy.publish()
    assert result.returncode == 0, output_of(result)
    second = deploy.live()
    assert second != first
    old, new = deploy.base / "releases" / first, deploy.base / "releases" / second
    changed, linked = set(), set()
    for path in sorted(p for p in new.rglob("*") if p.is_file()):
        name = path.relative_to(new).as_posix()
        before = old / name
        if before.is_file() and before.read_bytes() == path.read_bytes():
            assert before.stat().st_ino == path.stat().st_ino, f"{name} was copied, not linked"
            linked.add(name)
        else:
            changed.add(name)
    assert changed == {
        "contact.html",
        "contact.html.gz",
        "contact.html.br",
        "version.txt",
        "version.txt.gz",
        "version.txt.br",
        ".manifest.sha256",
    }
    assert "index.html" in linked and len(linked) > 20
    stats = output_of(result)
    sent = int(re.search(r"Number of regular files transferred: (\d+)", stats).group(1))
    size = int(re.search(r"Total transferred file size: ([\d,]+)", stats).group(1).replace(",", ""))
    assert sent == len(changed)
    assert size == sum((new / name).stat().st_size for name in changed)


def test_an_upload_killed_midway_leaves_the_live_site_as_it_was(deploy):
    first = published(deploy)
    before = tree_digest(deploy.live_link)
    (deploy.content / "extra" / "bulk.bin").write_bytes(os.urandom(1_500_000))
    process = subprocess.Popen(
        invoke_command(*deploy.task("publish")),
        env={**deploy.env, "PUBLISH_RSYNC_OPTIONS": "--bwlimit=100"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(
        lambda: next((deploy.base / "releases").glob("*.partial/index.html"), None),
        120,
        "the upload's start",
    )
    os.killpg(process.pid, signal.SIGKILL)  # the laptop lid closes
    process.wait(timeout=10)

    assert deploy.live() == first
    assert tree_digest(deploy.live_link) == before
    refused = deploy.publish()
    assert refused.returncode != 0
    assert "another publish holds the lock" in output_of(refused)
    assert "uv run invoke unlock" in output_of(refused)
    unlocked = deploy.invoke("unlock")
    assert unlocked.returncode == 0 and "Lock cleared" in unlocked.stdout

    assert published(deploy) != first
    assert (deploy.live_link / "extra" / "bulk.bin").stat().st_size == 1_500_000
    assert not list((deploy.base / "releases").glob("*.partial"))


def test_a_held_lock_refuses_a_publish(deploy):
    first = published(deploy)
    before = tree_digest(deploy.live_link)
    (deploy.base / ".publish.lock").mkdir()
    (deploy.base / ".publish.lock" / "owner").write_text("alice@laptop (pid 42)\n")
    edit_contact_page(deploy)
    refused = deploy.publish()
    assert refused.returncode != 0
    assert "another publish holds the lock" in output_of(refused)
    assert "alice@laptop (pid 42)" in output_of(refused)
    assert deploy.live() == first and tree_digest(deploy.live_link) == before
    assert deploy.releases() == [first]


def test_a_checksum_mismatch_stops_before_the_switch(deploy, tmp_path):
    first = published(deploy)
    # A server that changes a file after it is written: the verification must notice.
    wrapper = tmp_path / "ssh-corrupting"
    wrapper.write_text(
        "#!/bin/sh\n"
        'case "$*" in *sha256sum*)\n'
        f"  for d in {deploy.base}/releases/*.partial; do\n"
        '    printf corrupted > "$d/robots.txt.tmp" && mv "$d/robots.txt.tmp" "$d/robots.txt"\n'
        "  done;;\nesac\n"
        f'exec ssh -F {deploy.sshd.client_config()} "$@"\n'
    )
    wrapper.chmod(0o755)
    edit_contact_page(deploy)
    result = deploy.publish(PUBLISH_SSH=str(wrapper))
    assert result.returncode != 0
    assert "does not match the build" in output_of(result)
    assert "different: ./robots.txt" in output_of(result)
    assert deploy.live() == first
    assert (deploy.live_link / "robots.txt").read_text().startswith("User-agent")


@pytest.fixture
def stale_site(tmp_path):
    """An HTTP server that keeps answering an old release id."""
    (tmp_path / "stale").mkdir()
    (tmp_path / "stale" / "version.txt").write_text("20200101-000000-000000\n")
    server = StaticServer(tmp_path / "stale", tmp_path / "stale.log")
    yield server.url
    server.stop()


def test_a_failed_check_after_the_switch_switches_back(deploy, stale_site):
    first = published(deploy)
    edit_contact_page(deploy)
    result = deploy.publish(PUBLISH_CHECK_URL=stale_site)
    assert result.returncode != 0
    assert f"switched back to {first}" in output_of(result)
    assert deploy.live() == first
    assert not (deploy.base / ".publish.lock").exists()


def test_an_unreachable_check_url_only_warns(deploy):
    result = deploy.publish(PUBLISH_CHECK_URL=f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 0, output_of(result)
    assert "is not reachable from here" in output_of(result)


def test_rollback_and_releases(deploy):
    first = published(deploy)
    edit_contact_page(deploy)
    second = published(deploy)
    listing = deploy.invoke("releases")
    assert listing.stdout.splitlines() == [f"  {first}", f"* {second}  (live)"]

    assert deploy.invoke("rollback").returncode == 0
    assert deploy.live() == first
    assert deploy.invoke("rollback", "--release", second).returncode == 0
    assert deploy.live() == second
    missing = deploy.invoke("rollback", "--release", "20200101-000000-000000")
    assert missing.returncode != 0 and "there is no release 20200101-000000-000000" in output_of(
        missing
    )
    assert deploy.live() == second


def test_old_releases_are_pruned(deploy):
    old = ids(1, 2, 3, 4, 5, 6)
    for name in old:
        (deploy.base / "releases" / name).mkdir(parents=True)
    deploy.live_link.symlink_to(f"releases/{old[-1]}")
    live = published(deploy)
    assert deploy.releases() == old[2:] + [live]


def test_dry_run_shows_changes_without_touching_the_server(deploy):
    first = published(deploy)
    before = tree_digest(deploy.base)
    edit_contact_page(deploy)
    result = deploy.publish("--dry-run")
    assert result.returncode == 0, output_of(result)
    changes = [line for line in result.stdout.splitlines() if re.match(r"^[<>ch.*][fdL]", line)]
    assert any(line.endswith(" contact.html") for line in changes), result.stdout
    assert not any(line.endswith(" index.html") for line in changes)
    assert tree_digest(deploy.base) == before and deploy.live() == first


# -- refusals --------------------------------------------------------------------


def test_not_configured_refuses_before_building(deploy):
    result = deploy.publish(PUBLISH_TARGET="")
    assert result.returncode != 0
    assert "PUBLISH_TARGET is not set" in output_of(result)
    assert not deploy.output.exists()


def test_a_failed_gate_publishes_nothing(deploy):
    page = deploy.content / "pages" / "contact.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\nUne fote d'ortographe.\n", encoding="utf-8"
    )
    result = deploy.publish()
    assert result.returncode != 0
    assert "the quality gate found" in output_of(result)
    assert "spelling" in output_of(result)
    assert not deploy.base.exists()


def test_an_empty_build_publishes_nothing(deploy):
    with deploy.settings.open("a") as settings:
        settings.write("PAGE_PATHS = ['nothing-here']\nFAQ_PATHS = ['nothing-here']\n")
    result = deploy.publish()
    assert result.returncode != 0
    assert "has no pages" in output_of(result)
    assert not deploy.base.exists()


def server_for(deploy, config: Path) -> Server:
    os.environ["PUBLISH_SSH"] = f"ssh -F {config}"
    return Server(parse_target(f"site:{deploy.base}"))


@pytest.fixture
def restore_env():
    saved = os.environ.get("PUBLISH_SSH")
    yield
    if saved is None:
        os.environ.pop("PUBLISH_SSH", None)
    else:
        os.environ["PUBLISH_SSH"] = saved


def test_unreachable_host(deploy, restore_env):
    server = server_for(deploy, deploy.sshd.client_config("closed", port=free_port()))
    with pytest.raises(
        DeployError, match=r"cannot reach .*Connection refused.*Nothing was published"
    ):
        server.acquire("test")


def test_refused_key(deploy, restore_env):
    server = server_for(deploy, deploy.sshd.client_config("stranger", key=deploy.sshd.other_key))
    with pytest.raises(DeployError, match="refused the key.*authorized_keys"):
        server.acquire("test")


def test_changed_host_key(deploy, restore_env, tmp_path):
    impostor = tmp_path / "impostor_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(impostor)], check=True)
    known = tmp_path / "known_hosts"
    kind, key = Path(f"{impostor}.pub").read_text().split()[:2]
    known.write_text(f"[127.0.0.1]:{deploy.sshd.port} {kind} {key}\n")
    server = server_for(deploy, deploy.sshd.client_config("changed", known_hosts=known))
    with pytest.raises(DeployError, match="host key of site has CHANGED"):
        server.acquire("test")
    assert not deploy.base.exists()


def test_unknown_host_key_is_never_trusted_on_first_use(deploy, restore_env, tmp_path):
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    server = server_for(deploy, deploy.sshd.client_config("unknown", known_hosts=empty))
    with pytest.raises(DeployError, match="is not in known_hosts"):
        server.acquire("test")
    assert empty.read_text() == ""


def test_no_rsync_on_the_server(deploy, restore_env, tmp_path):
    key = tmp_path / "limited_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    deploy.sshd.authorize_without_rsync(key)
    server = server_for(deploy, deploy.sshd.client_config("limited", key=key))
    with pytest.raises(DeployError, match="rsync is not installed on site"):
        server.acquire("test")


def test_a_connection_error_through_invoke_publish(deploy):
    config = deploy.sshd.client_config("closed", port=free_port())
    result = deploy.publish(PUBLISH_SSH=f"ssh -F {config}")
    assert result.returncode != 0
    assert "Not published: cannot reach site" in output_of(result)
    assert not deploy.base.exists()
