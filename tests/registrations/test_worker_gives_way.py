"""The mail worker gives way to a rush: while other processes keep the machine's CPUs busy it
waits before each message (at most WORKER_GIVE_WAY_SECONDS in a row), then sends anyway."""

import subprocess
import sys
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from registrations import tasks_db
from registrations.tasks_db import MachineLoad, Worker
from tests.registrations.test_pages import form_data
from tests.reglab.test_security import deploy_check


class ScriptedLoad:
    """The other processes' share of the CPU, one reading per call, the last one repeated."""

    window = 0.01

    def __init__(self, *shares):
        self.shares = list(shares)
        self.readings = 0

    def others_share(self):
        self.readings += 1
        return self.shares.pop(0) if len(self.shares) > 1 else self.shares[0]


def worker(load, give_way_seconds=1.0):
    return Worker(
        retry_delays=[1],
        running_timeout=60,
        give_way_seconds=give_way_seconds,
        load=load,
        queue_names=["default"],
        interval=0.1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )


def test_a_quiet_machine_is_not_waited_for():
    load = ScriptedLoad(0.1)
    assert worker(load).give_way() < 0.005
    assert load.readings == 1


def test_a_busy_machine_is_waited_for_until_it_is_quiet():
    load = ScriptedLoad(0.9, 0.9, 0.8, 0.3)
    waited = worker(load).give_way()
    assert load.readings == 4
    assert 0.03 <= waited < 0.5


def test_a_machine_busy_for_long_gets_its_mail_anyway_and_is_looked_at_again_later():
    load = ScriptedLoad(1.0)
    busy = worker(load, give_way_seconds=0.1)

    assert 0.1 <= busy.give_way() < 0.3
    readings = load.readings
    assert busy.give_way() == 0.0  # sending anyway, without looking
    assert load.readings == readings
    time.sleep(0.1)
    assert busy.give_way() >= 0.1  # and after as long, giving way again
    assert load.readings > readings


def test_giving_way_can_be_turned_off():
    load = ScriptedLoad(1.0)
    assert worker(load, give_way_seconds=0).give_way() == 0.0
    assert load.readings == 0


def test_the_share_leaves_out_the_workers_own_cpu_time(monkeypatch):
    # (busy, total, own) CPU seconds: 0.4 s of 2 cores' 0.4 s, all but 0.1 its own.
    readings = iter([(10.0, 20.0, 5.0), (10.4, 20.4, 5.3)])
    monkeypatch.setattr(MachineLoad, "read", staticmethod(lambda: next(readings)))
    assert MachineLoad(window=0.01).others_share() == pytest.approx(0.25)


def test_without_proc_stat_the_machine_counts_as_quiet_at_once(monkeypatch):
    monkeypatch.setattr(MachineLoad, "read", staticmethod(lambda: None))
    load = MachineLoad(window=5)
    started = time.monotonic()
    assert load.others_share() == 0.0
    assert load.others_share() == 0.0
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REGLAB_WORKER_GIVE_WAY_SECONDS", "600"),  # over half of the 900 s running timeout
        ("REGLAB_WORKER_GIVE_WAY_SECONDS", "-1"),
        ("REGLAB_WORKER_PRIORITY", "fast"),
    ],
)
def test_a_worker_setting_out_of_range_stops_the_start(name, value):
    result = deploy_check(**{name: value})
    assert result.returncode != 0 and name in result.stderr


def test_the_share_of_a_machine_kept_busy_by_others_is_over_a_half():
    load = MachineLoad(window=0.3)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        time.sleep(0.1)
        load.others_share()
        time.sleep(0.3)
        share = load.others_share()
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    assert share > Worker.BUSY_SHARE


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_confirmation_once_the_rush_is_over(
    client, programme, database_tasks, settings, monkeypatch
):
    settings.WORKER_GIVE_WAY_SECONDS = 5
    load = ScriptedLoad(0.9, 0.9, 0.9, 0.2)
    monkeypatch.setattr(tasks_db, "MachineLoad", lambda: load)
    mail.outbox.clear()
    client.post(reverse("registrations:register", args=[programme.slug]), form_data(programme))
    assert DBTaskResult.objects.count() == 1

    call_command("mail_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert load.readings == 4  # it looked until the machine was quiet, then sent
    assert len(mail.outbox) == 1
