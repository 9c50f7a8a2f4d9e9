"""The synthetic page factory: every benchmark number rests on its truth being exact."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.synth import TruthPage, random_issue_content, seed_issue_content
from pipeline.synth.degrade import degrade, rotate
from pipeline.synth.render import TEMPLATES, find_mentions, render_issue, render_page

ROOT = Path(__file__).resolve().parents[1]
LOW_DPI = 100  # geometry and truth do not depend on resolution; keeps the suite fast


def _gray(img) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(img.convert("L"), dtype=np.float32)


@pytest.fixture(scope="module")
def seed_pages() -> list:
    return render_issue(seed_issue_content(), "tongxin-a3", dpi=LOW_DPI, seed=3)


def test_render_is_deterministic_and_seeded() -> None:
    page = seed_issue_content().pages[0]
    a_img, a_truth = render_page(page, "a4-2col", dpi=LOW_DPI, seed=7)
    b_img, b_truth = render_page(page, "a4-2col", dpi=LOW_DPI, seed=7)
    c_img, _ = render_page(page, "a4-2col", dpi=LOW_DPI, seed=8)
    assert a_img.tobytes() == b_img.tobytes()
    assert a_truth.to_dict() == b_truth.to_dict()
    assert a_img.tobytes() != c_img.tobytes()  # photos and QR codes follow the seed


def test_page_size_follows_paper_and_dpi() -> None:
    img, truth = render_issue(random_issue_content(1), "classic-a4", dpi=300)[0]
    assert img.size == (2480, 3508) == (truth.width, truth.height)
    img, _ = render_issue(seed_issue_content(), "tongxin-a3", dpi=LOW_DPI)[0]
    assert img.size == (1169, 1654)


def test_truth_boxes_lie_inside_the_image_and_contain_ink(seed_pages: list) -> None:
    for img, truth in seed_pages:
        g = _gray(img)
        for blk in truth.blocks:
            assert 0 <= blk.box.x0 < blk.box.x1 <= truth.width and 0 <= blk.box.y0 < blk.box.y1 <= truth.height
            for ln in blk.lines:
                b = ln.box
                assert blk.box.x0 <= b.x0 and b.x1 <= blk.box.x1 and blk.box.y0 <= b.y0 and b.y1 <= blk.box.y1
                crop = g[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)]
                assert crop.min() < 100, f"no ink under {ln.text!r}"


def test_seed_reading_order_text_is_the_corrected_page(seed_pages: list) -> None:
    truth: TruthPage = seed_pages[0][1]
    text = "".join(t.reading_order_text() + "\n" for _, t in seed_pages)
    blocks = [b for _, t in seed_pages for b in t.reading_blocks()]
    body = "".join(b.text for b in blocks if b.kind == "body")
    assert blocks[0].kind == "masthead" and "本期4版 第102期" in blocks[0].text.split("\n")
    assert "第102期" not in body and "5990" not in body and " " not in body
    assert "召开了一场既具品质传承又显创新智慧的联席会议" in body  # no space at the old line break
    assert "金拇指奖" in text and "金招指奖" not in text
    kinds = {b.text: b.kind for b in blocks}
    assert kinds["街道同心家园共建理事会召开联席会议"] == "headline"
    assert kinds["调整扩容 注重品质传承"] == "subheadline"
    assert kinds["中共静安区委副书记黄红讲话"] == "caption"
    assert kinds["（党建办）"] == "byline"
    lists = [b for b in blocks if b.kind == "list"]
    assert any("裕华居民区惠民项目同携手" in b.text.split("\n") for b in lists)
    assert [b.kind for b in truth.blocks if b.order < 0] == ["other", "other"]  # QR furniture
    assert "上海社区发布" not in truth.reading_order_text()
    assert truth.issue_number == 102 and truth.date == "2020-01-08" and truth.next_date == "2020-02-12"


def test_seed_entities_follow_the_convention(seed_pages: list) -> None:
    ents = [e for _, t in seed_pages for e in t.entities]
    people = {(e.text, e.role) for e in ents if e.type == "person"}
    assert people == {
        ("黄红", "中共静安区委副书记"),
        ("孙明丽", "静安区委组织部副部长"),
        ("洪明铭", "静安寺街道党工委书记"),
        ("张峰", "静安寺街道办事处主任"),
        ("孙清", "锦江国际酒店管理有限公司党委副书记"),
        ("朱建华", "中企物业管理有限公司董事长"),
        ("盛芳", "上海隧道公司轨交项管部党总支书记"),
    }
    assert ("place", "上海宾馆") in {(e.type, e.text) for e in ents}
    assert {e.normalized for e in ents if e.type == "date"} >= {"2019-12-20", "2020-02-12", "2017", "2018"}
    assert sum(e.text == "金拇指奖" for e in ents) >= 5  # every mention, lists and captions too
    units = {e.text: e.normalized for e in ents if e.type == "unit"}
    assert units["华山医院"] == "复旦大学附属华山医院" and units["街道党工委"] == "静安寺街道党工委"
    assert "锦江国际集团" not in units  # inside a quoted talk title
    for _, t in seed_pages:
        for e in t.entities:
            assert t.paragraph_text(e.block)[e.start : e.end] == e.text


def test_find_mentions_longest_first_and_skips_quotes() -> None:
    from pipeline.synth.content import Entity

    text = "静安寺街道党工委书记洪明铭代表街道党工委，参观“静安寺街道”展览。"
    ents = [Entity("unit", "静安寺街道党工委", "静安寺街道党工委"), Entity("unit", "街道党工委", "静安寺街道党工委"),
            Entity("unit", "静安寺街道", "静安寺街道")]
    found = [(e.text, a) for e, a, _ in find_mentions(text, ents)]
    assert found == [("静安寺街道党工委", 0), ("街道党工委", 15)]


def test_every_template_prints_all_of_the_seed() -> None:
    content = seed_issue_content()
    wanted = [b.text.replace("\n", "") for p in content.pages for a in p.articles for b in a.blocks]
    for name in TEMPLATES:
        pages = render_issue(content, name, dpi=LOW_DPI)
        printed = "".join(t.reading_order_text() for _, t in pages).replace("\n", "")
        for w in wanted:
            assert w in printed, f"{name} lost {w[:20]}"


def test_random_issues_vary_and_carry_entities() -> None:
    a, b = random_issue_content(5), random_issue_content(5)
    assert [x.text for p in a.pages for r in p.articles for x in r.blocks] == [
        x.text for p in b.pages for r in p.articles for x in r.blocks
    ]
    surnames = set()
    heads = set()
    for seed in range(12):
        issue = random_issue_content(seed)
        for p in issue.pages:
            for art in p.articles:
                heads.add(art.blocks[0].text)
                for blk in art.blocks:
                    for e in blk.entities:
                        assert e.text in blk.text
                        if e.type == "person":
                            surnames.add(e.text[:2])
    from pipeline.synth.content import COMPOUND_SURNAMES

    assert surnames & set(COMPOUND_SURNAMES)
    assert len(heads) > 20
    _, truth = render_issue(random_issue_content(2), "modular-a3", dpi=LOW_DPI)[0]
    assert {e.type for e in truth.entities} >= {"person", "unit", "date"}
    assert len({b.article for b in truth.blocks if b.article >= 0}) >= 3  # several modules


def test_rotation_keeps_each_line_on_its_ink() -> None:
    import cv2

    img, truth = render_page(random_issue_content(3).pages[0], "a4-2col", dpi=LOW_DPI, seed=1)
    rimg, rtruth = rotate(img, truth, 4.0)
    g0, g1 = _gray(img) < 128, _gray(rimg) < 128
    for ln0, ln1 in zip(truth.lines(), rtruth.lines()):
        b = ln0.box
        before = g0[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)].sum()
        mask = np.zeros(g1.shape, np.uint8)
        cv2.fillPoly(mask, [np.round(np.array(ln1.quad)).astype(np.int32)], 1)
        after = (g1 & mask.astype(bool)).sum()
        assert 0.8 * before <= after <= 1.25 * before + 5, ln0.text
        assert ln1.box.x0 <= min(x for x, _ in ln1.quad) + 1
    assert rtruth.skew_deg == 4.0


@pytest.mark.parametrize("profile", ["typical", "hard"])
def test_degraded_boxes_stay_on_the_text(profile: str) -> None:
    img, truth = render_page(random_issue_content(4).pages[0], "classic-a4", dpi=150, seed=2)
    dimg, dtruth = degrade(img, truth, profile, seed=9)
    again, _ = degrade(img, truth, profile, seed=9)
    assert dimg.tobytes() == again.tobytes()
    assert (dimg.width, dimg.height) == (dtruth.width, dtruth.height)
    g = _gray(dimg)
    paper = float(np.median(g))
    assert paper < 250  # yellowed / shadowed, no longer white
    for ln in dtruth.lines():
        b = ln.box
        assert 0 <= b.x0 < b.x1 <= dtruth.width and 0 <= b.y0 < b.y1 <= dtruth.height
        crop = g[int(b.y0) : int(b.y1), int(b.x0) : int(b.x1)]
        # against the paper around the line: the hard profile fades ink and shades the page
        assert crop.min() < np.percentile(crop, 90) - 50, ln.text
    if profile == "hard":
        assert dtruth.dpi == 150 and 2 <= abs(dtruth.skew_deg) <= 5
        assert dimg.width > truth.width  # the dark scanner border was added around the page


def test_truth_json_round_trip(tmp_path: Path, seed_pages: list) -> None:
    truth = seed_pages[0][1]
    truth.save(tmp_path / "t.json")
    back = TruthPage.load(tmp_path / "t.json")
    assert back.to_dict() == truth.to_dict()
    assert back.reading_order_text() == truth.reading_order_text()


def test_cli_render_writes_images_and_truth(tmp_path: Path) -> None:
    from PIL import Image

    from pipeline.synth.__main__ import main

    rc = main(["render", str(tmp_path), "--pages", "2", "--profile", "hard", "--seed", "4", "--dpi", "100",
               "--template", "a4-2col"])
    assert rc == 0
    truths = sorted(tmp_path.glob("*.truth.json"))
    assert len(truths) == 2
    for t in truths:
        d = json.loads(t.read_text(encoding="utf-8"))
        img = Image.open(str(t).replace(".truth.json", ".png"))
        assert img.size == (d["width"], d["height"]) and "hard" in d["degradations"]


def test_committed_sample_scan_matches_its_truth() -> None:
    from PIL import Image

    scans = sorted((ROOT / "scans" / "tongxin-jiayuan-102").glob("page-*"))
    assert scans and sum(p.stat().st_size for p in scans) < 3_000_000
    truth = TruthPage.load(ROOT / "tests" / "resources" / "sample-truth" / "tongxin-jiayuan-102-page-1.truth.json")
    assert Image.open(scans[0]).size == (truth.width, truth.height)
    assert truth.issue_number == 102 and 0.5 <= abs(truth.skew_deg) <= 1.5


def _cer_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@pytest.mark.slow
def test_ocr_reads_a_clean_rendered_seed_page() -> None:
    from pipeline.config import OcrConfig
    from pipeline.model import Box
    from pipeline.ocr import create_engine

    img, truth = render_issue(seed_issue_content(), "tongxin-a3", dpi=300)[0]
    lines = create_engine(OcrConfig()).recognize(np.asarray(img))
    boxes = [Box.from_points(ln.quad) for ln in lines]
    errors = total = 0
    for tl in truth.lines():
        overlaps = [b.x_overlap(tl.box) * b.y_overlap(tl.box) for b in boxes]
        best = int(np.argmax(overlaps)) if overlaps and max(overlaps) > 0 else -1
        got = lines[best].text if best >= 0 else ""
        want = tl.text.replace(" ", "")
        errors += _cer_distance(want, got.replace(" ", ""))
        total += len(want)
    assert errors / total < 0.02, f"CER {errors / total:.3%}"


# --------------------------------------------------------------------------- worn back-issue defects


def _text_card(w: int = 400, h: int = 200):  # type: ignore[no-untyped-def]
    """A small white card with two lines of CJK text (the left half only, so a mirror image
    falls on blank paper), at about 300 dpi glyph size."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 40)
    draw.text((10, 20), "静安寺街", fill=(0, 0, 0), font=font)
    draw.text((10, 110), "同心家园", fill=(0, 0, 0), font=font)
    return img


def test_faded_ink_lightens_ink_by_half_to_full_strength_and_keeps_paper() -> None:
    import random

    from pipeline.synth.degrade import faded_ink

    card = _text_card()
    g0, g1 = _gray(card), _gray(faded_ink(card, random.Random(1), 0.4))
    ink = g0 < 30
    kept = (255 - g1[ink]) / (255 - g0[ink])
    assert kept.min() >= 0.6 - 0.02 and kept.max() <= 0.8 + 0.02  # darkness x (1 - 0.2..0.4)
    assert kept.max() - kept.min() > 0.02  # patchy, not uniform
    assert (g1[g0 > 254] > 254).all()


def test_ink_spread_thickens_and_breaks_open_strokes() -> None:
    import random

    from pipeline.synth.degrade import ink_spread

    card = _text_card()
    n0 = (_gray(card) < 128).sum()
    fat = (_gray(ink_spread(card, random.Random(2), 2, 0.0)) < 128).sum()
    broken = (_gray(ink_spread(card, random.Random(2), 0, 0.3)) < 128).sum()
    assert fat > 1.1 * n0
    assert broken < 0.9 * n0


def test_speckle_adds_small_dark_specks_and_pinholes() -> None:
    import random

    import cv2

    from pipeline.synth.degrade import speckle

    blank = _text_card().point(lambda _: 255)
    out = speckle(blank, random.Random(3), 10.0, 2.0)
    assert speckle(blank, random.Random(3), 10.0, 2.0).tobytes() == out.tobytes()
    dark = (_gray(out) < 128).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(dark)
    assert n - 1 >= 20  # ~10 per 10,000 px on 80,000 px, two thirds dark, some merged
    assert stats[1:, cv2.CC_STAT_AREA].max() < 60  # specks, not blots


def test_stain_is_a_brown_blotch_with_a_ring() -> None:
    import random

    from pipeline.synth.degrade import stain

    blank = _text_card(600, 600).point(lambda _: 255)
    a = np.asarray(stain(blank, random.Random(4), 0.3), dtype=np.float32)
    darker = a.mean(axis=2) < 250
    assert 0.02 < darker.mean() < 0.5
    assert (255 - a[..., 2][darker]).mean() > 1.5 * (255 - a[..., 0][darker]).mean()  # blue absorbed: brown
    assert a.mean(axis=2).min() < 215  # the tide-mark ring is darker than the blotch


def test_show_through_prints_the_mirrored_page_faintly() -> None:
    import random

    from pipeline.synth.degrade import show_through

    card = _text_card()
    g0 = _gray(card)
    g1 = _gray(show_through(card, random.Random(5), 0.3, sigma=0.0))
    added = g0 - g1  # darkening, where only the back prints
    assert added[:, :200].max() < 1  # the left half holds the front text, the mirror is on the right
    back = added[:, 200:]
    assert 0.25 * 255 <= back.max() <= 0.3 * 255 + 1  # alpha x black ink
    assert (back > 20).sum() > 0.3 * (g0[:, :200] < 128).sum()  # the mirrored glyphs, not a tint


def test_halftone_moire_is_a_periodic_screen() -> None:
    import random

    from pipeline.synth.degrade import halftone_moire

    blank = _text_card(256, 256).point(lambda _: 255)
    g = _gray(halftone_moire(blank, random.Random(6), 0.1, 4.0))
    assert 255 - g.min() <= 0.1 * 255 + 1 and g.std() > 2
    spec = np.abs(np.fft.fft2(g - g.mean()))
    peak = np.unravel_index(np.argmax(spec), spec.shape)
    freq = np.hypot(*[min(p, s - p) / s for p, s in zip(peak, spec.shape)])
    assert abs(1 / freq - 4.0 / np.sqrt(2)) < 0.6 or abs(1 / freq - 4.0) < 0.6  # the screen's period


def test_one_bit_scan_has_two_levels() -> None:
    import random

    from pipeline.synth.degrade import faded_ink, one_bit

    card = faded_ink(_text_card(), random.Random(7), 0.3)
    for dither in (False, True):
        g = _gray(one_bit(card, dither=dither))
        assert set(np.unique(g)) <= {0.0, 255.0}
        assert (g[_gray(card) < 60] == 0).mean() > 0.9


def test_hard_family_profiles_are_deterministic_and_keep_truth_on_ink() -> None:
    img, truth = render_page(random_issue_content(4).pages[0], "classic-a4", dpi=150, seed=2)
    for profile in ("harder", "hard-1bit"):
        dimg, dtruth = degrade(img, truth, profile, seed=9)
        assert dimg.tobytes() == degrade(img, truth, profile, seed=9)[0].tobytes()
        g = _gray(dimg)
        crops = [g[int(ln.box.y0) : int(ln.box.y1), int(ln.box.x0) : int(ln.box.x1)] for ln in dtruth.lines()]
        on_ink = [c.min() < np.percentile(c, 90) - 50 for c in crops]
        # every line box on ink; a 1-bit scan may drop a faded line entirely, as real ones do
        assert np.mean(on_ink) >= (0.9 if profile == "hard-1bit" else 1.0), profile
        assert profile in dtruth.degradations
    assert set(np.unique(_gray(degrade(img, truth, "hard-1bit", seed=9)[0]))) <= {0.0, 255.0}
