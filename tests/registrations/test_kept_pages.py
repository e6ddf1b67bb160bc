"""Whole pages kept per process (reglab.caches, 4.): each part of the key shows at once.

Each test changes one thing a kept page is keyed by (the seats, the language, the window, the
programme, the workshop asked for, a message) and checks that the next answer shows it.
"""

import datetime
import re

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrations import views
from reglab import kept_frames
from tests.conftest import register_people
from workshops.models import Workshop

# What every marker a kept frame was made with begins with: none may be left in a page.
LEFT_MARKER = kept_frames.markers(1)[0].removesuffix("0-")

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(params=["programme", "form"])
def page_url(request, programme):
    if request.param == "programme":
        return reverse("workshops:event_programme", args=[programme.slug])
    return reverse("registrations:register", args=[programme.slug])


def seats_of_w1(html: str) -> str:
    return re.search(r'W1</span>.*?<span class="seats[^"]*">([^<]+)</span>', html, re.S).group(1)


def test_a_registration_shows_in_the_seats_at_once(client, programme, page_url):
    before = seats_of_w1(client.get(page_url).text)
    register_people(programme, 1)
    after = seats_of_w1(client.get(page_url).text)
    assert (before, after) == ("60 platser kvar", "59 platser kvar")


def test_each_language_gets_its_own_page(client, programme, page_url):
    english = client.get(page_url, HTTP_ACCEPT_LANGUAGE="en").text
    swedish = client.get(page_url, HTTP_ACCEPT_LANGUAGE="sv").text
    assert '<html lang="en">' in english
    assert '<html lang="sv">' in swedish


def test_an_edit_shows_at_once(client, programme, page_url):
    client.get(page_url)
    Workshop.objects.filter(event=programme, number=1).update(title="Ny titel på W1")
    assert "Ny titel på W1" in client.get(page_url).text


def test_the_window_closing_shows_at_once_without_an_edit(client, programme, page_url, monkeypatch):
    assert "platser kvar" in client.get(page_url).text
    later = programme.registration_closes + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = client.get(page_url).text
    assert "Anmälan stängde" in html
    assert "platser kvar" not in html


def test_the_kept_programme_page_is_the_page_rendered_afresh(client, programme):
    url = reverse("workshops:event_programme", args=[programme.slug])
    first = client.get(url).content
    assert client.get(url).content == first
    # A message is the visitor's own: that page is rendered for them, with it.
    response = client.get(url)
    storage = CookieStorage(response.wsgi_request)
    storage.add(20, "Ett eget meddelande")
    storage.update(response)
    client.cookies.update(response.cookies)
    html = client.get(url).text
    assert "Ett eget meddelande" in html
    assert "Ett eget meddelande" not in Client().get(url).text


def test_the_kept_form_carries_each_visitors_own_csrf_token(programme):
    url = reverse("registrations:register", args=[programme.slug])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [first.get(url).text, second.get(url).text]
    tokens = [TOKEN.search(page).group(1) for page in pages]
    assert tokens[0] != tokens[1]
    assert LEFT_MARKER not in pages[0]
    assert TOKEN.sub("", pages[0]) == TOKEN.sub("", pages[1])
    # The token works: the submission passes the CSRF check (and is answered by the form).
    data = {"csrfmiddlewaretoken": tokens[0], "name": "", "email": "", "organisation": ""}
    assert first.post(url, data).status_code == 200
    assert second.post(url, {**data, "csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_the_workshop_asked_for_gets_its_own_form_and_a_made_up_one_the_plain_form(
    client, programme
):
    url = reverse("registrations:register", args=[programme.slug])
    w3 = Workshop.objects.get(event=programme, number=3)
    plain = TOKEN.sub("", client.get(url).text)
    chosen = TOKEN.sub("", client.get(url, {"workshop": "W3"}).text)
    assert f'value="{w3.pk}" checked' in chosen
    assert f'value="{w3.pk}" checked' not in plain
    assert TOKEN.sub("", client.get(url, {"workshop": "W99<x>"}).text) == plain
    assert TOKEN.sub("", client.get(url).text) == plain


def test_a_message_shows_on_the_form(client, programme):
    url = reverse("registrations:register", args=[programme.slug])
    client.get(url)
    response = client.get(url)
    storage = CookieStorage(response.wsgi_request)
    storage.add(20, "Ett meddelande till dig")
    storage.update(response)
    client.cookies.update(response.cookies)
    assert "Ett meddelande till dig" in client.get(url).text


def test_a_window_not_yet_open_and_one_closed_are_two_programme_pages(
    client, programme, monkeypatch
):
    url = reverse("workshops:event_programme", args=[programme.slug])
    before = programme.registration_opens - datetime.timedelta(minutes=1)
    after = programme.registration_closes + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: before)
    assert "Anmälan öppnar" in client.get(url).text
    monkeypatch.setattr(timezone, "now", lambda: after)
    assert "Anmälan stängde" in client.get(url).text


def test_a_kept_page_holds_no_visitors_query_and_comes_back_to_its_own_address(
    client, programme, page_url
):
    client.get(page_url + "?x=someone-elses")
    html = Client().get(page_url).text
    assert "someone-elses" not in html
    assert f'name="next" value="{page_url}"' in html


def test_the_front_page_and_the_events_address_each_switch_back_to_themselves(programme):
    own = reverse("workshops:event_programme", args=[programme.slug])
    assert f'name="next" value="{own}"' in Client().get(own).text
    assert 'name="next" value="/"' in Client().get("/").text


def _refused_page(client, programme, **data):
    from tests.registrations.test_pages import form_data

    url = reverse("registrations:register", args=[programme.slug])
    return client.post(url, form_data(programme, **data)).text


def test_a_form_shown_again_is_the_page_rendered_afresh_with_its_own_values(
    client, programme, monkeypatch
):
    """The page around a form shown again is kept; the form in it is each request's own."""
    Workshop.objects.filter(event=programme, number=1).update(capacity=0)
    kept = [
        _refused_page(client, programme, name=name, email=f"{n}@example.se")
        for n, name in enumerate(["Anna <Zyxwvu>", 'Bo "Bertil"'])
    ]
    assert LEFT_MARKER not in kept[0]
    assert "Anna &lt;Zyxwvu&gt;" in kept[0] and "Zyxwvu" not in kept[1]
    assert "Bo &quot;Bertil&quot;" in kept[1]
    monkeypatch.setattr(views.caches, "has_messages_of_its_own", lambda request: True)
    afresh = _refused_page(client, programme, name='Bo "Bertil"', email="1@example.se")
    assert TOKEN.sub("", afresh) == TOKEN.sub("", kept[1])
    assert "<title>Fel i anmälan: " in kept[1]


def test_a_form_shown_again_shows_an_edit_the_language_and_its_token_at_once(programme):
    Workshop.objects.filter(event=programme, number=1).update(capacity=0)
    visitor = Client(enforce_csrf_checks=True)
    url = reverse("registrations:register", args=[programme.slug])
    from tests.registrations.test_pages import form_data

    def refused(**headers):
        token = TOKEN.search(visitor.get(url, **headers).text).group(1)
        data = {**form_data(programme), "csrfmiddlewaretoken": token}
        page = visitor.post(url, data, **headers).text
        return token, page

    token, page = refused()
    assert "Anmälan –" in page and '<html lang="sv">' in page
    # The token the page carries is this visitor's and works for the next submission.
    assert TOKEN.search(page).group(1) != token
    _, english = refused(HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in english
    programme.name = "Ett nytt namn på dagen"
    programme.save()
    assert "Ett nytt namn på dagen" in refused()[1]


def test_the_kept_form_is_the_page_rendered_afresh(client, programme, monkeypatch):
    url = reverse("registrations:register", args=[programme.slug])
    client.get(url)  # the page around the form kept, with these seats
    register_people(programme, 1)  # other seats: the form is new, in the same page around it
    kept = [client.get(url).text, client.get(url, {"workshop": "W3"}).text]
    monkeypatch.setattr(views.caches, "has_messages_of_its_own", lambda request: True)
    afresh = [client.get(url).text, client.get(url, {"workshop": "W3"}).text]
    assert [TOKEN.sub("", page) for page in kept] == [TOKEN.sub("", page) for page in afresh]
    assert "59 platser kvar" in kept[0]
    assert LEFT_MARKER not in kept[0]
    assert "<title>Anmälan – " in kept[0]
