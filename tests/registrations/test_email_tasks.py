"""E-mails leave as tasks: with the database backend the request only stores one, a worker sends.

The rest of the suite runs the immediate backend (sent right after the commit); these tests
switch to the database backend that production and `make bench` use.
"""

import smtplib
from datetime import timedelta

import pytest
from django.conf import settings as settings_module
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registrations import emails, services
from registrations.models import MailDelivery, Registration
from tests.conftest import register_people
from tests.registrations.test_pages import form_data


def run_worker(name="mail_worker"):
    """reglab's worker, until no task is due (a task waiting for a later try is not)."""
    call_command(name, "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


# The worker closes database connections between tasks, as a long-running process should:
# tests that run it need real commits, not a transaction rolled back at the end.
with_worker = pytest.mark.django_db(transaction=True)


@with_worker
def test_registration_stores_the_confirmation_and_the_worker_sends_it(
    client, programme, database_tasks
):
    mail.outbox.clear()
    response = client.post(
        reverse("registrations:register", args=[programme.slug]), form_data(programme)
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert mail.outbox == []  # the request sent nothing itself
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [registration.pk, "confirmation"]

    run_worker()

    assert len(mail.outbox) == 1
    assert registration.token in mail.outbox[0].body
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


def register_anna(event):
    workshops = [event.workshops.filter(slot=slot).first() for slot in event.slots.all()]
    return services.register(
        event=event,
        name="Anna",
        email="anna@example.se",
        organisation="Region",
        consent=True,
        workshops=workshops,
    )


def test_a_rolled_back_registration_queues_no_e_mail(
    programme, database_tasks, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        register_anna(programme)
        raise RuntimeError("something later in the same transaction failed")
    assert callbacks == []
    assert not DBTaskResult.objects.exists()
    # Control: the same registration, committed, queues its confirmation: its row is written
    # in the registration's transaction (registrations.outbox), nothing waits for the commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        register_anna(programme)
    assert callbacks == []
    assert DBTaskResult.objects.count() == 1


@with_worker
def test_worker_skips_a_registration_erased_before_it_ran(programme, database_tasks):
    result = register_anna(programme)
    Registration.objects.filter(pk=result.registration.pk).delete()
    mail.outbox.clear()

    run_worker()

    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_an_unknown_kind_fails_in_the_caller_not_in_the_worker(programme, database_tasks):
    with pytest.raises(KeyError):
        emails.send_later(Registration(pk=1, event=programme), "no-such-kind")
    assert not DBTaskResult.objects.exists()


def make_due(task):
    """As if the pause before the task's next try had passed."""
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())


@with_worker
def test_a_message_the_mail_server_refused_is_tried_again_later_then_failed(
    programme, database_tasks, mail_down, settings
):
    settings.TASK_RETRY_DELAYS = [60, 300]
    register_anna(programme)

    run_worker()  # the first try fails: the task waits a minute for the next
    task = DBTaskResult.objects.get()
    assert (task.status, len(task.worker_ids), mail_down.attempts) == ("READY", 1, 1)
    assert 55 < (task.run_after - timezone.now()).total_seconds() <= 60
    assert "MailNotSent" in task.exception_class_path  # why, while it waits

    run_worker()  # not due yet: nothing happens
    assert mail_down.attempts == 1

    make_due(task)
    run_worker()
    task.refresh_from_db()
    assert (task.status, len(task.worker_ids), mail_down.attempts) == ("READY", 2, 2)
    assert 295 < (task.run_after - timezone.now()).total_seconds() <= 300

    make_due(task)
    run_worker()  # the last try
    task.refresh_from_db()
    assert (task.status, len(task.worker_ids), mail_down.attempts) == ("FAILED", 3, 3)
    assert "MailNotSent" in task.exception_class_path


@with_worker
def test_the_librarys_name_for_the_worker_runs_reglabs(programme, database_tasks, mail_down):
    """`manage.py db_worker`, as django-tasks-db's docs say, puts a failed message back for a
    later try as `mail_worker` does; the library's own would mark it failed for good."""
    register_anna(programme)

    run_worker("db_worker")

    task = DBTaskResult.objects.get()
    assert (task.status, mail_down.attempts) == ("READY", 1)


def test_the_default_retries_go_on_for_most_of_a_day():
    delays = settings_module.TASK_RETRY_DELAYS
    assert delays[:4] == [60, 5 * 60, 30 * 60, 2 * 3600]
    assert 20 * 3600 < sum(delays) <= 24 * 3600


@with_worker
def test_a_mail_server_back_on_a_later_try_gets_the_message_once(
    programme, database_tasks, monkeypatch
):
    calls = []
    original = emails.EmailMultiAlternatives.send

    def flaky_send(message, *args, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionResetError("try again")
        return original(message, *args, **kwargs)

    monkeypatch.setattr(emails.EmailMultiAlternatives, "send", flaky_send)
    register_anna(programme)
    mail.outbox.clear()
    task = DBTaskResult.objects.get()
    for _ in range(3):
        make_due(task)
        run_worker()

    task.refresh_from_db()
    assert (task.status, len(task.worker_ids), len(calls)) == ("SUCCESSFUL", 3, 3)
    assert len(mail.outbox) == 1
    assert task.exception_class_path == ""  # the earlier failures are behind it


@with_worker
def test_a_recipient_refused_for_good_is_failed_without_more_tries(
    programme, database_tasks, monkeypatch, caplog
):
    def refuse(message, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"anna@example.se": (550, b"No such user")})

    monkeypatch.setattr(emails.EmailMultiAlternatives, "send", refuse)
    register_anna(programme)

    run_worker()

    task = DBTaskResult.objects.get()
    assert (task.status, len(task.worker_ids)) == ("FAILED", 1)
    assert "MailRefused" in task.exception_class_path
    # The SMTP error quotes the address; neither the log nor the stored error repeats it.
    assert "SMTPRecipientsRefused" in task.traceback
    assert "anna@example.se" not in task.traceback + caplog.text


@with_worker
def test_a_task_left_running_past_the_timeout_is_taken_up_again(
    programme, database_tasks, settings
):
    settings.TASK_RUNNING_TIMEOUT = 600
    register_anna(programme)
    register_people(programme, 1)
    lost, busy = DBTaskResult.objects.order_by("enqueued_at")
    # The first one's worker was killed 11 minutes ago; the second's is (still) busy with it.
    now = timezone.now()
    for task, started in [(lost, now - timedelta(minutes=11)), (busy, now)]:
        DBTaskResult.objects.filter(pk=task.pk).update(
            status="RUNNING", started_at=started, worker_ids=["gone"]
        )
    mail.outbox.clear()

    run_worker()

    lost.refresh_from_db()
    busy.refresh_from_db()
    assert (lost.status, busy.status) == ("SUCCESSFUL", "RUNNING")
    assert [m.to for m in mail.outbox] == [["anna@example.se"]]


@with_worker
def test_a_task_run_again_after_its_message_went_out_does_not_send_it_twice(
    programme, database_tasks
):
    register_anna(programme)
    mail.outbox.clear()
    run_worker()
    task = DBTaskResult.objects.get()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == emails.message_id(str(task.pk))

    # As after a lost connection: the outcome was not written, so the task runs again.
    DBTaskResult.objects.filter(pk=task.pk).update(status="READY")
    run_worker()

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2
    assert len(mail.outbox) == 1
    assert task.return_value is False  # found sent already


@with_worker
def test_a_message_whose_send_was_never_confirmed_is_sent_again_with_the_same_message_id(
    programme, database_tasks
):
    """At least once: the worker died after writing the message down, before the mark."""
    register_anna(programme)
    task = DBTaskResult.objects.get()
    MailDelivery.objects.create(
        key=str(task.pk), registration=Registration.objects.get(), kind="confirmation"
    )
    mail.outbox.clear()

    run_worker()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == emails.message_id(str(task.pk))
    assert MailDelivery.objects.get().sent_at is not None


def test_the_resend_action_only_queues_the_confirmations(
    organiser_client, small_event, database_tasks, mail_down, django_capture_on_commit_callbacks
):
    people = register_people(small_event, 3)
    DBTaskResult.objects.all().delete()
    changelist = reverse("admin:registrations_registration_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            changelist,
            {"action": "resend_confirmation", "_selected_action": [p.pk for p in people]},
            follow=True,
        )
    assert mail_down.attempts == 0  # the mail server was not asked inside the request
    queued = DBTaskResult.objects.filter(status="READY")
    assert sorted(t.args_kwargs["args"][0] for t in queued) == sorted(p.pk for p in people)
    assert "3 bekräftelser lagda i kö" in response.text
    one = organiser_client.post(
        changelist,
        {"action": "resend_confirmation", "_selected_action": [people[0].pk]},
        follow=True,
    )
    assert "1 bekräftelse lagd i kö" in one.text


def test_organisers_see_the_e_mail_tasks_and_staff_do_not(client, organiser, staff_member):
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    client.force_login(organiser)
    assert client.get(url).status_code == 200
    client.force_login(staff_member)
    assert client.get(url).status_code == 403


def test_the_task_list_names_the_message_and_links_the_registration(
    client, organiser, programme, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register_anna(programme).registration
    client.force_login(organiser)
    page = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).text
    assert "Utskick" in page
    assert "Bekräftelse: din anmälan till …" in page
    change = reverse("admin:registrations_registration_change", args=[registration.pk])
    assert f'href="{change}"' in page
    assert "Väntar" in page  # its status, in Swedish; no worker has run


def test_organisers_see_failed_and_waiting_messages_on_the_admin_start_page(
    client, organiser, small_event, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        people = register_people(small_event, 4)
    failed, waiting, _, _ = DBTaskResult.objects.order_by("enqueued_at")
    DBTaskResult.objects.filter(pk__in=[failed.pk]).update(status="FAILED", worker_ids=["w"] * 10)
    DBTaskResult.objects.filter(pk=waiting.pk).update(worker_ids=["w"])
    client.force_login(organiser)

    page = client.get(reverse("admin:index")).text

    tasks = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    assert f'href="{tasks}?status__exact=FAILED"' in page
    assert "1 meddelande kunde inte skickas" in page
    assert "1 meddelande väntar på ett nytt försök" in page
    listed = client.get(tasks, {"status__exact": "FAILED"}).text
    failed_link = reverse("admin:registrations_registration_change", args=[people[0].pk])
    assert f'href="{failed_link}"' in listed
    for other in people[1:]:
        other_link = reverse("admin:registrations_registration_change", args=[other.pk])
        assert f'href="{other_link}"' not in listed


def test_the_admin_start_page_says_when_no_message_failed(client, organiser, staff_member):
    client.force_login(organiser)
    assert "Inga meddelanden har misslyckats." in client.get(reverse("admin:index")).text
    client.force_login(staff_member)  # staff do not see the e-mail tasks at all
    assert "reglab-mail-panel" not in client.get(reverse("admin:index")).text
