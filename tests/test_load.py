"""Stage 1: YAML to positioned values."""

import pytest

from briefgen.errors import LoadError, Location
from briefgen.load import YMap, YSeq, load_file, locate, parse


def test_values_remember_their_line_and_column():
    tree = parse("- id: a\n  text: hello\n- id: b\n  evidence:\n    - {source: s, page: 4}\n", "f.yaml")
    assert isinstance(tree, YSeq) and isinstance(tree[0], YMap)
    assert tree.item_loc(1) == Location("f.yaml", 3, 3)
    assert locate(tree, (0, "text")) == Location("f.yaml", 2, 9)
    assert locate(tree, (1, "evidence", 0, "page")) == Location("f.yaml", 5, 25)
    assert locate(tree, (1, "evidence", 0, "page"), key_itself=True) == Location("f.yaml", 5, 19)


def test_locate_stops_at_the_deepest_existing_node():
    tree = parse("- id: a\n  text: hello\n", "f.yaml")
    assert locate(tree, (0, "missing")) == Location("f.yaml", 1, 3)


def test_scalars_keep_yaml_types_but_dates_stay_as_written():
    tree = parse("a: 2014-02-07\nb: 42\nc: 3.5\nd: true\ne: null\nf: '7'\n", "f.yaml")
    assert tree == {"a": "2014-02-07", "b": 42, "c": 3.5, "d": True, "e": None, "f": "7"}


def test_keys_stay_as_written():
    assert parse("yes: 1\n2014: 2\n", "f.yaml") == {"yes": 1, "2014": 2}


def test_duplicate_key_is_an_error_naming_both_places():
    with pytest.raises(LoadError) as err:
        parse("- id: a\n  text: one\n  text: two\n", "f.yaml")
    assert str(err.value) == (
        "f.yaml:3:3: error: duplicate key 'text'; expected each key once in a mapping, "
        "got it again (first at line 2, column 3)"
    )


def test_every_duplicate_key_in_a_file_is_reported():
    with pytest.raises(LoadError) as err:
        parse("- {id: a, id: b}\n- {x: 1, x: 2}\n", "f.yaml")
    assert [p.loc.line for p in err.value.problems] == [1, 2]


def test_syntax_error_names_the_position():
    with pytest.raises(LoadError) as err:
        parse("- id: a\n  text: [unclosed\n", "f.yaml")
    (problem,) = err.value.problems
    assert str(problem).startswith("f.yaml:3:1: error: YAML syntax error: ")


def test_tab_indentation_is_a_syntax_error():
    with pytest.raises(LoadError) as err:
        parse("- id: a\n\ttext: b\n", "f.yaml")
    assert str(err.value) == (
        "f.yaml:2:1: error: YAML syntax error: found a tab character that violates indentation "
        "(while scanning a plain scalar)"
    )


def test_python_tags_are_refused():
    with pytest.raises(LoadError) as err:
        parse("a: !!python/object:os.system x\n", "f.yaml")
    assert str(err.value) == (
        "f.yaml:1:4: error: unsupported YAML tag; expected plain text, numbers, lists and "
        "mappings, got 'tag:yaml.org,2002:python/object:os.system'"
    )


def test_file_that_is_not_utf8(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_bytes(b"- id: a\n  text: caf\xe9\n")
    with pytest.raises(LoadError) as err:
        load_file(tmp_path / "bad.yaml")
    assert str(err.value) == "bad.yaml:2:12: error: file is not UTF-8; expected UTF-8 text, got byte 0xe9"


def test_empty_file_loads_as_nothing():
    assert parse("", "f.yaml") is None
    assert parse("# only a comment\n", "f.yaml") is None
