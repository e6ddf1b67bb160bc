"""Per-request costs that do not drift with the machine: queries, CPU seconds, bytes.

Runs Django in this process against a database of its own (created, migrated, loaded and
dropped again) and sends requests through Django's test client, so no server, driver or
network is measured: only what one request costs the app.

    python bench/inprocess.py [--requests 300] [--workshops 15|60] [--database NAME]

For each kind of request it prints the SQL queries per request, the CPU milliseconds per
request (time.process_time over all of them) and the bytes of the answer.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg

CALL_SAMPLE = 20
FORM_ENCODED = "application/x-www-form-urlencoded"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="reglab_inprocess")
    parser.add_argument("--redis", default="", help="Redis for the cache; '' for process memory")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workshops", type=int, default=15, help="15, or more in 3 passes")
    parser.add_argument("--queries", default="", help="a request's label: its SQL")
    parser.add_argument("--profile", default="", help="a request's label: its cProfile")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (tottime, ...)")
    parser.add_argument(
        "--only", default="", help="with --profile: only functions whose path matches this"
    )
    parser.add_argument(
        "--callers", default="", help="with --profile: who calls the functions matching this"
    )
    args = parser.parse_args()

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    os.environ.update(
        DATABASE_URL=f"{args.server}/{args.database}",
        DJANGO_SETTINGS_MODULE="reglab.settings",
        DJANGO_SECRET_KEY="inprocess-only",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_HTTPS="off",
        REGLAB_RATELIMIT="off",
        REGLAB_TASKS="database",
        DJANGO_LOG_LEVEL="ERROR",
    )
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    else:
        os.environ.pop("REDIS_URL", None)
    try:
        return measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def measure(args) -> int:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.programme_size import open_window, widen_programme

    call_command("migrate", verbosity=0)
    call_command("load_programme", "fixtures/utsikt_ar_insikt.json", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    open_window()
    if args.workshops != 15:
        widen_programme(args.workshops)
    if args.redis:
        cache.clear()

    from workshops.models import Event

    event = Event.objects.get(slug="utsikt-ar-insikt")
    by_pass: dict[int, list[int]] = {}
    for workshop in event.workshops.order_by("slot__number", "number"):
        by_pass.setdefault(workshop.slot.number, []).append(workshop.pk)
    form_url = f"/{event.slug}/anmalan/"
    client = Client()

    def fresh() -> Client:
        # One client (its handler loads the middleware once), a new visitor each time.
        client.cookies.clear()
        return client

    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    def person(n: int, offset: int = 0) -> dict:
        data = {
            "name": f"Deltagare {n}",
            "email": f"deltagare{n}@inprocess.example.se",
            "organisation": "Bench",
            "consent": "on",
        }
        for number, ids in by_pass.items():
            data[f"pass_{number}"] = str(ids[(n + offset) % len(ids)])
        return data

    def run(label: str, send, expect: int) -> None:
        send(0)  # warm: templates, the kept programme
        statements.clear()
        with connection.execute_wrapper(count):
            response = send(1)
        assert response.status_code == expect, (label, response.status_code)
        if args.queries == label:
            print("\n".join(sql[:160] for sql in statements))
        profiler = cProfile.Profile() if args.profile == label else None
        started = time.process_time()
        wall = time.perf_counter()
        if profiler:
            profiler.enable()
        for n in range(args.requests):
            send(n + 2)
        if profiler:
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            if args.callers:
                stats.print_callers(args.callers)
            else:
                stats.print_stats(*([args.only] if args.only else []), 40)
        cpu = (time.process_time() - started) / args.requests * 1000
        wall = (time.perf_counter() - wall) / args.requests * 1000
        # Python function calls per request: a measure the machine's load does not move.
        counter = cProfile.Profile()
        counter.enable()
        for n in range(CALL_SAMPLE):
            send(args.requests + n + 2)
        counter.disable()
        calls = pstats.Stats(counter).total_calls / CALL_SAMPLE
        print(
            f"| {label} | {len(statements)} | {calls:,.0f} | {cpu:.2f} | {wall:.2f} | "
            f"{len(response.content):,} |"
        )

    print(f"{args.workshops} workshops in {len(by_pass)} passes, {args.requests} requests each")
    print("| request | queries | Python calls | CPU ms | wall ms | bytes |")
    print("|---|---|---|---|---|---|")

    def submit(data: dict):
        # As a browser sends this form (it has no enctype): URL-encoded, not multipart.
        return fresh().post(form_url, urlencode(data), content_type=FORM_ENCODED)

    run("programme page", lambda n: client.get(f"/{event.slug}/"), 200)
    run("opening the form", lambda n: fresh().get(form_url), 200)
    # Registrations until the seats run out; the rest are refused as in a rush.
    saved = [0]

    def register(n: int):
        saved[0] += 1
        return submit(person(10_000 + saved[0]))

    from workshops.models import Workshop

    Workshop.objects.filter(event=event).update(capacity=100_000)
    run("a registration saved", register, 302)
    Workshop.objects.filter(event=event).update(capacity=0)
    run("a submission refused (full)", lambda n: submit(person(n)), 200)
    return 0


if __name__ == "__main__":
    sys.exit(main())
