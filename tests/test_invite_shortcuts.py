"""The shortcuts stage 1 takes at national scale keep their answers: the addresses-per-stratum check settles
the common case with a lower bound, and still refuses more letters than addresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotas.errors import InputError
from sortition.invite import prepare_invitations


def _files(tmp_path: Path, letters: dict[str, int]) -> tuple[Path, Path]:
    rows = ["id,wijk,postcode,huisnummer"]
    rows += [f"N{i},Noord,2000 AB,{i % 2}" for i in range(6)]  # six people at two addresses
    rows += [f"Z{i},Zuid,3000 AB,{i}" for i in range(6)]       # six people at six addresses
    reg = tmp_path / "register.csv"
    reg.write_text("\n".join(rows) + "\n", encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"letters": letters, "strata": ["wijk"], "households": "one_person_per_address",
                                "columns": {"id": "id", "wijk": "wijk", "address": ["postcode", "huisnummer"]}}),
                    encoding="utf-8")
    return reg, plan


def test_more_letters_than_addresses_in_a_stratum_are_refused(tmp_path: Path) -> None:
    reg, plan = _files(tmp_path, {"Noord": 3, "Zuid": 2})
    with pytest.raises(InputError, match="'Noord' gets 3 letters but its people live at only 2 addresses"):
        prepare_invitations(reg, plan, tmp_path / "out")


def test_as_many_letters_as_addresses_pass(tmp_path: Path) -> None:
    reg, plan = _files(tmp_path, {"Noord": 2, "Zuid": 6})
    prep = prepare_invitations(reg, plan, tmp_path / "out")
    assert {s.label: s.letters for s in prep.strata} == {"Noord": 2, "Zuid": 6}


def test_an_address_shared_by_two_strata_counts_in_both(tmp_path: Path) -> None:
    """Address 1 has a resident in each group: its first resident is in A, so only the exact count sees that
    group B reaches two addresses (1 and 3)."""
    reg = tmp_path / "register.csv"
    reg.write_text("id,groep,postcode,huisnummer\na1,A,2000 AB,1\nb1,B,2000 AB,1\na2,A,2000 AB,2\nb3,B,2000 AB,3\n",
                   encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"letters": {"A": 2, "B": 2}, "strata": ["groep"],
                                "households": "one_person_per_address",
                                "columns": {"id": "id", "groep": "groep", "address": ["postcode", "huisnummer"]}}),
                    encoding="utf-8")
    prep = prepare_invitations(reg, plan, tmp_path / "out")
    assert {s.label: s.letters for s in prep.strata} == {"A": 2, "B": 2}
