"""``sortition invite``: stage 1, verifiable letters from the resident register (prepare, then draw)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.output import RichProgress, command, console, esc, ok, say, user_errors, warn
from sortition.invite import draw_invitations, prepare_invitations

invite_app = typer.Typer(help="Stage 1: draw the residents to invite, stratified and verifiable.",
                         no_args_is_help=True)


def _percent(rate: str | None) -> str:
    """The plan's exact response rate (``3/100``) as people read it (``3%``)."""
    if not rate:
        return ""
    value = float(Fraction(rate)) * 100
    return f"{value:.1f}%".replace(".0%", "%")


@invite_app.command("prepare")
def invite_prepare(
    register: Annotated[Path, typer.Argument(help="Resident register: CSV (, ; or tab; UTF-8 or cp1252) or XLSX.")],
    plan: Annotated[Path, typer.Argument(help="Invitation plan (YAML): letters, strata, columns, ...")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the plan file and private files.")],
    seed_source: Annotated[str, typer.Option("--seed-source", help="The public event that will give the seed.")]
        = "",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing plan in OUT.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Count the eligible residents per stratum, allocate the letters, write OUT/invitation_plan.json.

    Example: sortition invite prepare examples/veiligheid/register.csv examples/veiligheid/plan.yaml --out inv1
    """
    progress = RichProgress(quiet=quiet)
    with user_errors():
        result = prepare_invitations(register, plan, out, seed_source=seed_source, force=force, progress=progress)
    progress.finish()
    for warning in result.warnings:
        warn(warning)
    table = Table(title=esc(f"{result.eligibility['eligible']:,} eligible of {result.eligibility['register_rows']:,} "
                            "rows"))
    for col in ("stratum", "eligible", "letters", "reserves", "expected response"):
        table.add_column(col, justify="left" if col == "stratum" else "right")
    for s in result.strata:
        table.add_row(esc(s.label), f"{s.eligible:,}", f"{s.letters:,}", f"{s.reserves:,}",
                      _percent(s.expected_response))
    console.print(table)
    ok(f"Wrote {result.plan_path}")
    console.print(f"Commitment: [bold]{result.commitment}[/]")
    say("Publish this commitment now, before the seed exists. Then, when the public seed is known:")
    command(f"sortition invite draw {result.plan_path} --register {register} --seed \"...\"")


@invite_app.command("draw")
def invite_draw(
    plan: Annotated[Path, typer.Argument(help="The committed invitation_plan.json.")],
    register: Annotated[Path, typer.Option("--register", help="The same register file prepare read.")],
    seed: Annotated[str, typer.Option("--seed", help="The public seed, exactly as published.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Draw the residents to invite from a committed plan with the public seed.

    Example: sortition invite draw inv1/invitation_plan.json --register register.csv --seed "Lotto: 3 11 17 25 32 41"
    """
    progress = RichProgress(quiet=quiet)
    with user_errors():
        result = draw_invitations(plan, register, seed, progress=progress)
    progress.finish()
    ok(f"Drew {result.letters:,} letters and {result.reserves:,} reserves in rank order.")
    say(f"Public:  {result.record_path}")
    say(f"Private: {result.invitations_csv}, {result.reserves_csv} (personal data: do not publish)")
    say("Anyone can check it with:")
    command(f"sortition verify {result.record_path}")
