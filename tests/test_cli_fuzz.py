"""Property: whatever a careless user or an attacker does to an input file, every command ends with an exit code
of 0-4, prints at most one message line when it fails, and never a traceback (issue 16).

Random mutations (bytes changed, inserted, cut; hostile tokens; for JSON records a field set to null, a
huge number, a wrong type or deep nesting) of a valid pool, quota file, plan, register and of the public
records are fed to check, prepare (legacy, small), draw, verify, replace, report and invite.
``SORTITION_CLI_FUZZ_RUNS`` sets the runs per command (default 300: every command above runs at least that many
times on mutated input; verify 900 times: 3,300 runs in all). Each run is cheap: the CLI is invoked in-process with the
click command built once, on a tiny world built once (tests/cli_world.py), by mutating bytes rather than
solving anew; hypothesis is derandomized (the same examples on every run, so CI is reproducible), does not
shrink, and keeps no example database.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from cli_world import World, build_world, invoke
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from cli.app import app
from sortition.commands import prepare as prepare_module

#: Runs per command (check, prepare, draw, verify, replace, report, invite prepare, invite draw).
RUNS = int(os.environ.get("SORTITION_CLI_FUZZ_RUNS", "300"))
#: Runs per command so far in this module, by command name (``invite draw``, ``verify``).
RAN: Counter[str] = Counter()

#: Tokens that broke parsers before, or might: markup, YAML and JSON syntax, numbers at the edges, BOMs.
HOSTILE = ["", "null", "~", "NaN", "Infinity", "-1", "0", "1e999", "9" * 60, "[/x]", "Centrum [/x]", "[bold]",
           "\x00", "\ufeff", "\u200b", "{", "}", "[", "]", ",", ";", "\t", '"', "'", ": ", "\n", "\r", "- ",
           "&a", "*a", "!!python/object/apply:os.system", "%", "=1+1", "2027-13-45", "010", "é", "Ｐ"]

JSON_VALUES: list[Any] = [None, -1, 0, 10**40, 1.5, "", "x", "[/x]", True, [], {}, [[[]]], {"a": None}]


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """A few random edits of ``data``: replace, insert or delete a span, insert a hostile token, truncate."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["replace", "insert", "delete", "token", "truncate", "duplicate"]))
        i = draw(st.integers(0, len(out)))
        if op == "replace" and i < len(out):
            out[i] = draw(st.integers(0, 255))
        elif op == "insert":
            out[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del out[i:i + draw(st.integers(1, 40))]
        elif op == "token":
            out[i:i] = draw(st.sampled_from(HOSTILE)).encode("utf-8")
        elif op == "truncate":
            del out[i:]
        elif op == "duplicate":
            out[i:i] = out[max(0, i - 40):i]
    return bytes(out)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):
            found += _paths(v, (*prefix, i))
    return found


@st.composite
def json_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """A field of a JSON record replaced (null, wrong type, huge number, deep nesting) or removed."""
    obj = json.loads(data)
    path = draw(st.sampled_from(_paths(obj)[1:]))
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    kind = draw(st.sampled_from(["value", "delete", "nan", "deep"]))
    if kind == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
        return json.dumps(obj).encode()
    marker = "\"__MUTATED__\""
    parent[path[-1]] = "__MUTATED__" if kind in ("nan", "deep") else draw(st.sampled_from(JSON_VALUES))
    text = json.dumps(obj)
    if kind == "nan":
        text = text.replace(marker, "NaN")
    elif kind == "deep":
        text = text.replace(marker, "[" * 50_000 + "]" * 50_000)
    return text.encode()


def check_run(result: Result, what: str) -> None:
    out = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{what}: {type(result.exception).__name__}: {result.exception}\n{out}")
    assert "Traceback" not in out, f"{what}:\n{out}"
    assert result.exit_code in (0, 1, 2, 3, 4), f"{what}: exit {result.exit_code}\n{out}"
    assert result.exit_code != 4, f"{what}: internal error (a bug): {out}"
    if result.exit_code >= 2:
        lines = [line for line in out.strip().splitlines() if not line.startswith("Warning:")]
        assert len(lines) == 1, f"{what}: exit {result.exit_code} with {len(lines)} lines:\n{out}"


Commands = Callable[[World, Path, Path], list[list[object]]]


def _pool_commands(w: World, folder: Path, mutated: Path) -> list[list[object]]:
    return [["check", mutated, w.quotas],
            ["prepare", mutated, w.quotas, "--out", folder / "out", "-a", "legacy", "-m", "3", "-q"]]


def _quota_commands(w: World, folder: Path, mutated: Path) -> list[list[object]]:
    return [["check", w.pool, mutated],
            ["prepare", w.pool, mutated, "--out", folder / "out", "-a", "legacy", "-m", "3", "-q"]]


def _invite_prepare(w: World, folder: Path, mutated: Path) -> list[list[object]]:
    register, plan = (mutated, w.plan) if mutated.suffix == ".csv" else (w.register, mutated)
    return [["invite", "prepare", register, plan, "--out", folder / "inv", "-q"]]


def _lottery_commands(w: World, folder: Path, mutated: Path) -> list[list[object]]:
    spare = folder / "spare"
    shutil.copytree(mutated.parent, spare)
    (spare / "draw.json").unlink()
    return [["verify", mutated.parent / "draw.json"], ["draw", spare / "lottery.json", "--seed", "dice 1 2 3"]]


def _draw_commands(w: World, folder: Path, mutated: Path) -> list[list[object]]:
    panel0 = json.loads((w.drawn / "draw.json").read_text())["panel"][0]
    return [["verify", mutated], ["report", mutated, "-f", "md"], ["replace", mutated, "--dropout", panel0]]


def _invitation_commands(w: World, folder: Path, mutated: Path) -> list[list[object]]:
    commands: list[list[object]] = [["verify", mutated.parent / "invitations.json"]]
    if mutated.name == "invitation_plan.json":
        (mutated.parent / "invitations.json").unlink()
        commands = [["invite", "draw", mutated, "--register", w.register, "--seed", "lotto 1 2 3", "-q"]]
    return commands


#: input -> (where it is in the world, whether it is JSON, the commands that read it, the share of RUNS it
#: gets: pool and quotas both feed check and prepare, plan and register both feed invite prepare)
TARGETS: dict[str, tuple[Callable[[World], Path], bool, Commands, float]] = {
    "pool": (lambda w: w.pool, False, _pool_commands, 0.5),
    "quotas": (lambda w: w.quotas, False, _quota_commands, 0.5),
    "plan": (lambda w: w.plan, False, _invite_prepare, 0.5),
    "register": (lambda w: w.register, False, _invite_prepare, 0.5),
    "lottery": (lambda w: w.drawn / "lottery.json", True, _lottery_commands, 1.0),
    "draw_record": (lambda w: w.drawn / "draw.json", True, _draw_commands, 1.0),
    "invitations": (lambda w: w.invited / "invitations.json", True, _invitation_commands, 1.0),
    "invitation_plan": (lambda w: w.invited / "invitation_plan.json", True, _invitation_commands, 1.0),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("fuzzworld"))


@pytest.fixture(scope="module", autouse=True)
def cheap_runs() -> Iterator[None]:
    """Speed only, nothing the commands decide: the click command is built from the typer app once, not on
    every invoke (that took most of a run's time); the legacy estimate uses 20 runs, not 10,000; files are
    written without fsync. ``pytest -s`` prints how many runs each command had."""
    command = typer.main.get_command(app)
    defaults = prepare_module.prepare.__kwdefaults__
    assert defaults is not None
    with pytest.MonkeyPatch.context() as m:
        m.setattr(typer.testing, "_get_command", lambda _app: command)
        m.setitem(defaults, "legacy_runs", 20)
        m.setattr(os, "fsync", lambda fd: None)
        yield
    print("\nCLI fuzz runs per command:", ", ".join(f"{k} {v}" for k, v in sorted(RAN.items())))


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_mutated_inputs_end_with_an_exit_code_and_one_line(world: World, target: str,
                                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    locate, is_json, commands, share = TARGETS[target]
    original = locate(world)
    data = original.read_bytes()
    mutations = st.one_of(byte_mutation(data), json_mutation(data)) if is_json else byte_mutation(data)
    base = tmp_path_factory.mktemp(f"fuzz-{target}")
    counter = itertools.count()

    @settings(max_examples=math.ceil(RUNS * share), deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutations)
    def run(mutated_bytes: bytes) -> None:
        folder = base / str(next(counter))
        folder.mkdir()
        if original.parent in (world.drawn, world.invited):
            mutated = world.copy(original.parent, folder) / original.name
        else:
            mutated = folder / original.name
        mutated.write_bytes(mutated_bytes)
        for args in commands(world, folder, mutated):
            name = " ".join(str(a) for a in args[:2 if args[0] == "invite" else 1])
            RAN[name] += 1
            check_run(invoke(*args), f"{target}: {name} on {mutated_bytes[:120]!r}")

    run()
