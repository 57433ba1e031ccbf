"""Bulk tracking from the command line: ``carriergate track-worker`` (a queue worker, until Ctrl-C),
``track-enqueue`` (numbers to follow) and ``track-progress`` (numbers per state).

saq and redis-py are imported when one of these commands runs, never when ``carriergate`` starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carriergate.cli import output, parsing
from carriergate.cli.config import gateway_config
from carriergate.cli.exits import guarded
from carriergate.core.errors import CarrierUnavailable
from carriergate.gateway.gateways import AsyncGateway

if TYPE_CHECKING:
    from carriergate.workers.jobs import QueueSettings

RedisUrl = Annotated[str | None, typer.Option(
    "--redis-url", metavar="URL", help="Redis of the queue (default: [gateway] redis_url of --config, "
                                       "else CARRIERGATE_REDIS_URL)")]
QueueName = Annotated[str, typer.Option("--queue", metavar="NAME", help="Queue name (several shops, one Redis)")]
Heartbeat = Annotated[int, typer.Option(
    "--heartbeat", metavar="SECONDS", min=1,
    help="A job whose worker shows no sign of life this long is taken back and queued again")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON document")]
Config = Annotated[Path | None, typer.Option("--config", metavar="FILE", help="Gateway configuration file (TOML)")]


@contextlib.contextmanager
def _redis_errors(url: str) -> Iterator[None]:
    """A Redis that cannot be reached is one line naming it (password hidden), not a traceback."""
    from redis.exceptions import RedisError

    from carriergate.workers.connection import redacted

    try:
        yield
    except (RedisError, OSError) as exc:
        raise CarrierUnavailable(f"Redis at {redacted(url)} did not answer ({type(exc).__name__})",
                                 code="redis_unavailable") from None


def _queue_settings(name: str, heartbeat: int) -> QueueSettings:
    from carriergate.workers.jobs import QueueSettings

    # The safety net for chains that lost their job looks ten heartbeats apart (5 minutes by default).
    return QueueSettings(name=name, heartbeat=heartbeat, sweep_every=heartbeat, repair_every=10 * heartbeat)


def track_worker(config: Config = None,
                 sandbox: Annotated[bool, typer.Option(
                     "--sandbox", help="Track against the in-process emulators (their state lives as long as "
                                       "this worker)")] = False,
                 redis_url: RedisUrl = None,
                 concurrency: Annotated[int, typer.Option(
                     "--concurrency", metavar="N", min=1, help="Jobs run at once (at least the largest batch)")] = 64,
                 hook: Annotated[str | None, typer.Option(
                     "--hook", metavar="MODULE:FUNCTION",
                     help="Called with every TrackingInfo (sync or async); errors are logged")] = None,
                 policy: Annotated[Path | None, typer.Option(
                     "--policy", metavar="FILE", help="Refresh delays by status, in seconds (TOML)")] = None,
                 calls_per_second: Annotated[float | None, typer.Option(
                     "--calls-per-second", metavar="N", help="This worker's ceiling per carrier account")] = None,
                 deadline: Annotated[float, typer.Option(
                     "--deadline", metavar="SECONDS", help="Seconds one batch call may take")] = 30.0,
                 queue: QueueName = "carriergate-tracking", heartbeat: Heartbeat = 30) -> None:
    """Work the tracking queue until Ctrl-C: each number tracked in the carrier's batches, its result
    handed to --hook, its next refresh scheduled by its status (delivered stops). Run as many as you
    like, on as many machines; a killed worker's jobs are taken back by the others."""
    from carriergate.workers.connection import redacted, resolve_redis_url
    from carriergate.workers.hooks import load_hook
    from carriergate.workers.policy import RefreshPolicy
    from carriergate.workers.worker import TrackingWorker, WorkerSettings

    with guarded(False):
        accounts = gateway_config(config, sandbox)
        url = resolve_redis_url(redis_url, config=None if sandbox else accounts)
        settings = WorkerSettings(concurrency=concurrency, deadline=deadline, calls_per_second=calls_per_second,
                                  policy=RefreshPolicy.from_toml(policy) if policy else RefreshPolicy(),
                                  queue=_queue_settings(queue, heartbeat))
        chosen_hook = load_hook(hook) if hook else None

        async def work() -> None:
            gateway = AsyncGateway.sandbox() if sandbox else AsyncGateway(accounts)
            async with gateway:
                worker = TrackingWorker(gateway, url, settings=settings, hook=chosen_hook)
                typer.echo(f"track-worker: queue {queue!r} on {redacted(url)}, concurrency {concurrency}, "
                           f"accounts {', '.join(gateway.accounts)}", err=True)
                await worker.run()

        with _redis_errors(url):
            asyncio.run(work())


def _read_numbers(numbers: Iterable[str], source: Path | None) -> list[str]:
    wanted = [n for n in numbers if n.strip()]
    if source is not None:
        text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
        for line in text.splitlines():
            entry = line.split("#", 1)[0].strip()
            if entry:
                wanted.append(entry)
    if not wanted:
        raise parsing.bad("numbers", "name at least one tracking number (arguments or --from-file)")
    return wanted


def track_enqueue(carrier: Annotated[str, typer.Option(
                      "--carrier", metavar="ACCOUNT", help="Carrier account the numbers belong to")],
                  numbers: Annotated[list[str] | None, typer.Argument(
                      metavar="NUMBER", help="Tracking numbers to follow until delivered")] = None,
                  from_file: Annotated[Path | None, typer.Option(
                      "--from-file", metavar="FILE", help="One number a line ('-': standard input; # comments)")]
                  = None,
                  config: Config = None, redis_url: RedisUrl = None, queue: QueueName = "carriergate-tracking",
                  heartbeat: Heartbeat = 30, json_: Json = False) -> None:
    """Follow tracking numbers: each is tracked by a track-worker until done. A number the queue
    follows already is left alone (deduplicated by account and number)."""
    from carriergate.workers.connection import resolve_redis_url
    from carriergate.workers.jobs import account_name
    from carriergate.workers.queue import TrackingQueue, checked_numbers

    with guarded(json_):
        account = account_name(carrier)
        wanted = checked_numbers(_read_numbers(numbers or [], from_file))  # refused before Redis is asked
        tracking = TrackingQueue(resolve_redis_url(redis_url, config=_config_of(config)),
                                 settings=_queue_settings(queue, heartbeat))
        with _redis_errors(tracking.redis_url):
            added = tracking.enqueue(wanted, carrier=account)
    asked = len(wanted)
    if json_:
        output.print_json({"carrier": account, "added": added, "already_followed": asked - added})
    else:
        typer.echo(f"{account}: {added} new number(s) enqueued, {asked - added} already followed")


def track_progress(config: Config = None, redis_url: RedisUrl = None, queue: QueueName = "carriergate-tracking",
                   json_: Json = False) -> None:
    """How many numbers are in each state (pending, each tracking status, retrying, not_found,
    given_up, failed), and the queue's jobs."""
    from carriergate.workers.connection import resolve_redis_url
    from carriergate.workers.queue import TrackingQueue

    with guarded(json_):
        tracking = TrackingQueue(resolve_redis_url(redis_url, config=_config_of(config)),
                                 settings=_queue_settings(queue, 30))
        with _redis_errors(tracking.redis_url):
            progress = tracking.progress()
    document: dict[str, Any] = progress.as_dict()
    if json_:
        output.print_json(document)
        return
    width = max(len(state) for state in progress.counts)
    for state, count in progress.counts.items():
        typer.echo(f"{state:<{width}}  {count}")
    typer.echo(f"{'total':<{width}}  {progress.total} ({progress.done} done)")
    typer.echo(f"jobs: {progress.queued} queued, {progress.active} running, {progress.scheduled} scheduled; "
               f"{progress.workers} worker(s)")


def _config_of(path: Path | None) -> dict[str, dict[str, Any]] | None:
    """The configuration file's tables, for its ``[gateway] redis_url``; None without a file."""
    return gateway_config(path) if path is not None else None


def register(app: typer.Typer) -> None:
    app.command("track-worker")(track_worker)
    app.command("track-enqueue")(track_enqueue)
    app.command("track-progress")(track_progress)
