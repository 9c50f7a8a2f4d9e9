"""OCR post-correction: every rule on text from the real seed page (静安寺街道《同心家园》 102),
the audit-trail invariant, masthead parsing and the raw-only switch."""

from __future__ import annotations

import pytest

from pipeline import correct
from pipeline.config import CorrectConfig
from pipeline.correct import correct_issue, corrections_by_line, parse_masthead
from pipeline.model import Block, BlockKind, Box, Issue, Line, Page, replay_corrections
from pipeline.resources import load_wordlist, wordlist_names
from pipeline.series import CorpusLexicon, learn_lexicon

CFG = CorrectConfig()

# Paragraphs of seed-page.txt as OCR read them, split where the transcript shows a line break.
SEED_BODY = [
    "2019年12月20日,静安寺街道",
    "同心家园共建理事会各成员单位齐聚",
    "上海宾馆, 召开了一场既具品质传承",
    "又显创新智慧的联席会议。中共静安",
    "区委副书记黄红、静安区委组织部副",
    "部长孙明丽,静安寺街道同心家园共",
    "建理事会会长、静安寺街道党工委书",
    "记洪明铭, 静安寺街道同心家园共建",
    "理事会副会长、静安寺街道办事处主",
    "任张峰,静安寺街道同心家园共建理",
]
SEED_CLEAN = [  # correct text (already right as read): no look-alike may fire on it
    "会上，审议通过了理事成员单位及有关人员调整名单、根据岗位变动和工作需要及时调整理事会会长、副会长。",
    "会议最后，中共静安区委副书记黄红在会上发表了讲话。她说，今天的会议，体现了静安寺街道党建引领发展。",
    "随后，对静安寺街道的党建工作以及新形势下如何加强城市基层党建提出了几点目标和希望：",
    "二是要整合资源，共建共享。发挥好五个专业委员会的作用，提升资源能级，让每个参与者有更强的幸福感和获得感。",
    "唯有创新，方能跨越，城市基层党建的活力在于因时而变、敢于突破。展望2020，静安寺街道党工委在区委高度关注。",
    "锦江国际酒店管理有限公司党委副书记孙清、中企物业管理有限公司董事长朱建华作为成员单位代表分别发言。",
    "紧跟信息化时代发展潮流，实现区域优质资源的线上集中展示和及时宣传对接；线下，会议发布服务资源手册。",
]
MASTHEAD = ["2020年1月8日", "本期 🞖 版 第 1()2 期", "下期出版:2月12日", "静安寺街道党工委 联合出版"]


def make_block(block_id: str, kind: BlockKind, texts: list[str], confs: list[list[float]] | None = None,
               y0: float = 0.0, order: int = 0) -> Block:  # fmt: skip
    lines = []
    for k, t in enumerate(texts):
        box = Box(100, y0 + 40 * k, 100 + 30 * max(1, len(t)), y0 + 40 * k + 32)
        cc = confs[k] if confs else []
        lines.append(Line(f"{block_id}_l{k + 1:03d}", box, t, t, 0.9, char_confidences=cc, block_id=block_id))
    box = Box.enclosing([ln.box for ln in lines])
    return Block(block_id, kind, box, lines, order=order if kind != BlockKind.OTHER else -1)


def make_issue(*blocks: Block, height: int = 3508) -> Issue:
    page = Page("t_p001", "t", 1, "t.png", width=2480, height=height, blocks=list(blocks))
    n = 0
    for b in page.reading_order_blocks():
        for ln in b.lines:
            ln.order, n = n, n + 1
    return Issue("t", "t", pages=[page])


def assert_audit_trail(issue: Issue) -> None:
    by_line = corrections_by_line(issue)
    for page in issue.pages:
        for ln in page.lines:
            assert replay_corrections(ln.text_raw, by_line.get(ln.line_id, [])) == ln.text, ln.line_id
    for c in issue.corrections:
        assert c.correction_id.startswith(c.line_id + "_c") and len(c.correction_id) == len(c.line_id) + 4


def run(*blocks: Block, cfg: CorrectConfig = CFG, lexicon: CorpusLexicon | None = None) -> Issue:
    issue = correct_issue(make_issue(*blocks), cfg, lexicon)
    assert_audit_trail(issue)
    return issue


def rules(issue: Issue) -> list[str]:
    return [c.rule for c in issue.corrections]


# --------------------------------------------------------------------------- the seed's defects


def test_lookalike_across_line_break_becomes_award_name():
    b = make_block("t_p001_b001", BlockKind.BODY, ['表彰了 2017-2018 年度 "同心惠民" 项目金', "招指奖,银拇指奖共十项"])
    issue = run(b)
    assert "金拇指奖" in b.text and "金招指奖" not in b.text
    fix = [c for c in issue.corrections if c.rule == "lookalike"]
    assert len(fix) == 1
    c = fix[0]
    assert (c.line_id, c.start, c.end, c.before, c.after) == ("t_p001_b001_l002", 0, 1, "招", "拇")
    # the line's first record is the comma (punctuation runs before look-alikes)
    assert c.correction_id == "t_p001_b001_l002_c02" and c.confidence >= 0.9
    assert b.lines[1].text_raw == "招指奖,银拇指奖共十项"  # the engine's text is kept


def test_masthead_of_the_seed():
    issue = run(make_block("t_p001_b001", BlockKind.MASTHEAD, MASTHEAD))
    assert issue.issue_number == 102 and issue.issue_number_source == "masthead"
    assert issue.issue_number_raw == "第 1()2 期"
    assert issue.date == "2020-01-08" and issue.date_raw == "2020年1月8日"
    assert issue.next_date == "2020-02-12"
    assert issue.publisher == "静安寺街道党工委"
    assert issue.printed_pages is None  # "本期 🞖 版": never guessed
    assert any("🞖" in n for n in issue.notes)
    text = issue.pages[0].blocks[0].text
    assert "第 102 期" in text and "下期出版：2月12日" in text
    assert "区域" not in issue.publisher


def test_masthead_fallback_top_lines_of_page_one():
    head = make_block("t_p001_b001", BlockKind.HEADLINE, ["2020年1月8日 第102期"], y0=50)
    body = make_block("t_p001_b002", BlockKind.BODY, ["本次会议第三期项目"], y0=2000, order=1)
    issue = run(head, body)
    assert issue.issue_number == 102 and issue.date == "2020-01-08"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2020年12月9日\n下期出版:1月13日", ("2020-12-09", "2021-01-13")),  # rolls into the next year
        ("二〇二〇年一月八日 第一〇二期 本期四版", ("2020-01-08", "")),
    ],
)
def test_parse_masthead_dates(text: str, expected: tuple[str, str]):
    f = parse_masthead(text)
    assert (f.date, f.next_date) == expected


def test_parse_masthead_chinese_numerals_and_total_number():
    f = parse_masthead("2021年第3期 总第115期 本期四版")
    assert f.issue_number == 115 and f.printed_pages == 4 and f.issue_number_raw == "总第115期"
    g = parse_masthead("第 1O2 期")  # uncorrected: not a number, kept raw, reported
    assert g.issue_number is None and g.issue_number_raw == "第 1O2 期" and g.problems


def test_raw_only_export_keeps_engine_text():
    blocks = [
        make_block("t_p001_b001", BlockKind.MASTHEAD, MASTHEAD),
        make_block("t_p001_b002", BlockKind.BODY, ["表彰了 2017-2018 年度项目金", "招指奖,银拇指奖共十项·"], order=1),
    ]
    issue = run(*blocks, cfg=CorrectConfig(enabled=False))
    assert issue.corrections == []
    assert all(ln.text == ln.text_raw for ln in issue.pages[0].lines)
    assert issue.issue_number is None and issue.issue_number_raw == "第 1()2 期"
    assert issue.date == "2020-01-08"


# --------------------------------------------------------------------------- spaces


def test_cjk_space_removed_in_body_kept_in_headings():
    body = make_block("t_p001_b001", BlockKind.BODY, SEED_BODY)
    head = make_block("t_p001_b002", BlockKind.HEADLINE, ["区域融合谋发展 同心共治创辉煌"], order=1)
    cap = make_block("t_p001_b003", BlockKind.CAPTION, ["金拇指奖 获奖项目负责人 上台领奖"], order=2)
    issue = run(body, head, cap)
    assert "上海宾馆，召开了" in body.text and "洪明铭，静安寺" in body.text
    assert " " not in body.text
    assert head.text == "区域融合谋发展 同心共治创辉煌"
    assert cap.text == "金拇指奖 获奖项目负责人 上台领奖"
    assert rules(issue).count("cjk-space") == 2


def test_letter_spaced_heading_joined_but_masthead_untouched():
    lst = make_block("t_p001_b001", BlockKind.LIST, ["金 拇 指 奖", '"智能一张网"'])
    mast = make_block("t_p001_b002", BlockKind.MASTHEAD, ["静 安 寺 街 道"], order=1)
    issue = run(lst, mast)
    assert lst.text.splitlines()[0] == "金拇指奖"
    assert mast.text == "静 安 寺 街 道"
    assert "letter-spacing" in rules(issue)


# --------------------------------------------------------------------------- digits


@pytest.mark.parametrize(
    "raw, fixed",
    [
        ("本刊第 1()2 期出版", "本刊第 102 期出版"),
        ("2O19年l2月20日召开", "2019年12月20日召开"),
        ("经调整增至9Z家单位", "经调整增至92家单位"),
        ("联系电话：6247l234", "联系电话：62471234"),
        ("下期出版：2月12曰", "下期出版：2月12日"),
        ("共1SO8户居民", "共1508户居民"),
    ],
)
def test_digit_lookalikes_in_numeric_context(raw: str, fixed: str):
    b = make_block("t_p001_b001", BlockKind.BODY, [raw])
    issue = run(b)
    assert b.text == fixed
    assert set(rules(issue)) == {"digit-context"}


@pytest.mark.parametrize("raw", ["通过ISO9001认证", "B2B平台上线", "第(1)项", "共3O人", "COVID-19防控", "SOS求助"])
def test_digit_lookalikes_refused_outside_numbers(raw: str):
    b = make_block("t_p001_b001", BlockKind.BODY, [raw])
    issue = run(b)
    assert "digit-context" not in rules(issue) or raw == "共3O人"
    if raw == "共3O人":  # O between a digit and a counter: a number
        assert b.text == "共30人"
    else:
        assert b.text.replace("（", "(").replace("）", ")") == raw


# --------------------------------------------------------------------------- punctuation


def test_punctuation_full_width_in_chinese_but_not_in_numbers():
    b = make_block("t_p001_b001", BlockKind.BODY, ["会上,审议通过了名单;增至1,000人,时间10:30,比例3.5%.(党建办)"])
    run(b)
    assert b.text == "会上，审议通过了名单；增至1,000人，时间10:30，比例3.5%.（党建办）"


def test_quotes_paired_and_odd_quotes_left_alone():
    b = make_block("t_p001_b001", BlockKind.BODY, ['分别就"成立功能委员会的探索实践""打造红色物业标杆"等做法'])
    odd = make_block("t_p001_b002", BlockKind.BODY, ['他说:"同心家园是我们共同的家'], order=1)
    issue = run(b, odd)
    assert b.text == "分别就“成立功能委员会的探索实践”“打造红色物业标杆”等做法"
    assert '"' in odd.text and "quote-pair" not in [c.rule for c in issue.corrections if c.line_id.startswith(odd.block_id)]


def test_middle_dot_read_for_full_stop_decided_by_context():
    body = make_block("t_p001_b001", BlockKind.BODY, ["相关受表彰单位代表参与了本次会议·随后", "对各项工作提出了几点目标和希望·"])
    lst = make_block("t_p001_b002", BlockKind.LIST, ["同心家园·逐梦前行"], order=1)
    quoted = make_block("t_p001_b003", BlockKind.BODY, ["举办了“同心讲坛·惠健康”系列讲座活动"], order=2)
    run(body, lst, quoted)
    assert body.text == "相关受表彰单位代表参与了本次会议。随后对各项工作提出了几点目标和希望。"
    assert lst.text == "同心家园·逐梦前行"
    assert quoted.text == "举办了“同心讲坛·惠健康”系列讲座活动"


def test_dust_read_as_punctuation_removed_real_marks_kept():
    """Round 3: a dot after a stop and a dot or colon opening a body line (where the engine was
    unsure) are specks; names, times, list numbers and a sure mark stay."""
    lead = "·三是要进一步广泛动员"
    lead_conf = [0.64] + [0.99] * (len(lead) - 1)
    body = make_block("t_p001_b001", BlockKind.BODY, ["近日，·静安区委组织部来到街道上台领奖。..", lead],
                      [[0.99] * 22, lead_conf])  # fmt: skip
    sure = make_block("t_p001_b002", BlockKind.BODY, ["：静安区卫生健康委"], [[0.99] * 9], order=1)
    real = make_block("t_p001_b003", BlockKind.BODY, ["约翰·史密斯于8:30到场，介绍了情况"], order=2)
    lst = make_block("t_p001_b004", BlockKind.LIST, ["1.南京西路", "·静安公园"], order=3)
    issue = run(body, sure, real, lst)
    assert body.text == "近日，静安区委组织部来到街道上台领奖。三是要进一步广泛动员"
    assert rules(issue).count("dust-punct") == 3
    assert sure.text == "：静安区卫生健康委"  # the engine was sure of the colon
    assert real.text == "约翰·史密斯于8:30到场，介绍了情况"
    assert lst.text == "1.南京西路\n·静安公园"
    off = make_block("t_p001_b001", BlockKind.BODY, ["近日，·静安区委组织部来到街道"])
    assert "dust-punct" not in rules(run(off, cfg=CorrectConfig(dust=False)))


# --------------------------------------------------------------------------- look-alike characters


def test_lookalike_from_dictionary_uses_engine_confidence():
    text = "相关受表影单位代表参与了本次会议。"
    unsure = [0.99] * len(text)
    unsure[4] = 0.6
    b = make_block("t_p001_b001", BlockKind.BODY, [text], [unsure])
    issue = run(b)
    assert "表彰单位" in b.text and issue.corrections[0].rule == "lookalike"
    sure = make_block("t_p001_b001", BlockKind.BODY, [text], [[0.999] * len(text)])
    issue = run(sure)  # the engine was sure and only jieba disagrees: not enough
    assert sure.text == text and issue.corrections == []


def test_lexicon_name_with_a_glyph_lookalike_the_tables_lack():
    """Round 3: 旨/目 is in no confusion table; 天目西路 is a shipped place and the glyphs look
    alike, so 天旨西路 is corrected where the engine was unsure. 东/西 do not look alike: 北京东路
    (a real road, not shipped) stays; a sure engine is not overruled."""
    text = "近日，天旨西路街道在北京东路召开推进会"
    unsure = [0.99] * len(text)
    unsure[4] = 0.7
    b = make_block("t_p001_b001", BlockKind.BODY, [text], [unsure])
    issue = run(b)
    assert b.text == "近日，天目西路街道在北京东路召开推进会"
    assert [(c.before, c.after, c.rule) for c in issue.corrections] == [("旨", "目", "glyph-lexicon")]
    sure = make_block("t_p001_b001", BlockKind.BODY, [text], [[0.99] * len(text)])
    assert run(sure).corrections == []
    off = make_block("t_p001_b001", BlockKind.BODY, [text], [unsure])
    assert run(off, cfg=CorrectConfig(glyph_lexicon=False)).corrections == []
    assert correct.glyph_similarity("日", "目") > 0.9 > 0.6 > correct.glyph_similarity("东", "西")
    # 3-character names too (愚谷邨), and the longest name decides: 静安離 also fits 静安寺
    three = make_block("t_p001_b001", BlockKind.BODY, ["愚谷邮居民区志愿者在静安離塑公园开展活动"],
                       [[0.99, 0.99, 0.6] + [0.99] * 9 + [0.6] + [0.99] * 7])  # fmt: skip
    run(three)
    assert three.text == "愚谷邨居民区志愿者在静安雕塑公园开展活动"


def test_lookalike_never_fires_on_correct_text():
    blocks = [make_block(f"t_p001_b{k + 1:03d}", BlockKind.BODY, [t], order=k) for k, t in enumerate(SEED_CLEAN)]
    issue = run(*blocks)
    assert issue.corrections == []
    assert [b.text for b in blocks] == SEED_CLEAN


def test_batch_lexicon_corrects_the_garbled_twin_of_a_frequent_name():
    def body(k: int, name: str) -> Block:
        return make_block(f"t_p001_b{k:03d}", BlockKind.BODY, [f"静安寺街道办事处主任{name}出席会议并讲话。"], order=k)

    batch = [make_issue(*(body(k, "张峰") for k in range(1, 41)))]
    garbled = body(1, "张锋")
    lexicon = learn_lexicon(batch + [make_issue(garbled)])
    assert lexicon.count("张峰") == 40
    issue = run(garbled, lexicon=lexicon)
    assert "张峰" in garbled.text and issue.corrections[0].rule == "lookalike"
    alone = body(1, "张锋")
    assert run(alone).corrections == []  # without the batch's evidence nothing says 锋 is wrong


# --------------------------------------------------------------------------- junk and furniture


def test_junk_glued_to_last_line_is_split_off_and_kept():
    body = make_block("t_p001_b001", BlockKind.BODY, ["共建共享。"])
    phone = make_block("t_p001_b002", BlockKind.BODY, ["欢迎来电咨询，联系电话62471234"], order=1)
    last = make_block("t_p001_b003", BlockKind.LIST, ["美丽园居民区社区运动会5990"], order=2)
    issue = run(body, phone, last)
    assert last.text == "美丽园居民区社区运动会"
    assert phone.text.endswith("62471234")
    junk = [b for b in issue.pages[0].blocks if b.kind == BlockKind.OTHER]
    assert [b.text for b in junk] == ["5990"] and junk[0].order == -1
    assert junk[0].lines[0].text_raw == "5990" and junk[0].block_id.startswith("t_p001_b")
    assert [c.rule for c in issue.corrections if c.line_id == last.lines[0].line_id] == ["junk-split"]


def test_symbol_only_block_and_page_number_become_furniture():
    body = make_block("t_p001_b001", BlockKind.BODY, ["共建共享。"], y0=1000)
    rule = make_block("t_p001_b002", BlockKind.BODY, ["------"], y0=1500, order=1)
    folio = make_block("t_p001_b003", BlockKind.BODY, ["- 2 -"], y0=3400, order=2)
    issue = run(body, rule, folio)
    assert rule.kind == BlockKind.OTHER and folio.kind == BlockKind.OTHER
    assert rule.order == folio.order == -1 and body.order == 0
    assert rule.text == "------"  # kept, not deleted
    assert any("page number" in s.description for s in issue.pages[0].steps)


# --------------------------------------------------------------------------- the stage as a whole


def test_whole_seed_issue_audit_trail_and_idempotence():
    blocks = [
        make_block("t_p001_b001", BlockKind.MASTHEAD, MASTHEAD),
        make_block("t_p001_b002", BlockKind.BODY, SEED_BODY, order=1),
        make_block("t_p001_b003", BlockKind.BODY, ['表彰了 2017-2018 年度 "同心惠民" 项目金', "招指奖,银拇指奖共十项"], order=2),
    ]
    issue = run(*blocks)
    n = len(issue.corrections)
    assert n > 10
    again = correct_issue(issue, CFG)
    assert len(again.corrections) == n  # a resumed run never doubles records
    copy = Issue.from_dict(issue.to_dict())
    assert_audit_trail(copy)
    assert copy.pages[0].blocks[2].text == blocks[2].text
    assert correct.summary(issue)["lookalike"] == 1


def test_rules_can_be_switched_off_one_by_one():
    b = make_block("t_p001_b001", BlockKind.BODY, ["表彰了年度项目金", "招指奖,共 十项"])
    issue = run(b, cfg=CorrectConfig(lookalikes=False, punctuation=False))
    assert set(rules(issue)) == {"cjk-space"}


def test_shared_wordlists_load():
    assert {"awards", "units", "titles", "places", "confusables"} <= set(wordlist_names())
    awards = load_wordlist("awards")
    assert "金拇指奖" in awards and not any(a.startswith("#") for a in awards)
    assert "静安寺街道党工委" in load_wordlist("units")
    assert "招" in correct.confusion_table()["拇"]
    with pytest.raises(FileNotFoundError):
        load_wordlist("no-such-list")


# --------------------------------------------------------------------------- round 2 (2026-11-25): rare words, engine table


def test_rare_jieba_word_yields_to_a_much_more_probable_candidate():
    text = "社区卫生服务中心王任张明出席了活动。"  # 心王 is a jieba word, but of frequency 3
    confs = [0.99] * len(text)
    confs[text.index("王")] = 0.7
    b = make_block("t_p001_b001", BlockKind.BODY, [text], [confs])
    issue = run(b, cfg=CorrectConfig(punctuation=False))
    assert "中心主任" in b.text and [c.rule for c in issue.corrections] == ["lookalike"]
    old = make_block("t_p001_b001", BlockKind.BODY, [text], [confs])
    assert run(old, cfg=CorrectConfig(punctuation=False, dict_rare_freq=0)).corrections == []  # freq == 0 rule
    sure = make_block("t_p001_b001", BlockKind.BODY, [text], [[0.999] * len(text)])
    assert run(sure, cfg=CorrectConfig(punctuation=False)).corrections == []  # a sure engine still wins


def _seed_body() -> list[str]:
    from pipeline.synth.content import seed_issue_content

    page = seed_issue_content().pages[0]
    return [b.text.replace("\n", "") for a in page.articles for b in a.blocks if b.kind == "body"]


def inject_and_correct(
    engine: bool, rate: float, seeds: int = 3, table: bool | None = None, glyph: bool = False
) -> tuple[int, int, list[str], list[str]]:
    """Seed page body with `rate` of the characters that have look-alikes swapped for one (the
    hand table's groups, or what the engine was seen to read for a printed character), engine
    confidences drawn as a recogniser gives them (0.8-1.0 where read right, 0.4-0.9 where not);
    `table` (default: `engine`) says whether correction uses the learned and glyph tables (False:
    the hand table only); `glyph` swaps for the nearest glyph neighbour instead. Returns
    (injected, fixed, wrong: a right character changed, neutral: a garbled one changed into
    another wrong one), as correct_bench counts them."""
    import random

    learned = engine or glyph if table is None else table
    cfg = CorrectConfig(digits=False, punctuation=False, spaces=False, junk=False, masthead=False,
                        engine_confusions=learned, glyph_confusions=learned)  # fmt: skip
    swaps: dict[str, list[str]] = {}
    if glyph:
        for char, near in correct.glyph_neighbours(1):
            swaps.setdefault(char, []).append(near)
    elif engine:
        for char, read_as, _ in correct.engine_confusions(CorrectConfig().engine_min_count):
            swaps.setdefault(char, []).append(read_as)
    else:
        swaps = {k: list(v) for k, v in correct.confusion_table().items()}
    clean = _seed_body()
    injected = fixed = 0
    wrong: list[str] = []
    neutral: list[str] = []
    for seed in range(seeds):
        rng = random.Random(seed)
        blocks = []
        for k, para in enumerate(clean):
            chars = [rng.choice(swaps[c]) if c in swaps and rng.random() < rate else c for c in para]
            confs = [rng.uniform(0.8, 1.0) if x == c else rng.uniform(0.4, 0.9) for x, c in zip(chars, para)]
            cut = range(0, len(chars), 16)
            blocks.append(make_block(f"t_p001_b{k + 1:03d}", BlockKind.BODY, ["".join(chars[a : a + 16]) for a in cut],
                                     [confs[a : a + 16] for a in cut], order=k))  # fmt: skip
        garbled = [b.text for b in blocks]
        run(*blocks, cfg=cfg)
        for good, bad, b in zip(clean, garbled, blocks):
            assert len(b.text) == len(good)
            for j, (g, x, y) in enumerate(zip(good, bad, b.text)):
                injected += x != g
                fixed += x != g and y == g
                if y != x and y != g:
                    (wrong if x == g else neutral).append(f"{x}->{y} (truth {g}) in {good[max(0, j - 5) : j + 6]}")
    return injected, fixed, wrong, neutral


def test_injected_lookalikes_fixed_without_a_wrong_correction():
    """Hand-table swaps at 8%, three seeds, corrected with the shipped (merged) table: most
    fixed, no character changed into anything but the original."""
    injected, fixed, wrong, neutral = inject_and_correct(engine=False, rate=0.08, table=True)
    assert wrong == [] and neutral == []
    assert injected > 80 and fixed >= 0.7 * injected


def test_injected_engine_confusions_fixed_without_a_wrong_correction():
    """The engine's learned substitutions injected (20% of the characters it confuses, so
    neighbours are often garbled together): the merged table fixes over half with a precision
    above the issue's 0.98 (its two misses, 他围绕 -> 他国绕 and 牢记 -> 牢纪 beside a garbled
    neighbour, came from hand pairs; round 4's chain check leaves both alone now), few garbled
    characters become another wrong one (交 read 文 -> 支: 支出 is a word too); the hand table
    alone fixes far fewer."""
    injected, fixed, wrong, neutral = inject_and_correct(engine=True, rate=0.2)
    assert wrong == []  # 他围统 -> 他国绕 and 消意 -> 满息 before the chain check
    assert fixed / (fixed + len(wrong)) >= 0.98
    assert len(neutral) <= 0.05 * fixed
    assert injected > 60 and fixed >= 0.5 * injected
    _, hand_only, _, _ = inject_and_correct(engine=True, rate=0.2, table=False)
    assert hand_only < 0.6 * fixed


def test_engine_confusions_merge_directionally_into_the_table():
    rows = correct.engine_confusions(2)
    assert rows and all(n >= 2 and len(c) == len(r) == 1 for c, r, n in rows)
    hand = correct.confusion_table()
    merged = correct.confusion_table(engine=True)
    new = [(c, r) for c, r, _ in rows if c not in hand.get(r, ())]
    assert new, "the learned table should add pairs the hand table lacks"
    for char, read_as in new:
        assert char in merged[read_as]  # what the engine read -> what was printed
    assert all(set(v) <= set(merged[k]) for k, v in hand.items())  # hand alternatives kept
    assert len(correct.engine_confusions(10**6)) == 0  # min_count filters
    both = correct.confusion_table(engine=True, symmetric=True)
    assert all(read_as in both[char] for char, read_as in new)  # the reverse too
    assert any(read_as not in merged.get(char, ()) for char, read_as in new)


def test_learned_pair_needs_the_strict_gain_from_jieba_alone():
    """同 -> 间 is a learned pair (the hand table has none): in the quoted term “五同” jieba
    prefers 五间, but not by the ln 1000 a learned-only pair needs."""
    text = "为实现目标，使得“五同”理念不断深入人心。"
    assert "间" in correct.confusion_table(True, 2, True).get("同", ())
    assert "间" not in correct.confusion_table().get("同", ())
    strict = make_block("t_p001_b001", BlockKind.BODY, [text], [[0.9] * len(text)])
    assert run(strict, cfg=CorrectConfig(punctuation=False)).corrections == []
    loose = make_block("t_p001_b001", BlockKind.BODY, [text], [[0.9] * len(text)])
    run(loose, cfg=CorrectConfig(punctuation=False, engine_strict=False))
    assert "五间" in loose.text  # what the strict bar prevents


def test_alignment_counts_only_one_to_one_han_substitutions():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "learn_confusions.py"
    spec = importlib.util.spec_from_file_location("learn_confusions", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.substitutions("开展问答活动", "开展间答活动") == [("问", "间")]
    assert mod.substitutions("开展问答活动", "开展答活动") == []  # a deletion is no look-alike
    assert mod.substitutions("第102期", "第1O2期") == []  # not Han


def test_glyph_neighbours_load_and_merge_both_ways():
    """The rendered-glyph table (benchmarks/glyph_neighbours.py) holds look-alikes the hand and
    learned tables lack (指/措), nearest first, and merges both ways."""
    pairs = correct.glyph_neighbours(1)
    assert len(pairs) > 2000 and all(len(a) == len(b) == 1 and a != b for a, b in pairs)
    assert len(correct.glyph_neighbours(3)) > len(pairs)
    assert ("问", "间") in pairs  # nearest neighbour of 问 by shape
    learned = correct.confusion_table(True, 2, True)
    merged = correct.confusion_table(True, 2, True, 1)
    assert "措" not in learned.get("指", ()) and "措" in merged["指"] and "指" in merged["措"]
    assert all(set(v) <= set(merged[k]) for k, v in learned.items())


def test_glyph_pair_fixes_on_jieba_only_where_the_engine_had_doubt():
    """有力指施 -> 有力措施 through the glyph pair 指/措 (in no other table), under the strict
    gain of learned pairs; without an engine confidence jieba alone may not apply it."""
    text = "街道采取有力指施，确保活动顺利开展。"
    on = make_block("t_p001_b001", BlockKind.BODY, [text], [[0.9] * len(text)])
    run(on, cfg=CorrectConfig(punctuation=False))
    assert "有力措施" in on.text
    off = make_block("t_p001_b001", BlockKind.BODY, [text], [[0.9] * len(text)])
    run(off, cfg=CorrectConfig(punctuation=False, glyph_confusions=False))
    assert off.text == text
    blind = make_block("t_p001_b001", BlockKind.BODY, [text])
    run(blind, cfg=CorrectConfig(punctuation=False))
    assert blind.text == text


def test_injected_glyph_neighbours_fixed_without_a_wrong_correction():
    """Each character's nearest glyph neighbour swapped in at 10% (three seeds): the shipped
    tables fix most with no wrong change; the hand table alone fixes under half as many."""
    injected, fixed, wrong, neutral = inject_and_correct(engine=False, rate=0.1, glyph=True)
    assert wrong == [] and len(neutral) <= 2
    assert injected > 200 and fixed >= 0.6 * injected
    _, hand_only, _, _ = inject_and_correct(engine=False, rate=0.1, glyph=True, table=False)
    assert hand_only < 0.5 * fixed


def test_lookalikes_that_rest_on_each_other_are_settled_together():
    """Two garbled neighbours (满意 read 消意) each find a word through the other as read (满意,
    消息); applied together they give 满息. A chain is left when no option stands out, and the
    stronger evidence wins when one has it (牢记使命 from the shipped words over jieba's 年纪)."""
    cases = {"在活动中取得了备方消意的丰硕成果。": "各方消意", "他围统以“同心”为主题。": "他围统以",
             "不忘初心，年记使命，与各方共同努力。": "牢记使命"}  # fmt: skip
    for text, want in cases.items():
        b = make_block("t_p001_b001", BlockKind.BODY, [text], [[0.9] * len(text)])
        run(b, cfg=CorrectConfig(punctuation=False))
        assert want in b.text, b.text
        assert "满息" not in b.text and "他国绕" not in b.text and "牢纪" not in b.text


def test_evidence_search_is_pruned_without_changing_its_answer():
    """_evidence grows windows only while they prefix a known word; every position of the seed
    page gives the same evidence as trying all windows (with a batch lexicon too)."""

    def exhaustive(text: str, i: int, lexicon: CorpusLexicon | None) -> correct._Evidence:
        ev = correct._Evidence()
        cur, freq = correct.curated_lexicon(), correct._jieba_freq()
        for length in range(2, 11):
            for a in range(max(0, i - length + 1), min(i, len(text) - length) + 1):
                w = text[a : a + length]
                if not correct._is_han(w[0]) or not correct._is_han(w[-1]) or " " in w:
                    continue
                if w in cur and length > ev.curated:
                    ev.curated, ev.curated_word = length, w
                if (freq.get(w) or 0) > ev.freq:
                    ev.freq, ev.freq_word = freq[w], w
                c = lexicon.count(w) if lexicon else 0
                if c > ev.corpus or (c == ev.corpus and c and length > len(ev.corpus_word)):
                    ev.corpus, ev.corpus_word = c, w
        return ev

    paras = _seed_body()[:6]
    lexicon = CorpusLexicon()
    for p in paras:
        lexicon.counts.update(p[k : k + 3] for k in range(0, len(p) - 2, 2))
    checked = 0
    for p in paras:
        for i in range(len(p)):
            for lex in (None, lexicon):
                assert correct._evidence(p, i, lex) == exhaustive(p, i, lex), (p[max(0, i - 5) : i + 5], lex)
                checked += 1
    assert checked > 500
