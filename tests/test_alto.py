"""ALTO 4.4 export: valid against the official schema (offline copy in tests/resources/alto) and
carrying what archives need: geometry, corrected text with the raw text beside it, confidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from pipeline.export import write_dataset
from pipeline.export.alto import ALTO_NS, page_alto, xml_id
from test_export import MANIFEST, build_issues

XSD = Path(__file__).parent / "resources" / "alto" / "alto-4-4.xsd"
NS = {"a": ALTO_NS}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("alto") / "output"
    write_dataset(build_issues(), d, MANIFEST, review=False)
    return d


def test_every_ok_page_has_valid_alto(out: Path, schema: etree.XMLSchema) -> None:
    files = sorted(p.name for p in (out / "alto").glob("*.xml"))
    assert files == ["2020-02_tongxin-103_p001.xml", "tongxin-102_p001.xml"]  # not the failed page
    for f in files:
        schema.assertValid(etree.parse(str(out / "alto" / f)))


def test_page_content(out: Path) -> None:
    doc = etree.parse(str(out / "alto" / "tongxin-102_p001.xml"))
    assert doc.findtext("a:Description/a:MeasurementUnit", namespaces=NS) == "pixel"
    assert doc.findtext("a:Description/a:sourceImageInformation/a:fileName", namespaces=NS) == "tongxin-102/page1.png"
    assert doc.findtext(".//a:ocrProcessingStep/a:processingSoftware/a:softwareName", namespaces=NS) == "rapidocr"
    assert "sha256:" + "c" * 64 in doc.findtext(".//a:ocrProcessingStep/a:processingStepSettings", namespaces=NS)
    page = doc.find(".//a:Page", NS)
    assert (page.get("ID"), page.get("WIDTH"), page.get("HEIGHT"), page.get("PHYSICAL_IMG_NR")) == (
        "tongxin-102_p001", "2480", "3508", "1")
    blocks = doc.findall(".//a:PrintSpace/a:TextBlock", NS)
    # 5 layout blocks in reading order (kind other last) + the lines layout did not place
    assert [b.get("ID")[-4:] for b in blocks] == ["b001", "b002", "b003", "b004", "b005", "aced"]
    body = blocks[2]
    assert (body.get("HPOS"), body.get("VPOS"), body.get("WIDTH"), body.get("HEIGHT")) == ("100", "350", "900", "170")
    assert blocks[4].get("TAGREFS") == "kind_other"
    s = doc.find(".//a:TextLine[@ID='tongxin-102_p001_b003_l002']/a:String", NS)
    assert s.get("CONTENT") == "拇指奖项目。" and s.get("WC") == "0.62"
    assert s.find("a:ALTERNATIVE", NS).text == "招指奖项目。"
    assert s.find("a:ALTERNATIVE", NS).get("PURPOSE") == "ocr-raw"
    unchanged = doc.find(".//a:TextLine[@ID='tongxin-102_p001_b002_l001']/a:String", NS)
    assert unchanged.find("a:ALTERNATIVE", NS) is None and unchanged.get("CC") == " ".join(["0"] * 17)
    # entities are tagged on the lines that hold them
    tag = doc.find(".//a:NamedEntityTag[@LABEL='黄红']", NS)
    assert tag.get("TYPE") == "person"
    first = doc.find(".//a:TextLine[@ID='tongxin-102_p001_b003_l001']/a:String", NS)
    assert tag.get("ID") in first.get("TAGREFS").split()
    # the award 金拇指奖 spans the line break: both lines carry its tag
    award = doc.find(".//a:NamedEntityTag[@TYPE='award']", NS).get("ID")
    assert award in first.get("TAGREFS").split() and award in s.get("TAGREFS").split()
    refs = [e.get("REF") for e in doc.findall(".//a:ReadingOrder/a:OrderedGroup/a:ElementRef", NS)]
    assert refs == [f"tongxin-102_p001_b00{i}" for i in range(1, 5)]


def test_ids_made_valid_xml_names(out: Path) -> None:
    doc = etree.parse(str(out / "alto" / "2020-02_tongxin-103_p001.xml"))
    assert doc.find(".//a:Page", NS).get("ID") == "_2020-02_tongxin-103_p001"
    assert xml_id("tongxin-102_p001") == "tongxin-102_p001"
    assert xml_id("a b/c") == "a_b_c"


def test_text_with_markup_characters_is_escaped(schema: etree.XMLSchema) -> None:
    issue = build_issues()[1]
    ln = issue.pages[0].blocks[0].lines[0]
    ln.text = '<b>&"引号"</b>'
    doc = etree.fromstring(page_alto(issue, issue.pages[0], {}))
    schema.assertValid(doc)
    assert doc.find(".//a:String", NS).get("CONTENT") == '<b>&"引号"</b>'
