"""Fixtures shared by the registration tests."""

import pytest


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
