"""Reading the YAML or JSON files people write (agreements, programs, students, funds, applications).

Every way a file can be wrong — missing, a folder, too large, not UTF-8, not YAML — becomes one
`InputError` naming the file, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from services.errors import InputError


def read_mapping(path: Path, what: str, max_bytes: int) -> dict[str, Any]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    try:
        if path.stat().st_size > max_bytes:
            raise InputError(f"{path}: larger than {max_bytes // 1000} kB; a {what} file should be small")
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file in UTF-8") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read: {e.strerror}") from None
    is_json = path.suffix.lower() == ".json"
    try:
        data = json.loads(raw) if is_json else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise InputError(f"{path}: not valid {'JSON' if is_json else 'YAML'}: {e}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of fields at the top level")
    return data
