"""ALTO v4 XML per page: the archival standard libraries ingest (METS/ALTO).

One TextBlock per layout block (kind other included, tagged with a LayoutTag of its kind), one
TextLine and one String per line: CONTENT is the corrected text, WC the line confidence, and the
raw OCR text, when it differs, an ALTERNATIVE with PURPOSE "ocr-raw" (ALTO's place for
dictionary replacements). Entities are NamedEntityTags referenced from the lines that hold them.
Built with lxml so every attribute is escaped correctly; validated against alto-4-4.xsd in tests.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from ..model import Block, Issue, Page
from .files import atomic_write_bytes, format_number
from .tables import ordered_blocks, page_mean_confidence, page_ok, sorted_pages, usable_ids

log = logging.getLogger(__name__)

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XLINK_NS = "http://www.w3.org/1999/xlink"
SCHEMA_LOCATION = f"{ALTO_NS} http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"

_NOT_NAME = re.compile(r"[^\w.\-]", re.UNICODE)


def xml_id(s: str) -> str:
    """An xsd:ID (NCName) for one of our ids: slugs may start with a digit, which NCName forbids."""
    s = _NOT_NAME.sub("_", s)
    return s if s and (s[0].isalpha() or s[0] == "_") else "_" + s


def _num(v: float) -> str:
    return format_number(v, 2)


def _geom(el: Any, box: Any) -> None:
    el.set("HPOS", _num(box.x0))
    el.set("VPOS", _num(box.y0))
    el.set("WIDTH", _num(box.width))
    el.set("HEIGHT", _num(box.height))


def _clamp01(v: float) -> float:
    return min(1.0, max(0.0, float(v)))


def page_alto(issue: Issue, page: Page, engine: dict[str, Any] | None = None) -> bytes:
    """ALTO 4.4 document (UTF-8 bytes) for one processed page."""
    from lxml import etree

    A = "{%s}" % ALTO_NS
    engine = engine or {}
    root = etree.Element(A + "alto", nsmap={None: ALTO_NS, "xsi": XSI_NS, "xlink": XLINK_NS})
    root.set("{%s}schemaLocation" % XSI_NS, SCHEMA_LOCATION)
    root.set("SCHEMAVERSION", "4.4")

    desc = etree.SubElement(root, A + "Description")
    etree.SubElement(desc, A + "MeasurementUnit").text = "pixel"
    src = etree.SubElement(desc, A + "sourceImageInformation")
    name = page.source_file + (f"#{page.source_index}" if page.source_index else "")
    etree.SubElement(src, A + "fileName").text = name
    if page.sha256:
        fid = etree.SubElement(src, A + "fileIdentifier")
        fid.set("fileIdentifierLocation", "sha256")
        fid.text = page.sha256
    proc = etree.SubElement(desc, A + "OCRProcessing", ID="OCR_0")
    for step in page.steps:
        if step.stage in ("ingest", "cleanup"):
            pre = etree.SubElement(proc, A + "preProcessingStep")
            etree.SubElement(pre, A + "processingStepDescription").text = f"{step.stage}: {step.description}"
            if step.settings:
                etree.SubElement(pre, A + "processingStepSettings").text = json.dumps(
                    step.settings, sort_keys=True, ensure_ascii=False, default=str
                )
    if page.cleanup and not any(s.stage == "cleanup" for s in page.steps):
        pre = etree.SubElement(proc, A + "preProcessingStep")
        etree.SubElement(pre, A + "processingStepDescription").text = "cleanup: " + "; ".join(page.cleanup)
    ocr = etree.SubElement(proc, A + "ocrProcessingStep")
    etree.SubElement(ocr, A + "processingStepDescription").text = "text detection and recognition"
    models = engine.get("models") or []
    if models:
        etree.SubElement(ocr, A + "processingStepSettings").text = "; ".join(
            f"{m.get('role', '')} {m.get('name', '')} sha256:{m.get('sha256', '')}" for m in models
        )
    sw = etree.SubElement(ocr, A + "processingSoftware")
    etree.SubElement(sw, A + "softwareName").text = str(engine.get("name") or "unknown")
    if engine.get("package"):
        etree.SubElement(sw, A + "softwareVersion").text = str(engine["package"])
    post = etree.SubElement(proc, A + "postProcessingStep")
    etree.SubElement(post, A + "processingStepDescription").text = (
        "backissue OCR post-correction: String CONTENT is the corrected text, "
        "ALTERNATIVE PURPOSE='ocr-raw' the engine's text"
    )

    blocks = ordered_blocks(page)
    u = usable_ids(issue)
    mentions = [m for m in issue.mentions if m.page_id == page.page_id and m.block_id in u.blocks]

    tags = etree.SubElement(root, A + "Tags")
    for kind in sorted({str(b.kind) for b in blocks} | ({"other"} if page.ocr_lines else set())):
        etree.SubElement(tags, A + "LayoutTag", ID=f"kind_{kind}", LABEL=kind)
    ent_ids: dict[str, str] = {}
    for m in sorted(mentions, key=lambda m: m.entity_id):
        if m.entity_id in ent_ids:
            continue
        tid = xml_id("ent_" + m.entity_id)
        while tid in ent_ids.values():
            tid += "_"
        ent_ids[m.entity_id] = tid
        etree.SubElement(tags, A + "NamedEntityTag", ID=tid, TYPE=str(m.type), LABEL=m.normalized or m.text)
    if not len(tags):
        root.remove(tags)

    ro_blocks = [b for b in blocks if b.order >= 0]
    if ro_blocks:
        ro = etree.SubElement(root, A + "ReadingOrder")
        grp = etree.SubElement(ro, A + "OrderedGroup", ID=xml_id(page.page_id + "_ro"))
        for b in ro_blocks:
            etree.SubElement(grp, A + "ElementRef", ID=xml_id(b.block_id + "_ref"), REF=xml_id(b.block_id))

    layout = etree.SubElement(root, A + "Layout")
    pg = etree.SubElement(layout, A + "Page", ID=xml_id(page.page_id), PHYSICAL_IMG_NR=str(page.page_no))
    pg.set("WIDTH", str(page.width))
    pg.set("HEIGHT", str(page.height))
    mean = page_mean_confidence(page)
    if mean is not None:
        pg.set("PC", _num(_clamp01(mean)))
    ps = etree.SubElement(pg, A + "PrintSpace", HPOS="0", VPOS="0", WIDTH=str(page.width), HEIGHT=str(page.height))

    def line_tags(b: Block) -> dict[str, list[str]]:
        """entity tag ids per line id: a mention tags every line its span touches."""
        out: dict[str, list[str]] = {}
        ms = [m for m in mentions if m.block_id == b.block_id]
        if not ms:
            return out
        for ln, s, e in b.line_spans():
            for m in ms:
                if m.start < e and m.end > s:
                    lst = out.setdefault(ln.line_id, [])
                    if ent_ids[m.entity_id] not in lst:
                        lst.append(ent_ids[m.entity_id])
        return out

    def add_line(tb: Any, ln: Any, tagrefs: list[str]) -> None:
        tl = etree.SubElement(tb, A + "TextLine", ID=xml_id(ln.line_id))
        _geom(tl, ln.box)
        st = etree.SubElement(tl, A + "String", CONTENT=ln.text)
        _geom(st, ln.box)
        st.set("WC", _num(_clamp01(ln.confidence)))
        if ln.text == ln.text_raw and ln.char_confidences and len(ln.char_confidences) == len(ln.text):
            # ALTO CC: per character 0 (sure) .. 9 (unsure)
            st.set("CC", " ".join(str(round((1 - _clamp01(c)) * 9)) for c in ln.char_confidences))
        if tagrefs:
            st.set("TAGREFS", " ".join(tagrefs))
        if ln.text_raw != ln.text:
            etree.SubElement(st, A + "ALTERNATIVE", PURPOSE="ocr-raw").text = ln.text_raw

    for b in blocks:
        tb = etree.SubElement(ps, A + "TextBlock", ID=xml_id(b.block_id), TAGREFS=f"kind_{b.kind}")
        _geom(tb, b.box)
        lt = line_tags(b)
        for ln in b.lines:
            add_line(tb, ln, lt.get(ln.line_id, []))
    if page.ocr_lines:
        from ..model import Box

        tb = etree.SubElement(ps, A + "TextBlock", ID=xml_id(page.page_id + "_unplaced"), TAGREFS="kind_other")
        _geom(tb, Box.enclosing([ln.box for ln in page.ocr_lines]))
        for ln in page.ocr_lines:
            add_line(tb, ln, [])

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_alto(issue: Issue, alto_dir: Path, engine: dict[str, Any] | None = None) -> list[Path]:
    """alto/PAGE_ID.xml for each page that did not fail; returns the files written."""
    written = []
    for page in sorted_pages(issue):
        if not page_ok(page):
            continue
        path = alto_dir / f"{page.page_id}.xml"
        atomic_write_bytes(path, page_alto(issue, page, engine))
        written.append(path)
    return written
