"""`make bench`: every page measured from outside, as a multiple of ``/healthz``.

For each database (SQLite always; PostgreSQL from BENCH_DATABASE_URL, or a local server
on 127.0.0.1:5432 when one answers) and each size (BENCH_SIZES, default 10,100,1000
trainees): a fresh database migrated to the head, a synthetic cohort with six rounds of
history (benchmarks/synthetic.py), then the app in gunicorn on a loopback port with CSRF
and rate limiting on, as in production. The benchmark signs in through the real form and
times every page against ``/healthz``, alternating, and counts each page's SQL statements
in-process (a test client on the same database). On PostgreSQL, with four gunicorn
workers, it also compares the dashboard's throughput under concurrent load with
``/healthz``'s.

Environment:
  BENCH_SIZES=10,100,1000   trainees per cohort
  BENCH_QUICK=1             sizes 10,100 and fewer samples: under two minutes
  BENCH_REPEAT=N            timed requests per page (default 40, quick 12)
  BENCH_DATABASE_URL=...    a PostgreSQL database to use (its tables are dropped)
  BENCH_NO_POSTGRES=1       SQLite only
  BENCH_STRICT=1            exit status 1 when a target of the benchmark is missed

The targets: statements per page the same at the smallest and the largest size; the
trainee dashboard and the trainee's growth page within 5x /healthz and the fill-in page
within 10x; every list page and the cohort's dashboards at the largest size within 3x their
own time at the smallest; the chart pages' first load (the page and every static file it
links, compressed) at most 1.5 MB and a repeat load (files with a long cache life kept)
at most 100 KB; with 4 workers on PostgreSQL the dashboard's throughput at least half of
/healthz's.
"""

from __future__ import annotations

import io
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from benchmarks import exports, live
from benchmarks.synthetic import PASSWORD, Synthetic, build

QUICK = os.environ.get("BENCH_QUICK") == "1"
STRICT = os.environ.get("BENCH_STRICT") == "1"
SIZES = [
    int(s) for s in os.environ.get("BENCH_SIZES", "10,100" if QUICK else "10,100,1000").split(",")
]
REPEAT = int(os.environ.get("BENCH_REPEAT", "10" if QUICK else "40"))
WARM_UP = 2 if QUICK else 3
LOAD_SECONDS = 2.0 if QUICK else 8.0
LOAD_CONNECTIONS = 8
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"
LOCAL_BENCH_DB = "portfolio_bench"

#: The list pages, whose time may grow at most 3x from the smallest to the largest size.
ROLES = ("trainee", "trainer", "governance")
LIST_PAGES = {
    "trainer: cohort",
    "trainer: round progress",
    "trainer: cohort dashboard",
    "governance: candidates",
    "governance: overview",
}
TARGET_RATIO = {
    "trainee: dashboard": 5.0,
    "trainee: my growth": 5.0,
    "trainee: fill-in page": 10.0,
}
#: The pages with charts, whose first load and repeat load (cache warm) are measured.
DASHBOARDS = {
    "trainee: dashboard",
    "trainee: my growth",
    "trainer: trainee's growth",
    "trainer: cohort dashboard",
}
FIRST_LOAD_LIMIT = 1_500_000
REPEAT_LOAD_LIMIT = 100_000
#: A static file whose Cache-Control allows at least this many seconds is not fetched again.
CACHED_SECONDS = 86_400
ASSET = re.compile(rb'(?:href|src)="(/static/[^"?#]+)')
MAX_AGE = re.compile(r"max-age=(\d+)")


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    role: str  # trainee, trainer or governance


def pages(world: Synthetic) -> list[Page]:
    round_id = world.open_round_id
    return [
        Page("trainee: dashboard", "/dashboard", "trainee"),
        Page(
            "trainee: fill-in page",
            f"/rounds/{round_id}/competencies/{world.competency_key}",
            "trainee",
        ),
        Page("trainee: round overview", f"/rounds/{round_id}", "trainee"),
        Page("trainee: evidence library", "/evidence", "trainee"),
        Page("trainee: my growth", f"/trainees/{world.trainee.id}/growth", "trainee"),
        Page("trainer: cohort", f"/cohorts/{world.cohort_id}", "trainer"),
        Page("trainer: cohort dashboard", f"/cohorts/{world.cohort_id}/dashboard", "trainer"),
        Page("trainer: round progress", f"/rounds/{round_id}/progress", "trainer"),
        Page("trainer: trainee page", f"/trainees/{world.trainee.id}", "trainer"),
        Page("trainer: trainee's growth", f"/trainees/{world.trainee.id}/growth", "trainer"),
        Page(
            "governance: candidates",
            f"/organisations/{world.organisation_id}/candidates",
            "governance",
        ),
        Page("governance: overview", "/governance/overview", "governance"),
    ]


@dataclass
class Row:
    database: str
    size: int
    page: str
    median_ms: float
    p95_ms: float
    ratio_median: float
    ratio_p95: float
    statements: int
    #: The page's HTML as transferred (compressed), in bytes.
    html_bytes: int = 0


@dataclass(frozen=True)
class Transfer:
    """What a browser fetches for a page: the first time, and again with its cache warm."""

    database: str
    size: int
    page: str
    first_bytes: int
    repeat_bytes: int
    assets: int


@dataclass
class Throughput:
    healthz: float
    dashboard: float
    size: int


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- databases --------------------------------------------------------------------------


def postgres_url() -> str | None:
    """BENCH_DATABASE_URL, or a database on a local PostgreSQL when one answers."""
    if os.environ.get("BENCH_NO_POSTGRES") == "1":
        return None
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    try:
        engine = create_engine(
            LOCAL_POSTGRES + "postgres",
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 2},
        )
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": LOCAL_BENCH_DB},
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{LOCAL_BENCH_DB}"'))
        engine.dispose()
    except Exception:
        return None
    return LOCAL_POSTGRES + LOCAL_BENCH_DB


def _app(url: str, folder: Path) -> Any:
    from portfolio import create_app
    from portfolio.testing import IsolatedClient

    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "UPLOAD_FOLDER": str(folder / "uploads")}
    )
    app.test_client_class = IsolatedClient
    return app


def prepare(url: str, folder: Path, size: int) -> tuple[Synthetic, dict[str, int]]:
    """A fresh database at the migrations' head, filled; and the statements per page."""
    from flask_migrate import upgrade  # type: ignore[import-untyped]

    from portfolio.extensions import db

    app = _app(url, folder)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        with redirect_stderr(io.StringIO()):  # Alembic logs every step
            upgrade()
        started = time.perf_counter()
        world = build(size, seed=size, upload_folder=str(folder / "uploads"))
        print(f"    generated {size} trainees in {time.perf_counter() - started:.0f} s", flush=True)
        # A database in use has planner statistics (PostgreSQL's autovacuum gathers them); a
        # freshly loaded one has none, and its plans would say nothing about production.
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        started = time.perf_counter()
        counts = _statements(app, world)
        print(f"    statements counted in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
    return world, counts


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _statements(app: Any, world: Synthetic) -> dict[str, int]:
    """SQL statements per page, counted in-process on the same database."""
    from portfolio.extensions import db

    clients = {}
    for role in ROLES:
        clients[role] = app.test_client()
        email = getattr(world, role).email
        clients[role].post("/sign-in", data={"email": email, "password": PASSWORD})
    counts = {}
    for page in pages(world):
        client = clients[page.role]
        client.get(page.path)  # warm: the first request loads the framework and templates
        with counting(db.engine) as statements:
            response = client.get(page.path)
        if response.status_code != 200:
            raise RuntimeError(f"{page.path} as {page.role}: {response.status_code}")
        counts[page.label] = len(statements)
    return counts


# --- timing -----------------------------------------------------------------------------


def time_pages(
    server: live.Server, world: Synthetic, database: str, size: int, counts: dict[str, int]
) -> list[Row]:
    """Each page against /healthz, alternating, REPEAT times each (after a warm-up)."""
    clients: dict[str, live.Client] = {}
    for role in ROLES:
        clients[role] = live.Client(server.port)
        clients[role].sign_in(getattr(world, role).email, PASSWORD)
    probe = live.Client(server.port)
    healthz: list[float] = []
    timings: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    for page in pages(world):
        client = clients[page.role]
        for _ in range(WARM_UP):
            client.timed_get(page.path)
        samples = []
        for _ in range(REPEAT):
            seconds, answer = client.timed_get(page.path)
            if answer.status != 200:
                raise RuntimeError(f"{page.path} answered {answer.status}")
            samples.append(seconds * 1000)
            sizes[page.label] = len(answer.body)
            healthz.append(probe.timed_get("/healthz")[0] * 1000)
        timings[page.label] = samples
    base_median, base_p95 = statistics.median(healthz), p95(healthz)
    rows = [
        Row(
            database,
            size,
            "/healthz",
            base_median,
            base_p95,
            1.0,
            1.0,
            0,
        )
    ]
    for page in pages(world):
        samples = timings[page.label]
        rows.append(
            Row(
                database,
                size,
                page.label,
                statistics.median(samples),
                p95(samples),
                statistics.median(samples) / base_median,
                p95(samples) / base_p95,
                counts[page.label],
                sizes[page.label],
            )
        )
    return rows


def _long_cached(answer: live.Answer) -> bool:
    found = MAX_AGE.search(answer.headers.get("Cache-Control", ""))
    return found is not None and int(found.group(1)) >= CACHED_SECONDS


def measure_transfers(
    server: live.Server, world: Synthetic, database: str, size: int
) -> list[Transfer]:
    """Per chart page: the bytes of the page and every static file it links, compressed.

    The repeat load is the page again plus every linked file whose Cache-Control does not
    let the browser keep it for a day (content-hashed files are kept for a year).
    """
    clients: dict[str, live.Client] = {}
    for role in ROLES:
        clients[role] = live.Client(server.port)
        clients[role].sign_in(getattr(world, role).email, PASSWORD)
    found = []
    for page in pages(world):
        if page.label not in DASHBOARDS:
            continue
        client = clients[page.role]
        answer = client.get(page.path)
        first = repeat = answer.wire_bytes
        assets = sorted({m.decode() for m in ASSET.findall(answer.decoded())})
        for path in assets:
            asset = client.get(path)
            if asset.status != 200:
                raise RuntimeError(f"{path} (linked from {page.path}) answered {asset.status}")
            first += asset.wire_bytes
            if not _long_cached(asset):
                repeat += asset.wire_bytes
        found.append(Transfer(database, size, page.label, first, repeat, len(assets)))
    return found


def measure_throughput(url: str, folder: Path, world: Synthetic) -> Throughput:
    with live.gunicorn(url, folder, workers=4) as server:
        client = live.Client(server.port)
        client.sign_in(world.trainee.email, PASSWORD)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        live.throughput(server.port, "/healthz", cookie, 1, LOAD_CONNECTIONS)  # warm-up
        live.throughput(server.port, "/dashboard", cookie, 1, LOAD_CONNECTIONS)
        healthz = live.throughput(server.port, "/healthz", cookie, LOAD_SECONDS, LOAD_CONNECTIONS)
        dashboard = live.throughput(
            server.port, "/dashboard", cookie, LOAD_SECONDS, LOAD_CONNECTIONS
        )
    return Throughput(healthz, dashboard, 0)


# --- report -----------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    print()
    print(
        "| database | trainees | page | median ms | p95 ms | median ×healthz | p95 ×healthz "
        "| statements | HTML KB |"
    )
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        statements = "0" if r.page == "/healthz" else str(r.statements)
        html = "" if r.page == "/healthz" else f"{r.html_bytes / 1000:.1f}"
        print(
            f"| {r.database} | {r.size} | {r.page} | {r.median_ms:.1f} | {r.p95_ms:.1f} "
            f"| {r.ratio_median:.1f} | {r.ratio_p95:.1f} | {statements} | {html} |"
        )


def print_transfers(transfers: list[Transfer]) -> None:
    print()
    print("| database | trainees | page | files | first load KB | repeat load KB |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for t in transfers:
        print(
            f"| {t.database} | {t.size} | {t.page} | {t.assets} | {t.first_bytes / 1000:.0f} "
            f"| {t.repeat_bytes / 1000:.1f} |"
        )


def missed_targets(
    rows: list[Row], throughputs: dict[str, Throughput], transfers: Sequence[Transfer] = ()
) -> list[str]:
    missed = []
    for t in transfers:
        if t.first_bytes > FIRST_LOAD_LIMIT:
            missed.append(
                f"{t.database}, {t.size} trainees: {t.page} first load {t.first_bytes / 1e6:.2f} MB"
                " (target 1.5 MB)"
            )
        if t.repeat_bytes > REPEAT_LOAD_LIMIT:
            missed.append(
                f"{t.database}, {t.size} trainees: {t.page} repeat load "
                f"{t.repeat_bytes / 1000:.0f} KB (target 100 KB)"
            )
    by_key = {(r.database, r.size, r.page): r for r in rows}
    databases = sorted({r.database for r in rows})
    smallest, largest = min(SIZES), max(SIZES)
    for database in databases:
        for r in rows:
            if r.database != database or r.page == "/healthz":
                continue
            limit = TARGET_RATIO.get(r.page)
            if limit is not None and r.ratio_median > limit:
                missed.append(
                    f"{database}, {r.size} trainees: {r.page} at {r.ratio_median:.1f}x /healthz "
                    f"(target {limit:.0f}x)"
                )
            if r.size == largest and largest != smallest:
                small = by_key[(database, smallest, r.page)]
                if r.statements != small.statements:
                    missed.append(
                        f"{database}: {r.page} runs {small.statements} statements at "
                        f"{smallest} trainees and {r.statements} at {largest}"
                    )
                grown = r.median_ms / small.median_ms
                if r.page in LIST_PAGES and grown > 3:
                    missed.append(
                        f"{database}: {r.page} takes {grown:.1f}x as long at {largest} trainees "
                        f"as at {smallest} (target 3x)"
                    )
    for database, result in throughputs.items():
        share = result.dashboard / result.healthz
        if share < 0.5:
            missed.append(
                f"{database}, 4 workers: the dashboard's throughput is {share:.2f} of "
                "/healthz's (target 0.5)"
            )
    return missed


def machine() -> str:
    import platform

    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def database_version(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            version = str(connection.scalar(text("SHOW server_version")))
            label = f"PostgreSQL {version.split()[0]}"
        else:
            label = f"SQLite {connection.scalar(text('SELECT sqlite_version()'))}"
    engine.dispose()
    return label


def main() -> int:
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="portfolio-bench-"))
    databases: list[tuple[str, Callable[[int], str]]] = [
        ("SQLite", lambda size: f"sqlite:///{folder}/bench-{size}.sqlite3")
    ]
    postgres = postgres_url()
    if postgres:
        databases.append(("PostgreSQL", lambda _size: postgres))
    print(f"Machine: {machine()}; load: {live.load_tool()}")
    print(f"Sizes: {SIZES} trainees; {REPEAT} timed requests per page; files in {folder}")
    if not postgres:
        print("PostgreSQL: none (set BENCH_DATABASE_URL, or run one on 127.0.0.1:5432)")
    rows: list[Row] = []
    transfers: list[Transfer] = []
    throughputs: dict[str, Throughput] = {}
    versions = []
    for database, url_of in databases:
        for size in SIZES:
            url = url_of(size)
            print(f"  {database}, {size} trainees", flush=True)
            world, counts = prepare(url, folder, size)
            if size == SIZES[0]:
                versions.append(database_version(url))
            phase = time.perf_counter()
            with live.gunicorn(url, folder) as server:
                print(f"    gunicorn ready in {time.perf_counter() - phase:.0f} s", flush=True)
                phase = time.perf_counter()
                rows.extend(time_pages(server, world, database, size, counts))
                transfers.extend(measure_transfers(server, world, database, size))
                print(f"    pages timed in {time.perf_counter() - phase:.0f} s", flush=True)
            if database == "PostgreSQL" and size == max(SIZES):
                phase = time.perf_counter()
                result = measure_throughput(url, folder, world)
                result.size = size
                throughputs[database] = result
                print(f"    throughput in {time.perf_counter() - phase:.0f} s", flush=True)
    print(f"\nDatabases: {', '.join(versions)}")
    print_table(rows)
    print_transfers(transfers)
    for database, result in throughputs.items():
        print(
            f"\n{database}, {result.size} trainees, 4 gunicorn workers, {LOAD_CONNECTIONS} "
            f"connections for {LOAD_SECONDS:.0f} s ({live.load_tool()}): /healthz "
            f"{result.healthz:.0f} requests/s, dashboard {result.dashboard:.0f} requests/s "
            f"= {result.dashboard / result.healthz:.2f} of /healthz"
        )
    phase = time.perf_counter()
    export_times = exports.measure_exports(exports.app_for(folder), 3 if QUICK else 7)
    print(exports.report(export_times))
    print(f"  (in {time.perf_counter() - phase:.0f} s)")
    missed = missed_targets(rows, throughputs, transfers) + export_times.missed()
    print()
    if missed:
        print("Targets missed:")
        for line in missed:
            print(f"  - {line}")
    else:
        print("Every target met.")
    print(f"\n(took {time.perf_counter() - started:.0f} s)")
    return 1 if missed and STRICT else 0


if __name__ == "__main__":
    sys.exit(main())
