"""Read queries for proposals, shared by the public pages and the organisers' pages."""

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from .models import PrioritisationRound, Proposal, Voter


def public_proposals(*, format: str = "", region: str = "") -> QuerySet[Proposal]:
    proposals = Proposal.objects.public()
    if format:
        proposals = proposals.filter(format=format)
    if region:
        proposals = proposals.filter(region=region)
    return proposals.order_by("-year", "title")


def public_regions() -> list[str]:
    """The regions that have a proposal on the public list, for its filter."""
    return list(
        Proposal.objects.public()
        .exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


def ranking(round_: PrioritisationRound) -> QuerySet[Proposal]:
    """The round's proposals with total points and number of voters, highest first."""
    in_round = Q(votes__voter__round=round_)
    return (
        round_.proposals()
        .annotate(
            total_points=Coalesce(Sum("votes__points", filter=in_round), Value(0)),
            voter_count=Count("votes__voter", filter=in_round, distinct=True),
        )
        .order_by("-total_points", "-voter_count", "title")
    )


def voters_who_voted(round_: PrioritisationRound) -> int:
    return Voter.objects.filter(round=round_, votes__isnull=False).distinct().count()


def points_by_proposal(voter: Voter) -> dict[int, int]:
    return dict(voter.votes.values_list("proposal_id", "points"))
