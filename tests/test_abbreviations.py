"""Abbreviations: a vocabulary in the dataset, each defined at its first use in a document and
short after it, whatever its text wrote; the brief's own text linted for hand definitions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.validate import load_dataset
from briefgen.model import plain_text

from conftest import ROOTS, problems, write


@pytest.fixture
def root(workdir):
    shutil.copytree(ROOTS / "abbreviations", workdir, dirs_exist_ok=True)
    return workdir


def build(audience_yaml: str | None = None):
    if audience_yaml:
        write(Path("."), "templates/plain/audience.yaml", audience_yaml)
    dataset = load_dataset(Path("data"))
    work = stages_of(load_brief(Path("briefs/b.yaml"), dataset, Path("templates")), dataset)
    return plain_text(work.document.blocks), work.warnings


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def test_each_abbreviation_is_defined_at_its_first_use_and_short_after(root):
    text, _ = build()
    lines = paragraphs(text)
    # The introduction comes first: its bare ICC is the first use, so it is defined there.
    assert lines[0].startswith("The International Criminal Court (ICC) has not been seized")
    # A possessive before the definition is written in full, not "(COI)'s".
    assert lines[1].startswith("The Commission of Inquiry\u2019s report found")   # typeset
    # The next use defines it; the ICC, defined already, stays short.
    assert lines[2].startswith("The Commission of Inquiry (COI) asked for a referral to the ICC.")
    # A definition by hand after that is one more short form; "UN Commission of Inquiry" is
    # one of its long forms.
    assert lines[3].startswith("The COI reported in 2014; the All-Party Parliamentary Group "
                               "(APPG) on North Korea agreed.")
    assert lines[4].startswith("In 2021 the APPG on North Korea found no improvement")
    assert "The COI was clear; so was the ICC, and the COI again." in text
    assert text.count("(COI)") == 1 and text.count("(ICC)") == 1 and text.count("(APPG)") == 1


def test_the_brief_s_own_text_defining_twice_or_using_first_is_a_warning(root):
    _, warnings = build()
    assert sorted(str(w) for w in warnings) == [
        "briefs/b.yaml:11:10: warning: abbreviation (brief briefs/b.yaml): the brief's "
        "'closing' defines 'COI' again; expected one definition per document (briefgen "
        "defines it at its first use), got \"…Criminal Court (ICC), and the Commission of "
        "Inquiry (COI) again.…\"",
        "briefs/b.yaml:6:15: warning: abbreviation (brief briefs/b.yaml): the brief's "
        "'introduction' uses 'ICC' before the brief's 'closing' defines it; expected the "
        "definition at the first use (briefgen prints it there)",
    ]


def test_a_profile_writes_its_own_long_form_and_keeps_protected_names(root):
    text, warnings = build("label: UN\nstyle: un\nterminology: un\n")
    assert text.startswith("The International Criminal Court of the United Nations system (ICC)")
    # The protected name keeps "North Korea", with the abbreviation defined inside it; the
    # country outside it is the profile's; "a" before the foundation's name gets no "the".
    assert ("the All-Party Parliamentary Group (APPG) on North Korea agreed" in text)
    assert ("found no improvement in the Democratic People\u2019s Republic of Korea (DPRK), and no "
            "one had set up a North Korea Human Rights Foundation.") in text


def test_a_verbatim_definition_defines_it_for_the_rest_of_the_document(root):
    recs = Path("data/recommendations/recommendations.yaml")
    recs.write_text(recs.read_text().replace(
        "Release all persons detained in prison camps.",
        "Implement the UN Commission of Inquiry (COI) report."))
    write(Path("."), "briefs/b.yaml", "title: T\naudience: plain\ndate: \"2026-12-03\"\n"
          "organisations: [Test Org]\nstyle: uk-oscola\nselect:\n  recommendations: {}\n"
          "closing: The COI report stands.\n")
    text, _ = build()
    assert "“Implement the UN Commission of Inquiry (COI) report.”" in text
    assert "The COI report stands." in text


def test_the_vocabulary_is_validated_like_the_rest(root):
    write(Path("."), "data/abbreviations.yaml",
          "- short: COI\n  long: Commission of Inquiry\n  lang: en\n"
          "- short: COI\n  long: Commission of Inquiry, again\n"
          "- short: coi\n  long: lower case\n")
    write(Path("."), "data/names.yaml", "- name: X\n  kind: organisation\n- name: X\n  kind: law\n")
    assert problems() == [
        "data/abbreviations.yaml:3:3: error: unknown key 'lang' in abbreviation; did you "
        "mean 'long'?",
        "data/abbreviations.yaml:4:10: error: duplicate abbreviation 'COI'; expected each "
        "once, got it again (first at data/abbreviations.yaml:1:10)",
        "data/abbreviations.yaml:6:10: error: invalid 'short'; expected "
        "^[A-Z][A-Za-z0-9&]*[A-Z0-9]$, got a string ('coi')",
        "data/names.yaml:3:9: error: duplicate protected name 'X'; expected each once, got it "
        "again (first at data/names.yaml:1:9)",
    ]


def test_a_dataset_without_the_vocabularies_is_valid(workdir):
    assert problems() == []
