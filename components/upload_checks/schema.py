"""The columns a task needs: present once, one value per row, of a usable type."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from components import task_rules
from components.task_rules import Kind
from components.upload_checks.report import cut

#: Required columns per task (the task table's) and the kind of value each must hold.
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, Kind], ...]] = {name: r.columns for name, r in task_rules.RULES.items()}

_KIND_WORDS: dict[Kind, str] = {"integer": "whole numbers", "number": "numbers", "text": "text"}
_KIND_WORD: dict[Kind, str] = {"integer": "whole number", "number": "number", "text": "text value"}


def schema_problems(schema: pa.Schema, required: tuple[tuple[str, Kind], ...], task_name: str) -> list[str]:
    """One sentence per required column that is missing, repeated or of the wrong type."""
    needed = ", ".join(name for name, _ in required)
    problems: list[str] = []
    for name, kind in required:
        found = schema.get_all_field_indices(name)
        if not found:
            problems.append(
                f"Column '{name}' is missing: {task_name} predictions need {needed}." + _near_miss(schema.names, name)
            )
        elif len(found) > 1:
            problems.append(f"Column '{name}' appears {len(found)} times; it must appear once.")
        else:
            problem = _type_problem(name, schema.field(found[0]).type, kind, task_name)
            if problem:
                problems.append(problem)
    return problems


def _near_miss(names: Iterable[str], wanted: str) -> str:
    """A hint when the column is there under another spelling (case, spaces, dashes)."""

    def squash(s: str) -> str:
        return s.lower().replace("_", "").replace("-", "").replace(" ", "")

    for name in names:
        if squash(name) == squash(wanted):
            return f" (The file has '{cut(name)}'; column names must match exactly.)"
    return ""


def _is_kind(arrow_type: pa.DataType, kind: Kind) -> bool:
    if kind == "integer":
        return bool(pa.types.is_integer(arrow_type))
    if kind == "number":
        return bool(pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type))
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return bool(
        pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type)
    )


def _type_problem(name: str, arrow_type: pa.DataType, kind: Kind, task_name: str) -> str | None:
    if _is_kind(arrow_type, kind):
        return None
    shown = cut(arrow_type)  # a struct's type names all its fields
    if pa.types.is_nested(arrow_type) and not pa.types.is_struct(arrow_type):
        return (
            f"Column '{name}' holds a list per row ({shown}); {task_name} predictions need "
            f"a single {_KIND_WORD[kind]} per row."
        )
    hint = " Cast it with .astype('int64')." if kind == "integer" and pa.types.is_floating(arrow_type) else ""
    return (
        f"Column '{name}' holds {_describe_type(arrow_type)} ({shown}); {task_name} "
        f"predictions need {_KIND_WORDS[kind]} there.{hint}"
    )


def _describe_type(arrow_type: pa.DataType) -> str:
    checks = (
        (pa.types.is_null, "only empty values"),
        (pa.types.is_boolean, "true/false values"),
        (pa.types.is_floating, "floating-point numbers"),
        (pa.types.is_integer, "whole numbers"),
        (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), "text"),
        (pa.types.is_struct, "records"),
        (pa.types.is_temporal, "dates or times"),
        (lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t), "binary data"),
        (pa.types.is_dictionary, "categories"),
    )
    for predicate, words in checks:
        if predicate(arrow_type):
            return words
    return "values of an unusual type"
