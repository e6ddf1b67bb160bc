"""Outside the registration window every page says the services' one verdict."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from registrations import services
from registrations.models import QueueEntry
from tests.conftest import register_people


@pytest.fixture
def closed_with_people(small_event):
    """Two registered, the first workshop of each pass full, then the window closes."""
    small_event.workshops.update(capacity=1)
    first, second = register_people(small_event, 1) + register_people(small_event, 1, index=1)
    small_event.registration_opens = timezone.now() - datetime.timedelta(days=2)
    small_event.registration_closes = timezone.now() - datetime.timedelta(minutes=1)
    small_event.save()
    return small_event, first, second


def verdict(event) -> str:
    with pytest.raises(services.RegistrationError) as refused:
        services.check_window(event)
    return refused.value.message


def shown(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def test_the_window_has_one_message(closed_with_people):
    event, *_ = closed_with_people
    assert verdict(event) == f"Anmälan till {event} är inte öppen."


def test_change_page_sends_back_with_the_services_verdict(client, closed_with_people):
    event, first, _ = closed_with_people
    response = client.get(reverse("registrations:change", args=[first.token]))
    assert response.status_code == 302
    assert shown(response) == [verdict(event)]


def test_joining_a_queue_is_refused_with_the_services_verdict(client, closed_with_people):
    event, first, second = closed_with_people
    full = second.choices.order_by("slot__number").first().workshop
    response = client.post(
        reverse("registrations:join_queue", args=[first.token]), {"workshop": full.pk}
    )
    assert shown(response) == [verdict(event)]
    assert not QueueEntry.objects.exists()
