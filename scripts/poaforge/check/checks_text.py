"""Language and glossary (POA408–410) and personal data (POA703) over every POA text field.
Exhibit titles and 'proves' are read for language only; the notice's quotes never (they
are the platform's words). Tone, promises, blame and the other sentence rules are the text
rules of :mod:`poaforge.check.casetext`."""

from __future__ import annotations

import re
from functools import lru_cache

from .catalogue import Term
from .context import Context
from .text import TextField, cjk_runs, clip, exhibit_fields, has_cjk, latin_words, normalise, poa_fields

__all__ = ["check_language", "check_personal_data", "glossary_hits"]


@lru_cache(maxsize=64)
def _term_pattern(term: Term) -> re.Pattern[str]:
    forms = sorted({*term.wrong, *([term.right] if term.casing else [])}, key=len, reverse=True)
    parts = []
    for form in forms:
        body = r"\s*".join(re.escape(w) for w in form.split()) if has_cjk(form) else \
            r"\s+".join(re.escape(w) for w in form.split())
        parts.append(body if has_cjk(form) else rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])")
    return re.compile("|".join(parts), re.IGNORECASE)


def glossary_hits(ctx: Context, text: str) -> list[tuple[str, str]]:
    """(wrong form as written, right form) for every glossary term misused in ``text``."""
    hits = []
    text = normalise(text)
    for term in ctx.catalogue.glossary:
        if term.languages and ctx.language not in term.languages:
            continue
        for m in _term_pattern(term).finditer(text):
            if m.group(0) != term.right:
                hits.append((m.group(0), term.right))
                break
    return hits


def _language_fields(ctx: Context) -> list[TextField]:
    return poa_fields(ctx.data) + exhibit_fields(ctx.data)


def check_language(ctx: Context) -> None:
    min_words = int(ctx.catalogue.setting("latin_only_min_words"))
    for f in _language_fields(ctx):
        hits = glossary_hits(ctx, f.text)
        for wrong, right in hits:
            ctx.emit("POA410", f.path, where=f.where, phrase=wrong, right=right)
        if ctx.language == "en":
            rest = normalise(f.text)
            for wrong, _ in hits:
                rest = rest.replace(wrong, " ")
            runs = cjk_runs(rest)
            if runs:
                ctx.emit("POA408", f.path, where=f.where, phrase=clip(runs[0], 24))
        elif ctx.language == "zh" and f.section != "exhibits":
            words = latin_words(f.text)
            if not has_cjk(f.text) and len(words) >= min_words:
                ctx.emit("POA409", f.path, where=f.where, phrase=clip(f.text, 40))


def check_personal_data(ctx: Context) -> None:
    matchers = ctx.personal_data
    for f in poa_fields(ctx.data):
        for kind, matcher in matchers.items():
            found = matcher.search(f.text)
            if found:
                ctx.emit("POA703", f.path, where=f.where, kind=kind, phrase=clip(found, 40))
