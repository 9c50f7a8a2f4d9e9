"""Review HTML: rendered in headless Chromium (Debian package `chromium`), checked for the
elements an archivist relies on and for JavaScript errors."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lhtml

from pipeline.export import write_dataset
from pipeline.export.review import correction_spans, write_review
from pipeline.export.tables import page_review_reasons
from pipeline.model import Correction
from test_export import MANIFEST, build_issues

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium)")


def render(url: str, tmp: Path) -> tuple[str, list[str]]:
    """DOM after the page's scripts ran, and the console messages Chromium logged."""
    r = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp / 'profile'}",
         "--enable-logging=stderr", "--v=0", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    console = [ln for ln in r.stderr.splitlines() if ":CONSOLE" in ln]
    return r.stdout, console


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from PIL import Image

    root = tmp_path_factory.mktemp("review")
    scans = root / "scans"
    (scans / "tongxin-102").mkdir(parents=True)
    Image.new("L", (2480, 3508), 235).save(scans / "tongxin-102" / "page1.png")
    issues = build_issues()
    issues[0].notes = []  # page 1 then needs no look; only the failed page 2 does
    write_dataset(issues, root / "output", MANIFEST, scans_dir=scans)
    return root / "output" / "review"


def test_flagged_pages_and_reasons() -> None:
    issue = build_issues()[0]
    p2, p1 = issue.pages
    assert page_review_reasons(issue, p2) == ["error: cannot decode image: truncated PNG file"]
    assert page_review_reasons(issue, p1)[0].startswith("note: tongxin-102_p001")
    issue.notes = []
    assert page_review_reasons(issue, p1) == []
    assert page_review_reasons(issue, p1, low_confidence=0.9)[0].startswith("low mean confidence 0.81")


def test_correction_spans_follow_later_changes() -> None:
    cs = [Correction("c1", "l", 0, 1, "O", "0", "digits", 1.0),          # "Ol2" -> "0l2"
          Correction("c2", "l", 1, 2, "l", "11", "digits", 1.0)]         # -> "0112"
    assert correction_spans(cs) == [(0, 1), (1, 3)]
    cs = [Correction("c1", "l", 3, 4, "x", "yy", "r", 1.0), Correction("c2", "l", 0, 1, "a", "", "r", 1.0)]
    assert correction_spans(cs) == [(2, 4), (0, 0)]


def test_scan_copied_as_small_jpeg(site: Path) -> None:
    from PIL import Image

    img = site / "img" / "tongxin-102_p001.jpg"
    with Image.open(img) as im:
        assert im.format == "JPEG" and max(im.size) <= 1600
    assert not (site / "img" / "2020-02_tongxin-103_p001.jpg").exists()  # its scan is not at hand


def test_static_structure(site: Path) -> None:
    doc = lhtml.parse(str(site / "tongxin-102.html"))
    sections = [s.get("id") for s in doc.iter("section")]
    assert sections == ["tongxin-102_p002", "tongxin-102_p001"]  # the page that needs a look first
    flagged = doc.xpath('//*[@id="needs-review"]//li/@data-page')
    assert flagged == ["tongxin-102_p002"]
    assert doc.xpath('//section[@id="tongxin-102_p002"]//p[@class="error-msg"]')
    assert doc.xpath('//*[local-name()="image"]/@href') == ["img/tongxin-102_p001.jpg"]
    assert not doc.xpath('//*[contains(text(), "半页残文")]')  # nothing of the failed page's content
    assert "https://" not in (site / "tongxin-102.html").read_text(encoding="utf-8").split("<svg", 1)[0]


@needs_chromium
def test_renders_in_chromium_without_js_errors(site: Path, tmp_path: Path) -> None:
    url = (site / "tongxin-102.html").as_uri() + "#line=tongxin-102_p001_b003_l002"
    dom, console = render(url, tmp_path)
    assert console == [], console
    doc = lhtml.fromstring(dom)
    ready = doc.get_element_by_id("review-ready")
    assert ready.get("data-lines") == "14"  # the script ran to its end over every line of page 1
    rects = doc.xpath('//section[@id="tongxin-102_p001"]//*[local-name()="rect"]')
    assert len(rects) == 14
    by_line = {r.get("data-line"): r for r in rects}
    assert by_line["tongxin-102_p001_b003_l002"].get("class") == "lo sel"  # 0.62: red, and selected
    assert by_line["tongxin-102_p001_b002_l001"].get("class") == "hi"
    # the detail panel was filled by the click handler (selected through the URL hash)
    assert doc.get_element_by_id("d-raw").text_content() == "招指奖项目。"
    assert doc.get_element_by_id("d-text").text_content() == "拇指奖项目。"
    assert "招 → 拇 (lexicon:金拇指奖, 0.80)" in doc.get_element_by_id("d-corr").text_content()
    assert doc.get_element_by_id("d-body").get("hidden") is None
    # corrections and entities are highlighted in the text
    assert [s.text_content() for s in doc.xpath('//section//span[contains(@class, "corr")]')] == ["102", "拇"]
    assert "黄红" in [s.text_content() for s in doc.xpath('//section//span[contains(@class, "ent-person")]')]
    award = "".join(s.text_content() for s in doc.xpath('//section//span[contains(@class, "ent-award")]'))
    assert award == "金拇指奖"  # across the line break, the corrected character included


@needs_chromium
def test_console_errors_are_caught(tmp_path: Path) -> None:
    """The check above would notice a broken script: a page with an error logs it."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>notDefined();</script></body></html>", encoding="utf-8")
    _, console = render(bad.as_uri(), tmp_path)
    assert any("Uncaught ReferenceError" in c for c in console)


def test_markup_in_text_is_escaped(tmp_path: Path) -> None:
    issue = build_issues()[1]
    ln = issue.pages[0].blocks[0].lines[0]
    ln.text = ln.text_raw = "</script><script>alert(1)</script>"
    path, _ = write_review(issue, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text
    assert len(re.findall(r"<script", text)) == 2  # only the page's own data and code
