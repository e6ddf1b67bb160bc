"""reglab.gunicorn_worker: a burst of connections is shared by the worker processes."""

import collections
import http.client
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKERS, THREADS = 2, 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "reglab.gunicorn_worker.BalancedThreadWorker",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--bind",
            f"127.0.0.1:{port}",
            "tests.reglab.slow_wsgi:app",
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        booted = 0
        deadline = time.monotonic() + 30
        while booted < WORKERS and time.monotonic() < deadline:
            line = process.stderr.readline()
            assert line, "gunicorn exited while starting"
            booted += "Booting worker" in line
        threading.Thread(target=process.stderr.read, daemon=True).start()  # keep it drained
        time.sleep(1)  # both workers past their start, waiting on the socket
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _pids_of_a_burst(port: int, connections: int) -> list[str]:
    pids, start = [], threading.Barrier(connections)

    def one():
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        start.wait()
        client.request("GET", "/?0.5")
        pids.append(client.getresponse().read().decode())
        client.close()

    threads = [threading.Thread(target=one) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return pids


def test_a_burst_of_connections_is_shared_by_the_workers(server):
    # As many connections as the workers have threads, all at once: each worker takes only
    # what its threads can serve now, so each serves exactly its share. (gunicorn's own
    # gthread worker often lets one process take three or all four.)
    for _ in range(3):
        by_worker = collections.Counter(_pids_of_a_burst(server, WORKERS * THREADS))
        assert sorted(by_worker.values()) == [THREADS] * WORKERS, by_worker


def test_more_connections_than_threads_all_get_an_answer(server):
    # The ones no thread was free for wait in the socket's queue, then are served.
    pids = _pids_of_a_burst(server, 3 * WORKERS * THREADS)
    assert len(pids) == 3 * WORKERS * THREADS
