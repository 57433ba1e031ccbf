"""carriergate never touches process-global state: TLS defaults, logging configuration, socket defaults.

Checked in a fresh interpreter, so nothing imported by other tests hides a change.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from support.paths import ROOT

SCRIPT = textwrap.dedent('''
    import json, logging, socket, ssl, sys, warnings

    def snapshot():
        ctx = ssl.create_default_context()
        root = logging.getLogger()
        return {
            "verify_mode": int(ctx.verify_mode),
            "check_hostname": ctx.check_hostname,
            "https_context": ssl._create_default_https_context.__name__,
            "root_handlers": [repr(h) for h in root.handlers],
            "root_level": root.level,
            "disable": logging.root.manager.disable,
            "carriergate_logger": [logging.getLogger("carriergate").level,
                                   logging.getLogger("carriergate").handlers != [],
                                   logging.getLogger("carriergate").propagate],
            "socket_timeout": socket.getdefaulttimeout(),
            "warning_filters": len(warnings.filters),
        }

    before = snapshot()

    import httpx
    import carriergate as cg
    from carriergate.core import registry

    sys.path.insert(0, sys.argv[1])  # tests/, for the one fake carrier (it imports no pytest)
    from support.fake_carrier import Exchange, fake_carrier, quote

    tiny = fake_carrier("tiny", hosts={"production": "https://tiny.test"}, rate=Exchange(
        lambda turn: httpx.Request("GET", turn.url("/rate")),
        lambda turn, response: [quote(turn, response.json()["price"], service="s", service_name="S")]))
    registry.register("tiny", tiny)
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"price": "4.20"}))
    request = cg.RateRequest(
        origin=cg.Address(name="A", street=["1 Road"], city="Shanghai", postal_code="200000", country="CN"),
        destination=cg.Address(name="B", street=["2 Road"], city="Beijing", postal_code="100010", country="CN"),
        parcels=[cg.Parcel(weight=cg.Weight("1", "kg"))])
    with cg.Gateway({"tiny": {}}, transport=transport) as gw:
        result = gw.rate(request)
    assert [str(q.total.amount) for q in result.quotes] == ["4.20"], result

    import asyncio
    async def go():
        async with cg.AsyncGateway({"tiny": {}}, transport=transport) as agw:
            return await agw.rate(request)
    assert len(asyncio.run(go()).quotes) == 1

    print(json.dumps({"before": before, "after": snapshot()}))
''')


def test_no_global_state_is_changed() -> None:
    root = ROOT
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(root / "tests")], capture_output=True, text=True,
                          timeout=120, cwd=root.parent, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    states = json.loads(done.stdout.strip().splitlines()[-1])
    assert states["after"] == states["before"]
    assert states["before"]["check_hostname"] is True
    assert states["before"]["socket_timeout"] is None
