"""A real ``varnishd`` with ``config/varnish.vcl`` in front of the live test server.

* ``varnish``: the base URL of a Varnish started for the session on a free port
  of 127.0.0.1, with a copy of the VCL whose backend is the live server's port.
  Skips the test when ``varnishd`` (or the xkey vmod) is missing, unless
  ``REQUIRE_VARNISH=1`` (CI), where it fails instead. Stopped at the session end.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

VCL = Path(settings.BASE_DIR) / "config" / "varnish.vcl"
VARNISHD = os.environ.get("VARNISHD", shutil.which("varnishd") or "/usr/sbin/varnishd")


def _unavailable(reason):
    if os.environ.get("REQUIRE_VARNISH") == "1":
        pytest.fail(f"REQUIRE_VARNISH=1 but {reason}")
    pytest.skip(reason)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port, process, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def backend_vcl(port):
    """The VCL with its backend moved from 127.0.0.1:8000 to ``port``."""
    text = VCL.read_text()
    text, count = re.subn(r'(\.port\s*=\s*)"8000"', rf'\g<1>"{port}"', text)
    assert count == 1, "config/varnish.vcl must declare the backend on port 8000"
    return text


@pytest.fixture(scope="session")
def varnish(live_server):
    if not (Path(VARNISHD).exists() or shutil.which(VARNISHD)):
        _unavailable("varnishd is not installed (apt-get install varnish varnish-modules)")
    workdir = Path(tempfile.mkdtemp(prefix="varnish-test-"))
    vcl = workdir / "test.vcl"
    vcl.write_text(backend_vcl(urlparse(live_server.url).port))
    port = _free_port()
    command = [VARNISHD, "-F", "-n", str(workdir / "state"), "-a", f"127.0.0.1:{port}"]
    command += ["-f", str(vcl), "-s", "malloc,64m", "-T", "none", "-p", "default_ttl=0"]
    if os.geteuid() == 0:
        command += ["-j", "none"]  # as root, stay root rather than need the vcache user
    log = open(workdir / "varnishd.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not _wait_for(port, process):
            process.kill()
            log.close()
            output = (workdir / "varnishd.log").read_text()[-2000:]
            _unavailable(f"varnishd did not start: {output}")
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
