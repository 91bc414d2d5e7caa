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


@pytest.mark.parametrize("households", ["none", "one_person_per_address", "one_letter_per_address"])
def test_sorting_only_the_first_part_of_the_rank_order_draws_what_sorting_all_draws(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, households: str) -> None:
    """The first part starts at one unit per letter and grows: the same letters and reserves as the whole order
    (three people per address, so one person per address skips many)."""
    import shutil

    import sortition.invite.selection as selection
    from sortition.invite import draw_invitations
    from sortition.records import SALT_FILE, private_dir

    rows = ["id,wijk,postcode,huisnummer"]
    rows += [f"P{i:03d},{('Noord', 'Zuid', 'Oost')[(i // 3) % 3]},2000 AB,{i // 3}" for i in range(300)]
    rows += [f"Q{i:03d},West,3000 AB,{i // 3}" for i in range(12)]  # a small stratum: served only by all of it
    (tmp_path / "register.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    plan = {"letters": 24, "strata": ["wijk"], "households": households, "reserves": 2,
            "columns": {"id": "id", "wijk": "wijk", "address": ["postcode", "huisnummer"]}}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    outputs = []
    sizes: list[int] = []
    lowest = selection._lowest
    monkeypatch.setattr(selection, "_lowest", lambda ranks, size: sizes.append(size) or lowest(ranks, size))
    for name, part, least in (("whole", 64, 10**9), ("part", 1, 1)):
        monkeypatch.setattr(selection, "FIRST_PART", part)
        monkeypatch.setattr(selection, "FIRST_PART_MIN", least)
        folder = tmp_path / name
        if outputs:
            shutil.copy(private_dir(tmp_path / "whole") / SALT_FILE, private_dir(folder) / SALT_FILE)
        prep = prepare_invitations(tmp_path / "register.csv", tmp_path / "plan.json", folder)
        draw_invitations(prep.plan_path, tmp_path / "register.csv", "seed")
        outputs.append([(folder / f).read_bytes() for f in ("invitations.json", "private/invitations.csv",
                                                            "private/invite_reserves.csv")])
    assert outputs[0] == outputs[1]
    assert sizes[0] == 10**9 and len(sizes) >= 3 and sizes[2] == 8 * sizes[1]  # the part grew


def test_two_units_with_one_pseudonym_are_refused_wherever_they_rank() -> None:
    import numpy as np

    from sortition.invite.selection import _refuse_equal_pseudonyms

    with pytest.raises(InputError, match="same pseudonym"):
        _refuse_equal_pseudonyms(np.array([3, 9, 5, 3], dtype=np.uint64))
    _refuse_equal_pseudonyms(np.array([3, 9, 5], dtype=np.uint64))


def test_a_changed_register_is_refused_while_the_cache_is_ranked(tmp_path: Path) -> None:
    """The register is hashed beside the ranking of the cached units; a changed file is still refused, and
    nothing is written."""
    from sortition.invite import draw_invitations

    reg, plan = _files(tmp_path, {"Noord": 2, "Zuid": 2})
    prep = prepare_invitations(reg, plan, tmp_path / "out")
    assert (tmp_path / "out" / "private" / "invite_units.npz").is_file()
    reg.write_text(reg.read_text(encoding="utf-8") + "Z9,Zuid,3000 AB,9\n", encoding="utf-8")
    with pytest.raises(InputError, match="not the register the plan was made from: SHA-256 differs"):
        draw_invitations(prep.plan_path, reg, "seed")
    assert not (tmp_path / "out" / "invitations.json").exists()
