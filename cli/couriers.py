"""The Chinese domestic couriers Kuaidi100 (快递100) reaches, for ``carriergate carriers --kuaidi100``
and for naming a detected courier.

The list is the kuaidi100 carrier's own: its class publishes ``companies`` (Kuaidi100 code ->
Chinese name, English name) and ``phone_required`` (the codes Kuaidi100 answers only with a phone
number). The command line reads them through the registry, never by importing the carrier, as
carriers are plugins. Kuaidi100's codes are its own identifiers, mostly the courier's name in
pinyin (``shunfeng``, ``zhongtong``): they are what ``company=`` takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from carriergate.cli.output import add_row, console
from carriergate.core import registry
from carriergate.core.errors import ConfigurationError

#: The registry name of the carrier whose couriers these are.
KUAIDI100 = "kuaidi100"


def _published(name: str) -> object:
    return getattr(registry.carrier_class(KUAIDI100), name, None)


def couriers() -> dict[str, tuple[str, str]]:
    """Code -> (Chinese name, English name) as the kuaidi100 carrier publishes them; empty when it
    publishes none or is not installed (a detected courier is then named by Kuaidi100's answer)."""
    try:
        published = _published("companies")
    except ConfigurationError:
        return {}
    if not isinstance(published, Mapping):
        return {}
    return {str(code): (str(names[0]), str(names[1])) for code, names in published.items()
            if isinstance(names, tuple) and len(names) == 2}


def courier_title(code: str, name: str | None = None, known: Mapping[str, tuple[str, str]] | None = None) -> str:
    """``顺丰速运 SF Express (shunfeng)``: the names the carrier publishes, else the name detection gave."""
    names = (known if known is not None else couriers()).get(code)
    if names:
        return f"{names[0]} {names[1]} ({code})"
    return f"{name} ({code})" if name and name != code else code


def courier_rows() -> list[dict[str, Any]]:
    """One row per courier, by code; ConfigurationError when the kuaidi100 carrier publishes no list."""
    known = couriers()  # an unknown carrier's ConfigurationError is raised by the next line, named
    if not known:
        _published("companies")
        raise ConfigurationError(f"the {KUAIDI100} carrier publishes no courier list", carrier=KUAIDI100,
                                 code="configuration")
    phone = _published("phone_required")
    needs_phone = {str(code) for code in phone} if isinstance(phone, frozenset | set) else set()
    return [{"code": code, "name_zh": zh, "name_en": en, "phone_required": code in needs_phone}
            for code, (zh, en) in sorted(known.items())]


def print_couriers(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Kuaidi100 couriers (快递公司编码)")
    for column in ("Code", "中文", "English", "Phone needed"):
        table.add_column(column)
    for row in rows:
        add_row(table, row["code"], row["name_zh"], row["name_en"], "yes" if row["phone_required"] else "")
    console().print(table)


__all__ = ["KUAIDI100", "courier_rows", "courier_title", "couriers", "print_couriers"]
