"""``flask jobs work``: a worker that does the queued background work."""

from __future__ import annotations

import logging
import time

import click
from flask.cli import AppGroup, with_appcontext

from portfolio import jobs

log = logging.getLogger(__name__)

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
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from rq import SimpleWorker

    wait = 1.0
    while True:
        queue = jobs.queue()
        # SimpleWorker runs each job in this process, inside the application context of this
        # command (a forking worker would lose it); run several workers for more throughput.
        worker = SimpleWorker([queue], connection=queue.connection)
        try:
            worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
            return
        except (RedisConnectionError, RedisTimeoutError) as error:
            # Redis went away (a restart, a failover): wait and start again, so that the
            # queued work resumes by itself when Redis is back.
            log.warning("Redis cannot be reached (%s); trying again in %.0f s", error, wait)
            time.sleep(wait)
            wait = min(wait * 2, 30.0)
