"""The private lists officials open in Excel: as the input came (separator, UTF-8 with BOM) and as .xlsx."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from quotas.errors import InfeasibleError
from sortition import invite, replace, select
from sortition.algorithms.base import Algorithm
from sortition.commands.folder import bring_up_to_record
from sortition.files import UTF8_BOM, csv_bytes, xlsx_bytes, xlsx_fingerprint
from sortition.rules.public import public_pool
from sortition.rules.reserve import choose_replacement

ROOT = Path(__file__).resolve().parents[1]
SCHALKWIJK = ROOT / "examples" / "schalkwijk-trees"  # a ;-separated Windows-1252 pool, as Dutch Excel saves


def semicolon_cp1252_pool(folder: Path) -> Path:
    """The Schalkwijk pool with a name that needs more than ASCII (Çelik), saved as Dutch Excel does."""
    text = (SCHALKWIJK / "pool.csv").read_bytes().decode("cp1252")
    assert ";" in text.splitlines()[0]
    lines = text.splitlines()
    cells = lines[1].split(";")
    cells[2] = "Çelik"
    lines[1] = ";".join(cells)
    path = folder / "pool.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lists")
    # A fixed salt (else random per folder): the same pseudonyms, so the same panel and reserves every run.
    (folder / "out" / "private").mkdir(parents=True)
    (folder / "out" / "private" / "salt").write_text("5a" * 32 + "\n", encoding="ascii")
    result = select(semicolon_cp1252_pool(folder), SCHALKWIJK / "quotas.yaml", "seed", folder / "out",
                    algorithm=Algorithm.LEGACY, legacy_runs=50)
    return result.draw_path


def test_csv_bytes_with_delimiter_and_bom() -> None:
    data = csv_bytes(["id", "naam"], [["007", "Çelik"]], delimiter=";", bom=True)
    assert data.startswith(UTF8_BOM)
    assert data[len(UTF8_BOM):].decode("utf-8") == "id;naam\n007;Çelik\n"


def test_lists_come_back_as_the_pool_came(drawn: Path) -> None:
    private = drawn.parent / "private"
    everyone = set()
    for name in ("panel.csv", "reserves.csv"):
        data = (private / name).read_bytes()
        assert data.startswith(UTF8_BOM), name  # Excel reads UTF-8 only after a BOM
        text = data[len(UTF8_BOM):].decode("utf-8")
        rows = list(csv.reader(text.splitlines(), delimiter=";"))
        assert len(rows[0]) > 5 and all(len(r) == len(rows[0]) for r in rows), name
        everyone |= {c for r in rows for c in r}
        assert oct((private / name).stat().st_mode & 0o777) == "0o600"
    assert "Çelik" in everyone and "Ã‡elik" not in everyone


def test_lists_as_xlsx_header_frozen_ids_text(drawn: Path) -> None:
    private = drawn.parent / "private"
    for name in ("panel", "reserves"):
        path = private / f"{name}.xlsx"
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        sheet = openpyxl.load_workbook(path).active
        rows = [["" if c.value is None else c.value for c in r] for r in sheet.iter_rows()]
        with open(private / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            assert rows == list(csv.reader(fh, delimiter=";"))  # (no formula-like cell in this pool)
        assert sheet.freeze_panes == "A2"
        assert sheet.cell(1, 1).font.bold
        # ids and ranks stay text (empty cells stay empty)
        assert all(c.data_type == "s" for r in sheet.iter_rows() for c in r if c.value is not None)


def test_xlsx_keeps_leading_zeros_and_never_stores_a_formula() -> None:
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(["id", "naam"], [["007", "=1+1"]]))).active
    assert sheet["A2"].value == "007" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix


def _replaceable_member(folder: Path, record: dict[str, object]) -> str:
    """A panel member (the last possible) whom the committed rule can replace without breaking a quota."""
    pub = public_pool(json.loads((folder / "lottery.json").read_text(encoding="utf-8")))
    panel, reserves = list(record["panel"]), list(record["reserves"])  # type: ignore[call-overload]
    for member in reversed(panel):
        try:
            choose_replacement(pub, panel, reserves, frozenset(), member)
        except InfeasibleError:
            continue
        return str(member)
    raise AssertionError("nobody on the drawn panel can be replaced: pick another seed or salt")


def test_replace_marks_who_replaced_whom_and_keeps_ranks(drawn: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(drawn.parent, folder)
    record = json.loads((folder / "draw.json").read_text(encoding="utf-8"))
    dropout = _replaceable_member(folder, record)
    result = replace(folder / "draw.json", dropout)
    new = result.replacements[0].replacement
    with open(folder / "private" / "panel.csv", encoding="utf-8-sig", newline="") as fh:
        panel = list(csv.DictReader(fh, delimiter=";"))
    assert [(r["sortition_pseudonym"], r["replaces"]) for r in panel if r["replaces"]] == [(new, dropout)]
    # ... and the drop-out's id in the pool, the name officials know them by.
    with open(folder / "private" / "pool.csv", encoding="utf-8", newline="") as fh:
        ident = next(row["id"] for row in csv.DictReader(fh) if row["sortition_pseudonym"] == dropout)
    assert [r["replaces_id"] for r in panel if r["replaces"]] == [ident]
    assert list(panel[0])[:4] == ["rank", "replaces", "replaces_id", "sortition_pseudonym"]
    assert [r["rank"] for r in panel] == [str(n) for n in range(1, len(panel) + 1)]
    with open(folder / "private" / "reserves.csv", encoding="utf-8-sig", newline="") as fh:
        ranks = [int(r["rank"]) for r in csv.DictReader(fh, delimiter=";")]
    expected = [n for n in range(1, len(record["reserves"]) + 1) if n != result.replacements[0].reserve_rank]
    assert ranks == expected
    # replace lists every file it updated.
    names = {p.name for p in result.files}
    assert names >= {"draw.json", "report.html", "report.md", "ledger.jsonl", "panel.csv", "panel.xlsx",
                     "reserves.csv", "reserves.xlsx"}
    assert all(p.exists() for p in result.files)


def test_invitation_lists_as_the_register_came(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    text = (SCHALKWIJK / "register.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    semicolon = [";".join(next(csv.reader([line], delimiter=sep))) for line in lines]
    (src / "register.csv").write_bytes(("\r\n".join(semicolon) + "\r\n").encode("cp1252"))
    plan = (SCHALKWIJK / "plan.yaml").read_text(encoding="utf-8")
    (src / "plan.yaml").write_text(plan, encoding="utf-8")
    prep = invite.prepare_invitations(src / "register.csv", src / "plan.yaml", tmp_path / "letters")
    result = invite.draw_invitations(prep.plan_path, src / "register.csv", "seed")
    data = result.invitations_csv.read_bytes()
    assert data.startswith(UTF8_BOM) and data[len(UTF8_BOM):].split(b"\n", 1)[0].count(b";") >= 4
    book = result.invitations_csv.with_suffix(".xlsx")
    assert book.exists() and oct(book.stat().st_mode & 0o777) == "0o600"
    assert openpyxl.load_workbook(book).active.freeze_panes == "A2"


def test_xlsx_bytes_are_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same rows, same bytes (no save time inside): a re-run writes nothing and crash tests count writes exactly."""
    import datetime as dt

    first = xlsx_bytes(["id"], [["007"]])
    later = dt.datetime.now() + dt.timedelta(days=400)

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:
            return later

        @classmethod
        def utcnow(cls) -> dt.datetime:
            return later

    monkeypatch.setattr(dt, "datetime", Later)
    assert xlsx_bytes(["id"], [["007"]]) == first


def test_lists_up_to_date_are_not_built_again(drawn: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bring_up_to_record (every draw, replace and report into a folder) leaves .xlsx lists that already hold
    the record's rows as they are: same file, mode 0600, no workbook built. A list changed since is rebuilt."""
    folder = tmp_path / "copy"
    shutil.copytree(drawn.parent, folder)
    books = [folder / "private" / "panel.xlsx", folder / "private" / "reserves.xlsx"]
    before = [(p.read_bytes(), p.stat().st_ino) for p in books]

    def no_build(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the workbook was built again for unchanged rows")

    with monkeypatch.context() as patch:
        patch.setattr("sortition.files.xlsx_bytes", no_build)
        assert bring_up_to_record(folder) == ()
    assert [(p.read_bytes(), p.stat().st_ino) for p in books] == before
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in books)
    # Opened and saved in a spreadsheet (another zip, no fingerprint): rebuilt as sortition writes it.
    workbook = openpyxl.load_workbook(books[0])
    workbook.active["A1"] = "edited"
    workbook.save(books[0])
    # The same fingerprint on other cells (a hand-made zip): the entries' checksums give it away.
    data = bytearray(books[1].read_bytes())
    at = data.index(b"PK\x01\x02")  # compressed data changed before the central directory
    data[at - 40] ^= 0xFF
    books[1].write_bytes(bytes(data))
    assert bring_up_to_record(folder) == ()  # the .csv lists were current: nothing to report
    assert [p.read_bytes() for p in books] == [b for b, _ in before]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in books)


def test_xlsx_fingerprint_follows_the_rows() -> None:
    """The zip comment is what write_xlsx compares: it changes with any cell, the header and the sheet."""
    base = xlsx_fingerprint(["id"], [["007"]], sheet="panel")
    assert zipfile.ZipFile(io.BytesIO(xlsx_bytes(["id"], [["007"]], sheet="panel"))).comment == base
    others = [xlsx_fingerprint(["id"], [["7"]], sheet="panel"), xlsx_fingerprint(["ID"], [["007"]], sheet="panel"),
              xlsx_fingerprint(["id"], [["007"]], sheet="reserves"),
              xlsx_fingerprint(["id"], [["007"], []], sheet="panel"),
              xlsx_fingerprint(["id"], [["0", "07"]], sheet="panel")]
    assert len({base, *others}) == 6
