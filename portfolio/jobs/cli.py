"""``flask jobs work``: a worker that does the queued background work."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from portfolio import jobs

jobs_group = AppGroup("jobs", help="Background work on the Redis queue.")


@jobs_group.command("work")
@click.option("--burst", is_flag=True, help="Do what is queued, then stop (tests, cron).")
@with_appcontext
def work_command(burst: bool) -> None:
    """Do queued jobs until stopped (needs REDIS_URL); failed jobs are retried with backoff."""
    if jobs.redis_url() is None:
        raise click.ClickException(
            "REDIS_URL is not set: without Redis, background work runs inside the "
            "application and no worker is needed."
        )
    from rq import SimpleWorker

    queue = jobs.queue()
    # SimpleWorker runs each job in this process, inside the application context of this
    # command (a forking worker would lose it); run several workers for more throughput.
    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
