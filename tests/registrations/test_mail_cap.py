"""The link and "already registered" mails go to any address a stranger types: at most
settings.MAIL_CAP_PER_HOUR of them per address per hour, and the site answers the same."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations import services
from registrations.models import MailDelivery
from tests.conftest import register_people


@pytest.fixture
def person(small_event):
    (person,) = register_people(small_event, 1)
    mail.outbox.clear()
    return person


def ask_for_link(client, event, email):
    url = reverse("registrations:request_link", args=[event.slug])
    response = client.post(url, {"email": email}, follow=True)
    assert response.status_code == 200
    return response


def test_link_mails_to_one_address_stop_at_the_cap_and_the_page_answers_the_same(
    client, small_event, person, settings, caplog, django_capture_on_commit_callbacks
):
    settings.MAIL_CAP_PER_HOUR = 5
    with django_capture_on_commit_callbacks(execute=True):
        answers = [ask_for_link(client, small_event, person.email) for _ in range(7)]

    assert len(mail.outbox) == 5
    assert {a.content for a in answers} == {answers[0].content}
    assert caplog.text.count(f"link e-mail for registration {person.pk} not sent: over") == 2
    assert person.email not in caplog.text  # the log names the registration, not the address


def test_the_already_registered_mails_count_toward_the_same_cap(
    small_event, person, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_CAP_PER_HOUR = 3
    workshops = [c.workshop for c in person.choices.all()]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            services.resend_link(event=small_event, email=person.email)
        for _ in range(2):
            result = services.register(
                event=small_event,
                name="Someone",
                email=person.email.upper(),
                organisation="O",
                consent=True,
                workshops=workshops,
            )
            assert result.created is False
    assert len(mail.outbox) == 3


def test_the_cap_is_per_address_and_per_hour_and_leaves_other_mails_alone(
    small_event, person, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_CAP_PER_HOUR = 2
    (other,) = register_people(small_event, 1, start=1)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.resend_link(event=small_event, email=person.email)
        services.resend_link(event=small_event, email=other.email)
    # A cancellation is the person's own doing: never capped. (After the link task, which
    # mails only a confirmed registration.)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration=other)
    assert [m.to[0] for m in mail.outbox].count(person.email) == 2
    assert [m.to[0] for m in mail.outbox].count(other.email) == 2

    # An hour later the address gets mail again.
    MailDelivery.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_link(event=small_event, email=person.email)
    assert len(mail.outbox) == 1
