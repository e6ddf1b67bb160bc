from django.core.management import call_command

from tests.conftest import PROGRAMME_FIXTURE
from workshops.models import Event, Presenter, Room, TimeSlot, Workshop, WorkshopPresenter

COUNTED = [Event, TimeSlot, Room, Presenter, Workshop, WorkshopPresenter]


def counts():
    return [model.objects.count() for model in COUNTED]


def test_loading_the_programme_twice_gives_the_same_data(db):
    call_command("loaddata", PROGRAMME_FIXTURE, verbosity=0)
    first = counts()
    call_command("loaddata", PROGRAMME_FIXTURE, verbosity=0)
    assert counts() == first == [1, 3, 5, 35, 15, 36]


def test_load_programme_leaves_organiser_edits_alone(db, capsys):
    call_command("load_programme", PROGRAMME_FIXTURE)
    Workshop.objects.filter(number=1).update(title="Ändrad av arrangören")
    call_command("load_programme", PROGRAMME_FIXTURE)
    assert Workshop.objects.get(number=1).title == "Ändrad av arrangören"
    assert "already loaded" in capsys.readouterr().out
