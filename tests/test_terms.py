"""Terminology profiles: the UN's names and the -ize/-ise glossary in the project's own words,
never inside a quotation; the lint names the record, or the template line, left to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.cli import main
from briefgen.validate import load_dataset
from briefgen.errors import Location
from briefgen.model import plain_text
from briefgen.terms import Origin, Terms, load_profile

from conftest import write

HERE = Origin(Location("data/f.yaml", 3, 9), "finding 'x'")


def un() -> Terms:
    return Terms(load_profile("un"), "briefs/b.yaml", keep=("North Korea Evidence Project",))


def test_the_first_use_defines_the_short_name_and_later_uses_take_it():
    terms = un()
    assert terms.own("North Korea has no free press.", HERE) == \
        "The Democratic People's Republic of Korea (DPRK) has no free press."
    assert terms.own("Escapees from North Korea and from South Korea.", HERE) == \
        "Escapees from the DPRK and from the Republic of Korea."
    assert terms.own("North Korea’s border guards.", HERE) == "The DPRK’s border guards."


def test_a_bare_short_name_before_its_definition_is_written_in_full():
    assert un().own("Aid to the DPRK fell.", HERE) == \
        "Aid to the Democratic People's Republic of Korea (DPRK) fell."


def test_a_title_names_the_state_in_full_without_defining_it():
    terms = un()
    assert terms.own("Freedom in North Korea", HERE, define=False) == \
        "Freedom in the Democratic People's Republic of Korea"
    assert terms.own("North Korea again.", HERE).startswith("The Democratic People's Republic "
                                                           "of Korea (DPRK)")


def test_quotations_and_organisation_names_keep_their_words():
    text = ("North Korea Evidence Project heard “North Korea is a prison” and "
            "‘we left North Korea’ from people in North Korea.")
    assert un().own(text, HERE) == (
        "North Korea Evidence Project heard “North Korea is a prison” and ‘we left North "
        "Korea’ from people in the Democratic People's Republic of Korea (DPRK).")


def test_the_brief_markdown_keeps_citations_links_code_and_block_quotes():
    text = "See [@nk-2019, {section North Korea}] and [North Korea](https://x/North Korea).\n> North Korea\n"
    assert un().own(text, HERE, markdown=True) == (
        "See [@nk-2019, {section North Korea}] and [the Democratic People's Republic of Korea "
        "(DPRK)](https://x/North Korea).\n> North Korea\n")


def test_spelling_follows_the_glossary_with_its_inflections_and_case():
    uk = Terms(load_profile("uk"))
    assert uk.own("Organizations recognized it; the organization criticizes.", HERE) == \
        "Organisations recognised it; the organisation criticises."
    assert un().own("Organisations must prioritise it; analyse, exercise, advertise.", HERE) \
        == "Organizations must prioritize it; analyse, exercise, advertise."


def test_what_has_no_safe_rewrite_is_reported_at_the_record():
    terms = un()
    terms.own("Many North Korean escapees said “North Korean soldiers came”.", HERE)
    assert [str(p) for p in terms.problems] == [
        "data/f.yaml:3:9: warning: UN editorial style (brief briefs/b.yaml): finding 'x' says "
        "'North Korean'; expected wording without the adjective, such as \"from the Democratic "
        "People's Republic of Korea\" or \"of the DPRK\", got \"…Many North Korean escapees said "
        "“North Korean s…\""]


def test_a_template_s_own_words_are_linted_at_their_line_and_column():
    terms = un()
    source = "{# North Korea in a comment #}\n## Camps in North Korea {{ 'North Korea' }}\n"
    terms.check_literal(source, Path("templates/x/content.md.j2"))
    assert [(p.loc.line, p.loc.col, p.message.split(";")[0][-31:]) for p in terms.problems] == [
        (2, 13, "the template says 'North Korea'")]


# --- in a built brief ---------------------------------------------------------------------

UN_TEMPLATE = """\
## Findings

{% for f in findings %}
{{ f.text }} {{ cite(f) }}

{% endfor %}
{% for q in quotes %}
> “{{ q.text }}” ({{ q.speaker }}) {{ cite(q) }}

{% endfor %}
{% for r in recommendations %}
- “{{ r.text }}” {{ cite(r) }}
{% endfor %}
"""


@pytest.fixture
def un_project(project):
    write(project, "templates/plain/audience.yaml", "label: UN\nstyle: un\nterminology: un\n")
    write(project, "templates/plain/content.md.j2", UN_TEMPLATE)
    findings = project / "data/findings/findings.yaml"
    findings.write_text(findings.read_text().replace(
        "The COI found an *almost complete* denial of freedom of religion.",
        "In North Korea, the COI found an almost complete denial of freedom of religion."))
    quotes = project / "data/quotes/quotes.yaml"
    quotes.write_text(quotes.read_text().replace("They were hung on a cross.",
                                                 "In North Korea they were hung on a cross."))
    return project


def test_a_un_brief_replaces_its_own_north_korea_and_keeps_the_quotation(un_project):
    dataset = load_dataset(Path("data"))
    work = stages_of(load_brief(Path("briefs/b.yaml"), dataset, Path("templates")), dataset)
    text = plain_text(work.document.blocks)
    assert ("In the Democratic People\u2019s Republic of Korea (DPRK), the COI found an almost "
            "complete denial") in text
    assert "“In North Korea they were hung on a cross.”" in text
    assert "“Release all persons detained in prison camps.”" in text
    assert work.warnings == []


def test_the_lint_fails_a_strict_build_naming_brief_and_record(un_project, capsys):
    findings = un_project / "data/findings/findings.yaml"
    findings.write_text(findings.read_text().replace("In North Korea, the COI",
                                                     "For North Korean believers, the COI"))
    assert main(["build", "briefs/b.yaml", "--format", "md", "--strict", "--out", "out"]) == 1
    assert capsys.readouterr().err.splitlines()[0].startswith(
        "data/findings/findings.yaml:2:9: error: UN editorial style (brief briefs/b.yaml): "
        "finding 'no-religious-freedom' says 'North Korean'; expected wording without the "
        "adjective")
    assert not Path("out").exists()
    assert main(["build", "briefs/b.yaml", "--format", "md", "--out", "out"]) == 0
    assert "warning: UN editorial style" in capsys.readouterr().err


def test_actors_take_their_un_label_under_the_un_profile(un_project):
    write(un_project, "templates/plain/content.md.j2",
          "{% for g in by_addressee(recommendations) %}To the {{ g.label }}.\n{% endfor %}")
    dataset = load_dataset(Path("data"))
    work = stages_of(load_brief(Path("briefs/b.yaml"), dataset, Path("templates")), dataset)
    assert work.markdown == "To the Government of the Democratic People's Republic of Korea.\n"


def test_an_unknown_profile_is_located(project, capsys):
    write(project, "templates/plain/audience.yaml", "label: X\nterminology: un-style\n")
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "templates/plain/audience.yaml:2:14: error: unknown terminology profile 'un-style'; "
        "expected one of uk, un")


def test_a_source_title_in_the_project_s_text_keeps_its_words(un_project):
    sources = un_project / "data/sources/sources.yaml"
    sources.write_text(sources.read_text() + """
- id: csw-2007
  type: report
  title: "North Korea: A Case to Answer, A Call to Act"
""")
    findings = un_project / "data/findings/findings.yaml"
    findings.write_text(findings.read_text().replace(
        "text: In North Korea, the COI found", "text: >-\n    In its report North Korea: A Case "
        "to Answer, a Call to Act, CSW asked for the COI; in North Korea, the COI found"))
    dataset = load_dataset(Path("data"))
    work = stages_of(load_brief(Path("briefs/b.yaml"), dataset, Path("templates")), dataset)
    assert ("In its report North Korea: A Case to Answer, a Call to Act, CSW asked for the COI; "
            "in the Democratic People\u2019s Republic of Korea (DPRK), the COI found") \
        in plain_text(work.document.blocks)


# --- what the UN profile used to miss, or rewrite that it must not ------------------------

def test_a_name_split_across_lines_of_the_brief_s_markdown_is_still_the_name():
    assert un().own("documents human rights in North\nKorea from reports", HERE,
                    markdown=True) == ("documents human rights in the Democratic People's "
                                       "Republic of Korea (DPRK) from reports")


def test_a_compound_takes_the_short_name_once_defined_and_is_reported_before():
    terms = un()
    assert terms.own("North Korea-specific groups grew.", HERE) == "North Korea-specific groups grew."
    assert [p.message.split(";")[0] for p in terms.problems] == [
        "UN editorial style (brief briefs/b.yaml): finding 'x' says 'North Korea-'"]
    terms = un()
    terms.own("In North Korea, groups grew.", HERE)
    assert terms.own("North Korea-specific groups grew.", HERE) == "DPRK-specific groups grew."
    assert terms.problems == []


def test_victimised_takes_the_un_spelling():
    assert un().own("Five people victimised by the campaign.", HERE) == \
        "Five people victimized by the campaign."


def test_protected_names_keep_their_words_and_an_article_is_not_doubled():
    from briefgen.terms import Abbrev, protected_pattern
    appg = Abbrev("APPG", "All-Party Parliamentary Group")
    terms = Terms(load_profile("un"), "briefs/b.yaml", abbreviations=(appg,), protected=tuple(
        protected_pattern(n, (appg,)) for n in (
            "All-Party Parliamentary Group on North Korea",
            "International Coalition to Stop Crimes Against Humanity in North Korea")))
    text = ("The UK All-Party Parliamentary Group on North Korea and the International "
            "Coalition to Stop Crimes Against Humanity in North Korea (ICNK) met; the APPG on "
            "North Korea wrote to a North Korea office.")
    assert terms.own(text, HERE) == (
        "The UK All-Party Parliamentary Group (APPG) on North Korea and the International "
        "Coalition to Stop Crimes Against Humanity in North Korea (ICNK) met; the APPG on "
        "North Korea wrote to a Democratic People's Republic of Korea (DPRK) office.")


def test_the_bundled_un_briefs_misses_are_caught(tmp_path):
    """In the bundled dataset and briefs: the About paragraph, the compound, the spelling,
    and the names of the coalition, the APPG and the foundation."""
    from briefgen.cli import main as cli
    from conftest import PROJECT
    assert cli(["build", str(PROJECT / "briefs/un-sr-accountability.yaml"),
                str(PROJECT / "briefs/un-upr-dprk.yaml"),
                "--format", "md", "--strict", "--out", str(tmp_path)]) == 0
    sr = (tmp_path / "un-sr-accountability.md").read_text()
    upr = (tmp_path / "un-upr-dprk.md").read_text()
    assert "documents human rights in the Democratic People's Republic of Korea" in upr \
        .replace("\n", " ")
    assert "DPRK-specific groups" in sr and "victimized" in sr
    assert "International Coalition to Stop Crimes Against Humanity in North Korea (ICNK)" in sr
    assert "All-Party Parliamentary Group (APPG) on North Korea" in sr
    assert "requiring a North Korea Human Rights Foundation" in sr
    assert "a the" not in sr and "North Korea-specific" not in sr
