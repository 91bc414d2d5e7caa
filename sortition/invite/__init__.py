"""Stage 1: stratified, verifiable invitations from the resident register.

:func:`prepare_invitations` commits to an invitation plan, :func:`draw_invitations` draws the letters with
the public seed, :func:`verify_invitations` checks a record (see docs/invitations.md). Inside the package,
imports only go down: ``commands`` and ``verification`` use ``selection`` (the pure rule), which uses
``ranking`` (pseudonyms and ranks), ``register`` (reading the register) and ``plan`` (the YAML plan).

Example:
    >>> prep = prepare_invitations("register.csv", "plan.yaml", "out")       # doctest: +SKIP
    >>> print(prep.commitment)                                                # publish this  # doctest: +SKIP
    >>> result = draw_invitations("out/invitation_plan.json", "register.csv",
    ...                           "Lotto 2027-01-09: 3 11 17 25 32 41")       # doctest: +SKIP
"""

from sortition.invite.commands import InviteDrawResult, InvitePrepareResult, draw_invitations, prepare_invitations
from sortition.invite.ranking import rank_key
from sortition.invite.selection import StratumPlan, compute_record, plan_strata, select_invitees
from sortition.invite.verification import verify_invitations

__all__ = ["InviteDrawResult", "InvitePrepareResult", "StratumPlan",
           "compute_record", "draw_invitations", "plan_strata", "prepare_invitations", "rank_key",
           "select_invitees", "verify_invitations"]
