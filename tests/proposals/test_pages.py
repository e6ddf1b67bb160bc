import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from proposals import emails
from proposals.models import PrioritisationRound, Proposal, Vote, Voter
from tests.proposals.conftest import make_proposal

LIST = reverse("proposals:list")
CREATE = reverse("proposals:create")
RECEIVED = reverse("proposals:received")
NEXT_YEAR = datetime.date.today().year + 1


def valid_data(**changes):
    return {
        "title": "Smart specialisering i praktiken",
        "region": "Region Gävleborg",
        "format": "seminarium",
        "year": str(NEXT_YEAR),
        "description": "Hur arbetar regionerna med sina strategier?",
        "contact_email": "kontakt@example.se",
    } | changes


# --- the public list ----------------------------------------------------------------------


def test_list_shows_every_seed_proposal_with_region_and_format(client, proposals_2018):
    html = client.get(LIST).content.decode()
    titles = re.findall(r'class="h5 card-title"[^>]*>([^<]+)<', html)
    assert len(titles) == 15
    assert "Region Kronoberg" in html and "ERFA-träffar" in html
    assert "lena.friborg@regionvasterbotten.se" in html


def test_list_filters_by_format_and_region(client, proposals_2018):
    html = client.get(LIST, {"format": "erfa", "region": "Region Kronoberg"}).content.decode()
    assert "2 förslag" in html
    assert "Cirkulär ekonomi" in html and "Socialt företagande" not in html
    html = client.get(LIST, {"region": "Region Västernorrland"}).content.decode()
    assert "2 förslag" in html
    assert "Land &amp; Stad" in html and "Cirkulär ekonomi" not in html


def test_the_region_filter_names_each_region_once(client, proposals_2018):
    make_proposal(
        title="Från universitetet", region="annan", other_organisation="Lunds universitet"
    )
    make_proposal(title="Från kommunen", region="annan", other_organisation="Umeå kommun")
    html = client.get(LIST).content.decode()
    options = re.findall(
        r'<option value="([^"]*)"', html.split('name="region"')[1].split("</select>")[0]
    )
    assert options == [
        "",
        "Region Blekinge",
        "Region Kronoberg",
        "Region Uppsala",
        "Region Västerbotten",
        "Region Västernorrland",
        "Region Örebro län",
        "annan",
    ]
    html = client.get(LIST, {"region": "annan"}).content.decode()
    assert "2 förslag" in html and "Lunds universitet" in html and "Umeå kommun" in html


def test_list_hides_declined_and_unreviewed_proposals(client, db):
    make_proposal(title="Synligt")
    make_proposal(title="Avböjt förslag", status=Proposal.Status.DECLINED)
    make_proposal(title="Inte granskat", is_published=False)
    html = client.get(LIST).content.decode()
    assert "Synligt" in html and "Avböjt förslag" not in html and "Inte granskat" not in html


@pytest.mark.parametrize(
    "params", [{"format": "hack"}, {"region": "\x00"}, {"format": "x" * 10000}]
)
def test_tampered_filters_show_an_error_and_the_whole_list(client, proposals_2018, params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Välj ett giltigt alternativ" in html
    assert "15 förslag" in html


# --- submitting ---------------------------------------------------------------------------


def test_form_page_has_labels_fieldsets_and_no_inline_script_or_style(client, db):
    html = client.get(CREATE).content.decode()
    fields = ["title", "region", "other_organisation", "format", "year", "description"]
    for name in [*fields, "contact_email"]:
        # Rendered by crispy-forms, whose template breaks the tag's line before `for`.
        assert re.search(rf'<label\s+for="id_{name}"', html)
    assert html.count("<fieldset") == 2 and html.count("<legend") == 2
    assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_region_submits_a_proposal_and_sees_a_receipt(client, db):
    response = client.post(CREATE, valid_data())
    assert response.status_code == 302 and response["Location"] == RECEIVED
    proposal = Proposal.objects.get()
    assert (proposal.title, proposal.year, proposal.status, proposal.is_published) == (
        "Smart specialisering i praktiken",
        NEXT_YEAR,
        "submitted",
        False,
    )
    receipt = client.get(RECEIVED)
    html = receipt.content.decode()
    assert "Vi har tagit emot ”Smart specialisering i praktiken”." in html
    assert "Ett kvitto skickas till kontakt@example.se." in html
    assert "Hur arbetar regionerna" in html and "Region Gävleborg" in html
    assert receipt["Cache-Control"] == "private, no-store"
    assert "Skicka in ett förslag till</a>" in html
    english = client.get(RECEIVED, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submit another proposal</a>" in english  # "till" is "another" here, not "for"
    # Received, not published: the public list does not show it.
    assert "Smart specialisering" not in client.get(LIST).content.decode()


def test_the_receipt_page_is_only_for_the_browser_that_sent_it(client, db):
    make_proposal(title="Någon annans")
    response = client.get(RECEIVED)
    assert response.status_code == 302 and response["Location"] == LIST


def test_the_receipt_is_mailed_to_the_contact(client, db, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CREATE, valid_data())
    (receipt,) = mail.outbox
    assert receipt.to == ["kontakt@example.se"]
    assert "Smart specialisering i praktiken" in receipt.body


def test_the_receipt_is_in_the_language_of_the_page_that_sent_the_proposal(
    db, django_capture_on_commit_callbacks
):
    proposal = make_proposal(title="Smart specialisering", contact_email="k@example.se")
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        emails.send_later("receipt", proposal)
    with django_capture_on_commit_callbacks(execute=True):
        emails.send_later("receipt", proposal)  # the worker's language does not matter
    english, swedish = mail.outbox
    assert english.subject == "We have received your proposal: Smart specialisering"
    assert swedish.subject == "Vi har tagit emot ert förslag: Smart specialisering"


def test_another_organisation_needs_its_name(client, db):
    response = client.post(CREATE, valid_data(region="annan"))
    assert response.status_code == 200
    assert "Skriv organisationens namn" in response.content.decode()
    assert client.post(CREATE, valid_data(region="annan", other_organisation="Lunds universitet"))
    assert Proposal.objects.get().proposer == "Lunds universitet"


def test_the_region_is_chosen_from_a_list(client, db):
    html = client.get(CREATE).content.decode()
    assert '<optgroup label="Regioner">' in html and '<optgroup label="Nationella aktörer">' in html
    assert html.count('<option value="Region ') == 20
    for name in ["Västra Götalandsregionen", "Tillväxtverket", "Tillväxtanalys", "Reglab"]:
        assert f'<option value="{name}">' in html
    response = client.post(CREATE, valid_data(region="Region Påhittad"))
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not Proposal.objects.exists()


def test_missing_fields_give_swedish_errors_next_to_fields_and_keep_input(client, db):
    response = client.post(CREATE, valid_data(title="", format=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Detta fält måste fyllas i." in html
    assert 'id="id_title_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="id_title_error"', html)
    assert 'aria-invalid="true"' in html
    assert "Region Gävleborg" in html and "Hur arbetar regionerna" in html
    assert not Proposal.objects.exists()


def test_email_is_optional_but_checked(client, db):
    response = client.post(CREATE, valid_data(contact_email="inte en adress"))
    assert "Fyll i en giltig e-postadress." in response.content.decode()
    assert client.post(CREATE, valid_data(contact_email="")).status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Titel\x00", "Null-tecken är inte tillåtna."),
        ("description", "x\x00y", "Null-tecken är inte tillåtna."),
        ("contact_email", "a\x00@example.se", "Null-tecken är inte tillåtna."),
        ("title", "x" * 100_000, "som mest 300 tecken"),
        ("description", "x" * 100_000, "som mest 5000 tecken"),
        ("format", "hackat", "Välj ett giltigt alternativ"),
        ("format", "\x00", "Välj ett giltigt alternativ"),
        ("year", "1999", "Välj ett giltigt alternativ"),
        ("year", "tjugohundra", "Välj ett giltigt alternativ"),
    ],
)
def test_bad_input_gives_a_form_error_and_saves_nothing(client, db, field, value, message):
    response = client.post(CREATE, valid_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_same_title_again_is_a_form_error(client, db):
    assert client.post(CREATE, valid_data()).status_code == 302
    response = client.post(CREATE, valid_data())
    assert response.status_code == 200
    assert "Det finns redan ett förslag med titeln" in response.content.decode()
    assert Proposal.objects.count() == 1


def test_submitting_is_rate_limited(client, db, settings):
    settings.REGLAB_RATELIMIT = True
    statuses = [client.post(CREATE, valid_data(title=f"Förslag {n}")).status_code for n in range(7)]
    assert statuses == [302] * 5 + [429] * 2
    assert client.get(CREATE).status_code == 200


# --- distributing points ------------------------------------------------------------------


def vote_url(voter):
    return reverse("proposals:vote", args=[voter.token])


def points_data(proposals, values):
    return {f"p{p.pk}": str(v) for p, v in zip(proposals, values, strict=False)}


def test_token_is_long_and_random(voter):
    other = Voter.objects.create(round=voter.round)
    assert len(voter.token) >= 43 and voter.token != other.token


def test_vote_page_lists_the_rounds_proposals_with_a_points_counter(client, voter):
    html = client.get(vote_url(voter)).content.decode()
    assert html.count('type="number"') == 15
    assert "0</span> av 3 poäng använda" in html
    assert "<fieldset" in html and "<legend" in html
    assert "js/points.js" in html and "<script>" not in html


def test_points_are_saved_and_shown(client, voter, proposals_2018):
    response = client.post(vote_url(voter), points_data(proposals_2018, [2, 1]))
    assert response.status_code == 302
    assert sorted(Vote.objects.values_list("points", flat=True)) == [1, 2]
    html = client.get(vote_url(voter)).content.decode()
    assert "3</span> av 3 poäng använda" in html


def test_too_many_points_are_refused_with_the_input_kept(client, voter, proposals_2018):
    response = client.post(vote_url(voter), points_data(proposals_2018, [2, 2]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Du har fördelat 4 poäng men har bara 3 att fördela." in html
    assert "4</span> av 3 poäng använda" in html
    assert f'name="p{proposals_2018[0].pk}" value="2"' in html
    assert not Vote.objects.exists()


@pytest.mark.parametrize("value", ["-1", "abc", "1.5", "\x00", "9" * 1000, "4"])
def test_bad_points_give_a_form_error_and_save_nothing(client, voter, proposals_2018, value):
    data = points_data(proposals_2018, [1]) | {f"p{proposals_2018[1].pk}": value}
    response = client.post(vote_url(voter), data)
    assert response.status_code == 200
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not Vote.objects.exists()


def test_points_for_unknown_proposals_are_ignored(client, voter, proposals_2018):
    other = make_proposal(title="Annat år", year=2030)
    response = client.post(vote_url(voter), {f"p{other.pk}": "3"})
    assert response.status_code == 302
    assert not Vote.objects.exists()


def test_closed_round_shows_the_points_but_takes_none(client, voter, proposals_2018):
    PrioritisationRound.objects.update(is_open=False)
    html = client.get(vote_url(voter)).content.decode()
    assert "Prioriteringen är stängd" in html and "<fieldset disabled" in html
    response = client.post(vote_url(voter), points_data(proposals_2018, [1]))
    assert response.status_code == 200
    assert not Vote.objects.exists()


@pytest.mark.parametrize("token", ["x" * 43, "kort", "%00" * 30, "a" * 500])
def test_unknown_or_malformed_token_is_404(client, voter, token):
    assert client.get(f"/forslag/prioritera/{token}/").status_code == 404


def test_the_ballot_shows_each_description_folded_and_the_region(client, voter):
    html = client.get(vote_url(voter)).content.decode()
    assert html.count("<details") == 15
    folded = re.search(
        r"(?s)<summary>[^<]*<span[^>]*>: Cirkulär ekonomi</span></summary>(.*?)</details>", html
    )
    assert "Behov av att samla parter" in folded.group(1)
    assert "Region Kronoberg · ERFA-träffar" in html


def test_a_get_never_writes(client, voter, proposals_2018):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(vote_url(voter)).status_code == 200
    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    assert statements and set(statements) == {"SELECT"}


def test_there_is_no_way_in_without_an_invitation(client, admin_user, round_2018):
    # Joining a round by logging in is gone: a login, even a superuser's, gets no ballot.
    client.force_login(admin_user)
    assert client.get(f"/forslag/prioritera/omgang/{round_2018.pk}/").status_code == 404
    assert not Voter.objects.exists()


# --- the organisers' ranking ----------------------------------------------------------------


def test_ranking_shows_shared_places_and_how_many_voted(admin_client, round_2018, proposals_2018):
    a, b = proposals_2018[:2]
    voters = [Voter.objects.create(round=round_2018, email=f"{n}@x.se") for n in range(3)]
    Vote.objects.create(voter=voters[0], proposal=a, points=2)
    Vote.objects.create(voter=voters[1], proposal=b, points=2)
    html = admin_client.get(reverse("proposals:ranking", args=[round_2018.pk])).content.decode()
    places = re.findall(r"<tr>\s*<td class=\"ranking-place\">([^<]+)</td>", html)
    assert places == ["delad 1:a plats"] * 2 + ["delad 3:e plats"] * 13
    assert "2 av 3 deltagare har fördelat poäng." in html


def test_ranking_shows_points_and_voters_highest_first(admin_client, voter, proposals_2018):
    matcha = proposals_2018[4]
    Vote.objects.create(voter=voter, proposal=matcha, points=3)
    url = reverse("proposals:ranking", args=[voter.round_id])
    html = admin_client.get(url).content.decode()
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>[^<]*</td>\s*<td[^>]*>(\d+)</td>', html)
    assert rows[0] == (matcha.title, "3")
    assert len(rows) == 15
    assert "1 av 1 deltagare har fördelat poäng." in html
    fragment = admin_client.get(url, {"fragment": "1"}).content.decode()
    assert "<table" in fragment and "<html" not in fragment


def test_a_ballot_posted_without_the_csrf_token_is_refused(voter, proposals_2018):
    response = Client(enforce_csrf_checks=True).post(
        vote_url(voter), points_data(proposals_2018, [1])
    )
    assert response.status_code == 403
    assert not Vote.objects.exists()
