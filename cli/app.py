"""The ``sortition`` command: parse arguments, call the library, render. No logic lives here."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

import sortition
from cli.invite import invite_app
from cli.output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    RichProgress,
    SafeGroup,
    command,
    console,
    err_console,
    esc,
    ok,
    say,
    user_errors,
    warn,
)
from quotas import check_feasibility, load_quotas, propose_quotas, write_yaml
from sortition import Algorithm, DrawResult, InputError, PrepareResult, ReportFormat, VerificationError, display_seed
from sortition.web import write_verifier_page

app = typer.Typer(
    name="sortition",
    help="Draw representative panels by lot: fair (LEXIMIN), with quotas, and verifiable by anyone.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode="rich",
    cls=SafeGroup,  # whatever a command lets through ends as one line and its exit code, never a traceback
)
quotas_app = typer.Typer(help="Convert and propose quota files.", no_args_is_help=True)
app.add_typer(quotas_app, name="quotas")
app.add_typer(invite_app, name="invite")

PoolArg = Annotated[Path, typer.Argument(help="Pool or register: CSV (, ; or tab; UTF-8 or cp1252) or XLSX.")]
QuotasArg = Annotated[Path, typer.Argument(help="Quota file: YAML, or CSV category,feature,min,max.")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet to read from an .xlsx with several.")]
PanelSizeOpt = Annotated[int | None, typer.Option("--panel-size", "-k",
                                                  help="Panel size (needed for CSV quota files).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
# The choices go in the help text, which wraps between words (in the type column they broke inside one).
AlgorithmOpt = Annotated[Algorithm, typer.Option(
    "--algorithm", "-a", metavar="<name>", help=f"Selection algorithm: {', '.join(a.value for a in Algorithm)}.")]
PanelsOpt = Annotated[int, typer.Option("--panels", "-m", help="Panels in the uniform lottery.")]


def _time_limit(value: str | float | None) -> float | None:
    """``--time-limit``: seconds, or ``none`` for no limit (the library refuses 0, negatives, NaN, infinity)."""
    if value is None or isinstance(value, float):
        return value
    if value.strip().lower() == "none":
        return None
    try:
        return float(value)
    except ValueError:
        raise typer.BadParameter(f"give a number of seconds or 'none', not {value!r}.") from None


TimeLimitOpt = Annotated[float | None, typer.Option(
    "--time-limit", metavar="<seconds>", parser=_time_limit,
    help="Seconds the fair-lottery computation may take, or 'none' for no limit. When reached, the fairest "
    "lottery found is kept, and a warning and lottery.json say how far its lowest probability can be from the "
    "fairest possible.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object with the results, nothing else.")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Report language: nl or en (default: the one chosen "
                                             "at draw time, else nl).")]
DrandRoundOpt = Annotated[int | None, typer.Option(
    "--drand-round", help="Commit to this drand quicknet round as the seed (its randomness); it must be published "
    "after you publish the commitment.")]
DrandAtOpt = Annotated[str | None, typer.Option(
    "--drand-at", help="Commit to the first drand quicknet round published at or after this time, e.g. "
    "\"2027-03-01 20:00 Europe/Amsterdam\" (instead of --drand-round).")]
AllowPastOpt = Annotated[bool, typer.Option(
    "--allow-past-round", help="Accept a drand round already published (practice only: recorded in lottery.json; "
    "verify and the reports say the seed proves nothing).")]
BeaconOpt = Annotated[Path | None, typer.Option(
    "--beacon", help="The committed drand round as drand publishes it (JSON with round, signature, randomness), "
    "saved in a file; instead of --seed.")]


def _print_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True, default=str))


def _version(value: bool) -> None:
    if value:
        say(f"sortition {sortition.__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Draw representative panels by lot: fair (LEXIMIN), with quotas, and verifiable by anyone."""


@app.command()
def check(pool: PoolArg, quotas: QuotasArg, panel_size: PanelSizeOpt = None, sheet: SheetOpt = None,
          as_json: JsonOpt = False) -> None:
    """Check that a pool can meet the quotas; advise the smallest quota change when it cannot.

    Exit 0 feasible, 1 infeasible, 2 bad input.

    Example: sortition check examples/schalkwijk-trees/pool.csv examples/schalkwijk-trees/quotas.yaml
    """

    with user_errors():
        loaded = sortition.load_pool(pool, quotas, sheet=sheet, panel_size=panel_size)
        spec = loaded.problem.spec
        if as_json:
            report = check_feasibility(loaded.problem)
        else:
            with console.status("Solving the feasibility model..."):
                report = check_feasibility(loaded.problem)
    if as_json:
        _print_json({"feasible": report.feasible, "warnings": list(loaded.warnings),
                     "pool_counts": [asdict(c) for c in report.pool_counts],
                     "relaxations": [r.describe() for r in report.relaxations],
                     "impossible_people": len(report.impossible_people),
                     "unchecked_people": len(report.unchecked_people)})
        raise typer.Exit(EXIT_OK if report.feasible else EXIT_FAILED)
    for warning in loaded.warnings:
        warn(warning)
    table = Table(title=esc(f"{pool.name}: {loaded.n} people, panel of {spec.panel_size}"))
    for col in ("category", "value", "pool", "min", "max", "verdict"):
        table.add_column(col, justify="right" if col in ("pool", "min", "max") else "left")
    for row in report.pool_counts:
        verdict = "[red]too few in pool[/]" if row.pool < row.min else "[green]ok[/]"
        table.add_row(esc(row.category), esc(row.value), str(row.pool), str(row.min), str(row.max), verdict)
    console.print(table)
    if report.feasible:
        ok(f"Feasible: panels of {spec.panel_size} meeting every quota exist.")
        if report.impossible_people:
            console.print(f"[yellow]{len(report.impossible_people)} people can be on no valid panel "
                          "(their selection probability is 0).[/]")
        if report.unchecked_people:
            console.print(f"[yellow]{len(report.unchecked_people)} people were not yet seen on a valid panel "
                          "within the time budget; prepare will tell whether any of them can be selected.[/]")
        raise typer.Exit(EXIT_OK)
    err_console.print("[bold red]Infeasible:[/] no panel meets every quota. Smallest change that fixes it:")
    for r in report.relaxations:
        err_console.print(f"  - {esc(r.describe())}", highlight=False)
    raise typer.Exit(EXIT_FAILED)


@quotas_app.command("convert")
def quotas_convert(
    source: Annotated[Path, typer.Argument(help="CSV quota file (category,feature,min,max or feature,value,...).")],
    panel_size: Annotated[int, typer.Option("--panel-size", "-k", help="Panel size.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="YAML file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace OUTPUT if it exists.")] = False,
) -> None:
    """Convert a CSV quota file of another tool to our YAML format.

    Example: sortition quotas convert categories.csv --panel-size 20 -o quotas.yaml
    """

    with user_errors():
        spec = load_quotas(source, panel_size=panel_size)
        write_yaml(spec, output, overwrite=force)
    ok(f"Wrote {output} ({len(spec.categories)} categories, panel of {spec.panel_size}).")


@quotas_app.command("propose")
def quotas_propose(
    population: Annotated[Path, typer.Option("--population", help="Margins CSV: category,value,share.")],
    panel_size: Annotated[int, typer.Option("--panel-size", "-k", help="Panel size.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="YAML file to write.")],
    tolerance: Annotated[int, typer.Option("--tolerance", "-t", help="Allowed deviation (people).")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Replace OUTPUT if it exists.")] = False,
) -> None:
    """Propose proportional quotas from population shares (largest remainder, then +-tolerance).

    Example: sortition quotas propose --population examples/veiligheid/population.csv -k 40 -t 2 -o q.yaml
    """

    with user_errors():
        spec = propose_quotas(population, panel_size, tolerance=tolerance)
        write_yaml(spec, output, overwrite=force)
    ok(f"Wrote {output}. Add id_column and households if your pool needs them.")


@app.command()
def prepare(
    pool: PoolArg,
    quotas: QuotasArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the lottery and private files.")],
    algorithm: AlgorithmOpt = Algorithm.LEXIMIN,
    panels: PanelsOpt = 1000,
    time_limit: TimeLimitOpt = sortition.DEFAULT_TIME_LIMIT,
    seed_source: Annotated[str, typer.Option("--seed-source", help="The public event that will give the seed.")]
        = "",
    panel_size: PanelSizeOpt = None,
    sheet: SheetOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing lottery in OUT.")] = False,
    drand_round: DrandRoundOpt = None,
    drand_at: DrandAtOpt = None,
    allow_past_round: AllowPastOpt = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Compute the fair lottery and write OUT/lottery.json; print the commitment to publish.

    With --drand-round or --drand-at the seed is a drand round's randomness, which nobody can choose.

    The round must come after the commitment: one already out is refused unless --allow-past-round.

    Example: sortition prepare pool.csv quotas.yaml --out draw1 --drand-at "2027-03-01 20:00 Europe/Amsterdam"
    """

    progress = RichProgress(quiet=quiet or as_json)
    with user_errors():
        result = sortition.prepare(pool, quotas, out, algorithm=algorithm, panels=panels, seed_source=seed_source,
                                 panel_size=panel_size, sheet=sheet, force=force, progress=progress,
                                 time_limit=time_limit, drand_round=drand_round, drand_at=drand_at,
                                 allow_past_round=allow_past_round)
    progress.finish()
    beacon = result.seed_beacon
    if as_json:
        p = np.asarray(result.probabilities, dtype=float)
        _print_json({"commitment": result.commitment, "lottery": str(result.lottery_path),
                     "folder": str(result.folder), "algorithm": algorithm.value, "panels": result.panels,
                     "probabilities": {"min": float(p.min()), "median": float(np.median(p)), "max": float(p.max()),
                                       "estimates": algorithm is Algorithm.LEGACY},
                     "warnings": list(result.warnings), **_early_stop_json(result.early_stop),
                     **({"seed_beacon": {**beacon.to_json(), "url": _round_url(beacon.round)}} if beacon else {})})
        return
    for warning in result.warnings:
        warn(warning)
    _print_probabilities(result.probabilities, estimates=algorithm is Algorithm.LEGACY)
    ok(f"Wrote {escape(str(result.lottery_path))}")
    console.print(f"Commitment: [bold]{result.commitment}[/]")
    _print_next_step(result)


def _round_url(round_number: int) -> str:
    return sortition.QUICKNET_ROUND_URL.format(round=round_number)


def _print_next_step(result: PrepareResult) -> None:
    beacon = result.seed_beacon
    if beacon is None:
        console.print("Publish this commitment now, before the seed exists. Then, when the public seed is known:",
                      highlight=False)
        command(f"sortition draw {result.lottery_path} --seed \"...\"")
        return
    when = f"{beacon.published_at:%Y-%m-%d %H:%M:%S} UTC"
    console.print(f"Seed: drand quicknet round {beacon.round}, published at {when}.", highlight=False,
                  markup=False)
    if beacon.past_round_allowed:
        err_console.print("[yellow]Warning:[/] --allow-past-round is recorded in lottery.json: the round may be "
                          "known already, so this seed proves nothing (practice only).", highlight=False)
    console.print(f"Publish this commitment now, before {when}. Then, once the round is out, save it from",
                  highlight=False, markup=False)
    command(_round_url(beacon.round))
    console.print("into a file (e.g. round.json) and draw:", highlight=False)
    command(f"sortition draw {result.lottery_path} --beacon round.json")


def _print_probabilities(probs: object, *, estimates: bool) -> None:
    p = np.asarray(probs, dtype=float)
    label = "estimated " if estimates else ""
    console.print(f"Selection probabilities ({label}{len(p)} people): min {p.min():.4f}, "
                  f"median {float(np.median(p)):.4f}, max {p.max():.4f}; "
                  f"{int((p >= 1 - 1e-9).sum())} on every panel, {int((p <= 1e-9).sum())} on none.")


@app.command()
def draw(
    lottery: Annotated[Path, typer.Argument(help="The committed lottery.json.")],
    seed: Annotated[str | None, typer.Option("--seed", help="The public seed, exactly as published.")] = None,
    beacon: BeaconOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Draw the panel from a committed lottery with the public seed, or with the committed drand round.

    A drand round (--beacon ROUND.json) is checked first: a forged or other round is refused (exit 1), nothing written.

    Example: sortition draw draw1/lottery.json --beacon round.json
    """

    with user_errors(), _verdict():
        # The CLI's draw follows a published prepare; practice runs use `select`.
        result = sortition.draw(lottery, seed, beacon=beacon, published_before_seed=True, report_lang=lang)
    _print_draw(result, as_json=as_json)


@contextlib.contextmanager
def _verdict() -> Iterator[None]:
    """A VerificationError (e.g. a forged drand round) is a verdict: one line and exit 1, not a usage error."""
    try:
        yield
    except VerificationError as exc:
        err_console.print("[bold red]Does not verify:[/] ", end="", highlight=False)
        err_console.print(str(exc), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_FAILED) from None


def _print_draw(result: object, *, as_json: bool = False) -> None:

    assert isinstance(result, DrawResult)
    o = result.outcome
    if as_json:
        _print_json({"commitment": o.commitment, "seed": o.seed, "panel_index": o.panel_index,
                     "panel": list(o.panel), "reserves": len(o.reserves), "draw_record": str(result.draw_path),
                     "reports": [str(p) for p in result.report_paths],
                     "private": [str(result.panel_csv), str(result.reserves_csv)],
                     "record_sha256": result.record_sha256,
                     "verify_command": f"sortition verify {result.draw_path} --commitment {o.commitment}",
                     "warnings": list(result.warnings)})
        return
    for warning in result.warnings:
        err_console.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    where = f"panel {o.panel_index} of the lottery" if o.panel_index is not None else "legacy run"
    ok(f"Drew {len(o.panel)} people ({where}); {len(o.reserves)} reserves in rank order.")
    console.print(f"Public:  {', '.join(str(p) for p in (result.draw_path, *result.report_paths))}",
                  highlight=False, markup=False)
    console.print(f"Private: {result.panel_csv}, {result.reserves_csv} (personal data: do not publish)",
                  highlight=False, markup=False)
    console.print(f"Seed used (as stored in the record; look-alike characters escaped): {display_seed(o.seed)}",
                  highlight=False, markup=False, soft_wrap=True)
    console.print(f"Commitment: {o.commitment}", highlight=False, markup=False, soft_wrap=True)
    console.print(f"Record SHA-256: {result.record_sha256}", highlight=False, markup=False, soft_wrap=True)
    console.print("Publish draw.json with its SHA-256; anyone checks it against the published commitment with:\n"
                  f"  sortition verify {result.draw_path} --commitment {o.commitment}",
                  highlight=False, markup=False, soft_wrap=True)


@app.command()
def select(
    pool: PoolArg,
    quotas: QuotasArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    seed: Annotated[str | None, typer.Option("--seed", help="Seed text.")] = None,
    algorithm: AlgorithmOpt = Algorithm.LEXIMIN,
    panels: PanelsOpt = 1000,
    time_limit: TimeLimitOpt = sortition.DEFAULT_TIME_LIMIT,
    panel_size: PanelSizeOpt = None,
    sheet: SheetOpt = None,
    drand_round: DrandRoundOpt = None,
    allow_past_round: AllowPastOpt = False,
    beacon: BeaconOpt = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Prepare and draw in one step, for practice: the record says the seed was not committed to first.

    Example: sortition select examples/schalkwijk-trees/pool.csv examples/schalkwijk-trees/quotas.yaml
    --seed "practice" --out out/schalkwijk
    """

    progress = RichProgress(quiet=quiet or as_json)
    with user_errors(), _verdict():
        result = sortition.select(pool, quotas, seed, out, algorithm=algorithm, panels=panels,
                                  panel_size=panel_size, sheet=sheet, progress=progress, time_limit=time_limit,
                                  drand_round=drand_round, allow_past_round=allow_past_round, beacon=beacon)
    progress.finish()
    _print_draw(result, as_json=as_json)


@app.command()
def verify(
    record: Annotated[Path, typer.Argument(help="The draw record draw.json.")],
    lottery: Annotated[Path | None, typer.Option("--lottery", help="Lottery file (default: beside the record).")]
        = None,
    pool: Annotated[Path | None, typer.Option("--pool", help="Also check the pool file's hash.")] = None,
    quotas: Annotated[Path | None, typer.Option("--quotas", help="Also check the quota file's hash.")] = None,
    register: Annotated[Path | None, typer.Option("--register", help="Invitation records: recompute everything "
                                                  "from the register (needs the plan folder's private salt).")]
        = None,
    record_sha256: Annotated[str | None, typer.Option(
        "--record-sha256", help="The SHA-256 of draw.json as published after the last replacement: also "
        "check the record is that one (only this shows that no replacement was removed).")] = None,
    commitment: Annotated[str | None, typer.Option(
        "--commitment", help="The commitment (SHA-256 of the lottery or plan file) as the organiser published it "
        "before the seed existed: also check the files are the committed ones.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a published draw from its public files; exit 0 when every check passes, 1 otherwise.

    Example: sortition verify draw1/draw.json --record-sha256 9f3c...
    """

    with user_errors():
        report = sortition.verify(record, lottery_path=lottery, inputs=tuple(p for p in (pool, quotas) if p),
                                  register=register, record_sha256=record_sha256, commitment=commitment)
    notes = _verify_notes(report, record_sha256_given=record_sha256 is not None)
    if as_json:
        _print_json({"ok": report.ok, "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail}
                                                  for c in report.checks],
                     "failures": [c.name for c in report.failures], "commitment": report.commitment,
                     "commitment_checked": report.commitment_checked,
                     "published_before_seed": report.published_before_seed, "notes": notes,
                     **({"record_sha256": report.record_sha256, "events": report.events}
                        if report.record_sha256 is not None else {}), **_early_stop_json(report.early_stop)})
        raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)
    if report.commitment is not None:
        console.print(f"Commitment: SHA-256 of the committed file = [bold]{report.commitment}[/]", highlight=False,
                      soft_wrap=True)
    if report.record_sha256 is not None:
        console.print(f"Record: SHA-256({esc(record.name)}) = [bold]{report.record_sha256}[/], "
                      f"{report.events} replacement event(s)", highlight=False, soft_wrap=True)
    for c in report.checks:
        mark = "[green]✓[/]" if c.passed else "[red]✗[/]"
        console.print(f"{mark} {esc(c.name)}: ", highlight=False, end="")
        console.print(c.detail, highlight=False, markup=False, soft_wrap=True)
    if report.ok:
        ok("Verified: every check passed.")
    else:
        names = "; ".join(c.name for c in report.failures)
        err_console.print("[bold red]Verification failed:[/] ", end="")
        err_console.print(names, highlight=False, markup=False, soft_wrap=True)
    for note in notes:
        console.print(note, highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


def _verify_notes(report: sortition.VerifyReport, *, record_sha256_given: bool) -> list[str]:
    """What the checks above do not prove, and what the auditor must still compare by hand."""
    notes = []
    if report.published_before_seed is True:
        notes.append("The record states that the commitment was published before the seed existed (a public "
                     "draw).")
    elif report.published_before_seed is False:
        notes.append("The record states that the commitment was NOT published before the seed (practice): this "
                     "draw proves nothing about who could know the seed.")
    if report.commitment is not None and not report.commitment_checked:
        notes.append("These checks prove that the record follows from these files and the seed, not that these "
                     "are the files committed to. Compare the commitment printed above with the one the "
                     "organiser published, and check it was published before the seed existed (or pass "
                     "--commitment).")
    if report.record_sha256 is not None and report.events and not record_sha256_given:
        notes.append("Compare the record's SHA-256 with the one published after the last replacement (or pass "
                     "--record-sha256): only that shows no replacement was removed.")
    elif report.record_sha256 is not None and not record_sha256_given:
        notes.append("Compare the record's SHA-256 with the published one (sha256sum of the published draw.json).")
    if report.early_stop is not None:
        notes.append(f"Fairness: {report.early_stop.sentence()} This does not affect the checks above.")
    return notes


def _early_stop_json(stopped: sortition.EarlyStop | None) -> dict[str, object]:
    """``--json``'s ``early_stop`` field: what the time limit left (only when it stopped the computation)."""
    if stopped is None:
        return {}
    return {"early_stop": {"time_limit_seconds": stopped.time_limit, "min_probability_reached": stopped.lowest,
                           "min_probability_upper_bound": stopped.upper_bound,
                           "lowest_is_optimal": stopped.lowest_is_optimal}}


@app.command()
def replace(
    record: Annotated[Path, typer.Argument(help="The draw record draw.json.")],
    dropout: Annotated[list[str], typer.Option("--dropout", metavar="<id>", help="Pseudonym (or pool id) of a "
                                               "member who dropped out; repeat for several.")],
    allow_quota_break: Annotated[bool, typer.Option("--allow-quota-break", help="When no reserve fits, take the "
                                                    "one breaking the fewest quotas (recorded as such).")] = False,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace drop-outs by the committed rule: the first reserve who keeps every quota and the household rule.

    Each replacement is recorded in draw.json (hash-chained) and checked by verify; nobody chooses who.
    Publish the new SHA-256 of draw.json it prints: only that shows later that no replacement was removed.

    Example: sortition replace draw1/draw.json --dropout 3f9a0c1d2b4e5f60
    """

    with user_errors():
        result = sortition.replace(record, dropout, allow_quota_break=allow_quota_break, lang=lang)
    if as_json:
        _print_json({"replacements": [{"dropout": r.dropout, "replacement": r.replacement,
                                       "reserve_rank": r.reserve_rank, "rule": r.rule,
                                       "quota_breaks": list(r.quota_breaks)} for r in result.replacements],
                     "panel": list(result.panel), "draw_record": str(result.draw_path),
                     "reports": [str(p) for p in result.report_paths], "private": str(result.panel_csv),
                     "files": [str(p) for p in result.files],
                     "record_sha256": result.record_sha256, "events": result.events})
        return
    for warning in result.warnings:
        err_console.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    for r in result.replacements:
        note = f" [red]quota broken: {esc('; '.join(r.quota_breaks))}[/]" if r.quota_breaks else ""
        console.print(f"[green]✓[/] {esc(r.dropout)} is replaced by {esc(r.replacement)} "
                      f"(reserve rank {r.reserve_rank}).{note}", highlight=False)
    say("Updated (public):")
    for path in (result.draw_path, *result.report_paths, *([result.ledger_path] if result.ledger_path else [])):
        command(str(path))
    say("Updated (private, personal data: do not publish):")
    for path in result.private_paths:
        command(str(path))
    console.print(f"Record SHA-256 ({result.events} replacement event(s)): [bold]{result.record_sha256}[/]",
                  soft_wrap=True)
    say("Publish this SHA-256 now, with the updated draw.json; auditors check it with:")
    command(f"sortition verify {result.draw_path} --record-sha256 {result.record_sha256}")


@app.command()
def report(
    record: Annotated[Path, typer.Argument(help="The draw record draw.json.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="html or md.")] = "html",
    lang: LangOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: "
                                                "report.html or report.md beside the record). Never an input, "
                                                "a public record or a private file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUTPUT if it exists (never a record or a "
                                        "private file).")] = False,
) -> None:
    """Write the public report of a draw: timeline, input hashes, quotas vs panel, chances, checks, replacements.

    Example: sortition report draw1/draw.json --format html --lang en -o draw1/report-en.html
    """

    with user_errors():
        if fmt not in {f.value for f in ReportFormat}:
            raise InputError(f"unknown report format {fmt!r}; choose html or md.")
        path = sortition.write_report(record, fmt=fmt, lang=lang, output=output, force=force)
    ok(f"Wrote {path}")


@app.command("verifier-page")
def verifier_page(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write, e.g. verify.html.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write the self-contained verifier page: residents check a draw in their browser, nothing is sent.

    Publish it next to lottery.json and draw.json; it works from file:// and any static web host.

    Example: sortition verifier-page -o draw1/verify.html
    """
    with user_errors():
        path = write_verifier_page(output, overwrite=force)
    ok(f"Wrote {path}: open it in a browser and drop lottery.json and draw.json on it.")


@app.command()
def rfc3797(
    pool_size: Annotated[int, typer.Option("--pool-size", help="Number of eligible people, listed 1..N.")],
    select_count: Annotated[int, typer.Option("--select", help="How many to select.")],
    source: Annotated[list[str], typer.Option("--source", metavar="<text>",
                                              help="A public random source (repeat per source).")],
) -> None:
    """Plain draw without quotas by the IETF procedure of RFC 3797 (reproduces a classic published draw).

    Example: sortition rfc3797 --pool-size 25 --select 10 --source "9319" --source "2 5 12 8 10"
    """

    with user_errors():
        chosen = sortition.rfc3797_select(pool_size, select_count, source)
        key = sortition.rfc3797_key(source)
    say(f"Key: {key}")
    for n, pos in enumerate(chosen, 1):
        say(f"{n:>3}. {pos}")


def main() -> None:
    """Run the app; a Ctrl-C between two commands' own handlers still ends with one line and exit 130."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("[bold red]Interrupted.[/]", highlight=False)
        raise SystemExit(EXIT_INTERRUPTED) from None
