"""What the renderer prints: issues of articles with hand- or generator-annotated entities.

`seed_issue_content()` is the real page of seed-page.txt with its OCR errors corrected by hand,
so tests and benchmarks start from the text the product is supposed to recover.
`random_issue_content(seed)` builds varied newsletter articles from word lists, so layouts and
entity taggers are measured beyond the one page the team has seen."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Entity:
    """A mention to tag wherever `text` is printed in its block (outside quotes and 《》)."""

    type: str  # person / unit / award / place / date
    text: str
    normalized: str
    role: str = ""


@dataclass
class ContentBlock:
    """One block to print. List and masthead blocks hold one item per line, joined by "\\n".

    For a masthead the lines are: title, publisher line, then the printed fields. A caption
    with `photo > 0` is printed under a photo of that height/width ratio."""

    kind: str
    text: str
    entities: list[Entity] = field(default_factory=list)
    photo: float = 0.0
    level: int = 1  # headlines: 0 = kicker (smaller, above the main headline), 1 = main
    continued: bool = False  # the rest of a block that began on an earlier page (no indent)
    group: int = 1  # lists: items are printed in groups of this many lines kept in one column


@dataclass
class ContentArticle:
    index: int  # issue-wide article index (TruthBlock.article)
    blocks: list[ContentBlock] = field(default_factory=list)


@dataclass
class ContentPage:
    articles: list[ContentArticle] = field(default_factory=list)
    masthead: ContentBlock | None = None
    furniture: list[ContentBlock] = field(default_factory=list)  # kind other: QR texts, running heads


@dataclass
class IssueContent:
    issue_number: int | None
    date: str  # ISO
    next_date: str
    publisher: str
    printed_pages: int | None
    pages: list[ContentPage] = field(default_factory=list)


def _p(name: str, role: str = "") -> Entity:
    return Entity("person", name, name, role)


def _u(text: str, normalized: str = "") -> Entity:
    return Entity("unit", text, normalized or text)


def _a(text: str, normalized: str = "") -> Entity:
    return Entity("award", text, normalized or text.replace("“", "").replace("”", ""))


def _pl(text: str) -> Entity:
    return Entity("place", text, text)


def _d(text: str, normalized: str) -> Entity:
    return Entity("date", text, normalized)


# --------------------------------------------------------------------------- the seed page

_JAS = "静安寺街道"
_COUNCIL = "静安寺街道同心家园共建理事会"
_HUANG = _p("黄红", "中共静安区委副书记")
_SUN = _p("孙明丽", "静安区委组织部副部长")
_HONG = _p("洪明铭", "静安寺街道党工委书记")
_ZHANG = _p("张峰", "静安寺街道办事处主任")


def seed_issue_content() -> IssueContent:
    """Issue 102 of 《同心家园》 (2020-01-08), corrected by hand from seed-page.txt.

    One content page (masthead, meeting report, award list); `render_issue` flows what a
    template cannot hold onto further pages."""
    masthead = ContentBlock(
        "masthead",
        "同心家园\n静安寺街道党工委 联合出版\n2020年1月8日\n本期4版 第102期\n下期出版：2月12日",
        [_u("静安寺街道党工委"), _d("2020年1月8日", "2020-01-08"), _d("2月12日", "2020-02-12")],
    )
    furniture = [
        ContentBlock("other", "扫描二维码 关注“上海社区发布”"),
        ContentBlock("other", "关注“同心家园”"),
    ]
    b = ContentBlock
    report = ContentArticle(
        0,
        [
            b("headline", "区域融合谋发展 同心共治创辉煌", level=0),
            b("headline", "街道同心家园共建理事会召开联席会议", [_u("街道同心家园共建理事会", _COUNCIL)]),
            b(
                "body",
                "2019年12月20日，静安寺街道同心家园共建理事会各成员单位齐聚上海宾馆，召开了一场既具品质传承又显"
                "创新智慧的联席会议。中共静安区委副书记黄红、静安区委组织部副部长孙明丽，静安寺街道同心家园共建理"
                "事会会长、静安寺街道党工委书记洪明铭，静安寺街道同心家园共建理事会副会长、静安寺街道办事处主任张"
                "峰，静安寺街道同心家园共建理事会成员单位负责人及联络员，各居民区党总支书记，“两新”专职党群工作者"
                "及部分党组织负责人代表，相关受表彰单位代表参与了本次会议。",
                [
                    _d("2019年12月20日", "2019-12-20"),
                    _u(_COUNCIL),
                    _pl("上海宾馆"),
                    _u("中共静安区委"),
                    _HUANG,
                    _u("静安区委组织部"),
                    _SUN,
                    _u("静安寺街道党工委"),
                    _HONG,
                    _u("静安寺街道办事处"),
                    _ZHANG,
                ],
            ),
            b(
                "body",
                "丰富的社区资源，一直是静安寺街道基层党建工作锐意进取、乘势而上、率先作为的先天优势之一。十余年来，"
                "静安寺街道上下齐心，通过完善“1+11+5”区域化党建架构、建立社区单位社会责任“双向报告”制度、制定"
                "《社区单位党组织履行社会责任评价标准》、实施“同心惠民项目”等具体举措，将“同心家园”区域化党建工作"
                "的先发优势和区位优势切实转化成了基层社会治理工作优势，使得“五同”理念不断深入人心，在共建共治共享"
                "中取得了各方满意的丰硕成果。本次会议，将是同心共治、继往开来的一个全新的起点。",
                [_u(_JAS)],
            ),
            b("subheadline", "调整扩容 注重品质传承"),
            b(
                "body",
                "会上，审议通过了理事成员单位及有关人员调整名单，根据岗位变动和工作需要及时调整理事会会长、副会长，"
                "高质量扩容“同心家园朋友圈”，经调整增至92家。",
            ),
            b("caption", "中共静安区委副书记黄红讲话", [_u("中共静安区委"), _HUANG], photo=0.68),
            b(
                "body",
                "理事会延续传统对评选出的优秀项目金拇指奖、银拇指奖予以表彰和宣传。现场，表彰了2017-2018年度"
                "“同心惠民”项目金拇指奖、银拇指奖共十项，静安区委组织部副部长孙明丽为获奖项目颁奖，进一步深化优秀"
                "项目示范作用。",
                [
                    _a("金拇指奖"),
                    _a("银拇指奖"),
                    _d("2017", "2017"),
                    _d("2018年度", "2018"),
                    _u("静安区委组织部"),
                    _SUN,
                ],
            ),
            b(
                "body",
                "现场，街道启动了“同心家园”微网站，紧跟信息化时代发展潮流，实现区域优质资源的线上集中展示和及时宣传"
                "对接；线下，会议发布《“同心家园”区域化党建服务资源手册》。",
            ),
            b(
                "body",
                "静安寺街道同心家园共建理事会副会长、静安寺街道办事处主任张峰就该手册做介绍，该手册将辖区58家具有代"
                "表性的特色单位资源精选入册，质朴表达了各社区单位能在传承中筑牢友谊的美好祝愿。",
                [_u(_COUNCIL), _u("静安寺街道办事处"), _ZHANG],
            ),
            b("subheadline", "多方参与 促进深度交流"),
            b(
                "body",
                "会上，锦江国际酒店管理有限公司党委副书记孙清、中企物业管理有限公司董事长朱建华、上海隧道公司轨交项"
                "管部党总支书记盛芳作为成员单位代表，分别就“成立锦江国际集团静安寺区域党建工作功能委员会的探索实践”"
                "“打造红色物业标杆的党建追梦历程”“通过真情互动实现地铁施工站点唯一‘零投诉’奇迹”等共建工作的特色"
                "做法进行了座谈交流。",
                [
                    _u("锦江国际酒店管理有限公司党委"),
                    _p("孙清", "锦江国际酒店管理有限公司党委副书记"),
                    _u("中企物业管理有限公司"),
                    _p("朱建华", "中企物业管理有限公司董事长"),
                    _u("上海隧道公司轨交项管部党总支"),
                    _p("盛芳", "上海隧道公司轨交项管部党总支书记"),
                ],
            ),
            b(
                "body",
                "会议现场，推选接棒成为新一任的理事会会长的静安寺街道同心家园共建理事会会长、静安寺街道党工委书记洪"
                "明铭代表街道党工委，对各成员单位一直以来参与街道党建共建、民生服务、文明共建与品牌共创等工作的积极"
                "行动和出色成效，表示衷心感谢。他围绕以“同心家园”为品牌的静安寺街道新时代城市基层大党建格局，作了详"
                "细、生动的现场说明，并呼吁与会单位，通过进一步拓展共治、建好平台、延伸领域，交出一份面向建党百年的"
                "优秀答卷。",
                [
                    _u(_COUNCIL),
                    _u("静安寺街道党工委"),
                    _HONG,
                    _u("街道党工委", "静安寺街道党工委"),
                    _u(_JAS),
                ],
            ),
            b("subheadline", "共建共享 深化区域融合"),
            b(
                "body",
                "会议最后，中共静安区委副书记黄红在会上发表了讲话。她说，今天的会议，体现了静安寺街道党建引领发展，"
                "自治共治基础扎实。“同心家园”的“家人”们都享有很高的知名度，这个“大家庭”也十分和谐幸福。随后，对静"
                "安寺街道的党建工作以及新形势下如何加强城市基层党建提出了几点目标和希望：",
                [_u("中共静安区委"), _HUANG, _u(_JAS)],
            ),
            b("body", "一是要强化引领，共商共治。在各项工作中都能发挥引领作用，把“同心圆”画得更大。"),
            b("body", "二是要整合资源，共建共享。发挥好五个专业委员会的作用，提升资源能级，让每个参与者有更强的幸福感和获得感。"),
            b(
                "body",
                "三是要进一步广泛动员，建设共同家园。在现有工作基础上不断向下延伸，打破工作边界，建设人人有责、人人尽"
                "责、人人享有的社会治理共同体。",
            ),
            b(
                "body",
                "唯有创新，方能跨越，城市基层党建的活力在于因时而变、敢于突破。展望2020，静安寺街道党工委在区委高度关"
                "注和辖区各社区单位鼎力支持下，将不忘初心，牢记使命，与各社区单位同心同德，携手奋进，继续为党建引领下"
                "的社区治理共同体打造贡献智慧与力量、继续让静安寺街道的各项工作能走在前列、成为标杆。",
                [_d("2020", "2020"), _u("静安寺街道党工委"), _u(_JAS)],
            ),
            b("byline", "（党建办）", [_u("党建办", "静安寺街道党建办")]),
        ],
    )
    gold = [
        ("“智能一张网”", "静安寺街道同心智慧家园建设", [_u(_JAS)]),
        ("最美外企公益品牌", "欧莱雅“党员公益日”", [_u("欧莱雅")]),
        ("首善之楼扬首创精神", "商务楼宇党委引领服务站建设", [_u("商务楼宇党委")]),
        ("文化自信育人心", "“社区文化共同体”建设", []),
        ("真情“零距离”", "“零投诉”成绩背后的共治探索", []),
    ]
    silver = [
        ("同心家园·逐梦前行", "静安寺街道喜迎“党的十九大”创意墙画活动", [_u(_JAS)]),
        ("创文明街区：建共同家园", "文明交通志愿服务队", [_u("文明交通志愿服务队")]),
        ("“同心讲坛·惠健康”", "华山医院专题健康讲座进社区", [_u("华山医院", "复旦大学附属华山医院")]),
        ("一口健康水折射的网格温暖", "裕华居民区惠民项目同携手", [_u("裕华居民区")]),
        ("美在健康：跃动和谐", "美丽园居民区社区运动会", [_u("美丽园居民区")]),
    ]

    def award_list(items: list[tuple[str, str, list[Entity]]]) -> ContentBlock:
        lines = [x for title, unit, _ in items for x in (title, unit)]
        ents = [e for *_, es in items for e in es]
        return ContentBlock("list", "\n".join(lines), list(dict.fromkeys(ents)), group=2)

    awards = ContentArticle(
        1,
        [
            b(
                "headline",
                "2017至2018年度静安寺街道同心惠民项目金拇指奖、银拇指奖获奖名单",
                [_d("2017", "2017"), _d("2018年度", "2018"), _u(_JAS), _a("金拇指奖"), _a("银拇指奖")],
            ),
            b("caption", "金拇指奖获奖项目负责人上台领奖", [_a("金拇指奖")], photo=0.62),
            b("caption", "银拇指奖获奖项目负责人上台领奖", [_a("银拇指奖")], photo=0.62),
            b("subheadline", "金拇指奖", [_a("金拇指奖")]),
            award_list(gold),
            b("subheadline", "银拇指奖", [_a("银拇指奖")]),
            award_list(silver),
        ],
    )
    return IssueContent(
        issue_number=102,
        date="2020-01-08",
        next_date="2020-02-12",
        publisher="静安寺街道党工委",
        printed_pages=4,
        pages=[ContentPage([report, awards], masthead, furniture)],
    )


# --------------------------------------------------------------------------- random issues

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚")
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "令狐", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "司徒", "夏侯"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚文华红玉兰志晓东海燕建国英慧琳彬斌鑫睿婷雯蕾萍瑛琦")
DISTRICTS = ["静安区", "长宁区", "徐汇区", "黄浦区", "普陀区", "虹口区"]
STREETS = ["静安寺街道", "江宁路街道", "南京西路街道", "石门二路街道", "曹家渡街道", "天目西路街道", "彭浦新村街道"]
ESTATES = ["裕华", "美丽园", "景华", "华山", "三义坊", "常德", "延中", "新福康里", "达安", "愚谷邨", "联华"]
COMPANY_CORES = ["锦绣", "同华", "恒信", "申江", "嘉和", "万邦", "瑞安", "汇金", "康桥", "浦源"]
COMPANY_KINDS = ["物业管理有限公司", "置业有限公司", "科技有限公司", "文化传播有限公司", "酒店管理有限公司"]
HOSPITAL_CORES = ["华东", "静安区中心", "市第一人民", "岳阳中西医结合", "静安区中医"]
SCHOOLS = ["静安区第一中心小学", "市西中学", "育才初级中学", "华东模范中学"]
ROADS = ["常德路", "愚园路", "延安中路", "华山路", "南京西路", "镇宁路", "北京西路", "万航渡路", "胶州路", "武定路"]
PLACE_KINDS = ["小区", "花园", "广场", "大厦", "宾馆", "公园"]
PLACE_CORES = ["静安", "嘉里", "久光", "恒隆", "梅龙镇", "中信泰富", "静安雕塑", "晶品", "兴业", "金鹰"]
AWARDS = ["金拇指奖", "银拇指奖", "最美楼组长", "先进集体", "优秀共产党员", "优秀志愿者", "文明楼组", "五好家庭", "“十佳”同心惠民项目"]
TOPICS = ["垃圾分类", "健康讲座", "敬老助餐", "楼组自治", "消防演练", "文明交通", "邻里节", "读书分享", "旧区改造", "防汛防台"]
FILLERS = [
    "活动现场气氛热烈，居民们纷纷表示收获很大。",
    "下一步，将继续完善工作机制，推动各项举措落地见效。",
    "大家围绕社区治理中的难点问题展开了深入交流，提出了许多切实可行的建议。",
    "此次活动进一步拉近了邻里之间的距离，增强了居民的归属感和获得感。",
    "与会人员一致认为，要把服务送到群众家门口，让居民看得见、摸得着。",
    "据了解，该项目自启动以来已累计服务居民三千余人次。",
    "志愿者们耐心细致地为老人讲解相关知识，赢得了大家的一致好评。",
    "会上还对下一阶段的重点工作进行了部署，明确了时间表和责任人。",
    "现场还设置了互动问答环节，居民们积极参与，踊跃提问。",
    "通过共建共治共享，社区面貌焕然一新，居民幸福指数不断提升。",
]


class _Gen:
    """Word-list sampler that remembers the entities it produced, so annotation is exact."""

    def __init__(self, rng: random.Random, year: int):
        self.rng = rng
        self.year = year
        self.used_names: set[str] = set()

    def name(self) -> str:
        r = self.rng
        for _ in range(50):
            sur = r.choice(COMPOUND_SURNAMES) if r.random() < 0.15 else r.choice(SURNAMES)
            given = "".join(r.choice(GIVEN) for _ in range(1 if r.random() < 0.4 else 2))
            n = sur + given
            if n not in self.used_names:
                self.used_names.add(n)
                return n
        return n

    def unit(self) -> tuple[str, str]:
        """A unit name and a title that goes with it."""
        r = self.rng
        kind = r.randrange(6)
        if kind == 0:
            return r.choice(STREETS) + r.choice(ESTATES) + "居民区党总支", r.choice(["书记", "副书记"])
        if kind == 1:
            return r.choice(ESTATES) + "居民区", r.choice(["居委会主任", "党总支书记", "社工"])
        if kind == 2:
            return "上海" + r.choice(COMPANY_CORES) + r.choice(COMPANY_KINDS), r.choice(["董事长", "总经理", "党支部书记"])
        if kind == 3:
            return r.choice(HOSPITAL_CORES) + "医院", r.choice(["院长", "副院长", "主任医师"])
        if kind == 4:
            return r.choice(STREETS) + "社区卫生服务中心", r.choice(["主任", "家庭医生"])
        return r.choice(DISTRICTS[:1]) + r.choice(["委组织部", "民政局", "卫生健康委员会"]), r.choice(["副部长", "局长", "副主任"])

    def place(self) -> str:
        r = self.rng
        if r.random() < 0.4:
            return r.choice(ROADS)
        return r.choice(PLACE_CORES) + r.choice(PLACE_KINDS)

    def date(self) -> tuple[str, str]:
        m, d = self.rng.randint(1, 12), self.rng.randint(1, 28)
        if self.rng.random() < 0.5:
            return f"{self.year}年{m}月{d}日", f"{self.year}-{m:02d}-{d:02d}"
        return f"{m}月{d}日", f"{self.year}-{m:02d}-{d:02d}"


def _sentence_meeting(g: _Gen) -> tuple[str, list[Entity]]:
    dt, dn = g.date()
    unit = g.rng.choice(STREETS)
    place = g.place()
    topic = g.rng.choice(TOPICS)
    return (
        f"{dt}，{unit}在{place}召开{topic}工作推进会。",
        [_d(dt, dn), _u(unit), _pl(place)],
    )


def _sentence_speaker(g: _Gen) -> tuple[str, list[Entity]]:
    unit, title = g.unit()
    name = g.name()
    verb = g.rng.choice(["出席会议并讲话", "介绍了相关情况", "作了交流发言", "为居民答疑解惑"])
    return f"{unit}{title}{name}{verb}。", [_u(unit), _p(name, unit + title)]


def _sentence_award(g: _Gen) -> tuple[str, list[Entity]]:
    unit, _ = g.unit()
    award = g.rng.choice(AWARDS)
    name = g.name()
    if award.startswith("“"):
        return f"{unit}获评{award}，负责人{name}上台领奖。", [_u(unit), _a(award), _p(name, "负责人")]
    return f"{unit}荣获“{award}”称号，志愿者{name}作为代表上台领奖。", [_u(unit), _a(award), _p(name, "志愿者")]


def _sentence_activity(g: _Gen) -> tuple[str, list[Entity]]:
    unit, _ = g.unit()
    place = g.place()
    topic = g.rng.choice(TOPICS)
    return f"近日，{unit}组织志愿者在{place}开展{topic}主题活动。", [_u(unit), _pl(place)]


_SENTENCES = [_sentence_meeting, _sentence_speaker, _sentence_award, _sentence_activity]


def _paragraph(g: _Gen, n: int) -> ContentBlock:
    text = ""
    ents: list[Entity] = []
    for _ in range(n):
        if g.rng.random() < 0.35:
            text += g.rng.choice(FILLERS)
        else:
            s, e = g.rng.choice(_SENTENCES)(g)
            text += s
            ents += e
    return ContentBlock("body", text, list(dict.fromkeys(ents)))


def _article(g: _Gen, index: int) -> ContentArticle:
    r = g.rng
    unit = r.choice(STREETS)
    topic = r.choice(TOPICS)
    blocks = [
        ContentBlock(
            "headline",
            r.choice([f"{unit}举办{topic}活动", f"{unit}推进{topic}工作", f"{topic}进社区 {unit}在行动"]),
            [_u(unit)],
        )
    ]
    n_par = r.randint(3, 6)
    for i in range(n_par):
        if i == 2 and r.random() < 0.5:
            blocks.append(ContentBlock("subheadline", r.choice(["凝聚合力 共建家园", "服务群众 温暖人心", "精准施策 久久为功"])))
        if i == 1 and r.random() < 0.5:
            name = g.name()
            blocks.append(ContentBlock("caption", f"志愿者{name}为居民服务", [_p(name, "志愿者")], photo=r.choice([0.6, 0.75])))
        blocks.append(_paragraph(g, r.randint(3, 6)))
    if r.random() < 0.3:
        unit2, _ = g.unit()
        blocks.append(ContentBlock("list", "\n".join(f"{k}．{x}" for k, x in enumerate([unit2] + [g.place() for _ in range(2)], 1)), [_u(unit2)]))
    if r.random() < 0.5:
        name = g.name()
        blocks.append(ContentBlock("byline", f"（通讯员 {name}）", [_p(name, "通讯员")]))
    else:
        blocks.append(ContentBlock("byline", "（党建办）", [_u("党建办", "静安寺街道党建办")]))
    for blk in blocks:  # a list item that came out as a place must carry its place entity
        if blk.kind == "list":
            for item in blk.text.split("\n")[1:]:
                blk.entities.append(_pl(item.split("．", 1)[1]))
    return ContentArticle(index, blocks)


def random_issue_content(seed: int, pages: int = 1, articles_per_page: int = 4) -> IssueContent:
    """A plausible issue with its entity annotations; the same seed gives the same issue."""
    rng = random.Random(seed)
    year = rng.randint(2008, 2023)
    month = rng.randint(1, 11)
    day = rng.randint(1, 28)
    g = _Gen(rng, year)
    number = rng.randint(1, 300)
    publisher = rng.choice(STREETS) + "党工委"
    date_text = f"{year}年{month}月{day}日"
    next_month = month + 1
    next_day = rng.randint(1, 28)
    masthead = ContentBlock(
        "masthead",
        f"同心家园\n{publisher} 联合出版\n{date_text}\n本期{pages}版 第{number}期\n下期出版：{next_month}月{next_day}日",
        [
            _u(publisher),
            _d(date_text, f"{year}-{month:02d}-{day:02d}"),
            _d(f"{next_month}月{next_day}日", f"{year}-{next_month:02d}-{next_day:02d}"),
        ],
    )
    out_pages = []
    idx = 0
    for p in range(pages):
        arts = []
        for _ in range(articles_per_page):
            arts.append(_article(g, idx))
            idx += 1
        furniture = (
            [ContentBlock("other", "扫描二维码 关注“同心家园”")]
            if p == 0
            else [ContentBlock("other", f"{date_text} 同心家园 第{p + 1}版")]
        )
        out_pages.append(ContentPage(arts, masthead if p == 0 else None, furniture))
    return IssueContent(
        issue_number=number,
        date=f"{year}-{month:02d}-{day:02d}",
        next_date=f"{year}-{next_month:02d}-{next_day:02d}",
        publisher=publisher,
        printed_pages=pages,
        pages=out_pages,
    )
