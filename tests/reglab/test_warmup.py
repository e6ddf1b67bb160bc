"""A new app server process warms up before its first request (reglab/warmup.py), without the
database."""

import runpy
import textwrap
from pathlib import Path

from tests.django_script import run_script

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.validators import validate_email
    from django.utils.functional import empty

    def compiled():
        return [validate_email.user_regex._wrapped is not empty,
                validate_email.domain_regex._wrapped is not empty]

    before = compiled()
    from reglab.warmup import warm_up
    warm_up()
    print(json.dumps({"before": before, "after": compiled()}))
    """
)


def test_warming_up_compiles_the_address_checks_without_the_database():
    # No database answers there: a query during the warm-up would fail the script.
    result = run_script(SCRIPT, database_url="postgres://postgres@127.0.0.1:9/nowhere")
    assert result == {"before": [False, False], "after": [True, True]}


def test_each_gunicorn_worker_warms_up_before_its_first_request(monkeypatch):
    import reglab.warmup

    calls = []
    monkeypatch.setattr(reglab.warmup, "warm_up", lambda: calls.append("warmed"))
    monkeypatch.setattr(reglab.warmup, "freeze_what_lasts", lambda: calls.append("frozen"))
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config["post_worker_init"](worker=None)
    assert calls == ["warmed", "frozen"]


def test_what_the_warm_up_built_is_out_of_the_collectors_view():
    import gc

    from reglab.warmup import freeze_what_lasts

    before = gc.get_freeze_count()
    try:
        freeze_what_lasts()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_a_failed_warm_up_leaves_the_worker_cold_rather_than_the_server_stopped(
    monkeypatch, caplog
):
    import reglab.warmup

    def broken():
        raise RuntimeError("no templates")

    monkeypatch.setattr(reglab.warmup, "warm_up", broken)
    monkeypatch.setattr(reglab.warmup, "freeze_what_lasts", lambda: None)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config["post_worker_init"](worker=None)  # does not raise
    assert [r.getMessage() for r in caplog.records if r.name == "reglab.warmup"] == [
        "Warm-up failed; starting cold"
    ]
