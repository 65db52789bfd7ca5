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

from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

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
