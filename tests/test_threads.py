"""The helper the concurrency tests race their threads with (tests/threads.py)."""

import threading

import pytest

from tests.threads import run_together

# On PostgreSQL each thread sets its lock timeout on its own connection first.
pytestmark = pytest.mark.django_db


def test_a_failed_assert_in_a_thread_fails_the_test():
    def fails():
        assert 1 == 2, "in the thread"

    with pytest.raises(AssertionError, match="in the thread"):
        run_together(fails, lambda: "fine")


def test_expected_errors_are_returned_in_order_and_others_raised():
    def refused():
        raise LookupError("refused")

    results = run_together(lambda: 1, refused, expected=(LookupError,))
    assert results[0] == 1 and isinstance(results[1], LookupError)
    with pytest.raises(ExceptionGroup):
        run_together(refused, refused, expected=(KeyError,))


def test_a_thread_still_running_fails_the_test():
    release = threading.Event()
    try:
        with pytest.raises(pytest.fail.Exception, match="still running"):
            run_together(lambda: release.wait(10), timeout=0.2)
    finally:
        release.set()
