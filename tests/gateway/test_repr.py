"""A gateway's repr names its accounts, carriers and environments, and never a setting's value
(the exact text is asserted, so no credential can be in it)."""

from __future__ import annotations

import carriergate as cg

SECRET = "s3cr3t-client-secret-value"


def test_repr_lists_accounts_without_any_secret() -> None:
    config = {"ups-eu": {"carrier": "ups", "client_id": "id-123", "client_secret": SECRET, "account_number": "A1",
                         "environment": "sandbox"},
              "table": {}}
    with cg.Gateway(config) as gw:
        text = repr(gw)
    assert text == "<Gateway accounts: ups-eu=ups/sandbox, table=table/production>"


def test_async_gateway_repr_has_the_same_shape() -> None:
    gw = cg.AsyncGateway({"sf_express": {"partner_id": "P", "checkword": SECRET, "monthly_card": "7551234567"}})
    assert repr(gw) == "<AsyncGateway accounts: sf_express=sf_express/production>"
