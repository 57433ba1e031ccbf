"""Long-running commands: ``carriergate sandbox serve`` (carrier emulators on loopback) and
``carriergate serve`` (the checkout quoting ASGI app)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Annotated, cast

import typer

from carriergate.checkout.fees import FeePolicy
from carriergate.checkout.webhooks import Hook, WebhookReceiver
from carriergate.cli.config import gateway_config
from carriergate.cli.exits import guarded
from carriergate.core.errors import ConfigurationError
from carriergate.gateway.gateways import AsyncGateway
from carriergate.gateway.shopping import AsyncRateShopper, table_account
from carriergate.sandbox.faults import Faults
from carriergate.sandbox.registry import sandbox_accounts

DEFAULT_HOST = "127.0.0.1"  # as carriergate.checkout.serving's: loopback unless asked

Port = Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port on 127.0.0.1")]
FaultsFile = Annotated[Path | None, typer.Option(
    "--faults", metavar="FILE", help="Fault injection per carrier (TOML: latency, hang, 5xx, 429, lost responses)")]

sandbox_app = typer.Typer(help="The local sandbox: every carrier's API emulated, offline.", no_args_is_help=True,
                          add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@sandbox_app.command("serve")
def sandbox_serve(port: Port = 8080, faults: FaultsFile = None,
                  print_config: Annotated[bool, typer.Option(
                      "--print-config", help="Print the gateway configuration (JSON) for this server first")] = True,
                  ) -> None:
    """Serve the carrier emulators on 127.0.0.1 until Ctrl-C. Point accounts at it with base_url."""
    from carriergate.sandbox.server import SandboxServer, serve

    with guarded(False):
        chosen = Faults.from_toml(faults) if faults else None

    def ready(server: SandboxServer) -> None:  # bound: the URL has the real port, even for --port 0
        if print_config:
            typer.echo(json.dumps(sandbox_accounts(base_url=server.url), indent=2))

    serve(port, faults=chosen, on_ready=ready)


Host = Annotated[str, typer.Option(
    "--host", metavar="ADDRESS", help="Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")]


OnUpdate = Annotated[str | None, typer.Option(
    "--on-update", metavar="MODULE:FUNCTION",
    help="Receive carriers' tracking pushes at POST /webhooks/{account} (Kuaidi100 subscriptions, SF route "
         "pushes): each verified new update is handed to this function (one TrackingUpdate argument, sync "
         "or async), e.g. myshop.tracking:on_update")]
ResubscribeUrl = Annotated[str | None, typer.Option(
    "--resubscribe-url", metavar="URL",
    help="Callback URL to subscribe a number again when the carrier stopped watching it (Kuaidi100 abort); "
         "{account} is replaced by the account's name")]


def load_hook(target: str) -> Hook:
    """The function ``MODULE:FUNCTION`` names (the module importable: installed, or on PYTHONPATH); a
    ConfigurationError saying what is wrong otherwise."""
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise ConfigurationError(f"--on-update: {target!r} is not MODULE:FUNCTION", code="configuration")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the shop's own module: missing, or failing as it is imported
        raise ConfigurationError(f"--on-update: cannot import {module_name!r}: {type(exc).__name__}: {exc}",
                                 code="configuration") from None
    hook = getattr(module, attr, None)
    if not callable(hook):
        raise ConfigurationError(f"--on-update: {module_name!r} has no function {attr!r}", code="configuration")
    return cast(Hook, hook)


def checkout_serve(port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port")] = 8000,
                   host: Host = DEFAULT_HOST,
                   config: Annotated[Path | None, typer.Option(
                       "--config", metavar="FILE", help="Gateway configuration file (TOML)")] = None,
                   policy: Annotated[Path | None, typer.Option(
                       "--policy", metavar="FILE", help="Fee policy (TOML): free shipping, markups, rounding")] = None,
                   exchange_rates: Annotated[Path | None, typer.Option(
                       "--exchange-rates", metavar="FILE",
                       help="Exchange rates (TOML or JSON: base and rates), asked before the policy's own")] = None,
                   default_hs_code: Annotated[str | None, typer.Option(
                       "--default-hs-code", metavar="CODE",
                       help="HS code for Shopify items that carry none (international quotes)")] = None,
                   time_zone: Annotated[str | None, typer.Option(
                       "--time-zone", metavar="ZONE", help="The shop's IANA time zone for delivery dates, "
                                                           "e.g. Asia/Shanghai")] = None,
                   deadline: Annotated[float, typer.Option(
                       "--deadline", metavar="SECONDS", help="Every answer within this many seconds")] = 1.0,
                   sandbox: Annotated[bool, typer.Option("--sandbox", help="Quote from the built-in sandbox")] = False,
                   on_update: OnUpdate = None, resubscribe_url: ResubscribeUrl = None,
                   rate_cache: Annotated[float | None, typer.Option(
                       "--rate-cache", metavar="SECONDS", min=1, max=86400,
                       help="Answer a quote asked again within this many seconds from the rate cache "
                            "(in Redis, shared by every worker, when [gateway] redis_url or "
                            "CARRIERGATE_REDIS_URL is set); stale entries are refreshed in the background "
                            "for as long again")] = None,
                   ) -> None:
    """Serve checkout quoting (POST /v1/quotes, POST /shopify/rates, GET /healthz) on --host:--port,
    and with --on-update carriers' tracking pushes (POST /webhooks/{account}). A bad setting (file,
    HS code, time zone, host, hook) is a configuration error (exit 5) before serving."""
    from carriergate.checkout import create_app
    from carriergate.checkout.serving import uvicorn_settings

    with guarded(False):
        try:
            import uvicorn
        except ImportError:
            raise ConfigurationError("`carriergate serve` needs an ASGI server: pip install 'carriergate[serve]'",
                                     code="configuration") from None
        try:
            settings = uvicorn_settings(host, port)
        except ValueError as exc:
            raise ConfigurationError(f"--host: {exc}", code="configuration") from None
        gateway = AsyncGateway.sandbox() if sandbox else AsyncGateway(gateway_config(config))
        fee_policy = FeePolicy.from_toml(policy) if policy else FeePolicy()
        webhooks = None
        if on_update is not None:
            webhooks = WebhookReceiver(gateway, load_hook(on_update), resubscribe_url=resubscribe_url)
        elif resubscribe_url is not None:
            raise ConfigurationError("--resubscribe-url needs --on-update", code="configuration")
        target: AsyncGateway | AsyncRateShopper = gateway
        if rate_cache is not None:
            cache = gateway.rate_cache(ttl=rate_cache, stale_while_revalidate=rate_cache)
            target = AsyncRateShopper(gateway, cache=cache, fallback_table=table_account(gateway))
        try:
            app = create_app(target, fee_policy, deadline=deadline, exchange_rates=exchange_rates,
                             default_hs_code=default_hs_code, time_zone=time_zone, webhooks=webhooks)
        except ValueError as exc:  # a setting create_app did not word as a ConfigurationError itself
            raise ConfigurationError(f"checkout settings: {exc}", code="configuration") from None
    uvicorn.run(app, **settings)


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
    app.command("serve")(checkout_serve)
