from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import selectors, services
from .forms import ConvertForm, VoterFormSet
from .models import PrioritisationRound, Proposal, Voter


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "proposer_display",
        "format",
        "year",
        "status",
        "is_published",
        "workshop_link",
    ]
    list_filter = ["is_published", "status", "format", "year", "region"]
    search_fields = ["title", "region", "other_organisation", "description"]
    list_select_related = ["workshop"]
    readonly_fields = ["workshop_link", "created_at"]
    fields = [
        "title",
        "region",
        "other_organisation",
        "format",
        "description",
        "contact_email",
        "year",
        "event",
        "status",
        "is_published",
        "workshop_link",
        "created_at",
    ]
    actions = [
        "publish",
        "unpublish",
        "mark_under_review",
        "mark_accepted",
        "mark_declined",
        "convert_to_workshop",
    ]

    @admin.display(description=gettext_lazy("region eller organisation"), ordering="region")
    def proposer_display(self, proposal):
        return proposal.proposer or "–"

    @admin.display(description=gettext_lazy("workshop"))
    def workshop_link(self, proposal):
        if proposal.workshop_id:
            url = reverse("admin:workshops_workshop_change", args=[proposal.workshop_id])
            return format_html('<a href="{}">{}</a>', url, proposal.workshop)
        if proposal.pk and proposal.status == Proposal.Status.ACCEPTED:
            url = reverse("admin:proposals_proposal_convert", args=[proposal.pk])
            return format_html('<a href="{}">{}</a>', url, _("Gör till workshop"))
        return "–"

    def get_readonly_fields(self, request, obj=None):
        # A converted proposal stays accepted (the rule lives in services.set_status).
        if obj is not None and obj.is_converted:
            return [*self.readonly_fields, "status"]
        return self.readonly_fields

    def _set_status(self, request, queryset, status):
        changed = 0
        for proposal in queryset:
            try:
                services.set_status(proposal=proposal, status=status)
                changed += 1
            except services.ProposalError as error:
                self.message_user(request, str(error), messages.ERROR)
        if changed:
            self.message_user(
                request,
                _("%(count)s förslag har nu status ”%(status)s”.")
                % {"count": changed, "status": Proposal.Status(status).label},
                messages.SUCCESS,
            )

    def _set_published(self, request, queryset, published: bool):
        proposals = list(queryset)
        for proposal in proposals:
            services.set_published(proposal=proposal, published=published)
        message = (
            _("%(count)s förslag är publicerade på den öppna listan.")
            if published
            else _("%(count)s förslag är borttagna från den öppna listan.")
        )
        self.message_user(request, message % {"count": len(proposals)}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publicera på den öppna listan"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description=gettext_lazy("Ta bort från den öppna listan"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    @admin.action(description=gettext_lazy("Sätt status: under beredning"), permissions=["change"])
    def mark_under_review(self, request, queryset):
        self._set_status(request, queryset, Proposal.Status.UNDER_REVIEW)

    @admin.action(description=gettext_lazy("Sätt status: antaget"), permissions=["change"])
    def mark_accepted(self, request, queryset):
        self._set_status(request, queryset, Proposal.Status.ACCEPTED)

    @admin.action(description=gettext_lazy("Sätt status: avböjt"), permissions=["change"])
    def mark_declined(self, request, queryset):
        self._set_status(request, queryset, Proposal.Status.DECLINED)

    @admin.action(
        description=gettext_lazy("Gör det antagna förslaget till en workshop"),
        permissions=["change"],
    )
    def convert_to_workshop(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                _("Välj ett förslag i taget: varje workshop behöver sitt eget pass och sin lokal."),
                messages.WARNING,
            )
            return None
        return redirect("admin:proposals_proposal_convert", queryset.get().pk)

    def get_urls(self):
        return [
            path(
                "<int:proposal_id>/workshop/",
                self.admin_site.admin_view(self.convert_view),
                name="proposals_proposal_convert",
            ),
            *super().get_urls(),
        ]

    def convert_view(self, request, proposal_id):
        """Asks for the event, pass and room, then creates the workshop via the service."""
        proposal = get_object_or_404(Proposal.objects.select_related("workshop"), pk=proposal_id)
        if not (
            self.has_change_permission(request, proposal)
            and request.user.has_perm("workshops.add_workshop")
        ):
            raise PermissionDenied
        refusal = services.conversion_refusal(proposal)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return redirect("admin:proposals_proposal_change", proposal.pk)
        initial = {"event": proposal.event_id} if proposal.event_id else {}
        form = ConvertForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                workshop = services.convert_to_workshop(
                    proposal_id=proposal.pk, **form.cleaned_data
                )
            except services.ProposalError as error:
                form.add_error(None, str(error))
            else:
                url = reverse("admin:workshops_workshop_change", args=[workshop.pk])
                self.message_user(
                    request,
                    format_html(
                        _(
                            'Workshop {} är skapad som utkast. <a href="{}">Lägg till '
                            "medverkande</a> och publicera den sedan i listan över workshoppar."
                        ),
                        workshop,
                        url,
                    ),
                    messages.SUCCESS,
                )
                return redirect("admin:proposals_proposal_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "proposal": proposal,
            "form": form,
            "title": _("Gör förslaget till en workshop"),
        }
        return TemplateResponse(request, "admin/proposals/convert.html", context)


class VoterInline(admin.TabularInline):
    """Who is invited. The private links are in the invitations only, not on this page:
    whoever holds one votes with it."""

    model = Voter
    formset = VoterFormSet
    extra = 3
    fields = ["name", "email", "invited_at", "points_used"]
    readonly_fields = ["invited_at", "points_used"]

    @admin.display(description=gettext_lazy("använda poäng"))
    def points_used(self, voter):
        return sum(selectors.points_by_proposal(voter).values()) if voter.pk else 0


@admin.register(PrioritisationRound)
class PrioritisationRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "points_per_voter", "is_open", "ranking_link"]
    list_filter = ["is_open", "year"]
    inlines = [VoterInline]
    readonly_fields = ["ranking_link"]
    actions = ["invite", "invite_again", "close"]

    @admin.display(description=gettext_lazy("rangordning"))
    def ranking_link(self, round_):
        if not round_.pk:
            return "–"
        url = reverse("proposals:ranking", args=[round_.pk])
        return format_html('<a href="{}">{}</a>', url, _("Visa rangordningen"))

    def _invite(self, request, queryset, *, again: bool):
        for round_ in queryset:
            try:
                count = services.invite_voters(round_=round_, again=again)
            except services.ProposalError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(
                request,
                ngettext(
                    "%(round)s: %(count)s inbjudan skickas.",
                    "%(round)s: %(count)s inbjudningar skickas.",
                    count,
                )
                % {"round": round_, "count": count},
                messages.SUCCESS if count else messages.WARNING,
            )

    @admin.action(
        description=gettext_lazy("Bjud in deltagare som inte fått någon inbjudan"),
        permissions=["change"],
    )
    def invite(self, request, queryset):
        self._invite(request, queryset, again=False)

    @admin.action(
        description=gettext_lazy("Skicka inbjudan igen till alla deltagare"),
        permissions=["change"],
    )
    def invite_again(self, request, queryset):
        self._invite(request, queryset, again=True)

    @admin.action(description=gettext_lazy("Stäng prioriteringen"), permissions=["change"])
    def close(self, request, queryset):
        rounds = list(queryset)
        for round_ in rounds:
            services.close_round(round_=round_)
        self.message_user(
            request,
            _("Stängd: %(rounds)s.") % {"rounds": ", ".join(map(str, rounds))},
            messages.SUCCESS,
        )
