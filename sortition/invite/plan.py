"""The invitation plan (stage 1): what the YAML plan says, and how letters are allocated over strata.

A plan file looks like this (every key but ``letters``, ``strata`` and ``columns.id`` is optional)::

    letters: 2000                 # or per stratum: {Schalkwijk: 600, Centrum: 300, ...}
    strata: [wijk, age_band]
    columns: {id: person_id, birth_date: geboortedatum, wijk: wijk, address: [postcode, huisnummer, toevoeging]}
    age_bands: [16, 30, 45, 65]   # bands 16-29, 30-44, 45-64, 65+ at reference_date
    reference_date: 2027-01-01
    min_age: 16
    households: one_letter_per_address
    expected_response: {16-29: 0.03, 65+: 0.08, default: 0.05}
    exclude: previous_panels.csv
    reserves: 1                   # reserve list per stratum, as a multiple of its letters
    seed_source: "Lotto draw of 2027-01-09"

Allocation is exact (fractions) and uses :func:`quotas.propose.largest_remainder`.

Example:
    >>> largest_remainder_letters({"a": 300, "b": 100}, 10)
    {'a': 8, 'b': 2}
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from quotas.errors import InputError
from quotas.io import MAX_YAML_BYTES
from quotas.propose import largest_remainder
from quotas.textfiles import read_bytes
from quotas.yamlload import DecimalLoader, not_decimal_hint

PLAN_KEYS = frozenset({"letters", "strata", "columns", "age_bands", "reference_date", "min_age", "households",
                       "expected_response", "exclude", "exclude_column", "reserves", "seed_source"})
AGE_BAND = "age_band"
STRATUM_SEPARATOR = " / "
DEFAULT_RATE_KEY = "default"


class HouseholdRule(StrEnum):
    """How addresses limit the letters."""

    NONE = "none"                                     # persons, no address rule
    ONE_LETTER_PER_ADDRESS = "one_letter_per_address"  # addresses are drawn; one eligible resident per address
    ONE_PERSON_PER_ADDRESS = "one_person_per_address"  # persons are drawn, at most one per address


@dataclass(frozen=True)
class InvitePlanSpec:
    """A validated plan file.

    Attributes:
        letters: the total number of letters, or letters per stratum label (or per value of the first
            stratum column, split over the rest in proportion).
        strata: stratum names: ``age_band`` or a name in ``columns`` (or a register column).
        columns: plan name -> register column (``id`` always; ``birth_date`` when ages are needed).
        address: register columns that together form the address (needed by the household rules).
        age_bands: lower bounds of the age bands, increasing.
        reference_date: the date ages are computed at.
        min_age: people younger than this at ``reference_date`` are not eligible.
        households: the household rule.
        expected_response: stratum label or value -> expected response rate (as exact fractions).
        exclude: a file of ids that are not eligible (opted out, earlier panel members).
        exclude_column: the id column of ``exclude`` (default: the register's id column name, else ``id``,
            else its only column).
        reserves: reserves per stratum as a multiple of its letters.
        seed_source: the announced public event that will give the seed.
        source: the plan file.
    """

    letters: int | Mapping[str, int]
    strata: tuple[str, ...]
    columns: Mapping[str, str]
    address: tuple[str, ...] = ()
    age_bands: tuple[int, ...] = ()
    reference_date: dt.date | None = None
    min_age: int | None = None
    households: HouseholdRule = HouseholdRule.NONE
    expected_response: Mapping[str, Fraction] = field(default_factory=dict)
    exclude: Path | None = None
    exclude_column: str | None = None
    reserves: Fraction = Fraction(1)
    seed_source: str = ""
    source: str = "plan"

    @property
    def needs_age(self) -> bool:
        return AGE_BAND in self.strata or self.min_age is not None

    def settings(self) -> dict[str, Any]:
        """The plan as JSON-ready settings, for the public plan file."""
        letters: Any = self.letters if isinstance(self.letters, int) else dict(sorted(self.letters.items()))
        return {
            "letters": letters,
            "strata": list(self.strata),
            "columns": dict(sorted(self.columns.items())),
            "address": list(self.address),
            "age_bands": list(self.age_bands),
            "reference_date": self.reference_date.isoformat() if self.reference_date else None,
            "min_age": self.min_age,
            "households": self.households.value,
            "expected_response": {k: _fraction_text(v) for k, v in sorted(self.expected_response.items())},
            "exclude": self.exclude.name if self.exclude else None,
            "reserves": _fraction_text(self.reserves),
        }


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def load_plan(path: str | Path) -> InvitePlanSpec:
    """Read and validate a plan YAML file.

    Raises:
        InputError: a missing file, bad YAML, an unknown key or a value of the wrong kind; the message
            names the file and the key and says what to write instead.
    """
    p = Path(path)
    # missing file, folder, pipe or device, too large, unreadable: one clear line
    raw = read_bytes(p, what="plan", max_bytes=MAX_YAML_BYTES)
    try:
        data = yaml.load(raw.decode("utf-8-sig"), Loader=DecimalLoader)  # letters: 010 is 10, not octal 8
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problem = " ".join(str(exc).split())  # PyYAML's message spans lines; the CLI shows one
        raise InputError(f"is not valid YAML ({problem}).", file=p,
                         hint="Check the indentation and the colons; save the file as UTF-8.") from None
    except RecursionError:
        raise InputError("this YAML is nested too deeply to be a plan.", file=p,
                         hint="Check that this is the plan (YAML), not another file.") from None
    except ValueError as exc:  # PyYAML reads 2027-13-45 as a date and fails to build it
        raise InputError(f"holds a value that is not a valid date ({exc}).", file=p,
                         hint="Write dates as 2027-01-01 (year-month-day).") from None
    if not isinstance(data, dict):
        raise InputError("a plan must be a YAML mapping (letters:, strata:, columns:, ...).", file=p)
    return plan_from_mapping(data, source=p)


def _err(source: str | Path, key: str, message: str, hint: str | None = None) -> InputError:
    return InputError(f"'{key}': {message}", file=source, hint=hint)


def _int(source: str | Path, key: str, value: Any, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _err(source, key, f"expected a whole number >= {minimum}, not {value!r}.{not_decimal_hint(value)}")
    return value


def _letters(source: str | Path, value: Any) -> int | dict[str, int]:
    if isinstance(value, dict):
        if not value:
            raise _err(source, "letters", "the mapping is empty.")
        return {str(k).strip(): _int(source, f"letters: {k}", v) for k, v in value.items()}
    return _int(source, "letters", value, minimum=1)


def _columns(source: str | Path, value: Any) -> tuple[dict[str, str], tuple[str, ...]]:
    if not isinstance(value, dict) or "id" not in value:
        raise _err(source, "columns", "give a mapping with at least the id column, e.g. {id: person_id}.")
    address: tuple[str, ...] = ()
    cols: dict[str, str] = {}
    for k, v in value.items():
        if k == "address":
            parts = v if isinstance(v, list) else [v]
            if not parts or not all(isinstance(x, str | int) and str(x).strip() for x in parts):
                raise _err(source, "columns: address", "give the address column(s), e.g. [postcode, huisnummer].")
            address = tuple(str(x).strip() for x in parts)
        elif isinstance(v, str | int) and str(v).strip():
            cols[str(k).strip()] = str(v).strip()
        else:
            raise _err(source, f"columns: {k}", f"expected a register column name, not {v!r}.")
    return cols, address


def _rate(source: str | Path, key: str, value: Any) -> Fraction:
    try:
        rate = Fraction(str(value).strip().rstrip("%")) / (100 if str(value).strip().endswith("%") else 1)
    except (ValueError, ZeroDivisionError):
        raise _err(source, f"expected_response: {key}", f"{value!r} is not a number.") from None
    if not 0 < rate <= 1:
        raise _err(source, f"expected_response: {key}", f"a response rate must be > 0 and <= 1, not {value}.")
    return rate


def _date(source: str | Path, value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _err(source, "reference_date", f"{value!r} is not a date.", hint="Write it as 2027-01-01.") from None


def plan_from_mapping(data: Mapping[str, Any], *, source: str | Path = "plan") -> InvitePlanSpec:
    """Validate a plan given as a mapping (the parsed YAML); relative paths are relative to ``source``."""
    unknown = sorted(set(map(str, data)) - PLAN_KEYS)
    if unknown:
        raise _err(source, unknown[0], "unknown key.", hint=f"Known keys: {', '.join(sorted(PLAN_KEYS))}.")
    for key in ("letters", "strata", "columns"):
        if key not in data:
            raise _err(source, key, "missing.", hint="A plan needs letters:, strata: and columns: {id: ...}.")
    strata = data["strata"] if isinstance(data["strata"], list) else [data["strata"]]
    if not all(isinstance(s, str) and s.strip() for s in strata) or len(set(strata)) != len(strata):
        raise _err(source, "strata", "give a list of distinct names, e.g. [wijk, age_band].")
    columns, address = _columns(source, data["columns"])
    bands = data.get("age_bands") or []
    if not isinstance(bands, list) or any(isinstance(b, bool) or not isinstance(b, int) for b in bands) \
            or sorted(set(bands)) != bands:
        raise _err(source, "age_bands", "give increasing whole ages, e.g. [16, 30, 45, 65].")
    if AGE_BAND in strata and not bands:
        raise _err(source, "age_bands", f"'{AGE_BAND}' is a stratum, so the age bands are needed.")
    try:
        households = HouseholdRule(str(data.get("households", "none")).strip())
    except ValueError:
        raise _err(source, "households", f"unknown rule {data.get('households')!r}.",
                   hint=f"Use one of: {', '.join(r.value for r in HouseholdRule)}.") from None
    if households is not HouseholdRule.NONE and not address:
        raise _err(source, "columns: address", f"households: {households.value} needs the address columns.")
    rates = data.get("expected_response") or {}
    if not isinstance(rates, dict):
        raise _err(source, "expected_response", "give a mapping of stratum (or value) to rate, e.g. {65+: 0.08}.")
    exclude = data.get("exclude")
    base = Path(source).parent if isinstance(source, Path) else Path(".")
    plan = InvitePlanSpec(
        letters=_letters(source, data["letters"]),
        strata=tuple(s.strip() for s in strata),
        columns=columns,
        address=address,
        age_bands=tuple(bands),
        reference_date=_date(source, data.get("reference_date")),
        min_age=None if data.get("min_age") is None else _int(source, "min_age", data["min_age"]),
        households=households,
        expected_response={str(k).strip(): _rate(source, str(k), v) for k, v in rates.items()},
        exclude=(base / str(exclude)) if exclude else None,
        exclude_column=str(data["exclude_column"]) if data.get("exclude_column") else None,
        reserves=_reserves(source, data.get("reserves", 1)),
        seed_source=str(data.get("seed_source") or "").strip(),
        source=str(source),
    )
    if plan.needs_age and (plan.reference_date is None or "birth_date" not in plan.columns):
        raise _err(source, "reference_date", "ages are needed (age_band or min_age), so give reference_date "
                   "and columns: {birth_date: ...}.")
    return plan


def _reserves(source: str | Path, value: Any) -> Fraction:
    try:
        factor = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise _err(source, "reserves", f"{value!r} is not a number.") from None
    if factor < 0:
        raise _err(source, "reserves", "must be >= 0.")
    return factor


# ------------------------------------------------------------------------------------------------- ages

def age_band_labels(bands: Sequence[int], min_age: int | None) -> list[str]:
    """Labels of the bands: ``[16, 30, 65]`` -> ``16-29, 30-64, 65+`` (plus ``0-15`` below 16 if eligible)."""
    labels = []
    if bands and (min_age is None or min_age < bands[0]):
        labels.append(f"{min_age or 0}-{bands[0] - 1}")
    labels += [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(bands)]
    if bands:
        labels.append(f"{bands[-1]}+")
    return labels


def band_lower(label: str) -> int:
    """The lower bound of an age band label (for sorting)."""
    return int(label.split("-")[0].rstrip("+"))


# ------------------------------------------------------------------------------------------- allocation

def largest_remainder_letters(sizes: Mapping[str, int], total: int,
                              rates: Mapping[str, Fraction] | None = None) -> dict[str, int]:
    """Letters per stratum: proportional to ``size`` (or to ``size / rate`` when response rates are given).

    With rates, expected respondents ``letters * rate`` rather than letters are proportional to the strata
    sizes. Rounding by largest remainder (exact), in the order of ``sizes``; sums to ``total``.
    """
    labels = list(sizes)
    shares = [Fraction(sizes[s]) / (rates[s] if rates else 1) for s in labels]
    if sum(shares) == 0:
        return dict.fromkeys(labels, 0)
    return dict(zip(labels, largest_remainder(shares, total), strict=True))


def resolve_rates(plan: InvitePlanSpec, strata: Mapping[str, Sequence[str]]) -> dict[str, Fraction] | None:
    """The response rate of each stratum label: a full-label key wins, else the one value key that matches.

    Raises:
        InputError: a key that matches no stratum, a stratum two value keys disagree on, or a stratum with
            no rate and no ``default``.
    """
    if not plan.expected_response:
        return None
    keys = dict(plan.expected_response)
    default = keys.pop(DEFAULT_RATE_KEY, None)
    values = {v for vals in strata.values() for v in vals}
    for key in keys:
        if key not in strata and key not in values:
            raise _err(plan.source, f"expected_response: {key}", "matches no stratum and no stratum value.",
                       hint=f"Strata are: {', '.join(list(strata)[:12])}.")
    out: dict[str, Fraction] = {}
    for label, vals in strata.items():
        if label in keys:
            out[label] = keys[label]
            continue
        found = {keys[v] for v in vals if v in keys}
        if len(found) > 1:
            raise _err(plan.source, "expected_response", f"stratum '{label}' matches several rates.",
                       hint="Give a rate for the full stratum label.")
        if not found and default is None:
            raise _err(plan.source, "expected_response", f"no rate for stratum '{label}'.",
                       hint="Add it, or add 'default: <rate>'.")
        out[label] = found.pop() if found else default  # type: ignore[assignment]
    return out


def allocate(plan: InvitePlanSpec, sizes: Mapping[str, int], values: Mapping[str, Sequence[str]]
             ) -> dict[str, int]:
    """Letters per stratum label from the plan and the strata sizes (in canonical stratum order).

    Raises:
        InputError: letters for a stratum that is empty or unknown, or more letters than people.
    """
    rates = resolve_rates(plan, values)
    if isinstance(plan.letters, int):
        letters = largest_remainder_letters(sizes, plan.letters, rates)
    else:
        letters = dict.fromkeys(sizes, 0)
        for key, count in plan.letters.items():
            group = [s for s in sizes if s == key] or [s for s in sizes if values[s][0] == key]
            if not group:
                raise _err(plan.source, f"letters: {key}", "this stratum is empty: nobody eligible in it.",
                           hint="Check the spelling against the register, or remove it.")
            sub = {s: sizes[s] for s in group}
            letters.update(largest_remainder_letters(sub, count, {s: rates[s] for s in group} if rates else None))
    for label, count in letters.items():
        if count > sizes[label]:
            raise _err(plan.source, "letters", f"stratum '{label}' gets {count} letters but has only "
                       f"{sizes[label]} eligible.", hint="Send fewer letters, or merge strata.")
    return letters


def reserves_for(plan: InvitePlanSpec, sizes: Mapping[str, int], letters: Mapping[str, int]) -> dict[str, int]:
    """Reserve list length per stratum: ``floor(letters * reserves)``, capped by who is left."""
    return {s: min(sizes[s] - letters[s], int(letters[s] * plan.reserves)) for s in sizes}


def stratum_label(values: Sequence[str]) -> str:
    return STRATUM_SEPARATOR.join(values)


__all__ = ["AGE_BAND", "HouseholdRule", "InvitePlanSpec", "age_band_labels", "allocate",
           "largest_remainder_letters", "load_plan", "plan_from_mapping", "reserves_for", "resolve_rates"]
