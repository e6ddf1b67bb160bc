"""What each process keeps (reglab/caches.py) goes stale with the programme version, or in time."""

from reglab import caches
from workshops.models import Room


def test_an_edit_changes_the_version_at_once_and_again_after_the_commit(
    db, django_capture_on_commit_callbacks
):
    before = caches.programme_version()
    with django_capture_on_commit_callbacks(execute=True):
        Room.objects.create(name="Ny lokal", capacity=3)
        during = caches.programme_version()
    assert before < during < caches.programme_version()


def test_a_kept_value_is_built_again_after_an_edit_or_in_time(monkeypatch):
    built = []

    def build():
        built.append(1)
        return len(built)

    assert caches.kept_for_programme("test-key", build) == 1
    assert caches.kept_for_programme("test-key", build) == 1
    caches.programme_changed()
    assert caches.kept_for_programme("test-key", build) == 2
    later = caches.time.monotonic() + caches.KEPT_SECONDS + 1
    monkeypatch.setattr(caches.time, "monotonic", lambda: later)
    assert caches.kept_for_programme("test-key", build) == 3
