"""Sources from the tools users have (Zotero's CSL-JSON, Pandoc's CSL-YAML, BibTeX), and the
dataset's sources back out as CSL-JSON that briefgen reads again."""

from __future__ import annotations

import json

import yaml

from briefgen.cli import main
from briefgen.validate import load_dataset
from conftest import problems, write

# As Zotero 7 exports "CSL JSON": date-parts (numbers or strings), URL, a language.
ZOTERO = """[
  {
    "id": "hrw-2020",
    "type": "report",
    "title": "World Report 2020: North Korea",
    "author": [{"literal": "Human Rights Watch"}],
    "issued": {"date-parts": [[2020, 1, 14]]},
    "accessed": {"date-parts": [["2026", "11", "22"]]},
    "URL": "https://www.hrw.org/world-report/2020/country-chapters/north-korea",
    "DOI": "10.1234/example",
    "publisher": "Human Rights Watch",
    "language": "en"
  }
]
"""

# As Pandoc writes CSL-YAML (`pandoc -t csljson`'s YAML form): lower-case url, a particle.
PANDOC = """---
references:
- id: pearson2015
  type: article-journal
  author:
  - family: Tudor
    given: Daniel
    non-dropping-particle: de
  issued:
    date-parts:
    - - 2015
  title: North Korea confidential
  url: https://example.org/nkc
...
"""

BIBTEX = r"""@techreport{HRW2019,
  author = {{Human Rights Watch}},
  title = {World Report 2019: {North Korea}},
  institution = {Human Rights Watch},
  year = {2019}, month = jan, url = {https://www.hrw.org/x}, urldate = {2026-11-22}
}

@article{smith:2019, author = {Smith, John and van der Berg, Anna}, title = {An {\"u}ber title},
  journal = {J. X}, year = 2019, volume = 3, number = 2, pages = {10--20}}
"""


def test_a_zotero_csl_json_file_in_the_sources_folder_is_read_as_it_is(workdir):
    write(workdir, "data/sources/zotero.json", ZOTERO)
    source = load_dataset(workdir / "data").get("hrw-2020")
    assert (source.issued, source.accessed, source.URL, source.DOI) == (
        "2020-01-14", "2026-11-22", ZOTERO.split('"URL": "')[1].split('"')[0], "10.1234/example")


def test_a_csl_date_that_is_a_range_is_one_located_problem(workdir):
    write(workdir, "data/sources/zotero.json",
          ZOTERO.replace("[[2020, 1, 14]]", "[[2020, 1], [2021, 2]]"))
    assert problems() == [
        "data/sources/zotero.json:7:15: error: wrong type for 'issued'; expected "
        "one date as date-parts (such as [[2018, 1, 31]]) or YYYY-MM-DD, got a mapping"]


def test_pandoc_csl_yaml_with_a_lower_case_url_imports(workdir, capsys):
    write(workdir, "refs.yaml", PANDOC)
    assert main(["import", "sources", "refs.yaml"]) == 0
    [record] = yaml.safe_load(capsys.readouterr().out)
    assert record == {"id": "pearson2015", "type": "article-journal",
                      "title": "North Korea confidential",
                      "author": [{"family": "Tudor", "given": "Daniel",
                                  "non-dropping-particle": "de"}],
                      "issued": "2015", "URL": "https://example.org/nkc"}


def test_bibtex_imports_as_dataset_yaml_that_the_dataset_then_reads(workdir, capsys):
    write(workdir, "refs.bib", BIBTEX)
    assert main(["import", "sources", "refs.bib", "--out", "data/sources/imported.yaml"]) == 0
    dataset = load_dataset(workdir / "data")
    report, article = dataset.get("hrw2019"), dataset.get("smith-2019")
    assert (report.type, report.publisher, report.issued, report.accessed) == (
        "report", "Human Rights Watch", "2019-01", "2026-11-22")
    assert [a.literal for a in report.author] == ["Human Rights Watch"]
    assert (article.title, article.page, article.issue, article.container_title) == (
        "An über title", "10–20", "2", "J. X")
    assert [(a.family, a.non_dropping_particle) for a in article.author] == [
        ("Smith", None), ("Berg", "van der")]


def test_import_never_overwrites_a_file(workdir, capsys):
    write(workdir, "refs.bib", BIBTEX)
    before = (workdir / "data/sources/sources.yaml").read_bytes()
    assert main(["import", "sources", "refs.bib", "--out", "data/sources/sources.yaml"]) == 2
    assert (workdir / "data/sources/sources.yaml").read_bytes() == before


def test_an_imported_id_taken_by_the_dataset_gets_a_suffix(workdir, capsys):
    write(workdir, "refs.yaml", PANDOC.replace("pearson2015", "coi-2014"))
    assert main(["import", "sources", "refs.yaml"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)[0]["id"] == "coi-2014-2"


def test_a_bibtex_syntax_error_is_located(workdir, capsys):
    write(workdir, "refs.bib", BIBTEX + "\n@misc{broken, title = {never closed}\n")
    assert main(["import", "sources", "refs.bib"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "refs.bib:11:1: error: BibTeX syntax error; expected an entry such as @report{key, "
        "title = {...}}, got one that does not close")


def test_export_writes_csl_json_that_imports_back_to_the_same_sources(workdir, capsys):
    assert main(["export", "sources", "--out", "all.json"]) == 0
    items = json.loads((workdir / "all.json").read_text())
    assert [i["id"] for i in items] == [s.id for s in load_dataset(workdir / "data").records("sources")]
    assert items[0]["issued"] == {"date-parts": [[2014, 2, 7]]}
    (workdir / "data/sources/sources.yaml").rename(workdir / "old.yaml")
    assert main(["import", "sources", "all.json", "--out", "data/sources/again.yaml"]) == 0
    capsys.readouterr()
    assert main(["export", "sources", "--out", "again.json"]) == 0
    assert (workdir / "again.json").read_text() == (workdir / "all.json").read_text()
