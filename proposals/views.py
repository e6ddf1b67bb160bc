from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from reglab.ratelimit import ratelimit

from . import selectors, services
from .forms import FilterForm, PointsForm, ProposalForm
from .models import PrioritisationRound, Voter


def proposal_list(request):
    form = FilterForm(request.GET or None, regions=selectors.public_regions())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return render(
        request,
        "proposals/proposal_list.html",
        {"form": form, "proposals": selectors.public_proposals(**filters)},
    )


@ratelimit("proposal", limit=5, period=60)
def proposal_create(request):
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.submit_proposal(**form.cleaned_data)
        except services.ProposalError as error:
            form.add_error("title", str(error))
        else:
            messages.success(
                request,
                _("Tack! Förslaget ”%(title)s” är inskickat.") % {"title": proposal.title},
            )
            return redirect("proposals:list")
    return render(request, "proposals/proposal_form.html", {"form": form})


@ratelimit("vote", limit=30, period=60)
def vote(request, token):
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
    return render(
        request,
        "proposals/vote.html",
        {"voter": voter, "round": round_, "form": form, "used": used},
    )


@login_required
def join_round(request, round_id):
    """A logged-in participant gets their own private page in the round."""
    round_ = get_object_or_404(PrioritisationRound, pk=round_id)
    voter = services.voter_for_user(round_id=round_.pk, user=request.user)
    return redirect("proposals:vote", token=voter.token)


@staff_member_required
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
