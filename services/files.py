"""Reading the YAML or JSON files people write (agreements, programs, students, funds, applications,
festivals, the directory).

Every way a file can be wrong — missing, a folder, too large, not UTF-8, not YAML, a YAML "bomb" —
becomes one `InputError` naming the file, on one line, never a traceback and never a hang:

- a file is read up to its limit and no further (`MAX_FILE_BYTES` unless the caller sets another);
- nesting deeper than `MAX_DEPTH` is refused (in YAML from the parser's events, before the composer,
  which recurses, sees it);
- YAML anchors and aliases are welcome (the demo fund shares its rubric between calls), but what
  they expand to is counted, and a document of more than `MAX_VALUES` values once expanded (the
  "billion laughs") or an alias inside its own anchor is refused;
- YAML tags that make something other than JSON-like data (`!!binary`, `!!set`, `!!omap`,
  `!!pairs`, `!!python/…`) are refused, and a bad `!!int` or an impossible date is a YAML error;
- a NUL character anywhere is refused (PostgreSQL cannot store one in text), and so is a lone
  UTF-16 surrogate (`"\\ud800"` in JSON), which cannot be written out as UTF-8.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from services.errors import InputError, one_line

MAX_FILE_BYTES = 1024 * 1024
"""A file larger than this (1 MiB) is refused unread, unless its reader sets its own limit."""
MAX_DEPTH = 32
"""Lists and mappings nested deeper than this are refused; real files nest fewer than ten."""
MAX_VALUES = 250_000
"""Values in a document once its YAML aliases are expanded; a 1 MiB file of real data has far fewer."""

_NOT_JSON_LIKE = ("binary", "set", "omap", "pairs")


class _Refused(ComposerError):
    """A document refused for its shape (depth, expansion): reported like any YAML error."""


# libyaml when it is there (six times faster than PyYAML's own parser); both parse without recursion.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_shape(raw: str) -> None:
    """Refuse, from the parser's events alone, a document nested deeper than `MAX_DEPTH` or expanding
    to more than `MAX_VALUES` values — before the composer, which recurses, builds anything."""
    open_: list[list[Any]] = []  # per open list or mapping: [anchor, values so far]
    sizes: dict[str, int] = {}  # anchor → values it expands to, once closed
    total = 0

    def add(n: int, mark: Any) -> None:
        nonlocal total
        if open_:
            open_[-1][1] += n
            if open_[-1][1] > MAX_VALUES:
                raise _Refused(None, None, f"more than {MAX_VALUES:,} values, counting each repetition an alias makes", mark)
        else:
            total += n

    for event in yaml.parse(raw, Loader=_BaseLoader):
        mark = event.start_mark
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if len(open_) >= MAX_DEPTH:
                raise _Refused(None, None, f"lists and mappings nested deeper than {MAX_DEPTH} levels", mark)
            open_.append([event.anchor, 1])
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            anchor, n = open_.pop()
            if anchor is not None:
                sizes[anchor] = n
            add(n, mark)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            add(1, mark)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:  # undefined, or the list or mapping the alias is in
                raise _Refused(None, None, f"the alias *{event.anchor} refers to no complete value before it", mark)
            add(sizes[event.anchor], mark)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that turns every constructor failure into a YAML error with its line, and
    refuses the tags that make something other than JSON-like data."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, OverflowError) as e:
            # PyYAML lets these through: `!!int abc`, `2026-02-30`, `!!timestamp x`, 5,000-digit numbers
            value = str(node.value)
            shown = value if len(value) <= 40 else value[:40] + "…"
            why = f": {str(e).split(';')[0]}" if isinstance(e, ValueError) else ""
            raise ConstructorError(None, None, f"'{shown}' is not a valid {node.tag.rsplit(':', 1)[-1]}{why}",
                                   node.start_mark) from None  # fmt: skip


def _refuse_tag(loader: _Loader, node: yaml.Node) -> Any:
    raise ConstructorError(None, None, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed here;"
                           " write plain values, lists and mappings", node.start_mark)  # fmt: skip


for _tag in _NOT_JSON_LIKE:
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


def _yaml_problem(e: yaml.YAMLError) -> str:
    if isinstance(e, yaml.reader.ReaderError):
        return f"character {e.position + 1} is not allowed ({e.reason})"
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    parts = [p for p in (getattr(e, "context", None), getattr(e, "problem", None)) if p]
    if any("maximum nesting depth" in p for p in parts):
        # libyaml 0.2.5 and later stop at its own limit (1,000) while scanning ahead, before
        # `_check_shape` sees the 33rd level: the same refusal, in the same words.
        parts = [f"lists and mappings nested deeper than {MAX_DEPTH} levels"]
    if not parts:
        return one_line(str(e))
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return one_line(f"{where}{', '.join(parts)}")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_values(data: Any) -> None:
    """Depth, count and NUL characters of parsed data, without recursion (JSON has no aliases, but
    is checked the same way; YAML's shared values are walked as often as they are used)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise InputError(f"more than {MAX_VALUES:,} values")
        if isinstance(value, str):
            if "\x00" in value:
                raise InputError("contains a NUL character (\\u0000), which no text may hold")
            if _SURROGATE.search(value):
                raise InputError("contains half of a UTF-16 surrogate pair (such as \\ud800), which is not text")
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise InputError(f"lists and mappings nested deeper than {MAX_DEPTH} levels")
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((v, depth + 1) for v in items)


def parse_text(raw: str, *, is_json: bool, label: str | None = None) -> Any:
    """YAML or JSON text as plain data, within the limits above, or `InputError` saying (on one
    line, without the file's name) why not. `label` names the format in the message."""
    label = label or ("JSON" if is_json else "YAML")
    try:
        if is_json:
            data = json.loads(raw)
        else:
            _check_shape(raw)
            data = yaml.load(raw, Loader=_Loader)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid {label}: {e}") from None
    except yaml.YAMLError as e:
        problem = _yaml_problem(e)
        raise InputError(f"not valid {label} at {problem}" if problem.startswith("line ") else f"not valid {label}: {problem}") from None
    except RecursionError:
        raise InputError(f"not valid {label}: lists and mappings nested far deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:  # json: a number of more than 4,300 digits
        raise InputError(f"not valid {label}: {one_line(str(e)).split(';')[0]}") from None
    try:
        _check_values(data)
    except InputError as e:
        raise InputError(f"not accepted: {e}") from None
    return data


def read_text(path: Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A text file's content, read no further than `max_bytes`; a leading byte-order mark is dropped."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise InputError(f"{path}: cannot be read: {e.strerror}") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: larger than the limit of {max_bytes:,} bytes for a {what} file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file in UTF-8") from None


def read_mapping(path: Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> dict[str, Any]:
    """A YAML or JSON file (JSON when it ends in `.json`) whose top level is a mapping."""
    raw = read_text(path, what, max_bytes)
    try:
        data = parse_text(raw, is_json=path.suffix.lower() == ".json")
    except InputError as e:
        raise InputError(f"{path}: {e}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of fields at the top level")
    return data
