"""The content address of a frozen question: what a session item shows and scores with.

A session item points at a ``FrozenQuestion`` (apps.interviews.models) instead of carrying its
own copy of the question's text and rubric: every session of a kit shares one row per question
version, so 30 million items need a few thousand of these rows, not 30 million copies.

Rules it keeps:
- The address is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of exactly
  the frozen content (:data:`CONTENT_FIELDS`). Equal content gives the same row whoever froze
  it and whenever; different content always gives another row.
- A row is immutable: nothing updates one. Editing the bank makes new content, hence a new
  address and a new row; a past session keeps pointing at the old one.
- Pure Python (no Django import): the session service and the migration that deduplicated
  the old copies (0013_frozen_questions) compute the address with this one function.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: The question-version content a session freezes, shared between sessions.
CONTENT_FIELDS = (
    "prompt",
    "guidance",
    "key_points",
    "follow_ups",
    "red_flags",
    "rubric",
    "expected_minutes",
)


def content_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the :data:`CONTENT_FIELDS` of ``values``, JSON lists copied."""
    return {name: values[name] for name in CONTENT_FIELDS}


def digest(content: Mapping[str, Any]) -> str:
    """The hex SHA-256 of the canonical JSON of ``content`` (:data:`CONTENT_FIELDS` only)."""
    canonical = json.dumps(
        content_of(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
