"""The participant's pages: form, thanks, private link, change, cancel, calendar file."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration
from tests.conftest import register_people
from workshops.models import Workshop


def form_data(event, index=0, **overrides):
    data = {
        "name": "Anna Andersson",
        "email": "anna@example.se",
        "organisation": "Region Test",
        "consent": "on",
    }
    for slot in event.slots.order_by("number"):
        data[f"pass_{slot.number}"] = str(
            list(Workshop.objects.filter(slot=slot).order_by("number"))[index].pk
        )
    data.update(overrides)
    return data


@pytest.fixture
def register_url(programme):
    return reverse("registrations:register", args=[programme.slug])


def test_programme_links_to_the_form(client, programme, register_url):
    assert register_url in client.get("/").content.decode()


def test_form_shows_each_pass_with_its_workshops(client, programme, register_url):
    page = client.get(register_url).content.decode()
    assert page.count("<fieldset") == 4  # three passes and the personal details
    for number in range(1, 16):
        assert f'id="pass_{(number - 1) // 5 + 1}-W{number}"' in page
    assert "60 platser kvar" in page


def checked_radios(html: str) -> list[str]:
    return re.findall(r'id="(pass_\d-W\d+)" value="\d+" checked', html)


def test_a_workshops_page_link_starts_the_form_with_that_workshop_chosen(
    client, programme, register_url
):
    assert checked_radios(client.get(register_url).content.decode()) == []
    html = client.get(register_url + "?workshop=W7").content.decode()
    assert checked_radios(html) == ["pass_2-W7"]
    assert 'type="checkbox" name="queue_2"' not in html
    for unknown in ("W99", "x", ""):
        assert (
            checked_radios(client.get(f"{register_url}?workshop={unknown}").content.decode()) == []
        )


def test_a_full_workshops_link_starts_the_form_ticked_to_queue_for_it(
    client, programme, register_url
):
    w7 = Workshop.objects.get(event=programme, number=7)
    w7.capacity = 0
    w7.save()
    html = client.get(register_url + "?workshop=W7").content.decode()
    assert checked_radios(html) == []
    assert f'id="queue_2-W7" value="{w7.pk}" checked' in html


def test_the_preselected_workshop_does_not_override_what_was_posted(
    client, programme, register_url
):
    data = form_data(programme, index=2, email="")  # invalid: the form comes back
    html = client.post(register_url + "?workshop=W7", data).content.decode()
    assert checked_radios(html) == ["pass_1-W3", "pass_2-W8", "pass_3-W13"]


def test_register_redirects_to_neutral_page_and_mails_link(
    client, programme, register_url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url, form_data(programme))
    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:thanks", args=[programme.slug])
    registration = Registration.objects.get()
    assert registration.choices.count() == 3
    message = mail.outbox[0]
    assert registration.token in message.body
    assert "W1" in message.body and "W6" in message.body and "W11" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and registration.token in html
    assert message.attachments[0][0].endswith(".ics")


def test_already_registered_address_gets_the_same_answer(
    client, programme, register_url, django_capture_on_commit_callbacks
):
    first = client.post(register_url, form_data(programme))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(register_url, form_data(programme, 1, email="ANNA@example.se"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Registration.objects.count() == 1
    assert "redan anmäld" in mail.outbox[-1].subject


def test_missing_pass_shows_error_there_and_keeps_input(client, programme, register_url):
    data = form_data(programme)
    del data["pass_2"]
    response = client.post(register_url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="pass_2-error"' in page
    assert "Välj en workshop under Pass 2." in page
    assert 'value="Anna Andersson"' in page and 'value="anna@example.se"' in page
    assert f'value="{data["pass_1"]}" checked' in page
    assert Registration.objects.count() == 0


def test_bad_email_is_explained_in_swedish(client, programme, register_url):
    response = client.post(register_url, form_data(programme, email="inte-en-adress"))
    assert "Skriv en giltig e-postadress" in response.content.decode()
    assert Registration.objects.count() == 0


def test_full_workshop_is_shown_full_and_named_when_it_fills_meanwhile(
    client, programme, register_url
):
    w1 = Workshop.objects.get(event=programme, number=1)
    w1.capacity = 1
    w1.save()
    client.post(register_url, form_data(programme, email="first@example.se"))
    page = client.get(register_url).content.decode()
    assert f'value="{w1.pk}" disabled' in page
    assert "Fullt" in page
    # A stale form (or a crafted POST) still choosing W1 gets a message naming it.
    response = client.post(register_url, form_data(programme, email="second@example.se"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "W1" in page and "har blivit fullt" in page
    assert 'id="pass_1-error"' in page
    data = form_data(programme)
    assert f'value="{data["pass_2"]}" checked' in page  # the rest of the choice kept
    assert Registration.objects.count() == 1


def test_tampered_workshop_value_is_refused_without_500(client, programme, register_url):
    for value in ["999999", "abc", "", "1 OR 1=1", "\x00"]:
        response = client.post(register_url, form_data(programme, pass_1=value))
        assert response.status_code == 200
    # A pass 2 workshop sent for pass 1 is not one of pass 1's choices.
    data = form_data(programme)
    response = client.post(register_url, form_data(programme, pass_1=data["pass_2"]))
    assert "Välj en av workshopparna under Pass 1." in response.content.decode()
    assert Registration.objects.count() == 0


def test_every_link_in_the_error_summary_leads_to_its_input(client, programme, register_url):
    html = client.post(register_url, {"email": "fel"}).content.decode()
    start = html.index('id="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    targets = re.findall(r'href="#([^"]+)"', summary)
    ids = set(re.findall(r' id="([^"]+)"', html))
    assert len(targets) == 7  # three passes, name, e-mail, organisation, consent
    assert [t for t in targets if t not in ids] == []
    assert html.count('<fieldset class="pass-group has-error" id="id_pass_') == 3


def test_closed_registration_says_so(client, programme, register_url):
    programme.registration_opens = timezone.now() + datetime.timedelta(days=1)
    programme.registration_closes = timezone.now() + datetime.timedelta(days=2)
    programme.save()
    response = client.get(register_url)
    assert "Anmälan öppnar" in response.content.decode()
    client.post(register_url, form_data(programme))
    assert Registration.objects.count() == 0


@pytest.fixture
def registration(client, programme, register_url):
    client.post(register_url, form_data(programme))
    return Registration.objects.get()


def test_private_page_shows_agenda_and_is_private(client, registration):
    response = client.get(reverse("registrations:private", args=[registration.token]))
    page = response.content.decode()
    assert response.status_code == 200
    for choice in registration.choices.select_related("workshop", "workshop__room"):
        assert choice.workshop.title in page
        assert choice.workshop.room.name in page
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_unknown_token_is_404(client, registration):
    assert client.get(reverse("registrations:private", args=["x" * 43])).status_code == 404
    assert client.get(reverse("registrations:change", args=["x" * 43])).status_code == 404
    assert client.get(reverse("registrations:calendar", args=["x" * 43])).status_code == 404


def test_change_through_private_link(client, programme, registration):
    url = reverse("registrations:change", args=[registration.token])
    page = client.get(url).content.decode()
    current = registration.choices.get(slot__number=1).workshop_id
    assert f'value="{current}" checked' in page
    data = form_data(programme)
    data.pop("email"), data.pop("consent")
    new = Workshop.objects.get(event=programme, number=2)
    data["pass_1"] = str(new.pk)
    response = client.post(url, data)
    assert response.status_code == 302
    assert registration.choices.get(slot__number=1).workshop == new


def test_cancel_asks_first_then_frees_seats_and_link_dies(client, registration):
    url = reverse("registrations:cancel", args=[registration.token])
    assert "Vill du avboka?" in client.get(url).content.decode()
    registration.refresh_from_db()
    assert registration.is_confirmed  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert not registration.is_confirmed
    assert (
        client.get(reverse("registrations:private", args=[registration.token])).status_code == 404
    )


def test_calendar_download(client, registration):
    response = client.get(reverse("registrations:calendar", args=[registration.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.count(b"BEGIN:VEVENT") == 3


def test_request_link_answers_alike_and_mails_only_registered(
    client, programme, registration, django_capture_on_commit_callbacks
):
    url = reverse("registrations:request_link", args=[programme.slug])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "ANNA@example.se"})
        unknown = client.post(url, {"email": "nobody@example.se"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    assert registration.token in mail.outbox[0].body


def test_thanks_page_repeats_the_chosen_workshops(client, programme, register_url):
    response = client.post(register_url, form_data(programme, 1), follow=True)
    page = response.content.decode()
    assert "Det här valde du" in page
    for number in (2, 7, 12):
        workshop = Workshop.objects.get(event=programme, number=number)
        assert f"<strong>W{number} {workshop.title}</strong>, {workshop.room.name}" in page
    # Another browser, which chose nothing, is told nothing.
    client.cookies.clear()
    page = client.get(reverse("registrations:thanks", args=[programme.slug])).content.decode()
    assert "Det här valde du" not in page


def test_pages_that_take_a_form_answer_head_as_get(client, programme):
    """Uptime monitors and link checkers send HEAD: a page that takes a form is a page too."""
    (anna,) = register_people(programme, 1)
    token = anna.token
    for path in (
        reverse("registrations:register", args=[programme.slug]),
        reverse("registrations:request_link", args=[programme.slug]),
        reverse("registrations:change", args=[token]),
        reverse("registrations:cancel", args=[token]),
        reverse("registrations:erase", args=[token]),
    ):
        head = client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
    assert Registration.objects.get().is_confirmed  # a HEAD changes nothing
