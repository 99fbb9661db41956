"""`streamlit run app.py` as a user starts it, on a free port with its own database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from support.paths import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(folder: Path, **settings: str):
    """Yields (base URL, environment) of a running app whose database lives in `folder`."""
    with app_process(folder, **settings) as (_, base, env):
        yield base, env


@contextmanager
def app_process(folder: Path, **settings: str):
    """Like `running_app`, but yields (process, base URL, environment), for tests that kill it."""
    port = free_port()
    env = {**os.environ, "PLANNER_DB_URL": f"sqlite:///{folder}/planner.db", **settings}
    log = open(folder / "server.log", "wb")  # noqa: SIM115 (closed when the server is stopped, below)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the app did not start: {(folder / 'server.log').read_text()[-2000:]}") from None
                time.sleep(0.5)
        yield process, base, env
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
