"""Who may do what with proposals: every role against every page.

Organisers run proposals and rounds; Staff look (rankings too) and change nothing; a login
without a group sees nothing; voting is only through an invitation's private link, whoever
holds it, and no login, not even a superuser's, gives a ballot without one.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from proposals.models import Proposal, Voter
from tests.conftest import user_in_group
from tests.proposals.conftest import make_proposal

ROLES = ["anonymous", "no group", "Staff", "Organisers", "superuser"]
LOGIN = "login"  # a redirect to the admin's login page
# The roles' groups, by their Swedish names (registrations migration 0009).
GROUPS = {"Staff": "Personal", "Organisers": "Arrangörer"}

# role: (public list, submit, admin, ranking, ballot without invitation, ballot by its link)
EXPECTED = {
    "anonymous": (200, 200, LOGIN, LOGIN, 404, 200),
    "no group": (200, 200, 403, 403, 404, 200),
    "Staff": (200, 200, 200, 200, 404, 200),
    "Organisers": (200, 200, 200, 200, 404, 200),
    "superuser": (200, 200, 200, 200, 404, 200),
}


def log_in(client, role):
    if role == "anonymous":
        return None
    if role == "superuser":
        user = User.objects.create_superuser("root", password="not-used")
    elif role == "no group":
        user = User.objects.create_user("nogroup", password="not-used", is_staff=True)
    else:
        user = user_in_group(GROUPS[role], role.lower())
    client.force_login(user)
    return user


def outcome(response):
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_permission_table(client, voter, role):
    log_in(client, role)
    round_id = voter.round_id
    pages = [
        reverse("proposals:list"),
        reverse("proposals:create"),
        reverse("admin:proposals_proposal_changelist"),
        reverse("proposals:ranking", args=[round_id]),
        f"/forslag/prioritera/omgang/{round_id}/",
        reverse("proposals:vote", args=[voter.token]),
    ]
    assert tuple(outcome(client.get(page)) for page in pages) == EXPECTED[role]
    # Nothing a role opened made it a voter.
    assert list(Voter.objects.values_list("pk", flat=True)) == [voter.pk]


@pytest.mark.parametrize("role", ["no group", "Staff"])
def test_only_organisers_change_proposals(client, db, role):
    log_in(client, role)
    proposal = make_proposal(title="Inte granskat", is_published=False, status="accepted")
    changelist = reverse("admin:proposals_proposal_changelist")
    for action in ("publish", "mark_declined", "convert_to_workshop"):
        client.post(changelist, {"action": action, "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert (proposal.is_published, proposal.status) == (False, "accepted")
    convert = reverse("admin:proposals_proposal_convert", args=[proposal.pk])
    assert client.get(convert).status_code == 403
    change = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    assert 'name="_save"' not in change.content.decode()


def test_organisers_hold_the_proposals_permissions_from_the_migration(organiser, staff_member):
    models = ["proposal", "prioritisationround", "voter", "vote"]
    for model in models:
        for verb in ("add", "change", "delete", "view"):
            assert organiser.has_perm(f"proposals.{verb}_{model}")
    assert {p for p in staff_member.get_all_permissions() if p.startswith("proposals.")} == {
        "proposals.view_proposal",
        "proposals.view_prioritisationround",
    }


def test_unpublished_proposals_are_not_in_a_ballot(client, voter):
    make_proposal(title="Inte granskat än", is_published=False)
    html = client.get(reverse("proposals:vote", args=[voter.token])).content.decode()
    assert "Inte granskat än" not in html
    assert Proposal.objects.filter(is_published=False).count() == 1
