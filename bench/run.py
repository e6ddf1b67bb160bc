"""make bench: the production stack on this machine, driven over loopback.

Creates its own PostgreSQL database, serves reglab with gunicorn (DEBUG off, static files
through whitenoise, rate limits off), runs four scenarios and prints a table that is also
written to bench/results.md. Everything it started is stopped and the database dropped at
the end, also after Ctrl-C or a failure.

    python bench/run.py [--participants 1000] [--rush-concurrency 25] ...

`--servers 2` runs two gunicorn instances sharing PostgreSQL and Redis behind Debian's nginx
(installed with apt-get if missing; its config generated into a temporary folder, run in the
foreground as a child and stopped at the end), and afterwards checks that an edit shows at
once on both and that a rate limit hit through one holds on the other. `--workshops 60` puts
60 workshops in the same three passes (bench/programme_size.py). `REGLAB_DB_PREPARED=off`
(the one REGLAB_ setting passed on to the servers) measures them without prepared statements.
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
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
EVENT = "utsikt-ar-insikt"
RESULTS = ROOT / "bench" / "results.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Programme page requests before the measured ones.
WARM_UP = 300


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Stack:
    server_url: str
    database: str
    port: int  # where the driver connects: the one gunicorn, or nginx in front of several
    env: dict = field(default_factory=dict)
    gunicorns: list[subprocess.Popen] = field(default_factory=list)
    app_ports: list[int] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    proxy_dir: tempfile.TemporaryDirectory | None = None
    worker: subprocess.Popen | None = None
    redis_url: str | None = None

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

    def start(self, *, workers: int, threads: int, servers: int, workshops: int) -> None:
        self.admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self.admin_sql(f'CREATE DATABASE "{self.database}"')
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "REGLAB_", "REDIS_URL"))
            },
            # For an A/B of prepared statements (reglab.settings); on unless asked.
            "REGLAB_DB_PREPARED": os.environ.get("REGLAB_DB_PREPARED", "on"),
            "DATABASE_URL": self.database_url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback; production sits behind an HTTPS proxy.
            "DJANGO_HTTPS": "off",
            "REGLAB_RATELIMIT": "off",
            # E-mails are built (templates, .ics) by the worker but not sent: no mail server
            # here. As in production they are database tasks, so requests never wait on them.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "REGLAB_TASKS": "database",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
        }
        if self.redis_url:
            # As in production: the cache (programme version, page fragments) in Redis.
            redis.Redis.from_url(self.redis_url).flushdb()
            self.env["REDIS_URL"] = self.redis_url
        self.manage("migrate", "--noinput")
        self.manage("load_programme", "fixtures/utsikt_ar_insikt.json")
        self.manage("collectstatic", "--noinput")
        self.manage("shell", "-c", PROGRAMME.format(workshops=workshops))
        self.start_app_servers(servers, ratelimit=False)
        # The e-mail worker, as in production on CPU time the web workers leave (it sets
        # SCHED_IDLE itself, REGLAB_WORKER_PRIORITY): during a rush it catches up afterwards
        # (the bench reports how long that takes).
        self.worker = subprocess.Popen(
            [PYTHON, "manage.py", "mail_worker", "--no-reload", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )

    def start_app_servers(self, servers: int, *, ratelimit: bool) -> None:
        """`servers` gunicorn instances sharing the database and Redis, as separate machines
        would; with more than one, nginx in front of them (README, Drift) on `self.port`."""
        self.app_ports = [self.port] if servers == 1 else [free_port() for _ in range(servers)]
        env = {**self.env, "REGLAB_RATELIMIT": "on" if ratelimit else "off"}
        if servers > 1:
            # Behind the proxy, as in production: the client address comes from nginx.
            env["DJANGO_BEHIND_PROXY"] = "on"
        self.gunicorns = [
            subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env={**env, "PORT": str(port)},
                start_new_session=True,  # its own process group, stopped as a whole
            )
            for port in self.app_ports
        ]
        for port in self.app_ports:
            wait_for_port(port, self.gunicorns)
        if servers > 1:
            self.nginx = start_nginx(self, self.port, self.app_ports)

    def stop_app_servers(self) -> None:
        stop_processes([*self.gunicorns, self.nginx])
        self.gunicorns, self.nginx = [], None
        if self.proxy_dir is not None:
            self.proxy_dir.cleanup()
            self.proxy_dir = None

    def stop(self) -> None:
        self.stop_app_servers()
        stop_processes([self.worker])
        self.worker = None
        try:
            self.admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except psycopg.Error as error:
            print(f"warning: could not drop {self.database}: {error}", file=sys.stderr)


PROGRAMME = """
from bench.programme_size import open_window, widen_programme
open_window()
if {workshops} != 15:
    widen_programme({workshops})
"""


def wait_for_port(port: int, processes: list[subprocess.Popen], *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a server exited while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {seconds:.0f} s")


def stop_processes(processes) -> None:
    for process in processes:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


NGINX = "/usr/sbin/nginx"

NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream reglab {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 1m;
        location / {{
            proxy_pass http://reglab;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Replace, never append: the app trusts the last address in this header.
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


def install_nginx() -> None:
    """Debian's nginx, installed the way the Makefile installs chromium."""
    if os.access(NGINX, os.X_OK):
        return
    print("Installing Debian's nginx for --servers …")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True, env=env)


def start_nginx(stack: Stack, port: int, upstream: list[int]) -> subprocess.Popen:
    """nginx in the foreground (a child of the bench), its config in a temporary folder."""
    install_nginx()
    stack.proxy_dir = tempfile.TemporaryDirectory(prefix="reglab-bench-nginx-")
    folder = stack.proxy_dir.name
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstream)
    conf = Path(folder) / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, servers=servers, port=port))
    nginx = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", folder, "-g", "daemon off;"], start_new_session=True
    )
    wait_for_port(port, [nginx])
    return nginx


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_process_group(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by the app, the mail worker, PostgreSQL and this driver.

    Read from /proc: a process group's members (gunicorn and its workers), PostgreSQL's
    processes by name. Where the 2 cores go tells what a faster app could win at all.
    """
    used = dict.fromkeys([*groups, "postgresql"], 0.0)
    by_group = {pgid: name for name, pgids in groups.items() for pgid in pgids}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        pgid = int(fields[2])
        if pgid in by_group:
            used[by_group[pgid]] += seconds
        elif name.startswith("postgres"):
            used["postgresql"] += seconds
    used["driver"] = time.process_time()
    return used


def cpu_share(before: dict[str, float], after: dict[str, float]) -> str:
    spent = {name: after[name] - before[name] for name in after}
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in spent.items())


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
# The link-request limit per client address and minute (registrations.views.LINK_LIMIT).
LINK_LIMIT = 10
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
    """Two phases: every participant opens the form, then they all submit at once.

    Each participant is a browser of their own (own cookies, own CSRF token) and picks one
    workshop per pass at random from the form they saw, so late submitters find seats gone.
    """
    import random

    rng = random.Random(seed)
    url = f"/{EVENT}/anmalan/"
    form_latencies: list[float] = []
    post_latencies: list[float] = []
    latencies_by_outcome: dict[str, list[float]] = {"registered": [], "refused": []}
    outcome = {"registered": 0, "refused": 0, "5xx": 0, "other": 0}
    limit = asyncio.Semaphore(concurrency)
    # unsafe=True: aiohttp keeps no cookies for an IP address otherwise.
    jars = [aiohttp.CookieJar(unsafe=True) for _ in range(participants)]
    forms: dict[int, dict] = {}
    failures: list[int] = []  # the status of each 5xx answer, to tell the app's from the proxy's

    def session(number: int, connector) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            base, connector=connector, connector_owner=False, cookie_jar=jars[number]
        )

    async def open_form(number: int, connector):
        async with limit, session(number, connector) as browser:
            started = time.perf_counter()
            async with browser.get(url) as response:
                page = await response.text()
                status = response.status
            form_latencies.append(time.perf_counter() - started)
        if status >= 500:
            outcome["5xx"] += 1
            failures.append(status)
            return
        data = {
            "csrfmiddlewaretoken": CSRF.search(page).group(1),
            "name": f"Deltagare {number}",
            "email": f"deltagare{number}@bench.example.se",
            "organisation": "Bench",
            "consent": "on",
        }
        for pass_name, values in choices_in(page).items():
            data[pass_name] = rng.choice(values)
        forms[number] = data

    async def submit(number: int, connector):
        async with limit, session(number, connector) as browser:
            started = time.perf_counter()
            async with browser.post(
                url, data=forms[number], allow_redirects=False, headers={"Referer": base + url}
            ) as response:
                await response.read()
                status = response.status
            post_latencies.append(time.perf_counter() - started)
        if status == 302:
            outcome["registered"] += 1
            latencies_by_outcome["registered"].append(post_latencies[-1])
        elif status == 200:
            outcome["refused"] += 1  # a workshop filled up: the form says so
            latencies_by_outcome["refused"].append(post_latencies[-1])
        elif status >= 500:
            outcome["5xx"] += 1
            failures.append(status)
        else:
            outcome["other"] += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    try:
        started = time.perf_counter()
        await asyncio.gather(*(open_form(n, connector) for n in range(participants)))
        form_seconds = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.gather(*(submit(n, connector) for n in forms))
        submit_seconds = time.perf_counter() - started
    finally:
        await connector.close()
    return {
        **outcome,
        "failures": ", ".join(map(str, sorted(failures))) or "none",
        "participants": participants,
        "concurrency": concurrency,
        "form_rps": len(form_latencies) / form_seconds,
        "form_p95_ms": percentile(form_latencies, 95) * 1000,
        "seconds": submit_seconds,
        "submissions_per_s": len(post_latencies) / submit_seconds,
        "registered_per_s": outcome["registered"] / submit_seconds,
        "p50_ms": percentile(post_latencies, 50) * 1000,
        "p95_ms": percentile(post_latencies, 95) * 1000,
        **{
            f"{name}_p95_ms": percentile(latencies, 95) * 1000
            for name, latencies in latencies_by_outcome.items()
        },
    }


EDIT = """
from workshops.models import Workshop
workshop = Workshop.objects.get(event__slug="utsikt-ar-insikt", number=1)
workshop.title = "{title}"
workshop.save()
"""


async def shared_between_servers(stack: Stack) -> dict:
    """With several app servers: what one server or an organiser changes holds on the others.

    An edit saved by another process (as the admin saves it on any server: through the models
    and their signals) must show on every server's next answer, and the link-request limit hit
    through server A must hold on server B (the cache is the shared Redis). The requests go
    to each server directly, with the client address the proxy would send.
    """
    a, b = (f"http://127.0.0.1:{port}" for port in stack.app_ports[:2])
    client = {"X-Forwarded-For": "203.0.113.7"}
    programme, form = f"/{EVENT}/", f"/{EVENT}/anmalan/"
    title = f"Ändrad i admin {secrets.token_hex(4)}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:

        async def page(url: str) -> str:
            async with browser.get(url, headers=client) as response:
                return await response.text()

        for base in (a, b):  # each server has both pages kept
            await page(base + programme)
            await page(base + form)
        stack.manage("shell", "-c", EDIT.format(title=title))
        edit_seen = [
            title in await page(base + url) for base in (a, b) for url in (programme, form)
        ]

        link = f"/{EVENT}/anmalan/min-lank/"
        token = CSRF.search(await page(a + link)).group(1)
        statuses = []
        for base in [a] * LINK_LIMIT + [b]:
            async with browser.post(
                base + link,
                data={"csrfmiddlewaretoken": token, "email": "grans@bench.example.se"},
                headers={**client, "Referer": base + link},
                allow_redirects=False,
            ) as response:
                statuses.append(response.status)
    return {
        "edit_seen": sum(edit_seen),
        "edit_pages": len(edit_seen),
        "limit_on_a": statuses[:-1].count(302),
        "refused_on_b": statuses[-1] == 429,
    }


def wait_for_mail(database_url: str, *, timeout: float = 300) -> dict:
    """After the rush: how long the e-mail worker needs to send what the rush queued."""
    started = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        while True:
            counts = dict(
                conn.execute(
                    "SELECT status, count(*) FROM django_tasks_database_dbtaskresult"
                    " GROUP BY status"
                ).fetchall()
            )
            waiting = sum(n for status, n in counts.items() if status in ("READY", "RUNNING"))
            if not waiting or time.perf_counter() - started > timeout:
                break
            time.sleep(0.5)
    return {
        "sent": counts.get("SUCCESSFUL", 0),
        "failed": counts.get("FAILED", 0),
        "waiting": waiting,
        "drain_seconds": time.perf_counter() - started,
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


def in_own_process(stack: Stack, script: str, size: int) -> str:
    """A scenario that runs Django itself (bench/exports.py, bench/messages.py): its summary."""
    result = subprocess.run(
        [PYTHON, script, str(size)],
        cwd=ROOT,
        env={**stack.env, "DJANGO_SETTINGS_MODULE": "reglab.settings"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        return f"failed ({result.stderr.strip().splitlines()[-1]})"
    return result.stdout.strip()


def table(results: dict, args) -> str:
    prog, rush, check = results["programme"], results["rush"], results["check"]
    mail = results["mail"]
    servers = (
        f"{args.servers} app servers behind nginx, each gunicorn"
        if args.servers > 1
        else "gunicorn"
    )
    lines = [
        f"Run {datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
        f"{os.cpu_count()} cores, {servers} {args.workers} workers × {args.threads} threads, "
        f"{args.workshops} workshops in 3 passes, "
        "PostgreSQL on the same machine, driver on the same machine, cache "
        f"{'in Redis' if args.redis else 'in process memory'}.",
        "",
        "| scenario | result |",
        "|---|---|",
        f"| programme page, {prog['requests']} GETs at concurrency {prog['concurrency']} "
        f"(after {WARM_UP} to warm up) | "
        f"**{prog['rps']:.0f} requests/s**, p50 {prog['p50_ms']:.0f} ms, "
        f"p95 {prog['p95_ms']:.0f} ms, errors {prog['errors']} |",
        f"| programme page, CPU used | {prog['cpu']} |",
        f"| registration rush, {rush['participants']} participants, "
        f"concurrency {rush['concurrency']} | registered {rush['registered']}, "
        f"refused (full) {rush['refused']}, **oversold {check['oversold']}**, "
        f"incomplete {check['incomplete']}, 5xx {rush['5xx']} ({rush['failures']}), "
        f"other {rush['other']} |",
        f"| registration rush, opening the form | {rush['form_rps']:.0f} requests/s, "
        f"p95 {rush['form_p95_ms']:.0f} ms |",
        f"| registration rush, submitting | **{rush['submissions_per_s']:.0f} submissions/s** "
        f"answered ({rush['registered_per_s']:.0f} registrations/s saved), "
        f"p50 {rush['p50_ms']:.0f} ms, **p95 {rush['p95_ms']:.0f} ms** (saved "
        f"{rush['registered_p95_ms']:.0f}, refused {rush['refused_p95_ms']:.0f}), "
        f"{rush['seconds']:.1f} s in all |",
        f"| confirmation e-mails (worker) | {mail['sent']} built and handed to the mail "
        f"backend, {mail['failed']} failed, {mail['waiting']} still waiting; "
        f"done {mail['drain_seconds']:.1f} s after the last submission |",
        f"| registration rush, CPU used | {rush['cpu']} |",
        f"| a message to {args.message_recipients} participants, queued and sent by the "
        f"worker | {results['messages']} |",
        f"| exports, {args.export_rows} registrations | {results['exports']} |",
    ]
    if shared := results.get("shared"):
        lines.append(
            f"| {args.servers} servers share the cache | an edit shown at once on "
            f"{shared['edit_seen']} of {shared['edit_pages']} pages (programme and form, server "
            f"A and B); link requests: {shared['limit_on_a']} of {LINK_LIMIT} taken on A, the "
            f"next one on B {'refused (429)' if shared['refused_on_b'] else 'NOT refused'} |"
        )
    return "\n".join(lines)


def shared_ok(results: dict) -> bool:
    shared = results.get("shared")
    if shared is None:
        return True
    return (
        shared["edit_seen"] == shared["edit_pages"]
        and shared["limit_on_a"] == LINK_LIMIT
        and shared["refused_on_b"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="reglab_bench")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/15",
        help="Redis for the cache, as in production (its database is emptied); '' for none",
    )
    # The defaults are gunicorn.conf.py's: one process per core, two threads each.
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", os.cpu_count()))
    )
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", 2)))
    parser.add_argument("--programme-requests", type=int, default=3000)
    parser.add_argument("--programme-concurrency", type=int, default=16)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--rush-concurrency", type=int, default=25)
    parser.add_argument("--message-recipients", type=int, default=1000)
    parser.add_argument("--export-rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="app servers (gunicorn instances sharing PostgreSQL and Redis); more than one "
        "puts Debian's nginx in front of them",
    )
    parser.add_argument(
        "--workshops",
        type=int,
        default=15,
        help="workshops in the same 3 passes and 200 seats a pass (15 is the real day)",
    )
    args = parser.parse_args()
    if args.servers > 1 and not args.redis:
        parser.error("--servers needs --redis: the servers share the cache")

    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    stack = Stack(args.server, args.database, free_port(), redis_url=args.redis or None)
    results: dict = {}
    try:
        print(f"Starting gunicorn on 127.0.0.1:{stack.port} against {args.database} …")
        stack.start(
            workers=args.workers,
            threads=args.threads,
            servers=args.servers,
            workshops=args.workshops,
        )
        base = f"http://127.0.0.1:{stack.port}"
        groups = {
            "app": [g.pid for g in stack.gunicorns],
            "mail worker": [stack.worker.pid],
            **({"nginx": [stack.nginx.pid]} if stack.nginx else {}),
        }
        print("1/4 programme page …")
        # Warm-up, not counted: every worker has imported, compiled its templates and filled
        # its kept pages, as on a server that has been up for a minute; the measured run then
        # opens new connections, which both workers take (README, Prestanda: the uneven start).
        asyncio.run(programme_page(base, requests=WARM_UP, concurrency=args.programme_concurrency))
        before = cpu_by_process_group(groups)
        results["programme"] = asyncio.run(
            programme_page(
                base, requests=args.programme_requests, concurrency=args.programme_concurrency
            )
        )
        results["programme"]["cpu"] = cpu_share(before, cpu_by_process_group(groups))
        print("2/4 registration rush …")
        before = cpu_by_process_group(groups)
        results["rush"] = asyncio.run(
            registration_rush(
                base,
                participants=args.participants,
                concurrency=args.rush_concurrency,
                seed=args.seed,
            )
        )
        results["rush"]["cpu"] = cpu_share(before, cpu_by_process_group(groups))
        results["check"] = verify_no_oversell(stack.database_url)
        results["mail"] = wait_for_mail(stack.database_url)
        print("3/4 a message to participants …")
        results["messages"] = in_own_process(stack, "bench/messages.py", args.message_recipients)
        print("4/4 exports …")
        results["exports"] = in_own_process(stack, "bench/exports.py", args.export_rows)
        if args.servers > 1:
            print("the servers share edits and limits …")
            stack.stop_app_servers()
            stack.start_app_servers(args.servers, ratelimit=True)
            results["shared"] = asyncio.run(shared_between_servers(stack))
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
        check["oversold"]
        or check["incomplete"]
        or rush["5xx"]
        or results["programme"]["errors"]
        or results["mail"]["failed"]
        or results["mail"]["waiting"]
        or not shared_ok(results)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
