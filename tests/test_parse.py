"""Markdown with Pandoc citations parsed into the document model."""

from __future__ import annotations

from briefgen import model as m
from briefgen.parse import parse, parse_citation


def only_paragraph(text):
    blocks = parse(text)
    assert len(blocks) == 1 and isinstance(blocks[0], m.Paragraph)
    return blocks[0].children


def test_a_citation_with_a_locator():
    assert only_paragraph("Found.[@coi-2014, paragraph 80]") == (
        m.Text("Found."),
        m.Cite((m.CiteItem("coi-2014", "paragraph", "80"),), "[@coi-2014, paragraph 80]"),
    )


def test_several_items_prefix_suffix_and_braced_locator():
    cite = parse_citation("see @ohchr-2020, {section Legal framework}, emphasis added; @hrw-2019, pp. 3-5")
    assert cite.items == (
        m.CiteItem("ohchr-2020", "section", "Legal framework", "see", ", emphasis added"),
        m.CiteItem("hrw-2019", "page", "3-5"),
    )


def test_a_term_pandoc_does_not_know_is_a_suffix():
    assert parse_citation("@ohchr-2020, annex 12").items == (
        m.CiteItem("ohchr-2020", suffix=", annex 12"),)


def test_the_datasets_own_labels_are_locators():
    """A benchmark or interview is a locator (the cite stage gives Pandoc a page), so a
    repeated source is "ibid" with it, not its short form."""
    assert parse_citation("@ohchr-2020, {benchmark 12}").items == (
        m.CiteItem("ohchr-2020", "benchmark", "12"),)


def test_brackets_without_a_key_and_emails_are_not_citations():
    assert only_paragraph("[not a cite] write to me@example.org [me@example.org]") == (
        m.Text("[not a cite] write to me@example.org [me@example.org]"),)


def test_an_escaped_bracket_is_text():
    assert only_paragraph(r"\[@coi-2014\]") == (m.Text("[@coi-2014]"),)


def test_footnotes_become_inline_notes_with_their_citations():
    children = only_paragraph("Claim.[^1] More.^[An *inline* note.]\n\n[^1]: See [@coi-2014, page 5].\n")
    assert children[1] == m.InlineNote((m.Paragraph((
        m.Text("See "), m.Cite((m.CiteItem("coi-2014", "page", "5"),), "[@coi-2014, page 5]"),
        m.Text("."))),))
    assert children[3] == m.InlineNote((m.Paragraph((
        m.Text("An "), m.Emph((m.Text("inline"),)), m.Text(" note."))),))


def test_blocks():
    blocks = parse("# One\n\n- a\n- b\n\n3. c\n\n> q\n\n| x | y |\n|:--|--:|\n| 1 | 2 |\n\n---\n")
    assert blocks == (
        m.Heading(1, (m.Text("One"),)),
        m.BulletList(((m.Paragraph((m.Text("a"),)),), (m.Paragraph((m.Text("b"),)),))),
        m.OrderedList(((m.Paragraph((m.Text("c"),)),),), 3),
        m.BlockQuote((m.Paragraph((m.Text("q"),)),)),
        m.Table(((m.Text("x"),), (m.Text("y"),)), (((m.Text("1"),), (m.Text("2"),)),), ("left", "right")),
        m.ThematicBreak(),
    )


def test_raw_html_is_text_and_links_are_links():
    assert only_paragraph("<b>x</b> [site](https://example.org)") == (
        m.Text("<b>x</b> "), m.Link("https://example.org", (m.Text("site"),)))
