import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from reglab import ratelimit
from reglab.ratelimit import hit


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """Pin the clock inside one window: the limit counts per fixed minute, so a test that
    happened to run across a minute boundary would see its count start again."""
    pinned = time.time()
    monkeypatch.setattr(ratelimit, "clock", lambda: pinned)


def request_from(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_allows_up_to_the_limit_then_refuses(settings):
    settings.REGLAB_RATELIMIT = True
    results = [hit("t", request_from("10.0.0.1"), limit=3, period=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_counts_each_address_separately(settings):
    settings.REGLAB_RATELIMIT = True
    for _ in range(3):
        hit("t", request_from("10.0.0.1"), limit=3, period=60)
    assert hit("t", request_from("10.0.0.2"), limit=3, period=60)
    assert not hit("t", request_from("10.0.0.1"), limit=3, period=60)


def test_switched_off_never_refuses(settings):
    settings.REGLAB_RATELIMIT = False
    assert all(hit("t", request_from("10.0.0.1"), limit=1, period=60) for _ in range(10))


def post_form(client, url, address):
    return client.post(url, {"name": "x"}, REMOTE_ADDR=address)


@pytest.fixture
def register_url(programme):
    from django.urls import reverse

    return reverse("registrations:register", args=[programme.slug])


def registration_form(event, email, number=1):
    """A complete form choosing W`number` (and the first workshop of the other passes)."""
    from workshops.models import Workshop

    data = {"name": "Anna", "email": email, "organisation": "Kontoret", "consent": "on"}
    for slot in event.slots.order_by("number"):
        workshops = list(Workshop.objects.filter(slot=slot).order_by("number"))
        chosen = next((w for w in workshops if w.number == number), workshops[0])
        data[f"pass_{slot.number}"] = str(chosen.pk)
    return data


def test_an_office_behind_one_address_registers_30_a_minute_however_many_find_a_workshop_full(
    client, settings, programme, register_url
):
    """Refusals (a full workshop, a form to correct) cost the site little and count only
    against the flood limit; what counts against the form's limit is saving a registration
    (or mailing an address that is registered already)."""
    from registrations.models import Registration
    from workshops.models import Workshop

    settings.REGLAB_RATELIMIT = True
    Workshop.objects.filter(event=programme, number=2).update(capacity=0)
    office = "10.0.0.1"

    def post(data):
        return client.post(register_url, data, REMOTE_ADDR=office).status_code

    refused = [post(registration_form(programme, f"p{i}@kontoret.se", 2)) for i in range(28)]
    corrected = [post({"name": "x"}) for _ in range(10)]
    saved = [post(registration_form(programme, f"p{i}@kontoret.se")) for i in range(29)]
    again = post(registration_form(programme, "p0@kontoret.se"))  # known: mailed, counts
    assert (refused, corrected) == ([200] * 28, [200] * 10)
    assert saved + [again] == [302] * 30
    assert Registration.objects.count() == 29

    over = client.post(
        register_url, registration_form(programme, "p99@kontoret.se"), REMOTE_ADDR=office
    )
    assert over.status_code == 429
    assert over["Retry-After"] == "60"
    assert "För många försök på kort tid" in over.content.decode()
    # Another address is unaffected, and reading the form is never limited.
    assert post_form(client, register_url, "10.0.0.2").status_code == 200
    assert client.get(register_url, REMOTE_ADDR=office).status_code == 200


def test_a_flood_of_refused_posts_from_one_address_gets_the_429_page(
    client, settings, register_url
):
    from registrations.views import REGISTER_POST_LIMIT

    settings.REGLAB_RATELIMIT = True
    # The first posts of the flood, counted without rendering 300 forms.
    for _ in range(REGISTER_POST_LIMIT - 1):
        hit("register-posts", request_from("10.0.0.1"), limit=REGISTER_POST_LIMIT, period=60)
    assert post_form(client, register_url, "10.0.0.1").status_code == 200
    assert post_form(client, register_url, "10.0.0.1").status_code == 429
    assert post_form(client, register_url, "10.0.0.2").status_code == 200


def test_link_requests_are_limited_to_ten_a_minute(client, settings, programme):
    from django.urls import reverse

    settings.REGLAB_RATELIMIT = True
    url = reverse("registrations:request_link", args=[programme.slug])
    answers = [post_form(client, url, "10.0.0.1").status_code for _ in range(11)]
    assert answers == [200] * 10 + [429]


def test_ratelimit_off_lets_every_post_through(client, settings, programme, register_url):
    settings.REGLAB_RATELIMIT = False
    answers = {post_form(client, register_url, "10.0.0.1").status_code for _ in range(35)}
    assert answers == {200}
    saved = {
        client.post(
            register_url, registration_form(programme, f"p{i}@x.se"), REMOTE_ADDR="10.0.0.1"
        ).status_code
        for i in range(35)
    }
    assert saved == {302}
