"""A private PostgreSQL server in a temporary directory, so a run can restart it at will."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from pathlib import Path


def _bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    return found[-1] if found else tool


class PostgresServer:
    def __init__(self, root: Path, port: int):
        self.root, self.port = root / "postgresql", port
        self.data = self.root / "data"
        self.user = None
        if os.geteuid() == 0:  # initdb refuses root: run the server as postgres
            self.user = "postgres"
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/tsunagu_{{service}}"

    def _run(self, *args: str) -> None:
        command = list(args) if self.user is None else ["runuser", "-u", self.user, "--", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=400 "
                        "-c fsync=on")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: disconnects clients and shuts down cleanly; ``immediate``: like a crash."""
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
