"""Reports: both languages and formats, no personal data anywhere public, and a real render in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from html import escape as html_escape
from html import unescape as html_unescape
from pathlib import Path

import pytest
from conftest import personal_pattern
from conftest import personal_values as shared_personal_values
from typer.testing import CliRunner

from cli.app import app
from sortition import replace, select, write_report
from sortition.algorithms.base import Algorithm
from sortition.report.output import folder_report, render

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "veiligheid"
PERSONAL_COLUMNS = ("id", "voornaam", "achternaam", "email", "straat", "postcode")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PUBLIC_FILES = ("lottery.json", "draw.json", "ledger.jsonl")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The veiligheid example (names, e-mails, streets) drawn by legacy, with one replacement."""
    out = tmp_path_factory.mktemp("report") / "out"
    result = select(EXAMPLE / "pool.csv", EXAMPLE / "quotas.yaml", "practice seed", out,
                    algorithm=Algorithm.LEGACY, legacy_runs=200)
    replace(result.draw_path, [result.outcome.panel[0]])
    return result.draw_path


def personal_values() -> set[str]:
    return shared_personal_values(EXAMPLE / "pool.csv", PERSONAL_COLUMNS, joined=("straat", "huisnummer"))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_public_file_is_free_of_personal_data(drawn: Path, tmp_path: Path, lang: str) -> None:
    folder = drawn.parent
    paths = [folder / f for f in PUBLIC_FILES]
    for fmt in ("html", "md"):
        paths.append(write_report(drawn, fmt=fmt, lang=lang, output=tmp_path / f"report.{fmt}"))
    paths += [folder / "report.html", folder / "report.md"]
    secrets = personal_values()
    assert len(secrets) > 1000  # names, e-mails, streets, postcodes and ids of 600 people
    # Whole words only: the first name "Lotte" is in the English word "Lottery".
    pattern = personal_pattern(secrets)
    planted = sorted(secrets)[0]
    assert pattern.findall(f"x {planted}, y"), "the scan must find a planted value"
    for path in paths:
        found = pattern.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name} holds personal data: {found[:5]}"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_both_languages_and_formats_render(drawn: Path, lang: str) -> None:
    data = folder_report(drawn)
    md = render(data, "md", lang)
    html = render(data, "html", lang)
    title = "Verslag van de loting" if lang == "nl" else "Draw report"
    for content in (md, html):
        assert title in content
        assert data.commitment in content and "practice seed" in content
        assert "stadsdeel" in content and "Haarlem-Noord" in content
        assert data.replacements[0]["replacement"] in content
        assert ("Vervangingen" if lang == "nl" else "Replacements") in content
    assert f'<html lang="{lang}">' in html
    assert len(data.checks) >= 5 and data.verified


def test_html_is_self_contained(drawn: Path) -> None:
    html = render(folder_report(drawn), "html", "en")
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "url(" not in html and "@import" not in html
    assert html.count("<svg") >= 5  # one bar chart per category and the histogram
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {"http://www.w3.org/2000/svg"}


def test_report_marks_quota_breaks_and_practice(drawn: Path) -> None:
    data = folder_report(drawn)
    assert not data.published_before_seed
    assert "NOT published" in render(data, "md", "en")
    assert [e.step for e in data.timeline] == ["step_prepare", "step_draw", "step_replace"]
    assert data.ledger_status == ("ledger_ok", 3)


def test_report_command(drawn: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = CliRunner().invoke(app, ["report", str(drawn), "--format", "md", "--lang", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Draw report")
    result = CliRunner().invoke(app, ["report", str(drawn), "--format", "pdf"])
    assert result.exit_code == 2 and "html or md" in result.output
    result = CliRunner().invoke(app, ["report", str(drawn), "--lang", "fr", "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "nl, en" in result.output


def test_ledger_tampering_shows_in_report(drawn: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(drawn.parent, folder)
    lines = (folder / "ledger.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[0])
    entry["time"] = "2020-01-01T00:00:00+00:00"
    lines[0] = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    (folder / "ledger.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert folder_report(folder / "draw.json").ledger_status == ("ledger_broken", 2)


# --- a real browser ---------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG with the standard library: width, height, bpp, rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        header = chunk if kind == b"IHDR" else header
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG layout"
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, up_left = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def render_in_chromium(html: Path, tmp_path: Path) -> tuple[bytes, str]:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium not found (install the Debian package 'chromium'; .ci/run does)")
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         f"--screenshot={shot}", "--window-size=1200,2000", html.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert shot.exists(), f"no screenshot (exit {proc.returncode}): {proc.stderr[-2000:]}"
    return shot.read_bytes(), proc.stderr


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_renders_in_chromium_without_errors(drawn: Path, tmp_path: Path, lang: str) -> None:
    page = write_report(drawn, fmt="html", lang=lang, output=tmp_path / f"report-{lang}.html")
    png, log = render_in_chromium(page, tmp_path)
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    width, height, bpp, rows = png_pixels(png)
    assert (width, height) == (1200, 2000)
    colours = {row[i:i + 3] for row in rows[::10] for i in range(0, len(row), bpp * 7)}
    assert len(colours) > 20, f"the screenshot is (nearly) blank: {len(colours)} colours"
    blue_rows = sum(b"\x1f\x5f\xa8" in row for row in rows)  # the panel bars
    assert blue_rows > 20, "no bar chart visible in the first 2000 pixels"


# --- phone, desktop and paper (issue 17, section 3) ---------------------------------------------------------

#: Written into the test copy only (the published page has no script and a CSP that forbids one): the page's
#: width, the viewport's, and every element whose box reaches outside the viewport, reported to the frame's
#: parent page (the probe runs in an iframe: headless Chromium lays a window out at least 500 px wide).
OVERFLOW_PROBE = """<script>
const w = document.documentElement.clientWidth, bad = [];
for (const el of document.querySelectorAll("body *")) {
  const r = el.getBoundingClientRect();
  const cls = typeof el.className === "string" ? el.className : "";
  if (r.width && (r.right > w + 0.5 || r.left < -0.5))
    bad.push(el.tagName + "." + cls + " " + Math.round(r.left) + ".." + Math.round(r.right));
}
const out = parent.document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify({client: w, scroll: document.documentElement.scrollWidth, bad: bad.slice(0, 20)});
parent.document.body.appendChild(out);
</script>"""

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium not found (install the Debian package 'chromium'; .ci/run does)")
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def framed(page: Path, width: int, height: int, *, probe: bool = False) -> Path:
    """A page showing ``page`` in an iframe of ``width`` x ``height`` CSS px (a phone's viewport)."""
    content = page.read_text(encoding="utf-8")
    if probe:
        content = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", content)
        content = content.replace("</body>", OVERFLOW_PROBE + "</body>")
    out = page.with_name(f"framed-{width}-{page.name}")
    out.write_text(f'<!DOCTYPE html><html><body style="margin:0"><iframe style="border:0;display:block;'
                   f'width:{width}px;height:{height}px" srcdoc="{html_escape(content, quote=True)}"></iframe>'
                   "</body></html>", encoding="utf-8")
    return out


def overflow_at(page: Path, tmp_path: Path, width: int) -> dict:
    """Load a copy of ``page`` with the probe in a ``width`` px viewport; return what the probe measured."""
    proc = run_chromium(tmp_path, "--window-size=1300,900", "--virtual-time-budget=3000", "--dump-dom",
                        framed(page, width, 900, probe=True).resolve().as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"the probe did not run (exit {proc.returncode}): {proc.stderr[-1500:]}"
    return json.loads(html_unescape(found.group(1)))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_element_overflows_a_phone_screen(drawn: Path, tmp_path: Path, lang: str) -> None:
    page = write_report(drawn, fmt="html", lang=lang, output=tmp_path / f"report-{lang}.html")
    for width in (400, 1200):
        measured = overflow_at(page, tmp_path, width)
        assert measured["client"] == width, measured
        assert measured["scroll"] <= measured["client"], measured
        assert not measured["bad"], measured


def test_overflow_probe_sees_an_overflow(tmp_path: Path) -> None:
    page = tmp_path / "wide.html"
    page.write_text('<!DOCTYPE html><html><body><p>x</p><div class="wide" style="width:600px">y</div></body></html>',
                    encoding="utf-8")
    measured = overflow_at(page, tmp_path, 400)
    assert measured["client"] == 400 and measured["scroll"] > 400
    assert any(b.startswith("DIV.wide") for b in measured["bad"]), measured


def test_report_prints_on_a4(drawn: Path, tmp_path: Path) -> None:
    page = write_report(drawn, fmt="html", lang="nl", output=tmp_path / "report.html")
    pdf = tmp_path / "report.pdf"
    proc = run_chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.resolve().as_uri())
    assert pdf.exists(), f"no PDF (exit {proc.returncode}): {proc.stderr[-1500:]}"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    sizes = {tuple(round(float(v)) for v in m) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\]", data)}
    assert sizes == {(595, 842)}, sizes  # A4 in points
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert 2 <= pages <= 12, pages
