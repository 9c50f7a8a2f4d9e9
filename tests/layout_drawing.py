"""Build synthetic pages from ASCII drawings, so layout is testable with no OCR at all.

Each run of one letter on a row is one engine line; a glyph is one character cell. Letters
listed in `big` stand for headline type: the same run on consecutive rows is one tall line.
Letters in `small` are set in small type (captions); `heights` sets a letter's type size
(line height in body heights) on one row; `shear` shifts boxes down by x, `skew` turns the
whole page by a small angle (column edges slant too, as after an imperfect deskew). Lines are
handed to layout shuffled, so a test never passes by keeping the engine's order."""

from __future__ import annotations

import random
import re
import textwrap

from pipeline.model import Box, Line, Page

CW = 30.0  # glyph pitch in px
H = 30.0  # body line height
PITCH = 45.0  # row pitch (line spacing 15 px)
OFFSET = (100.0, 50.0)  # original scan = layout box shifted, to check which box blocks use

POOL = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
    "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气向道命"
)


def draw(
    drawing: str,
    *,
    big: str = "",
    small: str = "",
    heights: dict[str, float] | None = None,
    texts: dict[str, list[str]] | None = None,
    page_id: str = "t_p001",
    page_no: int = 1,
    shear: float = 0.0,
    skew: float = 0.0,
    seed: int = 0,
) -> tuple[Page, dict[int, str]]:
    """Page with `ocr_lines` from a drawing, and a map id(line) -> letter for the checks."""
    rows = textwrap.dedent(drawing).strip("\n").splitlines()
    runs: list[tuple[int, int, int, int, str]] = []  # row0, row1, start, end, letter
    for r, row in enumerate(rows):
        for mt in re.finditer(r"([A-Za-z])\1*", row):
            letter = mt.group(1)
            prev = next(
                (i for i, x in enumerate(runs) if x[1] == r - 1 and x[2:] == (mt.start(), mt.end(), letter)),
                None,
            )
            if letter in big and prev is not None:
                runs[prev] = (runs[prev][0], r, *runs[prev][2:])
            else:
                runs.append((r, r, mt.start(), mt.end(), letter))
    counters: dict[str, int] = {}
    lines: list[Line] = []
    letters: dict[int, str] = {}
    k = 0
    for n, (r0, r1, s, e, letter) in enumerate(sorted(runs, key=lambda x: (x[0], x[2]))):
        idx = counters.get(letter, 0)
        counters[letter] = idx + 1
        h = H * (heights or {}).get(letter, 0.7 if letter in small else 1.0)
        x0, x1 = s * CW, e * CW
        y0 = r0 * PITCH
        y1 = r1 * PITCH + h
        if texts and letter in texts:
            text = texts[letter][idx]
        else:  # glyphs as wide as the type is tall: fewer, larger characters in a headline
            n = max(1, round((e - s) * H / (y1 - y0)))
            text = "".join(POOL[(k + i) % len(POOL)] for i in range(n))
            k += n
        dy = shear * x0
        if skew:  # the page turned by a small angle: each box encloses its turned corners
            corners = [(x + skew * y, y - skew * x) for x in (x0, x1) for y in (y0, y1)]
            lbox = Box.from_points(corners)
        else:
            lbox = Box(x0, y0 + dy, x1, y1 + dy)
        box = Box(lbox.x0 + OFFSET[0], lbox.y0 + OFFSET[1], lbox.x1 + OFFSET[0], lbox.y1 + OFFSET[1])
        ln = Line(f"{page_id}_o{n + 1:03d}", box, text, text, 0.95, layout_box=lbox)
        letters[id(ln)] = letter
        lines.append(ln)
    random.Random(seed).shuffle(lines)
    page = Page(page_id, page_id.rsplit("_p", 1)[0], page_no, "t.png", ocr_lines=lines)
    return page, letters


def order(page: Page, letters: dict[int, str]) -> str:
    """Letters of the lines in reading order (`line.order`), one per line."""
    lines = sorted((ln for b in page.blocks for ln in b.lines if ln.order >= 0), key=lambda ln: ln.order)
    return "".join(letters[id(ln)] for ln in lines)


def collapse(s: str) -> str:
    """Reading order with a letter's consecutive lines counted once."""
    return re.sub(r"(.)\1+", r"\1", s)
