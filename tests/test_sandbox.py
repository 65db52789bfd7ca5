"""Templates run in briefgen's sandbox: the known escapes fail with one located line.

Each escape is put on line 2 of a content template (``content.md.j2``) or of an HTML page
template (``page.html.j2``) and the brief is built through the command's ``main``: the build
exits 1, prints one ``template:2:1`` line saying what the sandbox refused, and writes nothing.
``tests/test_compose.py`` already covers ``''.__class__.__mro__``, ``cite.__globals__`` and
``brief.__class__.__init__.__globals__`` in content templates.
"""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel

from briefgen import brief as brief_module
from briefgen import dataset as dataset_module
from briefgen.cli import main
from briefgen.sandbox import MODEL_MACHINERY
from conftest import BRIEF, write

FORBIDS = "template tried something the sandbox forbids: access to attribute"
NOT_FOUND = ("not found; expected the name of a template inside the template folder, "
             "got none of that name there")

CONTENT_ESCAPES = [
    ("{{ cycler.__init__.__globals__ }}", f"{FORBIDS} '__init__' of 'type' object is unsafe."),
    ("{{ joiner.__init__.__globals__.os }}", f"{FORBIDS} '__init__' of 'type' object is unsafe."),
    ("{{ namespace.__init__.__globals__ }}", f"{FORBIDS} '__init__' of 'type' object is unsafe."),
    ("{{ lipsum.__globals__ }}", f"{FORBIDS} '__globals__' of 'function' object is unsafe."),
    ("{{ self._TemplateReference__context }}",
     f"{FORBIDS} '_TemplateReference__context' of 'TemplateReference' object is unsafe."),
    ("{{ range.__self__ }}",
     "template uses an undefined value: a function has no '__self__'"),
    ("{{ by_theme.__closure__ }}", f"{FORBIDS} '__closure__' of 'function' object is unsafe."),
    ("{{ cite.__code__.co_consts }}", f"{FORBIDS} '__code__' of 'function' object is unsafe."),
    ("{{ dict(a=1).__class__.__base__.__subclasses__() }}",
     f"{FORBIDS} '__class__' of 'dict' object is unsafe."),
    # format strings reach attributes too: the sandbox checks those as well
    ("{{ '{0.__class__}'.format(findings[0]) }}",
     f"{FORBIDS} '__class__' of 'Finding' object is unsafe."),
    ("{{ '{a.__class__}'.format_map({'a': findings[0]}) }}",
     f"{FORBIDS} '__class__' of 'Finding' object is unsafe."),
    ("{{ '%s' % findings[0].__class__ }}", f"{FORBIDS} '__class__' of 'Finding' object is unsafe."),
    # a record's own attributes
    ("{{ findings[0].__class__ }}", f"{FORBIDS} '__class__' of 'Finding' object is unsafe."),
    ("{{ findings[0] | attr('__class__') }}", f"{FORBIDS} '__class__' of 'Finding' object is unsafe."),
    ("{{ findings[0].evidence[0].__init__ }}", f"{FORBIDS} '__init__' of 'Evidence' object is unsafe."),
    # pydantic's machinery: parse_file reads any file, model_config is shared by every brief
    ("{{ brief.parse_file('/etc/passwd') }}", f"{FORBIDS} 'parse_file' of 'Brief' object is unsafe."),
    ("{{ brief.model_config.clear() }}", f"{FORBIDS} 'model_config' of 'Brief' object is unsafe."),
    ("{{ findings[0].model_copy(update={'text': 'x'}) }}",
     f"{FORBIDS} 'model_copy' of 'Finding' object is unsafe."),
    # nothing a template is given can be changed
    ("{{ themes.update({'religion': 'x'}) }}", f"{FORBIDS} 'update' of 'dict' object is unsafe."),
    # files: only templates inside the audience's folder
    ("{% include '/etc/passwd' %}", f"template '/etc/passwd' {NOT_FOUND}"),
    ("{% import '../../x' as x %}", f"template '../../x' {NOT_FOUND}"),
    ("{% extends '../../../etc/passwd' %}", f"template '../../../etc/passwd' {NOT_FOUND}"),
    # endless recursion is a located error too, not a RecursionError traceback
    ("{% include 'content.md.j2' %}",
     "template calls itself without end; expected an include or macro that stops, got "
     "recursion deeper than Python allows"),
]

PAGE_ESCAPES = [
    ("{{ ''.__class__.__mro__ }}", f"{FORBIDS} '__class__' of 'str' object is unsafe."),
    ("{{ cycler.__init__.__globals__ }}", f"{FORBIDS} '__init__' of 'type' object is unsafe."),
    ("{{ lipsum.__globals__ }}", f"{FORBIDS} '__globals__' of 'function' object is unsafe."),
    ("{{ self._TemplateReference__context }}",
     f"{FORBIDS} '_TemplateReference__context' of 'TemplateReference' object is unsafe."),
    ("{{ meta.__class__ }}", f"{FORBIDS} '__class__' of 'Meta' object is unsafe."),
    ("{{ '{0.__class__}'.format(meta) }}", f"{FORBIDS} '__class__' of 'Meta' object is unsafe."),
    ("{{ body.__html__.__globals__ }}", f"{FORBIDS} '__html__' of 'Markup' object is unsafe."),
    ("{{ fonts.parse_file('/etc/passwd') }}",
     f"{FORBIDS} 'parse_file' of 'FontStacks' object is unsafe."),
    ("{{ fonts.model_config.clear() }}",
     f"{FORBIDS} 'model_config' of 'FontStacks' object is unsafe."),
    ("{% include '/etc/passwd' %}", f"template '/etc/passwd' {NOT_FOUND}"),
    ("{% import '../../x' as x %}", f"template '../../x' {NOT_FOUND}"),
]

PAGE = "{{% extends 'base.html.j2' %}}{{% block masthead %}}\n{}\n{{% endblock %}}\n"


def build(project, audience: str, files: dict[str, str], fmt: str, capsys) -> tuple[int, list[str]]:
    """Build the brief with an audience of its own (one sandbox per audience folder)."""
    for name, text in files.items():
        write(project, f"templates/{audience}/{name}", text)
    write(project, "briefs/b.yaml", BRIEF.replace("audience: plain", f"audience: {audience}"))
    code = main(["build", "briefs/b.yaml", "--format", fmt, "--out", "out"])
    return code, capsys.readouterr().err.splitlines()


def refused(project, capsys, audience: str, files: dict[str, str], fmt: str, where: str,
            message: str) -> None:
    code, err = build(project, audience, files, fmt, capsys)
    assert (code, err) == (1, [f"templates/{audience}/{where}:2:1: error: {message}",
                               "briefgen: 1 problem in 1 file"])
    assert not (project / "out").exists()


@pytest.mark.parametrize("index, escape, message",
                         [(i, e, m) for i, (e, m) in enumerate(CONTENT_ESCAPES)],
                         ids=[e for e, _ in CONTENT_ESCAPES])
def test_a_content_template_cannot_escape(project, capsys, index, escape, message):
    template = {"content.md.j2": f"# Findings\n{escape}\n"}
    refused(project, capsys, f"content-{index}", template, "md", "content.md.j2", message)


@pytest.mark.parametrize("index, escape, message",
                         [(i, e, m) for i, (e, m) in enumerate(PAGE_ESCAPES)],
                         ids=[e for e, _ in PAGE_ESCAPES])
def test_a_page_template_cannot_escape(project, capsys, index, escape, message):
    files = {"content.md.j2": "Text.\n", "page.html.j2": PAGE.format(escape)}
    refused(project, capsys, f"page-{index}", files, "html", "page.html.j2", message)


@pytest.mark.parametrize("line, printed", [
    ("{{ findings[0].evidence[0].locator }}", "('paragraph', '80')"),
    ("{{ '{0.id}'.format(findings[0]) }}", "no-religious-freedom"),
    ("{{ themes | dictsort | first | last }}", "Detention"),
])
def test_fields_and_briefgen_s_own_attributes_stay_readable(project, capsys, line, printed):
    code, err = build(project, "readable", {"content.md.j2": f"# Findings\n{line}\n"}, "md", capsys)
    assert (code, err) == (0, [])
    assert (project / "out" / "b.md").read_text(encoding="utf-8").endswith(f"{printed}\n")


def test_no_field_of_any_model_is_hidden_by_the_sandbox():
    """The sandbox hides what pydantic's BaseModel defines; no field may share such a name."""
    models = [c for module in (dataset_module, brief_module) for c in vars(module).values()
              if inspect.isclass(c) and issubclass(c, BaseModel)]
    names = {name for model in models for key, field in model.model_fields.items()
             for name in (key, field.alias) if name}
    assert len(models) > 10 and "text" in names
    assert names & MODEL_MACHINERY == set()
