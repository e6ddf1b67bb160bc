"""E-mails leave as tasks: with the database backend the request only stores one, a worker sends.

The rest of the suite runs the immediate backend (sent right after the commit); these tests
switch to the database backend that production and `make bench` use.
"""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from registrations import emails, services
from registrations.models import Registration
from tests.registrations.test_pages import form_data


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


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
    # Control: the same registration, committed, queues its confirmation.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        register_anna(programme)
    assert len(callbacks) == 1
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


@with_worker
def test_a_message_the_mail_server_refused_is_recorded_as_a_failed_task(
    programme, database_tasks, mail_down
):
    register_anna(programme)

    run_worker()

    task = DBTaskResult.objects.get()
    assert task.status == "FAILED"
    assert mail_down.attempts == emails.SEND_ATTEMPTS
    assert "MailNotSent" in task.exception_class_path


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
