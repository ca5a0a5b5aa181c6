"""Shared fixtures: a real redis-server on 127.0.0.1 at a free port (started and stopped by PID
here, no persistence), like js/test/redis/redis-process.mjs."""

import shutil
import socket
import subprocess
import time

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url():
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (.ci/test.d/40-python.sh installs it)"
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(500):
            if _answers(port):
                break
            if process.poll() is not None:
                raise RuntimeError("redis-server exited")
            time.sleep(0.01)
        else:
            raise RuntimeError(f"redis-server did not answer on 127.0.0.1:{port}")
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()
