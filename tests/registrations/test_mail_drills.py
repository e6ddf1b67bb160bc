"""Fault drills for the e-mail worker: a real worker process, a real (local, slow) mail server.

Each drill registers a few people (their confirmations wait as tasks in the test database),
runs `manage.py mail_worker` against that database, breaks something while it sends, and then
counts what the mail server received. PostgreSQL only: the worker is another process, so it
needs a database it can share (pytest-django's test database, committed data), and the first
drill cuts its connections with pg_terminate_backend.

Delivery is at least once: a message the mail server had when the worker died (before the
worker heard "250" and wrote it down) goes out again. Everything else goes out exactly once.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.conftest import make_event, register_people
from tests.django_script import ROOT
from tests.smtp_sink import SlowSmtpServer

WORKER = "mail_worker"
DEADLINE = 40  # seconds for a drill's mail to go out; each takes about 10


@pytest.fixture
def drill(postgres_only, transactional_db, database_tasks):
    return make_event(slug="drill")


@pytest.fixture
def smtp():
    server = SlowSmtpServer(delay=0.7)
    yield server
    server.stop()


@pytest.fixture
def workers(smtp, tmp_path):
    """Starts worker processes on the test database; all are stopped at the end."""
    started = []
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    def start(**env):
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", WORKER, "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.2"],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": database_url,
                "REGLAB_TASKS": "database",
                "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp.port),
                "EMAIL_TIMEOUT": "5",
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log.name
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def log_of(process) -> str:
    with open(process.log_path) as log:
        return log.read()


def wait_for(condition, worker, what: str):
    """Poll `condition` until it holds; on timeout, say how the worker is doing."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    statuses = list(DBTaskResult.objects.values_list("status", flat=True))
    alive = "running" if worker.poll() is None else f"exited with {worker.returncode}"
    raise AssertionError(f"{what}: no. Tasks {statuses}; worker {alive}:\n{log_of(worker)[-3000:]}")


def wait_until_all_sent(worker, *, count: int):
    wait_for(
        lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == count,
        worker,
        "all sent",
    )


def terminate_other_connections() -> int:
    """What a database restart or a network cut does to the worker's connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_the_worker_survives_its_connections_being_cut_while_it_sends(drill, smtp, workers):
    people = register_people(drill, 6)
    smtp.start()
    worker = workers()

    cuts = 0
    for n in range(1, 4):  # the first three messages, each while it is being sent
        wait_for(lambda n=n: len(smtp.received) == n, worker, f"message {n} arrived")
        cuts += terminate_other_connections()
    wait_until_all_sent(worker, count=len(people))

    assert cuts >= 3
    assert worker.poll() is None, log_of(worker)
    assert sorted(smtp.recipients()) == sorted(p.email for p in people)  # each exactly once


def test_a_worker_killed_mid_send_leaves_nothing_unsent_after_a_restart(drill, smtp, workers):
    people = register_people(drill, 5)
    smtp.start()
    # A task left RUNNING this long is taken up again (production: 15 minutes).
    stale = {"REGLAB_TASK_RUNNING_TIMEOUT": "2"}
    first = workers(**stale)
    # The third has arrived and waits for its "250".
    wait_for(lambda: len(smtp.received) == 3, first, "message 3 arrived")
    in_flight = smtp.in_flight
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1

    second = workers(**stale)
    wait_until_all_sent(second, count=len(people))

    # The one the server had when the worker died went out twice, with one Message-ID so a
    # mail client can drop the copy; every other confirmation exactly once.
    assert {p.email: smtp.count(p.email) for p in people} == {
        p.email: 2 if p.email == in_flight else 1 for p in people
    }
    copies = {r.message_id for r in smtp.received if r.to == in_flight}
    assert len(copies) == 1


def test_a_mail_server_down_for_a_while_gets_every_message_once_it_is_back(drill, smtp, workers):
    people = register_people(drill, 4)
    worker = workers(REGLAB_TASK_RETRY_DELAYS="1,1,2,2,2,2,2,2")  # seconds, not hours

    wait_for(
        lambda: DBTaskResult.objects.exclude(worker_ids=[]).count() == len(people),
        worker,
        "every message tried",
    )
    time.sleep(2)  # the server stays down through the first retries
    tasks = DBTaskResult.objects.all()
    assert not tasks.filter(status="FAILED").exists(), log_of(worker)
    assert smtp.received == []

    smtp.start()
    wait_until_all_sent(worker, count=len(people))

    assert sorted(smtp.recipients()) == sorted(p.email for p in people)
    assert all(len(task.worker_ids) > 1 for task in tasks), "some were sent on the first try"


@pytest.mark.parametrize(
    ("priority", "policy"), [("idle", os.SCHED_IDLE), ("normal", os.SCHED_OTHER)]
)
def test_the_worker_sends_on_the_cpu_time_the_web_workers_leave(
    drill, smtp, workers, priority, policy
):
    smtp.start()
    people = register_people(drill, 2)
    worker = workers(REGLAB_WORKER_PRIORITY=priority)

    wait_until_all_sent(worker, count=len(people))

    assert os.sched_getscheduler(worker.pid) == policy
    assert sorted(smtp.recipients()) == sorted(p.email for p in people)
