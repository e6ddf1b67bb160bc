"""Fixtures shared by the registration tests."""

import datetime

import pytest
from django.utils import timezone


class FailingBackend:
    """A mail server that refuses every message, counting the attempts."""

    attempts = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        FailingBackend.attempts += 1
        raise ConnectionRefusedError("mail server down")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def mail_down(settings):
    FailingBackend.attempts = 0
    settings.MAILERS = {"default": {"BACKEND": "tests.registrations.conftest.FailingBackend"}}
    return FailingBackend


@pytest.fixture
def database_tasks(settings):
    """E-mails as database tasks, as in production; a worker (or the test) sends them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def pass_2_running(programme, monkeypatch):
    """The event is on and it is 10:05, during pass 2 (10:00–10:45): the latest 10:05 not ahead
    of the real clock. A login made before the clock stopped must not have expired: just after
    midnight, 10:05 the same day is ten hours ahead, past SESSION_COOKIE_AGE."""
    real = timezone.localtime()
    day = real.date()
    if real.time() < datetime.time(10, 5):
        day -= datetime.timedelta(days=1)
    now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 5)))
    programme.date = now.date()
    programme.save()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now
