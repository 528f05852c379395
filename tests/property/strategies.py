"""Hypothesis strategies for bad input: arbitrary JSON-like values, values shaped like a model's
fields, and valid examples with a few parts broken. Shared by the property tests (and nothing else)."""

from __future__ import annotations

import copy
import os
import types
import typing
from collections.abc import Hashable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel, SecretStr

SCALE = int(os.environ.get("HELIX_PROPERTY_SCALE", "1"))
"""Multiplies every property test's number of examples: `HELIX_PROPERTY_SCALE=20 pytest tests/property`
hunts longer; the default keeps the suite around a minute."""


def examples(n: int) -> int:
    return n * SCALE


# Leaves a person (or a YAML parser) can produce, with the awkward ones on purpose: huge and tiny
# numbers, NaN, blank and enormous strings, line breaks, NUL, markup, impossible dates as text.
AWKWARD_STRINGS = [
    "", " ", "\n", "\t", "\x00", "a\x00b", "x" * 25_000, "é" * 5_000, "2026-02-30", "2026-13-01", "0000-01-01",
    "9999-12-31T23:59:59", "NaN", "-Infinity", "1e999999", "-0", "1E+1000000000", "0.000000000000000000001", "sNaN",
    "<script>alert(1)</script>", "{{ 7*7 }}", "line one\nline two", "\u2028", "../../etc/passwd", "KR", "en", "approve",
    "a" * 65, "a-b", "-a", "A-1",
]  # fmt: skip
AWKWARD_NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63), 10**30, 10**400, 0.5, -0.0, 1e308, float("inf"), float("-inf"), float("nan")]

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(AWKWARD_STRINGS),
    st.sampled_from(AWKWARD_NUMBERS),
)
json_values = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12
)
"""Anything `json.loads` can return (and NaN, infinities, numbers of 4,000 digits)."""

yaml_values = st.recursive(
    leaves | st.dates() | st.datetimes(timezones=st.just(UTC) | st.none()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=4),
    max_leaves=12,
)
"""Anything `yaml.safe_load` can return from the files people write: dates, and keys that are numbers."""

python_values = yaml_values | st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("1e999999"), Decimal("-0"), b"\xff", (), frozenset()])
"""What the dashboard could hand a model besides: decimals of every kind, bytes, tuples."""


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def typed(tp: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of the right shape for a field's type (`st.from_type` for the leaves), now and then
    anything at all: they get past the type checks to the validators behind them."""
    tp = _unwrap(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if depth > 4 or tp is Any or tp is object:
        return json_values
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return shaped(tp, depth + 1)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([typed(a, depth) for a in args])
    if origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return st.lists(typed(args[0], depth + 1), max_size=3)
    if origin is tuple:
        return st.tuples(*[typed(a, depth + 1) for a in args]).map(list)
    if origin is dict:
        keys = typed(args[0], depth + 1).filter(lambda k: isinstance(k, Hashable))
        return st.dictionaries(keys, typed(args[1], depth + 1), max_size=3)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if tp is SecretStr:
        return st.text(max_size=20)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp)).map(lambda e: e.value)
    if tp in (str, int, float, bool, Decimal, date, datetime):
        return st.from_type(tp) | leaves
    try:
        return st.from_type(tp)
    except Exception:  # noqa: BLE001 - a type hypothesis cannot build: any value will do
        return json_values


def shaped(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with some of the model's own field names (by alias), each with a value of its type."""
    fields = {(f.alias or name): typed(f.annotation, depth) for name, f in model.model_fields.items()}
    return st.fixed_dictionaries({}, optional=fields)


# ---------------------------------------------------------------- breaking valid examples


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        value = value[p]
    return value


def _variants(value: Any) -> list[Any]:
    """Values near the one at hand: the same kind of thing, blank, enormous, negative, mistyped."""
    if isinstance(value, bool):
        return [not value, "yes", 1, None]
    if isinstance(value, int | float):
        return [-value, value * 10**6, 0, -1, str(value), 10**400, float("nan"), [value]]
    if isinstance(value, str):
        return ["", " ", value * 500, value + "\n" + value, value.upper(), value + "\x00", f"<b>{value}</b>", value[:1], [value], 5]
    if isinstance(value, list):
        return [[], value * 30, value[:1], value + value[-1:], {"0": value}]
    if isinstance(value, dict):
        return [{}, list(value.values()), {**value, "unexpected": 1}]
    return [None]


@st.composite
def broken(draw: st.DrawFn, seed: Any, values: st.SearchStrategy[Any] = json_values) -> Any:
    """A valid example with one to three parts replaced, removed, duplicated or added."""
    data = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        current = _at(data, path)
        how = draw(st.sampled_from(["near", "any", "remove", "add"]))
        new = draw(st.sampled_from(_variants(current))) if how == "near" else draw(values)
        if not path:
            data = new if how in ("near", "any") else data
            continue
        parent, key = _at(data, path[:-1]), path[-1]
        if how == "remove":
            del parent[key]
        elif how == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = new
        elif how == "add":
            parent.insert(key, new)
        else:
            parent[key] = new
    return data
