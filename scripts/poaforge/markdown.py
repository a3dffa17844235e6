"""Case text inside the Markdown outputs (checklist.md, changes.md): shown as written, never markup."""

from __future__ import annotations

import re

__all__ = ["literal"]

# CommonMark lets any ASCII punctuation be escaped; these can start markup ('&' an entity, '$' math)
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~!$&])")


def literal(text: object) -> str:
    """``text`` on one line with every markup character escaped: ``a*b`` → ``a\\*b``."""
    return _MARKUP.sub(r"\\\1", " ".join(str(text).split()))
