"""make bench: the production stack on this machine, driven over loopback.

Creates its own PostgreSQL database, serves reglab with gunicorn (DEBUG off, static files
through whitenoise, rate limits off), runs three scenarios and prints a table that is also
written to bench/results.md. Everything it started is stopped and the database dropped at
the end, also after Ctrl-C or a failure.

    python bench/run.py [--participants 1000] [--rush-concurrency 25] ...
"""

import argparse
import asyncio
import datetime
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
EVENT = "utsikt-ar-insikt"
RESULTS = ROOT / "bench" / "results.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Stack:
    server_url: str
    database: str
    port: int
    env: dict = field(default_factory=dict)
    gunicorn: subprocess.Popen | None = None

    @property
    def database_url(self) -> str:
        return f"{self.server_url}/{self.database}"

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def admin_sql(self, sql: str) -> None:
        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def start(self, *, workers: int, threads: int) -> None:
        self.admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self.admin_sql(f'CREATE DATABASE "{self.database}"')
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REGLAB_"))},
            "DATABASE_URL": self.database_url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback; production sits behind an HTTPS proxy.
            "DJANGO_HTTPS": "off",
            "REGLAB_RATELIMIT": "off",
            # E-mails are built (templates, .ics) but not sent: no mail server here.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
        }
        self.manage("migrate", "--noinput")
        self.manage("load_programme", "fixtures/utsikt_ar_insikt.json")
        self.manage("collectstatic", "--noinput")
        self.manage("shell", "-c", OPEN_WINDOW)
        self.gunicorn = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,  # its own process group, stopped as a whole
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError("gunicorn exited while starting")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 30 s")

    def stop(self) -> None:
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            os.killpg(self.gunicorn.pid, signal.SIGTERM)
            try:
                self.gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.gunicorn.pid, signal.SIGKILL)
                self.gunicorn.wait()
        self.gunicorn = None
        try:
            self.admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except psycopg.Error as error:
            print(f"warning: could not drop {self.database}: {error}", file=sys.stderr)


OPEN_WINDOW = """
import datetime
from django.utils import timezone
from workshops.models import Event
now = timezone.now()
Event.objects.filter(slug="utsikt-ar-insikt").update(
    registration_opens=now - datetime.timedelta(hours=1),
    registration_closes=now + datetime.timedelta(days=1),
)
"""


async def programme_page(base: str, *, requests: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    queue = iter(range(requests))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base, connector=connector) as session:

        async def worker():
            nonlocal errors
            for _ in queue:
                started = time.perf_counter()
                async with session.get(f"/{EVENT}/") as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        # Warm up every worker process (templates, connections) before measuring.
        await asyncio.gather(*(session.get(f"/{EVENT}/") for _ in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "requests": requests,
        "concurrency": concurrency,
        "rps": requests / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "errors": errors,
    }


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'<input[^>]*type="radio"[^>]*>')


def choices_in(page: str) -> dict[str, list[str]]:
    by_pass: dict[str, list[str]] = {}
    for tag in RADIO.findall(page):
        name = re.search(r'name="(pass_\d+)"', tag)
        value = re.search(r'value="(\d+)"', tag)
        if name and value:
            by_pass.setdefault(name.group(1), []).append(value.group(1))
    return by_pass


async def registration_rush(base: str, *, participants: int, concurrency: int, seed: int) -> dict:
    import random

    rng = random.Random(seed)
    post_latencies: list[float] = []
    outcome = {"registered": 0, "refused": 0, "5xx": 0, "other": 0}
    limit = asyncio.Semaphore(concurrency)
    url = f"/{EVENT}/anmalan/"

    async def participant(number: int, connector):
        # Each participant is a browser of their own: own cookies, own CSRF token
        # (unsafe=True: aiohttp keeps no cookies for an IP address otherwise).
        async with (
            limit,
            aiohttp.ClientSession(
                base,
                connector=connector,
                connector_owner=False,
                cookie_jar=aiohttp.CookieJar(unsafe=True),
            ) as session,
        ):
            async with session.get(url) as response:
                page = await response.text()
                if response.status >= 500:
                    outcome["5xx"] += 1
                    return
            token = CSRF.search(page).group(1)
            data = {
                "csrfmiddlewaretoken": token,
                "name": f"Deltagare {number}",
                "email": f"deltagare{number}@bench.example.se",
                "organisation": "Bench",
                "consent": "on",
            }
            for pass_name, values in choices_in(page).items():
                data[pass_name] = rng.choice(values)
            started = time.perf_counter()
            async with session.post(
                url, data=data, allow_redirects=False, headers={"Referer": base + url}
            ) as response:
                await response.read()
                status = response.status
            post_latencies.append(time.perf_counter() - started)
            if status == 302:
                outcome["registered"] += 1
            elif status == 200:
                outcome["refused"] += 1  # a workshop filled up: the form says so
            elif status >= 500:
                outcome["5xx"] += 1
            else:
                outcome["other"] += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    started = time.perf_counter()
    try:
        await asyncio.gather(*(participant(n, connector) for n in range(participants)))
    finally:
        await connector.close()
    elapsed = time.perf_counter() - started
    submissions = len(post_latencies)
    return {
        **outcome,
        "participants": participants,
        "concurrency": concurrency,
        "seconds": elapsed,
        "submissions_per_s": submissions / elapsed,
        "p50_ms": percentile(post_latencies, 50) * 1000,
        "p95_ms": percentile(post_latencies, 95) * 1000,
    }


def verify_no_oversell(database_url: str) -> dict:
    """Count straight from the database: seats per workshop and choices per registration."""
    with psycopg.connect(database_url) as conn:
        oversold = conn.execute(
            """
            SELECT w.number
            FROM workshops_workshop w
            JOIN workshops_room r ON r.id = w.room_id
            LEFT JOIN registrations_choice c ON c.workshop_id = w.id
            LEFT JOIN registrations_registration g
                   ON g.id = c.registration_id AND g.status = 'confirmed'
            GROUP BY w.id, w.number, w.capacity, r.capacity
            HAVING count(g.id) > coalesce(w.capacity, r.capacity)
            """
        ).fetchall()
        incomplete = conn.execute(
            """
            SELECT g.id FROM registrations_registration g
            LEFT JOIN registrations_choice c ON c.registration_id = g.id
            WHERE g.status = 'confirmed'
            GROUP BY g.id
            HAVING count(c.id) <> 3 OR count(DISTINCT c.slot_id) <> 3
            """
        ).fetchall()
        confirmed = conn.execute(
            "SELECT count(*) FROM registrations_registration WHERE status = 'confirmed'"
        ).fetchone()[0]
    return {"oversold": len(oversold), "incomplete": len(incomplete), "confirmed": confirmed}


def exports(stack: Stack, rows: int) -> str:
    result = subprocess.run(
        [PYTHON, "bench/exports.py", str(rows)],
        cwd=ROOT,
        env={**stack.env, "DJANGO_SETTINGS_MODULE": "reglab.settings"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        return f"exports: failed ({result.stderr.strip().splitlines()[-1]})"
    return result.stdout.strip()


def table(results: dict, args) -> str:
    prog, rush, check = results["programme"], results["rush"], results["check"]
    lines = [
        f"Run {datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
        f"{os.cpu_count()} cores, gunicorn {args.workers} workers × {args.threads} threads, "
        "PostgreSQL on the same machine, driver on the same machine.",
        "",
        "| scenario | result |",
        "|---|---|",
        f"| programme page, {prog['requests']} GETs at concurrency {prog['concurrency']} | "
        f"**{prog['rps']:.0f} requests/s**, p50 {prog['p50_ms']:.0f} ms, "
        f"p95 {prog['p95_ms']:.0f} ms, errors {prog['errors']} |",
        f"| registration rush, {rush['participants']} participants, "
        f"concurrency {rush['concurrency']} | registered {rush['registered']}, "
        f"refused (full) {rush['refused']}, **oversold {check['oversold']}**, "
        f"incomplete {check['incomplete']}, 5xx {rush['5xx']}, other {rush['other']} |",
        f"| registration rush, speed | **{rush['submissions_per_s']:.0f} registrations/s** "
        f"(POSTs answered), p50 {rush['p50_ms']:.0f} ms, **p95 {rush['p95_ms']:.0f} ms**, "
        f"{rush['seconds']:.1f} s in all |",
        f"| exports, {args.export_rows} registrations | {results['exports']} |",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="reglab_bench")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 4)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", 2)))
    parser.add_argument("--programme-requests", type=int, default=3000)
    parser.add_argument("--programme-concurrency", type=int, default=16)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--rush-concurrency", type=int, default=25)
    parser.add_argument("--export-rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    stack = Stack(args.server, args.database, free_port())
    results: dict = {}
    try:
        print(f"Starting gunicorn on 127.0.0.1:{stack.port} against {args.database} …")
        stack.start(workers=args.workers, threads=args.threads)
        base = f"http://127.0.0.1:{stack.port}"
        print("1/3 programme page …")
        results["programme"] = asyncio.run(
            programme_page(
                base, requests=args.programme_requests, concurrency=args.programme_concurrency
            )
        )
        print("2/3 registration rush …")
        results["rush"] = asyncio.run(
            registration_rush(
                base,
                participants=args.participants,
                concurrency=args.rush_concurrency,
                seed=args.seed,
            )
        )
        results["check"] = verify_no_oversell(stack.database_url)
        print("3/3 exports …")
        results["exports"] = exports(stack, args.export_rows)
    except KeyboardInterrupt:
        print("interrupted; stopping", file=sys.stderr)
        return 130
    finally:
        stack.stop()
    output = table(results, args)
    print()
    print(output)
    RESULTS.write_text("# make bench: latest run\n\n" + output + "\n", encoding="utf-8")
    rush, check = results["rush"], results["check"]
    failed = (
        check["oversold"] or check["incomplete"] or rush["5xx"] or results["programme"]["errors"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
