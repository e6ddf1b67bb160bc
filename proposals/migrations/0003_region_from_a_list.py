"""The region is chosen from a list; "another organisation" comes with its name.

Free text made the public filter list "Västernorrland" beside "Region Västernorrland". Each
existing value is mapped to the list: by its name ("Region Kronoberg"), its name without
"Region" ("Västernorrland"), or a national body's short name ("SKR"); anything else becomes
"another organisation" with the text as its name, so nothing typed is lost.
"""

from django.db import migrations, models

# As in proposals.models when this was written; a migration keeps its own copy.
REGIONS = [
    "Region Blekinge", "Region Dalarna", "Region Gotland", "Region Gävleborg", "Region Halland",
    "Region Jämtland Härjedalen", "Region Jönköpings län", "Region Kalmar län",
    "Region Kronoberg", "Region Norrbotten", "Region Skåne", "Region Stockholm",
    "Region Sörmland", "Region Uppsala", "Region Värmland", "Region Västerbotten",
    "Region Västernorrland", "Region Västmanland", "Region Örebro län", "Region Östergötland",
    "Västra Götalandsregionen",
]
NATIONAL_BODIES = {
    "Reglab": ["Reglab"],
    "Sveriges Kommuner och Regioner (SKR)": [
        "SKR", "Sveriges Kommuner och Regioner", "SKL", "Sveriges Kommuner och Landsting",
    ],
    "Tillväxtanalys": ["Tillväxtanalys", "Myndigheten för tillväxtpolitiska utvärderingar och analyser"],
    "Tillväxtverket": ["Tillväxtverket"],
}
OTHER = "annan"


def _key(text):
    return " ".join(text.split()).casefold()


def names():
    """{what people type, normalised: the name in the list}."""
    known = {}
    for name in REGIONS:
        known[_key(name)] = name
        known[_key(name.removeprefix("Region "))] = name
    known[_key("Västra Götaland")] = "Västra Götalandsregionen"
    for name, spellings in NATIONAL_BODIES.items():
        for spelling in [name, *spellings]:
            known[_key(spelling)] = name
    return known


def mapped(text):
    """(region, other organisation) for a region as it was typed."""
    if not text.strip():
        return "", ""
    name = names().get(_key(text))
    return (name, "") if name else (OTHER, text.strip()[:200])


def to_list(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    for proposal in Proposal.objects.exclude(region=""):
        proposal.region, proposal.other_organisation = mapped(proposal.region)
        proposal.save(update_fields=["region", "other_organisation"])


def to_text(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    Proposal.objects.filter(region=OTHER).update(region=models.F("other_organisation"))


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0002_proposal_published_after_review'),
    ]

    operations = [
        migrations.AddField(
            model_name='proposal',
            name='other_organisation',
            field=models.CharField(blank=True, help_text='Organisationens namn, när den inte finns i listan.', max_length=200, verbose_name='annan organisation'),
        ),
        migrations.RunPython(to_list, to_text),
        migrations.AlterField(
            model_name='proposal',
            name='region',
            field=models.CharField(blank=True, choices=[('Regioner', [('Region Blekinge', 'Region Blekinge'), ('Region Dalarna', 'Region Dalarna'), ('Region Gotland', 'Region Gotland'), ('Region Gävleborg', 'Region Gävleborg'), ('Region Halland', 'Region Halland'), ('Region Jämtland Härjedalen', 'Region Jämtland Härjedalen'), ('Region Jönköpings län', 'Region Jönköpings län'), ('Region Kalmar län', 'Region Kalmar län'), ('Region Kronoberg', 'Region Kronoberg'), ('Region Norrbotten', 'Region Norrbotten'), ('Region Skåne', 'Region Skåne'), ('Region Stockholm', 'Region Stockholm'), ('Region Sörmland', 'Region Sörmland'), ('Region Uppsala', 'Region Uppsala'), ('Region Värmland', 'Region Värmland'), ('Region Västerbotten', 'Region Västerbotten'), ('Region Västernorrland', 'Region Västernorrland'), ('Region Västmanland', 'Region Västmanland'), ('Region Örebro län', 'Region Örebro län'), ('Region Östergötland', 'Region Östergötland'), ('Västra Götalandsregionen', 'Västra Götalandsregionen')]), ('Nationella aktörer', [('Reglab', 'Reglab'), ('Sveriges Kommuner och Regioner (SKR)', 'Sveriges Kommuner och Regioner (SKR)'), ('Tillväxtanalys', 'Tillväxtanalys'), ('Tillväxtverket', 'Tillväxtverket')]), ('annan', 'Annan organisation')], help_text='Den region eller organisation som föreslår aktiviteten.', max_length=200, verbose_name='region eller organisation'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(('region__in', ['', 'Region Blekinge', 'Region Dalarna', 'Region Gotland', 'Region Gävleborg', 'Region Halland', 'Region Jämtland Härjedalen', 'Region Jönköpings län', 'Region Kalmar län', 'Region Kronoberg', 'Region Norrbotten', 'Region Skåne', 'Region Stockholm', 'Region Sörmland', 'Region Uppsala', 'Region Värmland', 'Region Västerbotten', 'Region Västernorrland', 'Region Västmanland', 'Region Örebro län', 'Region Östergötland', 'Västra Götalandsregionen', 'Reglab', 'Sveriges Kommuner och Regioner (SKR)', 'Tillväxtanalys', 'Tillväxtverket', 'annan'])), name='proposal_region_from_list', violation_error_message='Välj en region eller organisation i listan.'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('region', 'annan'), models.Q(('other_organisation', ''), _negated=True)), models.Q(models.Q(('region', 'annan'), _negated=True), ('other_organisation', '')), _connector='OR'), name='proposal_other_organisation_named', violation_error_message='Skriv organisationens namn när du väljer ”Annan organisation”, och lämna namnet tomt när du väljer en region i listan.'),
        ),
    ]
