"""A double click on "send" and two schedulers at once, on PostgreSQL (see test_concurrency.py
for why these skip on SQLite, and fail instead under REGLAB_REQUIRE_POSTGRES)."""

import threading
import time

import pytest
from django.db import connections
from django_tasks_db.models import DBTaskResult

from registrations import services
from registrations.models import Message
from registrations.services import messages
from tests.conftest import make_event, register_people

PEOPLE = 20


def at_once(*calls):
    """Run the calls in threads started together; their results, or the errors they raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def one(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def slow_checks(monkeypatch):
    """Pause after reading the message's status, so two sends overlap for sure."""
    real = messages.check_text

    def slow(**kwargs):
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(messages, "check_text", slow)


@pytest.fixture
def draft(database_tasks):
    event = make_event(slug="double-click", capacity=PEOPLE)
    register_people(event, PEOPLE)
    return Message.objects.create(
        event=event, subject="Hej", body="Hej {namn}", audience="everyone"
    )


def send(message):
    return lambda: services.send_message(message=message, by=services.SYSTEM)


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_send_once(postgres_only, slow_checks, draft):
    first, second = at_once(send(draft), send(draft))
    assert sorted([first.already_sent, second.already_sent]) == [False, True]
    assert first.queued + second.queued == PEOPLE
    assert draft.recipients.count() == PEOPLE
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_message").count() == PEOPLE


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_both_clicks_try_to_send(
    postgres_only, slow_checks, draft, monkeypatch
):
    """The same race with the row lock switched off: both requests find a draft. Only the
    unique recipients stop the second (with a database error instead of "already sent")."""
    monkeypatch.setattr(
        messages, "lock_rows", lambda queryset, ids: list(queryset.filter(pk__in=ids))
    )
    results = at_once(send(draft), send(draft))
    assert [r.already_sent for r in results if isinstance(r, services.SendResult)] == [False]
    assert any("messagerecipient_once_per_message" in str(r) for r in results)
    assert draft.recipients.count() == PEOPLE


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_remind_everyone_once(postgres_only, database_tasks, monkeypatch):
    event = make_event(slug="two-timers", capacity=PEOPLE)
    register_people(event, PEOPLE)
    real = messages.recipients

    def slow(message):
        time.sleep(0.3)
        return real(message)

    monkeypatch.setattr(messages, "recipients", slow)
    results = at_once(lambda: services.send_reminder(event), lambda: services.send_reminder(event))
    assert sorted(results) == [0, PEOPLE]
    reminder = Message.objects.get(event=event, kind=Message.Kind.REMINDER)
    assert reminder.recipients.count() == PEOPLE
