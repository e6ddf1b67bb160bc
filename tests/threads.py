"""Racing requests in threads, for the PostgreSQL concurrency tests.

`run_together` runs callables at once, each in a thread of its own with its own database
connection, and fails the test when one of them raises or hangs. (An exception in a plain
thread is lost: it ends as a warning, and a failed assert there fails nothing.)

`Meeting` holds racing threads at the point of the race, so a test that can fail does so
every time, on a loaded machine too. Each thread that comes to the meeting waits there until
all have come, or until those that have not are waiting for a database lock: with the lock
in place that is where the others stand, and the one holding it goes on. So the same hook
makes the threads overlap when a lock is missing and lets them take turns when it is there,
without a sleep to guess or a wait to run out.
"""

import functools
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections

_racer = threading.local()


def racer() -> str | None:
    """The name of the racing thread this runs in (its callable's), None outside the race."""
    return getattr(_racer, "name", None)


def run_together(
    *callables: Callable, timeout: float = 60, expected=(), lock_timeout_ms: int = 10_000
) -> list:
    """Start the callables at the same moment, each in its own thread, and wait for all.

    Returns what each returned, in order; an exception of a type in `expected` (a refusal the
    test counts) is returned in place of its result. Any other exception from a thread is
    raised here, and a thread still running after `timeout` seconds fails the test. Each
    thread is named after its callable, for `Meeting.at(..., thread=...)`.

    On PostgreSQL the threads wait for a lock up to `lock_timeout_ms` instead of the suite's
    one second: on a loaded machine the transactions ahead of them (a crowd of them, at one
    lock) can take longer, and a "try again" is not what these tests look for. A deadlock
    still ends after PostgreSQL's deadlock_timeout (a second).
    """
    results: list = [None] * len(callables)
    errors: list[BaseException] = []
    start = threading.Barrier(len(callables), timeout=timeout)

    def run(index: int, function: Callable) -> None:
        _racer.name = getattr(function, "__name__", "racer")
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('lock_timeout', %s, false)", [f"{lock_timeout_ms}ms"]
                    )
            start.wait()
            results[index] = function()
        except expected as error:
            results[index] = error
        except BaseException as error:  # noqa: BLE001 - raised in the test's thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, f), name=f"racer {i}")
        for i, f in enumerate(callables)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    running = [t.name for t in threads if t.is_alive()]
    if running:
        pytest.fail(f"still running after {timeout} s: {', '.join(running)}")
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BaseExceptionGroup("racing threads failed", errors)
    return results


def waiting_for_locks() -> int:
    """How many other connections to this test database are waiting for a lock now."""
    with connection.cursor() as cursor:
        # Activity is read once per transaction unless the snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


class Meeting:
    """Where `parties` racing threads meet: see the module's note. Once the meeting is over,
    a thread that comes later (it was waiting for a lock) goes straight on."""

    def __init__(self, parties: int, *, timeout: float = 10):
        self.parties = parties
        self.timeout = timeout
        self.arrived = 0
        self.over = False
        self.changed = threading.Condition()
        self.someone_came = threading.Event()

    def wait_for_someone(self) -> None:
        """For a thread that must start only once another has come (holding its locks)."""
        if not self.someone_came.wait(self.timeout):
            raise AssertionError("nobody came to the meeting")

    def arrive(self) -> None:
        self.someone_came.set()
        with self.changed:
            self.arrived += 1
            if self.arrived >= self.parties:
                self.over = True
                self.changed.notify_all()
        deadline = time.monotonic() + self.timeout
        while True:
            with self.changed:
                if self.over:
                    return
                missing = self.parties - self.arrived
            if waiting_for_locks() >= missing:
                with self.changed:
                    self.over = True
                    self.changed.notify_all()
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{missing} of {self.parties} threads neither came nor waited for a lock"
                )
            with self.changed:
                self.changed.wait(0.01)

    def at(self, function: Callable, *, thread: str | None = None, before: bool = False):
        """`function`, changed so that its first call in each racing thread (in the one named
        `thread` only, if given) comes to this meeting: after the call, or before it."""
        came: set[int] = set()

        @functools.wraps(function)
        def meeting_point(*args, **kwargs):
            name = racer()
            here = name is not None and thread in (None, name)
            here = here and threading.get_ident() not in came
            if here:
                came.add(threading.get_ident())
            if here and before:
                self.arrive()
            result = function(*args, **kwargs)
            if here and not before:
                self.arrive()
            return result

        return meeting_point


def read_without_lock(monkeypatch, module, model) -> None:
    """For a control: `module`'s `lock_rows` reads rows of `model` without locking them, and
    its `lock_ids` leaves them unlocked (its locks on other tables stay)."""
    real = module.lock_rows

    def lock_rows(queryset, ids):
        if queryset.model is model:
            return list(queryset.filter(pk__in=sorted(set(ids))).order_by("pk"))
        return real(queryset, ids)

    monkeypatch.setattr(module, "lock_rows", lock_rows)
    if hasattr(module, "lock_ids"):
        real_ids = module.lock_ids

        def lock_ids(locked_model, ids):
            if locked_model is not model:
                real_ids(locked_model, ids)

        monkeypatch.setattr(module, "lock_ids", lock_ids)


def switched_off_in(monkeypatch, module, name: str, thread: str, replacement: Callable) -> None:
    """For a control: in the racing thread `thread` only, `module.name` is `replacement`."""
    real = getattr(module, name)

    def either(*args, **kwargs):
        return (replacement if racer() == thread else real)(*args, **kwargs)

    monkeypatch.setattr(module, name, either)


def meet_where_counted_under_locks(monkeypatch, meeting: "Meeting", module, *names: str) -> None:
    """The seat counts `module.names` meet `meeting` (once per thread, whichever it calls
    first) when called inside a transaction, where the services count under their locks; the
    unlocked early count a registration makes before its transaction (rules.counted_now)
    passes by."""
    from django.db import transaction

    locked = meeting.at(lambda count, *args, **kwargs: count(*args, **kwargs))

    def counting(unlocked):
        def count(*args, **kwargs):
            if transaction.get_connection().in_atomic_block:
                return locked(unlocked, *args, **kwargs)
            return unlocked(*args, **kwargs)

        return count

    for name in names:
        monkeypatch.setattr(module, name, counting(getattr(module, name)))
