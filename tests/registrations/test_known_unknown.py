"""A stranger who types someone's address learns nothing: every answer of the form and of
the link request is the same for a registered and an unregistered address, byte for byte
once the CSRF token and the typed address itself are masked."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from registrations import services
from registrations.models import Registration
from workshops.models import Workshop

KNOWN = "kand@example.se"
UNKNOWN = "okand@example.se"


def workshop(event, number):
    return Workshop.objects.get(event=event, number=number)


def form(event, email, **changes):
    """W1, W6, W11 (the first of each pass) unless changed; None removes a field."""
    data = {
        "name": "Anna Andersson",
        "email": email,
        "organisation": "Region Test",
        "consent": "on",
        "pass_1": str(workshop(event, 1).pk),
        "pass_2": str(workshop(event, 6).pk),
        "pass_3": str(workshop(event, 11).pk),
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def crafted(event):
    """(what it is, the form's changes) for each crafted submission; the valid one last, as
    it takes seats for the unknown address (the others leave every count as it was)."""
    w = {n: str(workshop(event, n).pk) for n in (1, 2, 3, 4, 6, 7)}
    return [
        ("a queue wish for a workshop with free seats", {"pass_1": w[2], "queue_1": w[3]}),
        ("a queue wish for the chosen workshop", {"queue_1": w[1]}),
        ("two queue wishes in one pass", {"queue_1": [w[3], w[4]]}),
        ("a full workshop", {"pass_2": w[7]}),
        ("a full workshop and a queue wish with free seats", {"pass_2": w[7], "queue_1": w[3]}),
        ("a missing pass", {"pass_3": None}),
        ("two workshops in one pass", {"pass_1": [w[1], w[2]]}),
        ("no consent", {"consent": None}),
        ("a line break in the name", {"name": "Anna\r\nBcc: x@y.se"}),
        ("a right-to-left override in the organisation", {"organisation": "Reg\u202eion"}),
        ("a workshop of another pass", {"pass_1": w[6]}),
        ("valid", {}),
    ]


def masked(body: bytes, email: str) -> str:
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)
    return text.replace(email, "<address>")


def answer(client, url, data, email):
    """Status, redirect target, the cookies set, and the page shown (after the redirect)."""
    response = client.post(url, data)
    shown = client.get(response["Location"]) if response.status_code == 302 else response
    return (
        response.status_code,
        response.get("Location"),
        sorted(response.cookies),
        shown.status_code,
        masked(shown.content, email),
    )


@pytest.fixture
def known(programme):
    # W7 is full: a test says so in its list of crafted forms.
    Workshop.objects.filter(pk=workshop(programme, 7).pk).update(capacity=0)
    return services.register(
        event=programme,
        name="Kerstin Känd",
        email=KNOWN,
        organisation="Kommunen",
        consent=True,
        workshops=[workshop(programme, n) for n in (2, 8, 12)],
    ).registration


def test_every_crafted_form_gets_the_same_answer_for_a_known_and_an_unknown_address(
    programme, known, mailoutbox
):
    url = reverse("registrations:register", args=[programme.slug])
    cases = crafted(programme)
    for what, changes in cases:
        answers = {
            email: answer(Client(), url, form(programme, email, **changes), email)
            for email in (KNOWN, UNKNOWN)
        }
        assert answers[KNOWN] == answers[UNKNOWN], what
    # Only the last (valid) one was saved, for the unknown address; the known one is as it was.
    assert Registration.objects.count() == 2
    assert sorted(c.workshop.number for c in known.choices.all()) == [2, 8, 12]
    assert answers[KNOWN][0] == 302  # the valid form gets the thanks page, with the address
    assert "<address>" in answers[KNOWN][4]


def test_a_refusal_before_the_address_is_looked_up_mails_nobody(
    programme, known, mailoutbox, django_capture_on_commit_callbacks
):
    """The issue's probe: W2 chosen and a queue wish for W3, which has free seats. The known
    address used to get the thanks page and an "already registered" mail."""
    url = reverse("registrations:register", args=[programme.slug])
    data = form(programme, KNOWN, pass_1=str(workshop(programme, 2).pk))
    data["queue_1"] = str(workshop(programme, 3).pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(url, data)
    assert response.status_code == 200
    assert "W3 har lediga platser" in response.content.decode()
    assert mailoutbox == []


def test_a_registered_address_typed_differently_is_the_same_person(programme, known, mailoutbox):
    """Case, a fullwidth letter or a soft hyphen do not make a second registration."""
    url = reverse("registrations:register", args=[programme.slug])
    for typed in ("KAND@EXAMPLE.SE", "kand@ｅxample.se", "kand@exam\u00adple.se"):
        response = Client().post(url, form(programme, typed))
        assert response.status_code == 302, typed
    assert Registration.objects.filter(event=programme).count() == 1


def test_the_link_request_answers_alike_and_queues_a_task_for_either_address(
    programme, known, django_capture_on_commit_callbacks
):
    from registrations import emails

    url = reverse("registrations:request_link", args=[programme.slug])
    answers, queued = {}, []
    for email in (KNOWN, UNKNOWN):
        with django_capture_on_commit_callbacks() as callbacks:
            answers[email] = answer(Client(), url, {"email": email}, email)
        queued += [(c.func, c.args) for c in callbacks]
    assert answers[KNOWN] == answers[UNKNOWN]
    assert answers[KNOWN][:2] == (302, reverse("registrations:link_sent", args=[programme.slug]))
    enqueue = emails.deliver_link.enqueue
    assert queued == [(enqueue, (programme.pk, KNOWN)), (enqueue, (programme.pk, UNKNOWN))]


def test_the_link_task_mails_only_a_registered_address(programme, known, mailoutbox):
    from registrations import emails

    # The immediate backend runs the task at once and keeps its result.
    assert emails.deliver_link.enqueue(programme.pk, "nobody@example.se").return_value is False
    assert mailoutbox == []
    assert emails.deliver_link.enqueue(programme.pk, "KAND@example.se").return_value is True
    (message,) = mailoutbox
    assert message.to == [KNOWN] and known.token in message.body
