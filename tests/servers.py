"""Throwaway real servers on 127.0.0.1 for the tests: static HTTP, OpenSSH and Apache.

Each runs from its own configuration in a temporary folder and is stopped by
its process id.
"""

from __future__ import annotations

import getpass
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

APACHE_MODULES = "/usr/lib/apache2/modules"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(
    condition: Callable[[], T],
    seconds: float = 30,
    what: str = "the condition",
    details: Callable[[], str] = str,
) -> T:
    """Poll `condition` until it returns a true value, and return it; fail after `seconds`.

    An OSError (a server not listening yet) counts as not yet. `details` says
    what to show on failure (a log, for instance).
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = condition()
            if value:
                return value
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {seconds} s\n{details()}")
        time.sleep(0.05)


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    def listening() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()}")
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True

    try:
        wait_for(listening, seconds, f"a server listening on port {port}")
    except TimeoutError:
        raise RuntimeError(f"nothing listens on port {port}: {log.read_text()}") from None


class StaticServer:
    """`python -m http.server` on a folder, on 127.0.0.1, stopped by its process id."""

    def __init__(self, folder: Path, log: Path):
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--directory",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        wait_for_port(self.port, self.process, log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop(self.process)


def require(*commands: str) -> None:
    """Fail, with the command that installs them, when the tools are missing."""
    missing = [c for c in commands if not (shutil.which(c) or Path(c).exists())]
    if missing:
        raise RuntimeError(
            f"missing {', '.join(missing)}: run `uv run invoke tools` "
            "(it installs them with apt-get)"
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def keygen(path: Path) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(path)], check=True
    )
    return path


class SshServer:
    """sshd with its own host key, accepting one client key, on a free port."""

    def __init__(self, root: Path, extra: str = ""):
        require("/usr/sbin/sshd", "ssh", "ssh-keygen", "rsync")
        self.root = root
        self.port = free_port()
        # A second port, for configurations that differ by port (Match LocalPort).
        self.other_port = free_port()
        self.user = getpass.getuser()
        self.host_key = keygen(root / "host_key")
        self.client_key = keygen(root / "client_key")
        self.other_key = keygen(root / "other_key")
        # An empty home for the sessions: the login shell (bash, which reads
        # ~/.bashrc under sshd) then runs no start-up files of this machine's.
        self.home = root / "home"
        self.home.mkdir()
        (root / "authorized_keys").write_text(
            f"{self.session_environment()} {(root / 'client_key.pub').read_text()}"
        )
        # A bin folder with sh but no rsync, for a key whose sessions lack rsync.
        (root / "no-rsync-bin").mkdir()
        (root / "no-rsync-bin" / "sh").symlink_to("/bin/sh")
        Path("/run/sshd").mkdir(exist_ok=True)
        self.config = root / "sshd_config"
        self.config.write_text(
            f"Port {self.port}\nPort {self.other_port}\nListenAddress 127.0.0.1\n"
            f"HostKey {self.host_key}\n"
            f"PidFile {root / 'sshd.pid'}\nAuthorizedKeysFile {root / 'authorized_keys'}\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nStrictModes no\n"
            "UsePAM no\nPermitUserEnvironment yes\nLogLevel ERROR\nSubsystem sftp internal-sftp\n"
            + extra.format(other_port=self.other_port)
        )
        self.log = root / "sshd.log"
        self.process = subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-e", "-f", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )
        wait_for_port(self.port, self.process, self.log)
        host_public = (root / "host_key.pub").read_text().split()
        self.known_hosts = root / "known_hosts"
        self.known_hosts.write_text(
            "".join(
                f"[127.0.0.1]:{port} {host_public[0]} {host_public[1]}\n"
                for port in (self.port, self.other_port)
            )
        )

    def client_config(
        self,
        name: str = "default",
        *,
        key: Path | None = None,
        known_hosts: Path | None = None,
        port: int | None = None,
    ) -> Path:
        """An ssh_config for `ssh -F`, in which the host alias `site` is this server."""
        path = self.root / f"ssh_config_{name}"
        path.write_text(
            f"Host site\n  HostName 127.0.0.1\n  Port {port or self.port}\n  User {self.user}\n"
            f"  IdentityFile {key or self.client_key}\n  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {known_hosts or self.known_hosts}\n"
            "  GlobalKnownHostsFile /dev/null\n  LogLevel ERROR\n"
        )
        return path

    def authorize_without_rsync(self, key: Path) -> None:
        """Let `key` in, with a PATH in which rsync cannot be found."""
        with (self.root / "authorized_keys").open("a") as keys:
            keys.write(
                f'{self.session_environment()},environment="PATH={self.root / "no-rsync-bin"}" '
                f"{Path(f'{key}.pub').read_text()}"
            )

    def session_environment(self) -> str:
        """The authorized_keys options that give a session the empty home."""
        return f'environment="HOME={self.home}"'

    def stop(self) -> None:
        stop(self.process)


class SftpOnlyServer(SshServer):
    """sshd offering SFTP only (ForceCommand internal-sftp) in a chroot: no shell exists.

    On `other_port`, the SFTP server refuses posix-rename@openssh.com, as some hosts' do.
    """

    def __init__(self, root: Path):
        # Every folder above a chroot must be root's and writable by nobody else.
        self.chroot = Path(tempfile.mkdtemp(prefix="cimw-sftp-", dir="/srv"))
        self.chroot.chmod(0o755)
        super().__init__(
            root,
            f"ChrootDirectory {self.chroot}\nForceCommand internal-sftp\n"
            "Match LocalPort {other_port}\n  ForceCommand internal-sftp -P posix-rename\n",
        )

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.chroot, ignore_errors=True)


class ApacheServer:
    """Apache httpd serving `docroot` (the live symlink) over HTTP and HTTPS."""

    MODULES = (
        "mpm_event",
        "authz_core",
        "authz_host",
        "dir",
        "mime",
        "rewrite",
        "headers",
        "alias",
        "ssl",
        "socache_shmcb",
        "env",
        "setenvif",
        "deflate",
        "filter",
    )

    def __init__(self, root: Path, base: Path, docroot: Path):
        require("/usr/sbin/apache2", "openssl")
        self.root = root
        self.http_port, self.https_port = free_port(), free_port()
        self.cert, self.key = root / "cert.pem", root / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(self.key),
                "-out",
                str(self.cert),
            ],
            check=True,
            capture_output=True,
        )
        modules = "\n".join(
            f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so" for m in self.MODULES
        )
        user = "www-data" if os.geteuid() == 0 else getpass.getuser()
        self.error_log = root / "error.log"
        self.config = root / "httpd.conf"
        self.config.write_text(f"""
ServerRoot /etc/apache2
ServerName 127.0.0.1
{modules}
DefaultRuntimeDir {root}
PidFile {root}/httpd.pid
Mutex file:{root} default
User {user}
Group {user if user != "www-data" else "www-data"}
Listen 127.0.0.1:{self.http_port}
Listen 127.0.0.1:{self.https_port}
ErrorLog {self.error_log}
LogLevel warn
TypesConfig /etc/mime.types
# As on a typical host: on-the-fly compression, which must leave the twins alone.
AddOutputFilterByType DEFLATE text/html text/plain text/css application/xml
SSLSessionCache shmcb:{root}/ssl_scache(512000)
DocumentRoot {docroot}
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory {base}>
  Options FollowSymLinks
  AllowOverride All
  Require all granted
</Directory>
<FilesMatch "^\\.ht">
  Require all denied
</FilesMatch>
<VirtualHost 127.0.0.1:{self.https_port}>
  SSLEngine on
  SSLCertificateFile {self.cert}
  SSLCertificateKeyFile {self.key}
</VirtualHost>
""")
        self.process = subprocess.Popen(
            ["/usr/sbin/apache2", "-f", str(self.config), "-DFOREGROUND"],
            stdout=subprocess.DEVNULL,
            stderr=self.error_log.open("a"),
        )
        wait_for_port(self.https_port, self.process, self.error_log)

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def stop(self) -> None:
        stop(self.process)


def world_readable_dir(prefix: str) -> Path:
    """A temporary folder Apache's user can read (pytest's are private)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def get(apache, path, headers=None, https=True):
    """One request; returns (status, headers as a lower-case dict, body bytes)."""
    if https:
        context = ssl.create_default_context(cafile=str(apache.cert))
        connection = http.client.HTTPSConnection(
            "127.0.0.1", apache.https_port, context=context, timeout=10
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", apache.http_port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    lowered = {}
    for name, value in response.getheaders():
        lowered[name.lower()] = (
            f"{lowered[name.lower()]}, {value}" if name.lower() in lowered else value
        )
    connection.close()
    return response.status, lowered, body
