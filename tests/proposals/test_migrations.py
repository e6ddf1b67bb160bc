"""The proposals' data migrations: free-text regions mapped to the list, earlier proposals kept
public, and the groups given their rights on proposals."""

import textwrap
from importlib import import_module

import pytest

from tests.django_script import run_script

REGIONS = import_module("proposals.migrations.0003_region_from_a_list")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Västernorrland", ("Region Västernorrland", "")),
        ("Region Västernorrland", ("Region Västernorrland", "")),
        ("  region   kronoberg ", ("Region Kronoberg", "")),
        ("Örebro län", ("Region Örebro län", "")),
        ("Västra Götaland", ("Västra Götalandsregionen", "")),
        ("SKR", ("Sveriges Kommuner och Regioner (SKR)", "")),
        ("Tillväxtverket", ("Tillväxtverket", "")),
        ("Lunds universitet", ("annan", "Lunds universitet")),
        ("", ("", "")),
    ],
)
def test_each_typed_region_is_mapped_to_the_list(typed, expected):
    assert REGIONS.mapped(typed) == expected


def test_the_migrations_copy_of_the_list_is_the_models():
    from proposals.models import NATIONAL_BODIES
    from proposals.models import REGIONS as MODEL_REGIONS

    assert REGIONS.REGIONS == MODEL_REGIONS
    assert list(REGIONS.NATIONAL_BODIES) == NATIONAL_BODIES


# In its own process, with its own SQLite file: it migrates back and forth.
UPGRADE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "proposals", "0001", verbosity=0)
    with connection.cursor() as cursor:
        for title, region in [("A", "Västernorrland"), ("B", "Lunds universitet"), ("C", "")]:
            cursor.execute(
                "INSERT INTO proposals_proposal (title, region, format, description, "
                "contact_email, status, year, created_at) "
                "VALUES (%s, %s, '', 'x', '', 'submitted', 2018, '2018-01-01')",
                [title, region],
            )
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group
    from proposals.models import Proposal
    print(json.dumps({
        "rows": [
            [p.title, p.region, p.other_organisation, p.is_published]
            for p in Proposal.objects.order_by("title")
        ],
        # Organisers are Arrangörer since registrations 0009.
        "organisers": Group.objects.get(name="Arrangörer").permissions.filter(
            content_type__app_label="proposals"
        ).count(),
    }))
    """
)


def test_upgrading_maps_the_regions_and_keeps_earlier_proposals_public(tmp_path):
    after = run_script(UPGRADE, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", timeout=180)
    assert after["rows"] == [
        ["A", "Region Västernorrland", "", True],
        ["B", "annan", "Lunds universitet", True],
        ["C", "", "", True],
    ]
    assert after["organisers"] == 16
