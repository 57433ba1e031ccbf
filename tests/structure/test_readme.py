"""The README's code runs as written (against the built-in sandbox), and its commands name real options."""

from __future__ import annotations

import contextlib
import io
import re

from typer.main import get_command

from carriergate.cli import app as cli

from support.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_python_examples_run_in_order() -> None:
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for code in blocks("python"):
            exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    printed = out.getvalue()
    assert "fedex" in printed
    assert "ups" in printed
    assert "pre_transit" in printed


def test_first_lines_give_the_two_commands() -> None:
    main, tests = blocks("sh")[:2]
    for needle in ("pip install -e .", "carriergate rates --sandbox", "Shanghai", "Beijing", "Los Angeles"):
        assert needle in main
    for needle in ("pytest", "ruff check .", "mypy -p carriergate", "mypy tests"):
        assert needle in tests


def test_command_options_in_the_readme_exist() -> None:
    command = get_command(cli.app)
    known: set[str] = set()
    stack = [command]
    while stack:
        cmd = stack.pop()
        for param in getattr(cmd, "params", []):
            known.update(param.opts)
        stack.extend(getattr(cmd, "commands", {}).values())
    used = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", " ".join(blocks("sh"))))
    used -= {"--config-settings"}  # pip's
    assert used <= known, used - known
