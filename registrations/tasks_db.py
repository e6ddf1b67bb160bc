"""reglab's task worker, `manage.py mail_worker`: django-tasks-db's `db_worker` made to keep
going. The one module that knows that library's insides (its Worker class, its DBTaskResult
rows and their statuses), for the version pinned in pyproject.toml (0.13).

What it adds to `db_worker`:

- A lost database connection (a restart, a failover, `pg_terminate_backend`) does not end
  the worker. In `db_worker` it does: the connection breaks while a task waits on the mail
  server, writing the task's outcome fails with "the connection is closed", and so does
  writing it as failed; the exception ends the loop and the task stays RUNNING. Here the
  worker closes the broken connection, reconnects (waiting while the database is away) and
  goes on, and a task whose outcome could not be written is run again. So a task must be safe
  to run twice: `emails.deliver` is, through its MailDelivery row.
- A task that failed for a reason that may pass (it raised `TryAgainLater`, a database
  error, the worker was stopped under it) is put back with `run_after` after the next pause
  of settings.TASK_RETRY_DELAYS; after the last it stays FAILED.
- A task RUNNING for longer than settings.TASK_RUNNING_TIMEOUT seconds lost its worker
  (`kill -9`, a machine gone): at start and then periodically it is put back to READY, or
  marked FAILED once it has had all its tries.

Supervision is the second line: `make serve` and the systemd unit in the README restart the
worker if it exits anyway.
"""

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from traceback import format_exception

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

# What a dropped or unreachable database raises (psycopg's "the connection is closed",
# "terminating connection due to administrator command", a refused connect).
CONNECTION_ERRORS = (OperationalError, InterfaceError)


class TryAgainLater(Exception):
    """Raised by a task for a failure that may pass: the worker runs it again later."""


class WorkerLost(Exception):
    """Recorded for a task whose worker stopped under it once too often."""


# Failures worth another try: they may pass by themselves.
PASSING = (TryAgainLater, *CONNECTION_ERRORS, SystemExit, KeyboardInterrupt)


def surviving_lost_connection[T](write: Callable[[], T], *, tries: int = 5) -> T:
    """Run a short database write; if the connection dropped, reconnect and run it again.

    For a write that must not be lost to a moment's outage, outside a transaction (inside
    one, the work before it would be lost with the connection, so the error is raised)."""
    for attempt in range(1, tries + 1):
        try:
            return write()
        except CONNECTION_ERRORS:
            connection = connections[DEFAULT_DB_ALIAS]
            if attempt == tries or connection.in_atomic_block:
                raise
            connection.close()
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def failed_tasks():
    """Tasks that will not be tried again (organisers see how many on the admin's start)."""
    return DBTaskResult.objects.failed()


def waiting_for_another_try():
    """Tasks that failed at least once and wait for their next try."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).exclude(worker_ids=[])


def tries(task: DBTaskResult) -> int:
    return len(task.worker_ids)


def next_try(task: DBTaskResult):
    """When a task that is waiting runs at the earliest (None: as soon as a worker is free)."""
    if task.status != TaskResultStatus.READY or task.run_after == get_date_max():
        return None
    return task.run_after


class MachineLoad:
    """How much of the machine's CPU time the other processes used lately (Linux's
    /proc/stat, less this process's own), read at most once per `window` seconds: the first
    call waits one window, later ones compare with the reading of a window or more ago."""

    def __init__(self, window: float = 0.2):
        self.window = window
        self._last: tuple[float, float, float] | None = None
        self._read_at = 0.0
        self._share = 0.0

    @staticmethod
    def read() -> tuple[float, float, float] | None:
        """(busy, total) CPU seconds of the whole machine and this process's own, or None
        where there is no /proc/stat."""
        try:
            with open("/proc/stat") as stat:
                ticks = [int(n) for n in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        per_second = os.sysconf("SC_CLK_TCK")
        idle = ticks[3] + ticks[4]  # idle, iowait
        own = os.times()
        return (sum(ticks) - idle) / per_second, sum(ticks) / per_second, own.user + own.system

    def others_share(self) -> float:
        if self._last is None:
            self._last, self._read_at = self.read(), time.monotonic()
            if self._last is None:
                return 0.0  # no /proc/stat (not Linux): never busy
            time.sleep(self.window)
        if time.monotonic() - self._read_at < self.window:
            return self._share
        now = self.read()
        if now is None:
            return self._share
        busy, total, own = (b - a for a, b in zip(self._last, now, strict=True))
        if total > 0:
            self._share = max(busy - own, 0.0) / total
        self._last, self._read_at = now, time.monotonic()
        return self._share


class Worker(db_worker.Worker):
    # The others are busy when they use more than half the machine's CPU time.
    BUSY_SHARE = 0.5

    def __init__(
        self,
        *,
        retry_delays: list[int],
        running_timeout: int,
        give_way_seconds: float = 0,
        load: MachineLoad | None = None,
        **options,
    ):
        super().__init__(**options)
        self.retry_delays = retry_delays
        self.running_timeout = running_timeout
        self.give_way_seconds = give_way_seconds
        self.load = load or MachineLoad()
        self._sending_anyway_until = 0.0

    def give_way(self) -> float:
        """Wait while the web workers are busy, for at most give_way_seconds; the seconds
        waited. Measured on 2 cores (README, Prestanda): the worker building mails during a
        rush, even on idle CPU time, cut the registrations answered per second by a quarter;
        a confirmation a few seconds late costs nobody anything. Under load that lasts, it
        sends anyway (on idle CPU time) and looks again after as long."""
        started = time.monotonic()
        if not self.give_way_seconds or started < self._sending_anyway_until:
            return 0.0
        while self.running and self.load.others_share() > self.BUSY_SHARE:
            waited = time.monotonic() - started
            if waited >= self.give_way_seconds:
                logger.info("The machine stayed busy for %.0f s: sending anyway", waited)
                self._sending_anyway_until = time.monotonic() + self.give_way_seconds
                break
            time.sleep(self.load.window)
        return time.monotonic() - started

    def run(self) -> None:
        self._reconnecting(self.take_up_stale_tasks)
        if not self.batch:
            threading.Thread(target=self._watch_for_stale_tasks, daemon=True).start()
        while True:
            try:
                return super().run()
            except CONNECTION_ERRORS as error:
                # Lost between tasks (while claiming one): nothing was run, so just go on.
                logger.warning("Worker %s lost its database connection: %s", self.worker_id, error)
                self.reconnect()
                self.startup_delay = False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # db_worker's run_task records a failure with the row's set_failed; a failure worth
        # another try is recorded instead as READY for later, in one write (never FAILED
        # in between, where organisers would count it).
        db_task_result.set_failed = partial(self._record_failure, db_task_result)
        self.give_way()  # claimed, RUNNING: another worker leaves it alone meanwhile
        try:
            super().run_task(db_task_result)
        except CONNECTION_ERRORS as error:
            # The task ran, or began to, but its outcome could not be written.
            logger.warning(
                "Worker %s lost its database connection during task %s: %s",
                self.worker_id,
                db_task_result.pk,
                error,
            )
            self.reconnect()
            self._reconnecting(partial(self._record_failure, db_task_result, error, at_once=True))

    def _record_failure(self, task: DBTaskResult, error: BaseException, *, at_once=False):
        if not isinstance(error, PASSING) or tries(task) > len(self.retry_delays):
            DBTaskResult.set_failed(task, error)
            if isinstance(error, PASSING):
                logger.error("Task %s failed %s times; not tried again", task.pk, tries(task))
            return
        delay = 0 if at_once else self.retry_delays[tries(task) - 1]
        task.status = TaskResultStatus.READY
        DBTaskResult.objects.filter(pk=task.pk).update(
            status=task.status,
            run_after=timezone.now() + timedelta(seconds=delay),
            finished_at=None,
            # The last failure stays readable while the task waits.
            exception_class_path=f"{type(error).__module__}.{type(error).__qualname__}",
            traceback="".join(format_exception(error)),
        )
        logger.info("Task %s (try %s) will be tried again in %s s", task.pk, tries(task), delay)

    def take_up_stale_tasks(self) -> int:
        """Put back the tasks whose worker stopped under them; how many there were."""
        started_before = timezone.now() - timedelta(seconds=self.running_timeout)
        with transaction.atomic():
            stale = list(
                DBTaskResult.objects.running()
                .filter(backend_name=self.backend_name, started_at__lt=started_before)
                .select_for_update(skip_locked=True)
            )
            for task in stale:
                if tries(task) > len(self.retry_delays):
                    task.set_failed(WorkerLost(f"the worker stopped under it {tries(task)} times"))
                else:
                    DBTaskResult.objects.filter(pk=task.pk).update(
                        status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None
                    )
        if stale:
            logger.warning("Took up %s tasks left running by a stopped worker", len(stale))
        return len(stale)

    def _watch_for_stale_tasks(self) -> None:
        period = max(1.0, min(self.running_timeout / 2, 60.0))
        while True:
            time.sleep(period)
            try:
                self.take_up_stale_tasks()
            except Exception:
                logger.exception("Could not look for tasks left running")
            finally:
                connections.close_all()  # this thread's own connection

    def reconnect(self) -> None:
        """Drop the broken connection and wait until a new one works."""
        connection = connections[DBTaskResult.objects.db]
        pause = 0.5
        while True:
            with contextlib.suppress(CONNECTION_ERRORS):
                connection.close()
            try:
                connection.ensure_connection()
                return
            except CONNECTION_ERRORS as error:
                logger.warning("Database unreachable (%s); trying again in %s s", error, pause)
                time.sleep(pause)
                pause = min(pause * 2, 30)

    def _reconnecting[T](self, work: Callable[[], T]) -> T:
        while True:
            try:
                return work()
            except CONNECTION_ERRORS:
                self.reconnect()


def lower_priority(priority: str) -> None:
    """Run this process only on CPU time nothing else wants (SCHED_IDLE), before its threads
    start (they inherit it). Measured in a rush on 2 cores (README, Prestanda): the worker at
    nice 10 still took a fifth of the CPU from the web workers; idle, registrations ran 156-180
    per second instead of 123-127."""
    if priority == "idle" and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


class Command(db_worker.Command):
    help = (
        "Run the task worker (e-mails): db_worker that survives a lost database connection, "
        "tries failed tasks again later and takes up tasks a stopped worker left running."
    )

    def handle(self, **options) -> None:
        lower_priority(settings.WORKER_PRIORITY)
        # db_worker's handle parses the options and builds its Worker by this module-level
        # name; lending it ours for the run keeps every option the library has.
        library_worker = db_worker.Worker
        db_worker.Worker = lambda **kwargs: Worker(
            retry_delays=settings.TASK_RETRY_DELAYS,
            running_timeout=settings.TASK_RUNNING_TIMEOUT,
            give_way_seconds=settings.WORKER_GIVE_WAY_SECONDS,
            **kwargs,
        )
        try:
            super().handle(**options)
        finally:
            db_worker.Worker = library_worker
