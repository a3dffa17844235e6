"""Kinds of documents and the evidence each scenario needs: the data in ``documents/``.

* ``documents/kinds.yaml`` — how an invoice, an order confirmation, a pro-forma, a packing list,
  a certificate, an authorisation letter, a dashboard screenshot… is recognised by its title;
* ``documents/required.yaml`` — which kinds a scenario needs on each platform, in the platform's
  words, with the source of the rule (official / practice / single);
* ``documents/editors.yaml`` — signs of a document edited after it was issued.

Loaded once per process, checked on load (a broken file raises ``ProfileError`` naming it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from poaforge.check.catalogue import load_data
from poaforge.check.text import Matcher
from poaforge.errors import Problem, ProfileError
from poaforge.paths import PROJECT

__all__ = ["Kind", "Documents", "load_documents", "classify", "scenarios_of"]

_SOURCES = ("official", "practice", "single")


@dataclass(frozen=True)
class Kind:
    """One document kind: ``id``, labels per language, title phrases, case ``kind:`` values."""

    id: str
    label: dict[str, str]
    phrases: Matcher
    declared: tuple[str, ...]
    images_only: bool

    def name(self, lang: str = "en") -> str:
        """The label in ``lang`` (English when there is none)."""
        from poaforge.portfolio.scenarios import pick

        return str(pick(self.label, lang) or self.id)


@dataclass(frozen=True)
class Documents:
    """Everything in ``documents/``."""

    kinds: tuple[Kind, ...]
    scenarios: dict[str, dict[str, Any]]
    editors: dict[str, list[str]]

    def kind(self, kid: str) -> Kind | None:
        return next((k for k in self.kinds if k.id == kid), None)


def _fail(shown: str, message: str) -> ProfileError:
    return ProfileError(Problem(shown, message=message, hint="restore the file from git or fix the entry"))


def _read(root: Path, name: str) -> Any:
    shown = f"documents/{name}"
    try:
        return load_data((root / "documents" / name).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(shown, f"cannot read the document data: {exc.strerror}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _fail(shown, f"invalid document data: {str(exc).splitlines()[0]}") from None


def _strings(value: Any, shown: str, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(shown, f"{what} must be a list of texts")
    return value


def _matcher(value: Any, shown: str, what: str) -> Matcher:
    """A phrase list as the quality gate matches them (``re:`` entries are regular expressions)."""
    try:
        return Matcher(_strings(value, shown, what))
    except re.error as exc:
        raise _fail(shown, f"{what}: bad regular expression ({exc})") from None


def _kinds(data: Any) -> tuple[Kind, ...]:
    shown = "documents/kinds.yaml"
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), list):
        raise _fail(shown, "needs a 'kinds' list")
    out = []
    for k in data["kinds"]:
        if not isinstance(k, dict) or not isinstance(k.get("id"), str) or not isinstance(k.get("label"), dict):
            raise _fail(shown, f"kind {k!r} needs id and label {{en: …, zh: …}}")
        out.append(Kind(k["id"], {str(a): str(b) for a, b in k["label"].items()},
                        _matcher(k.get("phrases"), shown, f"{k['id']}.phrases"),
                        tuple(_strings(k.get("declared"), shown, f"{k['id']}.declared")), k.get("images_only") is True))
    return tuple(out)


def _scenarios(data: Any, kinds: tuple[Kind, ...]) -> dict[str, dict[str, Any]]:
    shown = "documents/required.yaml"
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), dict):
        raise _fail(shown, "needs a 'scenarios' mapping")
    known = {k.id for k in kinds}
    out = {}
    for sid, sc in data["scenarios"].items():
        match = sc.get("match") if isinstance(sc, dict) else None
        if not isinstance(match, dict) or not isinstance(sc.get("platforms"), dict):
            raise _fail(shown, f"scenario {sid} needs match and platforms")
        for platform, reqs in sc["platforms"].items():
            for r in reqs if isinstance(reqs, list) else [None]:
                ok = (isinstance(r, dict) and set(_strings(r.get("any_of"), shown, f"{sid}.{platform}.any_of")) <= known
                      and r.get("any_of") and isinstance(r.get("wording"), dict) and r.get("source") in _SOURCES)
                if not ok:
                    raise _fail(shown, f"{sid}.{platform}: each requirement needs any_of (kinds of documents/kinds.yaml), "
                                       f"wording {{en: …}} and source ({'|'.join(_SOURCES)})")
        out[str(sid)] = {"codes": _matcher(match.get("codes"), shown, f"{sid}.codes"),
                         "policy": _matcher(match.get("policy"), shown, f"{sid}.policy"),
                         "platforms": sc["platforms"]}
    return out


@cache
def load_documents(root: Path = PROJECT) -> Documents:
    """Read and check the three files of ``root/documents/``."""
    kinds = _kinds(_read(root, "kinds.yaml"))
    editors = _read(root, "editors.yaml")
    if not isinstance(editors, dict):
        raise _fail("documents/editors.yaml", "needs editors, word_processors, markup_annotations, checked_kinds")
    lists = {key: _strings(editors.get(key), "documents/editors.yaml", key)
             for key in ("editors", "word_processors", "markup_annotations", "checked_kinds")}
    return Documents(kinds, _scenarios(_read(root, "required.yaml"), kinds), lists)


def _title_zone(pages: list[dict[str, Any]]) -> tuple[str, str]:
    """(the largest text in the top half of page 1, short lines in its top third)."""
    if not pages:
        return "", ""
    first = pages[0]
    segs = [s for s in first.get("segments", []) if s[1] < first.get("height", 842) * 0.5]
    if not segs:
        return "", ""
    heights = sorted(s[3] - s[1] for s in segs)
    median = heights[len(heights) // 2]
    big = [s[4] for s in segs if s[3] - s[1] >= 1.3 * median]
    # else short lines in the top third: titles and headings, not sentences or table cells
    short = [s[4] for s in segs if s[1] < first.get("height", 842) * 0.3 and len(s[4].split()) <= 6]
    return "\n".join(big), "\n".join(short)


def classify(pages: list[dict[str, Any]], media: str, docs: Documents) -> dict[str, Any] | None:
    """The document kind of an exhibit from its text: ``{"kind": id, "page": 1, "text": matched}``,
    or None. The title (largest text at the top of page 1) decides first, then short lines in the
    top third of page 1; kinds are tried in the data's order. Image-only kinds apply to image exhibits."""
    from poaforge.evidence.sniff import FAMILY

    image = FAMILY.get(media) == "image"
    for zone in _title_zone(pages):
        for kind in docs.kinds:
            if kind.images_only and not image:
                continue
            line = next((ln for ln in zone.splitlines() if kind.phrases.search(ln)), None)
            if line:  # the whole title line that names the kind
                return {"kind": kind.id, "page": 1, "text": line.strip()}
    if image:
        return {"kind": "photo", "page": 1, "text": ""}
    return None


def scenarios_of(violations: list[dict[str, Any]], docs: Documents) -> list[str]:
    """Scenario ids (``documents/required.yaml``) whose code or policy matches a violation."""
    found = []
    for sid, sc in docs.scenarios.items():
        for v in violations:
            code, policy = str(v.get("code", "")), str(v.get("policy", ""))
            if (code and sc["codes"].search(code)) or (policy and sc["policy"].search(policy)):
                found.append(sid)
                break
    return found
