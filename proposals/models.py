"""Activity proposals from member regions, and prioritising them at an idea workshop.

Every write that enforces a rule (submitting, voting, converting into a workshop) goes through
proposals.services.
"""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workshops.models import Event, Workshop

# Years a proposal can be for; wide enough for any real plan, narrow enough to catch typos.
FIRST_YEAR, LAST_YEAR = 2000, 2100


# Who may propose: Sweden's 21 regions and the national bodies Reglab works with, by their
# own names (so the stored value is what is shown), and "another organisation", named in
# other_organisation. One list, so the public filter groups every proposal of a region.
REGIONS = [
    "Region Blekinge",
    "Region Dalarna",
    "Region Gotland",
    "Region Gävleborg",
    "Region Halland",
    "Region Jämtland Härjedalen",
    "Region Jönköpings län",
    "Region Kalmar län",
    "Region Kronoberg",
    "Region Norrbotten",
    "Region Skåne",
    "Region Stockholm",
    "Region Sörmland",
    "Region Uppsala",
    "Region Värmland",
    "Region Västerbotten",
    "Region Västernorrland",
    "Region Västmanland",
    "Region Örebro län",
    "Region Östergötland",
    "Västra Götalandsregionen",
]
NATIONAL_BODIES = [
    "Reglab",
    "Sveriges Kommuner och Regioner (SKR)",
    "Tillväxtanalys",
    "Tillväxtverket",
]
OTHER_ORGANISATION = "annan"
REGION_CHOICES = [
    (_("Regioner"), [(name, name) for name in REGIONS]),
    (_("Nationella aktörer"), [(name, name) for name in NATIONAL_BODIES]),
    (OTHER_ORGANISATION, _("Annan organisation")),
]
REGION_VALUES = [*REGIONS, *NATIONAL_BODIES, OTHER_ORGANISATION]


def new_token() -> str:
    # 32 bytes = 256 bits from the OS's CSPRNG: a private link that cannot be guessed.
    return secrets.token_urlsafe(32)


class ProposalQuerySet(models.QuerySet):
    def get_by_natural_key(self, year, title):
        return self.get(year=year, title=title)

    def public(self):
        """What the public list and the rounds show: proposals an organiser has published
        after reading them, unless declined since."""
        return self.filter(is_published=True).exclude(status=Proposal.Status.DECLINED)


class Proposal(models.Model):
    class Format(models.TextChoices):
        LEARNING_PROJECT = "larprojekt", _("Lärprojekt")
        WORKSHOP = "workshop", _("Workshop")
        SEMINAR = "seminarium", _("Seminarium")
        EXPERIENCE_EXCHANGE = "erfa", _("ERFA-träffar")
        NETWORK = "natverk", _("Nätverk")
        STUDY_TRIP = "studieresa", _("Studieresa")
        OTHER = "annat", _("Annat")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Inskickat")
        UNDER_REVIEW = "under_review", _("Under beredning")
        ACCEPTED = "accepted", _("Antaget")
        DECLINED = "declined", _("Avböjt")

    title = models.CharField(_("titel"), max_length=300)
    region = models.CharField(
        _("region eller organisation"),
        max_length=200,
        blank=True,
        choices=REGION_CHOICES,
        help_text=_("Den region eller organisation som föreslår aktiviteten."),
    )
    other_organisation = models.CharField(
        _("annan organisation"),
        max_length=200,
        blank=True,
        help_text=_("Organisationens namn, när den inte finns i listan."),
    )
    format = models.CharField(
        _("form"),
        max_length=20,
        choices=Format,
        blank=True,
        help_text=_("Tomt när förslaget inte anger någon form."),
    )
    description = models.TextField(_("beskrivning"), max_length=5000)
    contact_email = models.EmailField(_("kontaktperson, e-post"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.SUBMITTED)
    is_published = models.BooleanField(
        _("publicerat"),
        # A new proposal comes from anyone on the web: an organiser reads it first.
        default=False,
        help_text=_("Syns på den öppna listan och i prioriteringsomgångar."),
    )
    year = models.PositiveSmallIntegerField(
        _("år"),
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        help_text=_("Det år aktiviteten föreslås för."),
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("evenemang"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    workshop = models.OneToOneField(
        Workshop,
        verbose_name=_("workshop"),
        # Deleting the workshop frees the proposal to be converted again; the proposal stays.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        editable=False,
    )
    created_at = models.DateTimeField(_("inskickat"), auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("förslag")
        verbose_name_plural = _("förslag")
        ordering = ["-year", "title"]
        constraints = [
            # Also the natural key, and it stops a double-clicked submit from saving twice.
            models.UniqueConstraint(
                fields=["year", "title"], name="proposal_unique_title_per_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="proposal_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(workshop__isnull=True) | Q(status="accepted"),
                name="proposal_converted_only_when_accepted",
            ),
            models.CheckConstraint(
                condition=Q(region__in=["", *REGION_VALUES]),
                name="proposal_region_from_list",
                violation_error_message=_("Välj en region eller organisation i listan."),
            ),
            # The free-text name goes with "another organisation", and only with it.
            models.CheckConstraint(
                condition=(Q(region=OTHER_ORGANISATION) & ~Q(other_organisation=""))
                | (~Q(region=OTHER_ORGANISATION) & Q(other_organisation="")),
                name="proposal_other_organisation_named",
                violation_error_message=_(
                    "Skriv organisationens namn när du väljer ”Annan organisation”, och lämna "
                    "namnet tomt när du väljer en region i listan."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.year, self.title)

    @property
    def proposer(self) -> str:
        """Who proposes, as a person reads it: the region, or the other organisation's name."""
        if self.region == OTHER_ORGANISATION:
            return self.other_organisation
        return self.region

    @property
    def is_converted(self) -> bool:
        return self.workshop_id is not None

    def clean(self):
        if self.event_id and self.year and self.event.date.year != self.year:
            raise ValidationError(
                {"event": _("Evenemanget äger inte rum det år förslaget gäller.")}
            )


class PrioritisationRound(models.Model):
    """One prioritising session, e.g. at an idea workshop, covering one year's proposals."""

    title = models.CharField(_("rubrik"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("förslag för år"),
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        help_text=_("Omgången gäller alla förslag för detta år utom avböjda."),
    )
    points_per_voter = models.PositiveSmallIntegerField(
        _("poäng per deltagare"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    is_open = models.BooleanField(_("öppen för prioritering"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prioriteringsomgång")
        verbose_name_plural = _("prioriteringsomgångar")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_per_voter__gte=1), name="round_points_at_least_one"
            )
        ]

    def __str__(self):
        return self.title

    def proposals(self):
        """The proposals this round covers."""
        return Proposal.objects.public().filter(year=self.year)


class Voter(models.Model):
    """A participant in a round, invited by e-mail with a private link: the link is their only
    way to vote (a login gives none), so anyone who has it may vote, nobody else."""

    round = models.ForeignKey(
        PrioritisationRound,
        verbose_name=_("omgång"),
        on_delete=models.CASCADE,
        related_name="voters",
    )
    name = models.CharField(
        _("namn"),
        max_length=200,
        blank=True,
        help_text=_("Vem länken är till; syns bara för arrangörer."),
    )
    # Required for new voters; those from before invitations were mailed have none.
    email = models.EmailField(
        _("e-post"),
        max_length=254,
        help_text=_("Inbjudan med den personliga länken skickas hit."),
    )
    invited_at = models.DateTimeField(_("inbjudan skickad"), null=True, blank=True, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        ordering = ["round", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "email"],
                condition=~Q(email=""),
                name="voter_one_per_email_and_round",
            )
        ]

    def __str__(self):
        return self.name or self.email or str(_("Inbjuden deltagare"))


class Vote(models.Model):
    # Points given are the round's record: a proposal, voter or round that has them cannot be
    # deleted (the admin says so); a voter's new ballot replaces their points (cast_votes).
    voter = models.ForeignKey(
        Voter, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="votes"
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("förslag"), on_delete=models.PROTECT, related_name="votes"
    )
    points = models.PositiveSmallIntegerField(_("poäng"))

    class Meta:
        verbose_name = _("poäng")
        verbose_name_plural = _("poäng")
        constraints = [
            models.UniqueConstraint(fields=["voter", "proposal"], name="vote_once_per_proposal"),
            models.CheckConstraint(condition=Q(points__gte=1), name="vote_points_positive"),
        ]

    def __str__(self):
        return f"{self.voter}: {self.points} → {self.proposal}"
