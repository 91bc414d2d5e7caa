"""Reading a resident register at national scale, and turning it into the sampling frame of an invitation plan.

A Dutch register extract can hold 17.5 million rows, so this module does not keep every cell as a Python
string (as :func:`sortition.tables.read_table` does): it reads only the columns the plan names, with pandas'
C parser, low-cardinality columns as categoricals; dates and addresses are normalised per distinct value,
not per row. Excel files go through :func:`~sortition.tables.read_table` (they are small by nature).

Row numbers are spreadsheet rows (header = row 1, first data row = row 2), counted in records; every error
names the file, the row and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quotas.errors import InputError
from quotas.textfiles import (
    SAVE_AS_HINT,
    ZIP_MAGIC,
    decode_bytes,
    detect_delimiter,
    regular_file_size,
    undecodable_in_file,
)
from sortition.identity import ADDRESS_PART_KEYS, ADDRESS_RULE, ADDRESS_SEPARATOR, id_keys
from sortition.invite.fastread import (
    _dense_unique,
    _digest,
    _digest_beside,
    _first_seen,
    _read_csv_arrow,
)
from sortition.invite.ids import check_keys, id_array, id_at, id_key_array, in_set, lengths, strip_ids
from sortition.invite.plan import AGE_BAND, HouseholdRule, InvitePlanSpec, age_band_labels, band_lower, stratum_label
from sortition.pool import NO_ADDRESS_PREFIX
from sortition.tables import EXCEL_SUFFIXES, Table, read_table

_CHUNK = 1 << 26  # 64 MiB per block when hashing and scanning
_HEAD = 1 << 16  # bytes read to find the encoding, the separator and the header
_DATE_FORMATS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]*)?$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), (1, 2, 3)),           # BRP style 19750131
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$"), (3, 2, 1)),  # Dutch day-month-year
)


#: Largest register read (streamed, never whole into memory): 4 GiB, some 20 million residents.
MAX_REGISTER_BYTES = 4 * 1024**3

@dataclass(frozen=True)
class RegisterFile:
    """Where a register's rows are, to fetch the full rows of the people drawn (:func:`fetch_rows`)."""

    path: str
    encoding: str | None
    delimiter: str | None
    header: tuple[str, ...]
    records: int
    table: object | None = None  # the Table of an Excel register


@dataclass(frozen=True, eq=False)
class Register:
    """The columns of a register an invitation plan needs, one entry per data record.

    Attributes:
        path: the file as named. sha256: hex SHA-256 of its bytes. encoding/delimiter: as detected.
        header: the header names (trimmed), in file order.
        row_numbers: the spreadsheet row number of each record (int64).
        ids: the id of each record, trimmed: one arrow string array (:mod:`sortition.invite.ids`).
        columns: register column name -> categorical of trimmed text (the other columns the plan uses).
        records: records including blank ones (for locating rows in the file).
    """

    path: str
    sha256: str
    encoding: str | None
    delimiter: str | None
    header: tuple[str, ...]
    row_numbers: np.ndarray
    ids: Any  # pyarrow.StringArray (or LargeStringArray); pyarrow is imported only where a register is read
    columns: dict[str, pd.Categorical]
    records: int
    table: object | None = None  # the Table of an Excel register

    @property
    def rows(self) -> int:
        return len(self.ids)

    @property
    def file(self) -> RegisterFile:
        return RegisterFile(self.path, self.encoding, self.delimiter, self.header, self.records, self.table)


def _plan_columns(plan: InvitePlanSpec) -> list[tuple[str, str]]:
    """(role, register column) for every column the plan reads; the id first."""
    roles = [("id", plan.columns["id"])]
    if plan.needs_age:
        roles.append(("birth_date", plan.columns["birth_date"]))
    roles += [(f"stratum '{s}'", plan.columns.get(s, s)) for s in plan.strata if s != AGE_BAND]
    roles += [("address", a) for a in plan.address]
    return roles


def _find(header: Sequence[str], name: str, role: str, file: str) -> str:
    if name in header:
        return name
    folded = [h for h in header if h.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise InputError(f"the register has no column '{name}' (the plan's {role} column).", file=file, row=1,
                     column=name, hint=f"Columns found: {', '.join(header[:30])}. Fix 'columns:' in the plan.")


def read_register(path: str | Path, plan: InvitePlanSpec) -> Register:
    """Read the columns ``plan`` needs from a CSV/TSV/TXT or XLSX register.

    Raises:
        InputError: a missing file or column, an undecodable file, a malformed row (with its row number).
    """
    p = Path(path)
    file = str(path)
    regular_file_size(p, what="register", max_bytes=MAX_REGISTER_BYTES)  # no pipe or device: never hangs
    with open(p, "rb") as fh:
        head = fh.read(_HEAD)
    if head.startswith(ZIP_MAGIC) or p.suffix.lower() in EXCEL_SUFFIXES or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _register_from_table(read_table(p), plan)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError("the register is empty.", file=file,
                         hint="Give a file with a header row and one row per person.")
    text, encoding = _decode_head(head, file)
    delimiter = detect_delimiter(text)  # the same decision as for pools and quota files
    # The header ends at the first line break of any kind (old Mac exports end lines with a lone CR).
    first = re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]
    try:
        raw_header = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise InputError("the header (row 1) cannot be read.", file=file, row=1,
                         hint="Check the quotes in row 1, or export the file again as 'CSV UTF-8'.") from None
    header = tuple(h.strip() for h in raw_header)
    found = [_find(header, name, role, file) for role, name in _plan_columns(plan)]
    raw_of = {h.strip(): h for h in raw_header}
    id_col = found[0]
    wanted = sorted(set(found), key=header.index)
    dtypes: dict[str, Any] = {raw_of[c]: (object if c == id_col else "category") for c in wanted}
    usecols = [raw_of[c] for c in wanted]
    frame = None
    if encoding in ("utf-8", "utf-8-sig") and len(set(raw_header)) == len(raw_header):
        # The file's digest in a second process while arrow parses it here; quoted line breaks are looked for
        # as the head suggests, and the file is parsed again in the rare case the rest holds quotes.
        digest = _digest_beside(p)
        try:
            frame = _read_csv_arrow(p, delimiter, usecols, raw_of[id_col], b'"' in head)
        finally:
            sha256, utf8, quoted = digest()
        if not utf8:
            frame = None
        elif frame is not None and quoted and b'"' not in head:
            frame = _read_csv_arrow(p, delimiter, usecols, raw_of[id_col], True)
    else:
        sha256, utf8, quoted = _digest(p)
    if frame is None:  # anything the fast reader does not take as it is: pandas, and its error messages
        frame, encoding = _read_csv_any(p, encoding, text.isascii(), delimiter, usecols, dtypes)
    frame.columns = [c.strip() for c in frame.columns]
    # The ids stay one arrow array (ids.py): checked and stripped by vectorised passes, never 17 million strs.
    raw_ids = frame.pop(id_col)
    all_ids = strip_ids(id_array(raw_ids.array if isinstance(raw_ids.dtype, pd.ArrowDtype)
                                 else raw_ids.to_numpy(dtype=object)))
    del raw_ids
    records = len(all_ids)
    used = [c for c in frame.columns]
    blank = lengths(all_ids) == 0
    if blank.any():  # blank lines: rows whose used cells are all empty (rare; exact check only then)
        for c in used:
            col = frame[c].array
            empty_code = list(col.categories).index("") if "" in col.categories else -1
            blank &= (col.codes < 0) | (col.codes == empty_code)
    keep = np.flatnonzero(~blank)
    ids = all_ids.take(keep) if len(keep) < records else all_ids
    cols = {c: _strip_categorical(frame[c].array[keep]) for c in used}
    return Register(path=file, sha256=sha256, encoding=encoding, delimiter=delimiter, header=header,
                    row_numbers=keep.astype(np.int64) + 2, ids=ids, columns=cols, records=records)


def _decode_head(head: bytes, file: str) -> tuple[str, str]:
    """The start of the register as text, and its encoding, by the rules every text reader follows.

    :func:`quotas.textfiles.decode_bytes` decides, so that binary data or an Excel file named .csv is
    refused with the same clear message as for a pool, not read as garbage and reported as a missing column.
    When the file is longer than ``head``, the head is cut after its last line break first: a UTF-8
    character split at the end of the head would otherwise make the whole head look like Windows-1252.
    """
    if len(head) == _HEAD:
        cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
        head = head[: cut + 1] if cut >= 0 else head
    return decode_bytes(head, file, hint=SAVE_AS_HINT)


def _read_csv_any(p: Path, encoding: str, ascii_head: bool, delimiter: str, usecols: list[str],
                  dtypes: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    """The register in the head's encoding; after an ASCII head, else in Windows-1252 (accents further down).

    A head that already holds UTF-8 characters gets no second guess: a byte further down that is not UTF-8
    means a file of mixed encodings, and reading it all as Windows-1252 would garble the head's text.

    Raises:
        InputError: a byte that cannot be read; names its offset and line (never a bare UnicodeDecodeError).
    """
    attempts = (encoding, "cp1252") if ascii_head else (encoding,)  # an ASCII head decodes as UTF-8
    for attempt in attempts:
        try:
            return _read_csv(p, attempt, delimiter, usecols, dtypes), attempt
        except UnicodeDecodeError:
            continue
    if attempts[-1] == "cp1252":
        raise undecodable_in_file(p, "cp1252", "UTF-8 or Windows-1252 (cp1252)", SAVE_AS_HINT) from None
    raise undecodable_in_file(p, encoding, "UTF-8 (as the start of the file is)", SAVE_AS_HINT) from None


def _read_csv(p: Path, encoding: str, delimiter: str, usecols: list[str], dtypes: dict[str, Any]
              ) -> pd.DataFrame:
    try:
        return pd.read_csv(p, sep=delimiter, encoding=encoding, usecols=usecols, dtype=dtypes,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                           quotechar='"', low_memory=False)
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputError(f"this row cannot be read as {delimiter!r}-separated values ({exc}).",
                         file=str(p), row=int(match.group(1)) if match else None,
                         hint="A value probably holds the separator or a stray quote: fix that row.") from None


def _strip_categorical(cat: pd.Categorical) -> pd.Categorical:
    cats = [str(c).strip() for c in cat.categories]
    if cats == [str(c) for c in cat.categories] and len(set(cats)) == len(cats):
        return pd.Categorical.from_codes(cat.codes, categories=pd.Index(cats, dtype=object))
    new_codes, uniques = pd.factorize(pd.Index(cats, dtype=object))
    codes = np.where(cat.codes >= 0, new_codes[np.maximum(cat.codes, 0)], -1)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))


def _register_from_table(table: object, plan: InvitePlanSpec) -> Register:
    assert isinstance(table, Table)
    header = table.columns
    found = [_find(header, name, role, table.path) for role, name in _plan_columns(plan)]
    frame = table.frame
    cols = {c: pd.Categorical(frame[c].astype(object)) for c in set(found) if c != found[0]}
    cols = {c: _strip_categorical(v) for c, v in cols.items()}
    return Register(path=table.path, sha256=table.sha256, encoding=table.encoding, delimiter=table.delimiter,
                    header=header, row_numbers=frame.index.to_numpy(dtype=np.int64),
                    ids=id_array(frame[found[0]].to_numpy(dtype=object)), columns=cols, records=len(frame), table=table)


# -------------------------------------------------------------------------------------------- the frame

@dataclass(frozen=True, eq=False)
class SamplingFrame:
    """The eligible people of a register under a plan, with their strata and addresses.

    Attributes:
        register: the register read.
        positions: record positions (into ``register.ids``) of the eligible people.
        stratum: stratum index (into ``labels``) of each eligible person.
        labels: stratum labels in canonical order; ``values`` the value of each stratum column per label.
        address: household index of each eligible person (None without a household rule).
        address_first: the position (into ``positions``) of one resident per household (for its key).
        stats: counts for the plan file (rows, excluded, under age, ...).
    """

    register: Register
    positions: np.ndarray
    stratum: np.ndarray
    labels: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]
    address: np.ndarray | None
    address_first: np.ndarray | None
    stats: dict[str, int]

    address_columns: tuple[str, ...] = ()
    address_rule: int = ADDRESS_RULE  # which address key (sortition.identity.ADDRESS_PART_KEYS)

    def address_key(self, household: int) -> str:
        """The address key of a household (as in the panel pool), or ``NO ADDRESS:<id>``."""
        assert self.address_first is not None
        pos = int(self.positions[self.address_first[household]])
        parts = []
        for column in self.address_columns:
            cat = self.register.columns[column]
            code = int(cat.codes[pos])
            parts.append(str(cat.categories[code]) if code >= 0 else "")
        keys = [ADDRESS_PART_KEYS[self.address_rule](p) for p in parts]
        return ADDRESS_SEPARATOR.join(keys) if any(keys) else f"{NO_ADDRESS_PREFIX}{id_at(self.register.ids, pos)}"

    def address_keys(self) -> list[str]:
        """:meth:`address_key` of every household, vectorised over distinct values (fast on millions)."""
        assert self.address_first is not None
        pos = self.positions[self.address_first]
        columns = []
        for column in self.address_columns:
            cat = self.register.columns[column]
            part_key = ADDRESS_PART_KEYS[self.address_rule]
            normal = np.array([part_key(str(c)) for c in cat.categories] + [""], dtype=object)
            codes = np.asarray(cat.codes)[pos]
            columns.append(normal[np.where(codes >= 0, codes, len(normal) - 1)].tolist())
        keys = [ADDRESS_SEPARATOR.join(parts) for parts in zip(*columns, strict=True)]
        for i in np.flatnonzero(np.array([not any(parts) for parts in zip(*columns, strict=True)],
                                         dtype=bool)).tolist():
            keys[i] = f"{NO_ADDRESS_PREFIX}{id_at(self.register.ids, pos[i])}"
        return keys


def parse_date(text: str) -> dt.date | None:
    """A birth date in ISO (2001-02-03), BRP (20010203) or Dutch (03-02-2001, 3/2/2001) form; None if not."""
    for pattern, (yi, mi, di) in _DATE_FORMATS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(yi)), int(m.group(mi)), int(m.group(di)))
            except ValueError:
                return None
    return None


def _ages(register: Register, column: str, reference: dt.date) -> np.ndarray:
    cat = register.columns[column]
    ages = np.empty(len(cat.categories) + 1, dtype=np.int64)
    ages[-1] = -1  # code -1 (empty) maps to the last slot
    codes = np.asarray(cat.codes)
    used = np.bincount(codes[codes >= 0], minlength=len(cat.categories)) > 0
    for i, text in enumerate(cat.categories):
        if not used[i]:  # a value only blank lines had
            continue
        born = parse_date(str(text))
        if born is None or born > reference:
            row = int(register.row_numbers[np.flatnonzero(cat.codes == i)[0]])
            what = "is not a date" if born is None else f"is after the reference date {reference}"
            raise InputError(f"the birth date '{text}' {what}.", file=register.path, row=row, column=column,
                             hint="Write dates as 2001-02-03, 20010203 or 03-02-2001.")
        ages[i] = reference.year - born.year - ((reference.month, reference.day) < (born.month, born.day))
    if (codes < 0).any():
        row = int(register.row_numbers[np.flatnonzero(codes < 0)[0]])
        raise InputError("the birth date is empty.", file=register.path, row=row, column=column,
                         hint="Fill it in, or remove the person from the extract.")
    return ages[codes]


def _check_ids(register: Register, id_column: str, exclude: set[str] | None = None) -> np.ndarray:
    """Refuse empty and repeated ids, compared by id key (:func:`sortition.identity.id_key`); return which
    ids are on the exclusion list (given as keys). Vectorised over the arrow array (:func:`ids.check_keys`)."""
    empty, pair = check_keys(register.ids)
    if empty is not None:
        at = empty
        text = id_at(register.ids, at)
        raise InputError("the id is empty." if not text else
                         f"the id {text!r} has only spaces or invisible characters.",
                         file=register.path, row=int(register.row_numbers[at]),
                         column=id_column, hint="Every person needs a unique id.")
    excluded = in_set(id_key_array(register.ids), exclude) if exclude else np.zeros(register.rows, dtype=bool)
    if pair is not None:
        a, b = pair
        id_a, id_b = id_at(register.ids, a), id_at(register.ids, b)
        row_a, row_b = int(register.row_numbers[a]), int(register.row_numbers[b])
        what = (f"the id '{id_a}' appears on rows {row_a} and {row_b}." if id_a == id_b else
                f"the ids '{id_a}' (row {row_a}) and '{id_b}' (row {row_b}) are the same person: ids are "
                "compared ignoring case, spaces, full-width forms and invisible characters.")
        raise InputError(what, file=register.path, row=row_b, column=id_column,
                         hint="Each person must appear once; remove the duplicate rows or correct one id.")
    return excluded


def read_exclusions(plan: InvitePlanSpec, id_column: str) -> tuple[list[str], str | None]:
    """The ids of the exclusion list and the list file's SHA-256 (empty without a list)."""
    if plan.exclude is None:
        return [], None
    table = read_table(plan.exclude)
    names = [plan.exclude_column] if plan.exclude_column else [id_column, "id"]
    lookup = {c.casefold(): c for c in table.columns}
    column = next((lookup[n.casefold()] for n in names if n and n.casefold() in lookup), None)
    if column is None and len(table.columns) == 1 and not plan.exclude_column:
        column = table.columns[0]
    if column is None:
        raise InputError(f"the exclusion list has no column '{names[0]}'.", file=table.path, row=1,
                         hint="Name its id column like the register's, or set exclude_column in the plan.")
    return [str(v).strip() for v in table.frame[column] if str(v).strip()], table.sha256


def _stratum_codes(register: Register, plan: InvitePlanSpec, keep: np.ndarray, ages: np.ndarray | None
                   ) -> tuple[np.ndarray, list[list[str]]]:
    """Per stratum column: sorted value lists, and the combined (mixed-radix) code per eligible person."""
    combined = np.zeros(len(keep), dtype=np.int64)
    value_lists: list[list[str]] = []
    for name in plan.strata:
        if name == AGE_BAND:
            labels = age_band_labels(plan.age_bands, plan.min_age)
            bounds = np.array(plan.age_bands, dtype=np.int64)
            offset = 1 if labels and band_lower(labels[0]) < plan.age_bands[0] else 0
            assert ages is not None
            codes = np.searchsorted(bounds, ages[keep], side="right") - 1 + offset
            value_lists.append(labels)
        else:
            column = _find(register.header, plan.columns.get(name, name), f"stratum '{name}'", register.path)
            cat = register.columns[column]
            raw = np.asarray(cat.codes)[keep]
            empty = np.flatnonzero((raw < 0) | (np.asarray(cat.categories == "")[np.maximum(raw, 0)]))
            if len(empty):
                raise InputError(f"the stratum value ('{name}') is empty.", file=register.path,
                                 row=int(register.row_numbers[keep[empty[0]]]), column=column,
                                 hint="Fill it in, or leave this column out of 'strata'.")
            cats = [str(c) for c in cat.categories]
            order = sorted(range(len(cats)), key=lambda i: cats[i])
            rank_of = np.empty(len(cats), dtype=np.int64)
            rank_of[order] = np.arange(len(cats))
            codes = rank_of[raw]
            labels = [cats[i] for i in order]
            value_lists.append(labels)
        combined = combined * max(len(value_lists[-1]), 1) + codes
    return combined, value_lists


def build_frame(register: Register, plan: InvitePlanSpec, exclude_ids: Sequence[str] = (), *,
                address_rule: int = ADDRESS_RULE) -> SamplingFrame:
    """Apply the plan's eligibility rules and strata to the register.

    ``address_rule`` selects the address key (:data:`sortition.identity.ADDRESS_PART_KEYS`): the current one
    for a new plan, the one a committed plan states when it is recomputed.

    Raises:
        InputError: an empty or repeated id, an unparseable birth date, an empty stratum value, residents of
            one address in different strata under one_letter_per_address (each with its row and column).
    """
    id_column = _find(register.header, plan.columns["id"], "id", register.path)
    # Exclusions are matched like duplicates: 'p389437' on the list excludes 'P389437' in the register.
    excluded = _check_ids(register, id_column, set(id_keys(list(exclude_ids))) if exclude_ids else None)
    eligible = ~excluded
    ages = None
    under = 0
    if plan.needs_age:
        column = _find(register.header, plan.columns["birth_date"], "birth_date", register.path)
        ref = plan.reference_date
        assert ref is not None
        ages = _ages(register, column, ref)
        lowest = plan.min_age if plan.min_age is not None else 0
        young = ages < lowest
        under = int((young & eligible).sum())
        eligible &= ~young
    keep = np.flatnonzero(eligible)
    combined, value_lists = _stratum_codes(register, plan, keep, ages)
    if len(combined) and int(combined.max()) < 4 * len(combined) + 1024:  # by counting: codes are small
        stratum, first_of = _dense_unique(combined)
        present = combined[first_of]
    else:
        present, stratum = np.unique(combined, return_inverse=True)
    values = []
    for code in present.tolist():
        parts = []
        for labels in reversed(value_lists):
            code, rem = divmod(code, max(len(labels), 1))
            parts.append(labels[rem])
        values.append(tuple(reversed(parts)))
    stats = {"register_rows": register.rows, "excluded_listed": len(set(id_keys(list(exclude_ids)))),
             "excluded_in_register": int(excluded.sum()), "under_min_age": under, "eligible": len(keep)}
    address = first = None
    addr_cols: tuple[str, ...] = ()
    if plan.households is not HouseholdRule.NONE:
        addr_cols = tuple(_find(register.header, a, "address", register.path) for a in plan.address)
        address, first, no_address = _addresses(register, addr_cols, keep, ADDRESS_PART_KEYS[address_rule])
        stats["households"] = len(first)
        stats["without_address"] = no_address
        if plan.households is HouseholdRule.ONE_LETTER_PER_ADDRESS:
            _check_address_strata(register, keep, address, stratum.astype(np.int64), [stratum_label(v) for v in values])
    return SamplingFrame(register=register, positions=keep, stratum=stratum.astype(np.int32),
                         labels=tuple(stratum_label(v) for v in values), values=tuple(values), address=address,
                         address_first=first, stats=stats, address_columns=addr_cols, address_rule=address_rule)


def _addresses(register: Register, columns: Sequence[str], keep: np.ndarray, part_key: Callable[[str], str]
               ) -> tuple[np.ndarray, np.ndarray, int]:
    """Household index per eligible person (address keys, per distinct value of each column), the first
    resident of each, and how many people had no address (each their own household)."""
    combined = np.zeros(len(keep), dtype=np.int64)
    all_empty = np.ones(len(keep), dtype=bool)
    for column in columns:
        cat = register.columns[column]
        normal = [part_key(str(c)) for c in cat.categories]
        norm_codes, uniques = pd.factorize(pd.Index([*normal, ""], dtype=object))
        raw = np.asarray(cat.codes)[keep]
        codes = norm_codes[np.where(raw >= 0, raw, len(normal))]
        del raw
        all_empty &= codes == list(uniques).index("")
        combined *= len(uniques) + 1
        combined += codes
        del codes
        combined = _first_seen(combined)  # codes by first appearance (pd.factorize's), kept small
    no_address = np.flatnonzero(all_empty)
    del all_empty
    if len(no_address):
        combined[no_address] = combined.max(initial=0) + 1 + np.arange(len(no_address))
    inverse, first = _dense_unique(combined)
    return inverse, first, len(no_address)


def _check_address_strata(register: Register, keep: np.ndarray, address: np.ndarray, stratum: np.ndarray,
                          labels: Sequence[str]) -> None:
    pairs = pd.DataFrame({"a": address, "s": stratum}).drop_duplicates()
    if len(pairs) == address.max(initial=-1) + 1:
        return
    bad = int(pairs["a"][pairs["a"].duplicated()].iloc[0])
    residents = np.flatnonzero(address == bad)
    other = residents[stratum[residents] != stratum[residents[0]]][0]
    rows = f"rows {int(register.row_numbers[keep[residents[0]]])} and {int(register.row_numbers[keep[other]])}"
    raise InputError(f"residents of one address fall in different strata ('{labels[stratum[residents[0]]]}' and "
                     f"'{labels[stratum[other]]}', {rows}).", file=register.path,
                     row=int(register.row_numbers[keep[other]]),
                     hint="With households: one_letter_per_address an address is drawn, so strata must be "
                          "address-level (wijk, buurt); use households: one_person_per_address to stratify "
                          "persons by age.")


# ------------------------------------------------------------------------------------------ private rows

def fetch_rows(register: Register | RegisterFile, row_numbers: Sequence[int]) -> tuple[list[str], dict[int, list[str]]]:
    """The full register rows (every column, as text) for the given spreadsheet row numbers."""
    wanted = set(int(r) for r in row_numbers)
    if register.table is not None:
        assert isinstance(register.table, Table)
        frame = register.table.frame
        return list(register.header), {r: [str(v) for v in frame.loc[[r]].to_numpy()[0]] for r in wanted}
    assert register.encoding is not None and register.delimiter is not None
    lines = _scan_lines(Path(register.path), register.encoding, register.records, wanted)
    if lines is None:  # quoted line breaks: records and lines differ, so walk the records
        found = _walk_records(Path(register.path), register.encoding, register.delimiter, wanted)
    else:
        found = {r: next(csv.reader([line], delimiter=register.delimiter)) for r, line in lines.items()}
    return list(register.header), {r: [v.strip() for v in rec] for r, rec in found.items()}


def _scan_lines(path: Path, encoding: str, records: int, wanted: set[int]) -> dict[int, str] | None:
    """Physical lines by number (vectorised newline scan); None when lines are not records."""
    targets = np.array(sorted(wanted), dtype=np.int64)
    out: dict[int, str] = {}
    base = 1
    carry = b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            buf = carry + chunk
            nl = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 10)
            starts = np.concatenate(([0], nl[:-1] + 1)) if len(nl) else np.zeros(0, dtype=np.int64)
            hit = targets[(targets >= base) & (targets < base + len(nl))]
            for line in hit.tolist():
                k = line - base
                out[line] = buf[starts[k]:nl[k]].rstrip(b"\r").decode(encoding)
            carry = buf[nl[-1] + 1:] if len(nl) else buf
            base += len(nl)
    if carry.strip():
        if base in wanted:
            out[base] = carry.rstrip(b"\r").decode(encoding)
        base += 1
    if base - 1 != records + 1 or len(out) != len(wanted):
        return None
    return out


def _walk_records(path: Path, encoding: str, delimiter: str, wanted: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    with open(path, encoding=encoding, newline="") as fh:
        for number, rec in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
            if number in wanted:
                out[number] = rec
    return out


__all__ = ["Register", "RegisterFile", "SamplingFrame", "build_frame", "fetch_rows", "parse_date", "read_exclusions",
           "read_register"]
