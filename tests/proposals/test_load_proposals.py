from io import StringIO

from django.core.management import call_command

from proposals.models import Proposal


def test_load_proposals_loads_once_and_keeps_edits(db):
    out = StringIO()
    call_command("load_proposals", "fixtures/proposals_2018.json", stdout=out)
    Proposal.objects.filter(title="Matcha rätt").update(status="accepted")
    call_command("load_proposals", "fixtures/proposals_2018.json", stdout=out)
    assert Proposal.objects.count() == 15
    assert Proposal.objects.public().count() == 15
    assert Proposal.objects.get(title="Matcha rätt").status == "accepted"
    assert "Loaded 15 proposals" in out.getvalue()
    assert "already loaded" in out.getvalue()
