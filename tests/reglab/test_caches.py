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


def _counting_version_reads(monkeypatch) -> list:
    reads = []
    real = caches.cache.get_or_set

    def get_or_set(key, *args, **kwargs):
        if key == caches.PROGRAMME_VERSION_KEY:
            reads.append(key)
        return real(key, *args, **kwargs)

    monkeypatch.setattr(caches.cache, "get_or_set", get_or_set)
    return reads


def test_a_page_reads_the_programme_version_once_per_request(client, programme, monkeypatch):
    reads = _counting_version_reads(monkeypatch)
    for path in ["/", "/utsikt-ar-insikt/", "/utsikt-ar-insikt/anmalan/"]:
        reads.clear()
        assert client.get(path).status_code == 200
        assert len(reads) == 1, path  # the event, the texts and the page bytes: one read


def test_outside_requests_and_after_an_edit_in_a_request_the_version_is_read_again(db, monkeypatch):
    reads = _counting_version_reads(monkeypatch)
    caches.programme_version()
    caches.programme_version()
    assert len(reads) == 2  # no request: nothing is held
    caches._request_starts()
    try:
        before = caches.programme_version()
        assert caches.programme_version() == before and len(reads) == 3
        caches.programme_changed()  # the request's own edit
        assert caches.programme_version() > before
    finally:
        caches._request_ends()


def test_an_address_of_no_event_keeps_nothing(client, programme):
    kept_before = set(caches._kept)
    for n in range(3):
        assert client.get(f"/inget-sadant-{n}/").status_code == 404
        assert client.get(f"/inget-sadant-{n}/anmalan/").status_code == 404
    assert set(caches._kept) == kept_before
