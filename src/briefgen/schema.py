"""Typed validation of loaded YAML with pydantic, and pydantic's errors as located problems.

The dataset and the brief files share this: models refuse unknown keys (with a "did you mean"
hint for near misses), and each pydantic error becomes one ``path:line:col`` problem in the
project's ``what is wrong; expected X, got Y`` form.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from .errors import Location, Problem, describe
from .load import locate

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$"
FULL_DATE_PATTERN = r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
PERIOD_PATTERN = (
    r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?"
    r"(?:/\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?)?$"
)

# What each pattern means, in the words an error message uses for "expected ...".
PATTERN_WORDS = {
    ID_PATTERN: "lower-case letters and digits in words joined by hyphens, like 'coi-2014'",
    DATE_PATTERN: "a date written YYYY, YYYY-MM or YYYY-MM-DD",
    FULL_DATE_PATTERN: "a full date written YYYY-MM-DD",
    PERIOD_PATTERN: "a date (YYYY, YYYY-MM or YYYY-MM-DD) or an interval START/END",
    COLOUR_PATTERN: "a colour written #rrggbb, like '#1f3a5f'",
}


def _number_as_text(value: Any) -> Any:
    # `page: 4` or `label: 2011` are meant as text; booleans are not (`label: no` is a YAML trap).
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _number_only(value: Any) -> Any:
    # int | float as one check, so a wrong value gives one error, not one per member of the union.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("float_type", "a number")
    return value


# The longest text a value may hold, in characters: about 3,000 words, the most a UN
# submission may have in all, and 27 times the longest record of the bundled dataset (736).
# A finding of a megabyte of prose builds in every format (WeasyPrint: 20 s), but WeasyPrint
# breaks a long run of text without a space in time growing with the square of its length
# (10,000 characters: 2 s; 40,000: 16 s; 160,000: 5 minutes): the bound keeps any one text
# to seconds, whatever it holds.
MAX_TEXT = 20_000

Number = Annotated[int | float, BeforeValidator(_number_only)]
Text = Annotated[str, BeforeValidator(_number_as_text),
                 StringConstraints(min_length=1, max_length=MAX_TEXT)]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
DateText = Annotated[str, BeforeValidator(_number_as_text), StringConstraints(pattern=DATE_PATTERN)]
FullDate = Annotated[str, StringConstraints(pattern=FULL_DATE_PATTERN)]
Colour = Annotated[str, StringConstraints(pattern=COLOUR_PATTERN)]
Period = Annotated[str, BeforeValidator(_number_as_text), StringConstraints(pattern=PERIOD_PATTERN)]


class Model(BaseModel):
    """Base of every schema model: strict types, unknown keys refused, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def key_names(model: type[BaseModel]) -> list[str]:
    """The keys a model accepts, as they are written in YAML."""
    return sorted(f.alias or name for name, f in model.model_fields.items())


def validate(model: type[Model], tree: Any, kind: str,
             at: Location) -> tuple[Model | None, list[Problem]]:
    """Validate one loaded record (which stands at `at`) against its model; problems carry
    file positions."""
    try:
        return model.model_validate(tree), []
    except pydantic.ValidationError as err:
        errors = _drop_misspelt_missing(err.errors(), model, kind)
        return None, [_problem(e, tree, model, kind, at) for e in errors]


def _drop_misspelt_missing(errors: list[dict], model: type[Model], kind: str) -> list[dict]:
    """A misspelt key ('theme') is also a missing key ('themes'): report it once, as misspelt."""
    meant = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            owner = _owner(tuple(e["loc"]), model, kind)[1]
            meant.add((tuple(e["loc"][:-1]), closest(str(e["loc"][-1]), key_names(owner) if owner else [])))
    return [e for e in errors
            if not (e["type"] == "missing" and (tuple(e["loc"][:-1]), e["loc"][-1]) in meant)]


def _problem(error: dict, tree: Any, model: type[Model], kind: str, at: Location) -> Problem:
    where = tuple(error["loc"])
    loc = locate(tree, where, key_itself=error["type"] == "extra_forbidden") or at
    return Problem(loc, _message(error, where, _owner(where, model, kind)))


def _owner(where: tuple, model: type[Model], kind: str) -> tuple[str, type[BaseModel] | None]:
    """The name of the mapping a key belongs to, and its model (for the list of its keys)."""
    name, current = kind, model
    for step in where[:-1]:
        if isinstance(step, str):
            name = step
            current = _field_model(current, step)
    return name, current


def _field_model(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    if model is None:
        return None
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return _inner_model(field.annotation)
    return None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found:
            return found
    return None


def _what(where: tuple, kind: str) -> str:
    """How the value an error is about is named: 'themes', an item of 'themes', a finding."""
    key = next((repr(s) for s in reversed(where) if isinstance(s, str)), None)
    if key is None:
        return f"a {kind}"
    return f"an item of {key}" if isinstance(where[-1], int) else key


def _message(error: dict, where: tuple, owner: tuple[str, type[BaseModel] | None]) -> str:
    kind, value = error["type"], error.get("input")
    owner_name, owner_model = owner
    key = next((str(s) for s in reversed(where) if isinstance(s, str)), owner_name)
    if kind == "missing":
        return f"missing key {key!r}; expected every {owner_name} to have {key!r}"
    if kind == "extra_forbidden":
        return _unknown_key(key, owner_name, key_names(owner_model) if owner_model else [])
    if kind == "literal_error":
        expected = error["ctx"]["expected"].replace("'", "")
        options = [o.strip() for o in expected.replace(" or ", ", ").split(",")]
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        return f"invalid {key!r}; expected one of {expected}, got {describe(value)}{hint or ''}"
    if kind == "string_pattern_mismatch":
        pattern = error["ctx"]["pattern"]
        return f"invalid {key!r}; expected {PATTERN_WORDS.get(pattern, pattern)}, got {describe(value)}"
    if kind in ("string_too_long", "too_long") and isinstance(value, str):
        return (f"{key!r} is too long; expected at most {MAX_TEXT:,} characters, "
                f"got {len(value):,}")
    if kind in ("string_too_short", "too_short"):
        return f"{key!r} is empty; expected at least one {'character' if isinstance(value, str) else 'item'}"
    if kind in ("greater_than_equal", "greater_than"):
        bound = error["ctx"].get("ge", error["ctx"].get("gt"))
        words = "at least" if kind == "greater_than_equal" else "more than"
        return f"invalid {key!r}; expected {words} {bound}, got {describe(value)}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    got = describe(value)
    if isinstance(value, bool) and kind == "string_type":
        got += " (put it in quotes: YAML reads yes, no, on and off as true or false)"
    what = _what(where, owner_name)
    return f"wrong type for {what}; expected {_TYPE_WORDS.get(kind, error['msg'])}, got {got}"


_TYPE_WORDS = {
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
}


def _unknown_key(key: str, owner: str, known: list[str]) -> str:
    hint = did_you_mean(key, known) or f"; expected one of {', '.join(known)}"
    return f"unknown key {key!r} in {owner}{hint}"


def closest(word: str, choices: list[str]) -> str | None:
    """The choice a misspelt word most likely meant (case ignored), if any is close."""
    folded = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def did_you_mean(word: str, choices: list[str]) -> str:
    """A hint for a misspelling: ``; did you mean 'religion'?``, or nothing."""
    meant = closest(word, choices)
    return f"; did you mean {meant!r}?" if meant else ""
