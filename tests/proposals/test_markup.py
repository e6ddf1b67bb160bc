"""Markup checks on every proposals page: unique ids, labels and descriptions that resolve,
no inline script or style (the content security policy would block them)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from proposals.models import Proposal


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.references, self.inline = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for name in ("for", "aria-describedby", "aria-labelledby"):
            if attrs.get(name):
                self.references += attrs[name].split()
        if "style" in attrs or tag == "style" or (tag == "script" and "src" not in attrs):
            self.inline.append(tag)
        if any(name.startswith("on") for name in attrs):
            self.inline.append(f"{tag} event handler")


def check(html: str):
    markup = Markup()
    markup.feed(html)
    assert html.startswith("<!DOCTYPE html>")
    assert len(markup.ids) == len(set(markup.ids)), "duplicate ids"
    assert set(markup.references) <= set(markup.ids), set(markup.references) - set(markup.ids)
    assert markup.inline == []


def test_list_page(client, proposals_2018):
    check(client.get(reverse("proposals:list"), {"format": "bad"}).content.decode())


def test_form_page_with_errors(client, db):
    check(client.get(reverse("proposals:create")).content.decode())
    response = client.post(reverse("proposals:create"), {"title": "x", "contact_email": "y"})
    check(response.content.decode())


def test_vote_page_with_errors(client, voter, proposals_2018):
    url = reverse("proposals:vote", args=[voter.token])
    check(client.get(url).content.decode())
    check(client.post(url, {f"p{proposals_2018[0].pk}": "-1"}).content.decode())
    check(
        client.post(
            url, {f"p{proposals_2018[0].pk}": "3", f"p{proposals_2018[1].pk}": "3"}
        ).content.decode()
    )


@pytest.mark.parametrize("fragment", [False, True])
def test_ranking_page(admin_client, round_2018, fragment):
    url = reverse("proposals:ranking", args=[round_2018.pk])
    html = admin_client.get(url, {"fragment": "1"} if fragment else {}).content.decode()
    if fragment:
        html = f"<!DOCTYPE html>{html}"
    check(html)
    assert Proposal.objects.count() == 15


def test_receipt_page(client, db):
    from tests.proposals.test_pages import valid_data

    client.post(reverse("proposals:create"), valid_data())
    check(client.get(reverse("proposals:received")).content.decode())
