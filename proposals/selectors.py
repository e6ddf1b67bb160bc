"""Read queries for proposals, shared by the public pages and the organisers' pages."""

from collections import Counter

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from .models import REGION_VALUES, PrioritisationRound, Proposal, Voter


def public_proposals(*, format: str = "", region: str = "") -> QuerySet[Proposal]:
    proposals = Proposal.objects.public()
    if format:
        proposals = proposals.filter(format=format)
    if region:
        proposals = proposals.filter(region=region)
    return proposals.order_by("-year", "title")


def public_regions() -> list[tuple[str, str]]:
    """The regions with a proposal on the public list, for its filter: (value, label) in the
    list's order, every other organisation under one "Annan organisation"."""
    values = set(Proposal.objects.public().exclude(region="").values_list("region", flat=True))
    labels = dict(Proposal._meta.get_field("region").flatchoices)
    return [(value, str(labels[value])) for value in REGION_VALUES if value in values]


def ranking(round_: PrioritisationRound) -> list[Proposal]:
    """The round's proposals with total points and number of voters, highest first.

    Each has a `place`: proposals with equal points share one, and the next place skips
    those shared (1, 2, 2, 4), so no tie gets a place its points did not earn.
    `shares_place` says whether others have the same place.
    """
    in_round = Q(votes__voter__round=round_)
    proposals = list(
        round_.proposals()
        .annotate(
            total_points=Coalesce(Sum("votes__points", filter=in_round), Value(0)),
            voter_count=Count("votes__voter", filter=in_round, distinct=True),
        )
        .order_by("-total_points", "-voter_count", "title")
    )
    with_points = Counter(p.total_points for p in proposals)
    for index, proposal in enumerate(proposals):
        above = proposals[index - 1] if index else None
        proposal.place = (
            above.place if above and above.total_points == proposal.total_points else index + 1
        )
        proposal.shares_place = with_points[proposal.total_points] > 1
    return proposals


def voters_who_voted(round_: PrioritisationRound) -> int:
    return Voter.objects.filter(round=round_, votes__isnull=False).distinct().count()


def points_by_proposal(voter: Voter) -> dict[int, int]:
    return dict(voter.votes.values_list("proposal_id", "points"))
