"""Publish: the production build, the quality gate, then the deploy."""

from __future__ import annotations

from pathlib import Path

from project import GATE_INPUTS, build, load_settings
from sitecheck import RULES, run_gate

from . import DeployError, new_release_id
from . import publish as deploy_release
from .config import check_url, owner, server_from


def publish_site(settings_file: Path, dry_run: bool = False) -> None:
    """Build with the production settings, check, and deploy; DeployError says why not."""
    conf = load_settings(settings_file)
    server = server_from(conf)
    release_id = new_release_id()
    conf = build(settings_file, {"RELEASE_ID": release_id})
    output = Path(conf["OUTPUT_PATH"])
    if not list(output.glob("*.html")):
        raise DeployError(f"the build in {output} has no pages.")
    print("Quality gate:", flush=True)
    findings = run_gate(output, RULES, site_url=conf["SITE_PUBLIC_URL"], **GATE_INPUTS)
    if findings:
        raise DeployError(f"the quality gate found {len(findings)} problems (above).")
    if dry_run:
        live, _ = server.state()
        print(server.dry_run(output, live))
        return
    deploy_release(
        output,
        server.target,
        release_id,
        live_link=server.live_link,
        check_url=check_url(conf),
        keep=conf.get("PUBLISH_KEEP_RELEASES", 5),
        owner=owner(),
    )
