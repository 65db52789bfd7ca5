"""The Jinja2 sandbox every template runs in: content templates and HTML page templates.

Jinja2's ``ImmutableSandboxedEnvironment`` already refuses what the known template escapes
need: attributes that start with an underscore (``__class__``, ``__globals__``,
``_TemplateReference__context``), the internals of functions and frames, ``str.format`` and
``format_map`` reaching such attributes, and any call that changes a list, dict or set
(``themes.update(...)``, ``list.append``).

One more door is ours to close. The records a template sees are pydantic models, and
pydantic's ``BaseModel`` carries machinery a template has no business with:
``parse_file(path)`` reads any file on the machine, and ``model_config`` and ``model_fields``
are dictionaries shared by every record of a class, whose change would reach every later
brief of the build. So on a model (or its class) no attribute that ``BaseModel`` itself
defines is readable; its fields, and what briefgen's own classes add (``Evidence.locator``),
are.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

from .errors import Location, Problem, display_path
from .schema import did_you_mean

# Everything pydantic's BaseModel defines: model_*, parse_*, schema*, copy, dict, json, ...
MODEL_MACHINERY = frozenset(dir(BaseModel))


def _is_model(obj: Any) -> bool:
    return isinstance(obj, BaseModel) or (isinstance(obj, type) and issubclass(obj, BaseModel))


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, and on pydantic models only their fields and our own
    additions."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in MODEL_MACHINERY and _is_model(obj):
            return False
        return super().is_safe_attribute(obj, attr, value)


# --- what a template did wrong, located ----------------------------------------------------

def template_problem(err: Exception, template_path: Path) -> Problem:
    """Any error of a template as one located problem: a syntax error at its line, a rendering
    error (undefined value, sandbox refusal, endless recursion, an error raised by something
    it called) at the template line it happened on. The content templates and the HTML page
    templates both report through here."""
    if isinstance(err, jinja2.TemplateSyntaxError):
        return Problem(_template_loc(err.filename or str(template_path), err.lineno),
                       f"template syntax error: {err.message}")
    return Problem(_runtime_loc(err, template_path), _runtime_message(err))


def _template_loc(filename: str, line: int | None) -> Location:
    return Location(display_path(filename), line or 0, 1 if line else 0)


def _runtime_loc(err: Exception, template_path: Path) -> Location:
    """The template line a rendering error happened on (Jinja maps its frames to it)."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if f.filename and f.filename.endswith(".j2")]
    if frames:
        return _template_loc(frames[-1].filename, frames[-1].lineno)
    return Location(display_path(template_path))


# Jinja's words for a missing attribute name the Python class ("'briefgen.brief.Brief object'
# has no attribute 'x'"): a template author knows the record, not the class.
_NO_ATTRIBUTE = re.compile(r"^'(?:[\w.]+\.)?(\w+) object' has no attribute '([^']+)'$")


def _undefined_message(err: jinja2.UndefinedError) -> str:
    found = _NO_ATTRIBUTE.match(err.message or "")
    if not found:
        return f"template uses an undefined value: {err.message}"
    owner, attribute = found.groups()
    keys = _fields().get(owner)
    if keys is None:
        return f"template uses an undefined value: a {owner} has no {attribute!r}"
    hint = did_you_mean(attribute, keys) or f"; expected one of {', '.join(keys)}"
    return f"template uses an undefined value: a {owner.lower()} has no field {attribute!r}{hint}"


def _fields() -> dict[str, list[str]]:
    """The fields of what templates see (records, the brief, a page's meta), by class name."""
    from dataclasses import fields

    from .brief import Brief
    from .dataset import KINDS, Evidence
    from .model import Meta

    found = {m.__name__: sorted(m.model_fields) for m in [Brief, Evidence, *(k.model for k in KINDS)]}
    found["Meta"] = sorted(f.name for f in fields(Meta))
    return found


def _runtime_message(err: Exception) -> str:
    if isinstance(err, jinja2.UndefinedError):
        return _undefined_message(err)
    if isinstance(err, jinja2.exceptions.SecurityError):
        return f"template tried something the sandbox forbids: {err}"
    if isinstance(err, jinja2.TemplateNotFound):
        return (f"template {err.name!r} not found; expected the name of a template inside "
                f"the template folder, got none of that name there")
    if isinstance(err, RecursionError):
        return ("template calls itself without end; expected an include or macro that stops, "
                "got recursion deeper than Python allows")
    if isinstance(err, jinja2.TemplateError):
        return f"template error: {err}"
    text = " ".join(str(err).split())
    return f"template error: {type(err).__name__}: {text[:200]}"
