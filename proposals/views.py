from functools import wraps

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from reglab.http import get_or_post
from reglab.ratelimit import ratelimit

from . import selectors, services
from .forms import FilterForm, PointsForm, ProposalForm
from .models import PrioritisationRound, Proposal, Voter

# The proposal just sent, for its receipt page; the id is never in the address.
SESSION_RECEIPT_KEY = "reglab_proposal_receipt"
RANKING_PERMISSION = "proposals.view_prioritisationround"


def proposal_list(request):
    form = FilterForm(request.GET or None, regions=selectors.public_regions())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return render(
        request,
        "proposals/proposal_list.html",
        {"form": form, "proposals": selectors.public_proposals(**filters)},
    )


@get_or_post
@ratelimit("proposal", limit=5, period=60)
def proposal_create(request):
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.submit_proposal(**form.cleaned_data)
        except services.ProposalError as error:
            form.add_error("title", str(error))
        else:
            request.session[SESSION_RECEIPT_KEY] = proposal.pk
            return redirect("proposals:received")
    return render(request, "proposals/proposal_form.html", {"form": form})


def proposal_received(request):
    """The receipt for the proposal this browser just sent; anyone else goes to the list."""
    proposal = Proposal.objects.filter(pk=request.session.get(SESSION_RECEIPT_KEY)).first()
    if proposal is None:
        return redirect("proposals:list")
    response = render(request, "proposals/received.html", {"proposal": proposal})
    response["Cache-Control"] = "private, no-store"
    return response


@get_or_post
@ratelimit("vote", limit=30, period=60)
def vote(request, token):
    """The private ballot. The link is the invitation: whoever has it votes, nobody else."""
    voter = get_object_or_404(Voter.objects.select_related("round"), token=token)
    round_ = voter.round
    saved = selectors.points_by_proposal(voter)
    form = PointsForm(
        request.POST or None,
        proposals=round_.proposals().order_by("title"),
        points_per_voter=round_.points_per_voter,
        initial_points=saved,
    )
    used = sum(saved.values())
    if request.method == "POST" and form.is_valid():
        try:
            services.cast_votes(voter_id=voter.pk, points=form.points())
        except services.ProposalError as error:
            form.add_error(None, str(error))
            used = sum(form.points().values())
        else:
            messages.success(request, _("Dina poäng är sparade."))
            return redirect("proposals:vote", token=voter.token)
    response = render(
        request,
        "proposals/vote.html",
        {"voter": voter, "round": round_, "form": form, "used": used},
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def may_view_rankings(view):
    """Organisers and Staff (by the group's permission); any other login sees nothing."""

    @wraps(view)
    @staff_member_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(RANKING_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@may_view_rankings
def ranking(request, round_id):
    round_ = get_object_or_404(PrioritisationRound, pk=round_id)
    context = {
        "round": round_,
        "proposals": selectors.ranking(round_),
        "voted": selectors.voters_who_voted(round_),
        "invited": round_.voters.count(),
    }
    # The page's script fetches just the table to keep it live.
    if request.GET.get("fragment") == "1":
        return render(request, "proposals/includes/ranking_table.html", context)
    return render(request, "proposals/ranking.html", context)
