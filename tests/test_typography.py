"""Typography as text enters the model: the project's words typeset, quotations untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen import model as m
from briefgen.errors import ValidationError
from briefgen.typography import (NO_BREAK_SPACE, WORD_JOINER, Terms, curly, dashes, load_terms,
                                 no_breaks, typeset, typeset_notes)

WJ, NBSP = WORD_JOINER, NO_BREAK_SPACE


def para(*children: m.Inline) -> m.Paragraph:
    return m.Paragraph(tuple(children))


def test_straight_quotes_and_apostrophes_become_curly():
    assert curly('the People\'s Republic; "I don\'t know" rate') == \
        "the People\u2019s Republic; \u201cI don\u2019t know\u201d rate"
    assert curly("'single' and the '90s") == "\u2018single\u2019 and the \u201990s"
    assert curly('("quoted")') == "(\u201cquoted\u201d)"


def test_ranges_take_an_en_dash_but_dates_codes_and_words_do_not():
    assert dashes("Changes in North Korea 2007-2017, pp 4-6") == \
        "Changes in North Korea 2007\u20132017, pp 4\u20136"
    for kept in ("2014-02-07", "A/HRC/25-63", "ill-treatment", "COVID-19", "b64a-4d11-8279"):
        assert dashes(kept) == kept


def test_no_break_inside_a_code_or_after_para():
    assert no_breaks("case KOR/19/0029 at para 80 and paras. 3") == \
        f"case KOR/{WJ}19/{WJ}0029 at para{NBSP}80 and paras.{NBSP}3"
    assert no_breaks("A/HRC/25/63") == f"A/{WJ}HRC/{WJ}25/{WJ}63"
    assert no_breaks("and/or in 2019") == "and/or in 2019"


def test_the_projects_text_is_typeset_and_a_quotation_keeps_its_characters():
    (out,) = typeset((para(m.Text('It\'s 2007-2017: \u201cthe source\'s "words" 1-2\u201d, '
                                  "it's")),))
    assert out.children == (m.Text(
        "It\u2019s 2007\u20132017: \u201cthe source's \"words\" 1-2\u201d, it\u2019s"),)


def test_a_quotation_spans_nodes_and_a_block_quote_is_left_as_written():
    quoted = para(m.Text("\u201cthey said "), m.Emph((m.Text("don't"),)), m.Text("\u201d don't"))
    block = m.BlockQuote((para(m.Text("I don't 1-2")),))
    out = typeset((quoted, block))
    assert out[0].children == (m.Text("\u201cthey said "), m.Emph((m.Text("don't"),)),
                               m.Text("\u201d don\u2019t"))
    assert out[1] == block


def test_link_and_code_text_is_left_alone():
    link = m.Link("https://example.org/a-1", (m.Text("https://example.org/2007-2017"),))
    out = typeset((para(m.Text("see "), link, m.Code("it's 1-2")),))
    assert out[0].children == (m.Text("see "), link, m.Code("it's 1-2"))


def test_a_citations_prefix_and_suffix_are_typeset_as_the_text_around_them():
    # [see the "Legal framework" chapter @coi-2014, para 80, emphasis added 'twice']
    cite = m.Cite((m.CiteItem("coi-2014", "paragraph", "80", 'see the "Legal framework" chapter',
                              ", emphasis added 'twice'"),), "[...]")
    (out,) = typeset((para(m.Text("It's so "), cite),))[0].children[1:]
    assert out.items[0].prefix == "see the \u201cLegal framework\u201d chapter"
    assert out.items[0].suffix == ", emphasis added \u2018twice\u2019"
    assert (out.items[0].key, out.items[0].locator, out.source) == ("coi-2014", "80", "[...]")


def test_foreign_terms_are_italic_in_the_projects_text_only():
    terms = Terms.of(["kwanliso", "sur place"])
    out = typeset((para(m.Text("camps (kwanliso) and Kwanliso; a sur place claim; "
                               "\u201ckwanliso\u201d")),), terms)
    assert out[0].children == (
        m.Text("camps ("), m.Emph((m.Text("kwanliso"),)), m.Text(") and "),
        m.Emph((m.Text("Kwanliso"),)), m.Text("; a "), m.Emph((m.Text("sur place"),)),
        m.Text(" claim; \u201ckwanliso\u201d"))
    assert typeset((para(m.Text("kwanlisos")),), terms)[0].children == (m.Text("kwanlisos"),)


def test_notes_take_dashes_and_no_breaks_but_keep_their_quotes():
    (note,) = typeset_notes((m.Note(1, (para(m.Text("'Changes 2007-2017' para 80")),)),))
    assert note.blocks[0].children == (m.Text(f"'Changes 2007\u20132017' para{NBSP}80"),)


def test_the_foreign_terms_file_is_checked_with_locations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("foreign-terms.yaml").write_text("- {term: kwanliso}\n- {trem: x}\n")
    with pytest.raises(ValidationError) as err:
        load_terms(Path("."))
    assert [str(p) for p in err.value.problems] == [
        "foreign-terms.yaml:2:4: error: unknown key 'trem' in foreign term; did you mean 'term'?"]
