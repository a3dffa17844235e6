"""``poa new`` and ``poa scenarios``: start a case from a scenario scaffold.

A scaffold is data (``scaffolds/<scenario>.yaml``, shared parts in
``scaffolds/_common.yaml``): the usual violation, the questions the root cause must
answer, typical actions and measures, and the evidence reviewers expect. ``poa new``
turns it into ``cases/<case>.yaml``: every structural part filled in (ids, references,
exhibit list), every fact left as ``""`` or ``TODO`` with a comment saying what to write,
so that ``poa validate`` fails exactly where a fact is missing. It never overwrites.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import CaseError, ProfileError, Problem, UsageError

__all__ = ["Scenario", "load_scenarios", "render_case", "new_case", "main_new", "main_scenarios", "SECTIONS"]

SECTIONS = ("root_causes", "corrective_actions", "preventive_measures")
_TEXT_KEYS = ("title", "summary", "policy")
_LIST_KEYS = ("questions", "actions", "measures")


@dataclass(frozen=True)
class Scenario:
    """One scaffold file, checked."""

    id: str
    data: dict[str, Any]
    file: str

    def text(self, key: str, lang: str) -> str:
        return pick(self.data[key], lang)


def pick(value: Any, lang: str) -> Any:
    """``value`` in ``lang``: a mapping {en: …, zh: …} falls back to English, a plain value is shared."""
    if isinstance(value, dict):
        return value.get(lang, value.get("en", next(iter(value.values()), "")))
    return value


def _root() -> Path:
    from .case import PROJECT

    return PROJECT


def _read(path: Path) -> Any:
    import yaml

    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(Problem(str(path), message=f"cannot read the scaffold ({str(exc).splitlines()[0]})",
                                   hint="restore it from git or fix its YAML")) from None


def _is_text(value: Any) -> bool:
    """A text: a string, or a mapping of languages (en, zh) to strings."""
    if isinstance(value, dict):
        return bool(value) and set(value) <= {"en", "zh"} and all(isinstance(v, str) and v for v in value.values())
    return isinstance(value, str) and bool(value)


def _check(path: Path, data: Any) -> Scenario:
    shown = f"scaffolds/{path.name}"

    def bad(what: str) -> ProfileError:
        return ProfileError(Problem(shown, message=f"invalid scaffold: {what}",
                                    hint="compare it with scaffolds/odr.yaml; each text is a string or {en: …, zh: …}"))

    if not isinstance(data, dict) or data.get("id") != path.stem:
        raise bad(f"'id' must be '{path.stem}' (the file name)")
    for key in _TEXT_KEYS:
        if not _is_text(data.get(key)):
            raise bad(f"'{key}' must be a text or {{en: …, zh: …}} (quote texts that hold commas)")
    for key in _LIST_KEYS:
        if not isinstance(data.get(key), dict) or not all(isinstance(v, list) for v in data[key].values()):
            raise bad(f"'{key}' must map languages to lists")
    if not isinstance(data.get("platforms"), list) or not data["platforms"]:
        raise bad("'platforms' must list the platforms the scenario occurs on")
    evidence = data.get("evidence")
    if not isinstance(evidence, list) or not evidence:
        raise bad("'evidence' must list the evidence reviewers expect")
    for n, ev in enumerate(evidence, 1):
        if not isinstance(ev, dict) or ev.get("for") not in SECTIONS or not str(ev.get("file", "")).startswith("evidence/") \
                or not ev.get("kind") or not _is_text(ev.get("title")) or not _is_text(ev.get("expect")):
            raise bad(f"evidence entry {n} needs title, file (evidence/…), kind, expect and for ({', '.join(SECTIONS)})")
    notes = data.get("notes", {})
    if not isinstance(notes, dict) or not all(_is_text(v) for v in notes.values()):
        raise bad("'notes' must map platforms to texts")
    return Scenario(path.stem, data, shown)


def load_scenarios(root: Path | None = None) -> dict[str, Scenario]:
    """Every scaffold in ``scaffolds/`` (files starting with ``_`` are shared parts), by id."""
    return dict(_scenarios(root or _root()))


@cache
def _scenarios(root: Path) -> dict[str, Scenario]:
    folder = root / "scaffolds"
    paths = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    if not paths:
        raise ProfileError(Problem(f"{folder}/", message="no scenario scaffolds found", hint="restore scaffolds/ from git"))
    return {p.stem: _check(p, _read(p)) for p in paths}


@cache
def _common(root: Path) -> dict[str, Any]:
    data = _read(root / "scaffolds" / "_common.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("platforms"), dict) or not isinstance(data.get("comments"), dict):
        raise ProfileError(Problem("scaffolds/_common.yaml", message="needs 'platforms' and 'comments'",
                                   hint="restore it from git"))
    return data


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str, indent: str = "", width: int = 100) -> list[str]:
    out = []
    for para in text.split("\n"):
        if para.startswith("  "):  # preformatted (a command line)
            out.append(f"{indent}# {para}")
            continue
        wrapped = textwrap.wrap(para, width=width - len(indent) - 2, break_long_words=False, break_on_hyphens=False)
        out += [f"{indent}# {w}".rstrip() for w in wrapped] or [f"{indent}#"]
    return out


def _bullets(items: list[str], indent: str = "") -> list[str]:
    lines = []
    for item in items:
        wrapped = textwrap.wrap(item, 92 - len(indent), break_long_words=False)
        lines += [f"{indent}#   {'-' if n == 0 else ' '} {w}" for n, w in enumerate(wrapped)]
    return lines


def _enforcements(root: Path) -> list[str]:
    schema = json.loads((root / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
    return list(schema["properties"]["notice"]["properties"]["enforcement"]["enum"])


def _exhibit_limit(profile: dict[str, Any]) -> int | None:
    att = profile.get("attachments") or {}
    if att.get("mode") != "separate" or not att.get("max_count"):
        return None
    return int(att["max_count"]) - (1 if att.get("poa_file") else 0)


def render_case(case_id: str, sc: Scenario, platform: str, marketplace: str, lang: str,
                profile: dict[str, Any], root: Path | None = None) -> str:
    """The text of a new case file for scenario ``sc``."""
    root = root or _root()
    c = {k: str(v) for k, v in pick(_common(root)["comments"], lang).items()}
    name = str(profile.get("name", platform))
    limit = _exhibit_limit(profile)
    evidence = sc.data["evidence"]
    kept, extra = (evidence, []) if limit is None else (evidence[:limit], evidence[limit:])
    ids = {s: [f"E{n}" for n, ev in enumerate(kept, 1) if ev["for"] == s] for s in SECTIONS}
    metric_names = [m["name"] for m in profile.get("metrics", []) if m["name"] in sc.data.get("metrics", [])]
    values = {"case": case_id, "scenario": sc.id, "title": sc.text("title", lang), "summary": sc.text("summary", lang),
              "enforcement": sc.data.get("enforcement", ""), "choices": ", ".join(_enforcements(root)),
              "policy": sc.text("policy", lang), "code": sc.data.get("code", ""), "platform": name, "limit": limit,
              "names": ", ".join(metric_names)}
    f = {k: v.format(**values) for k, v in c.items()}
    L = ["# yaml-language-server: $schema=../schemas/case.schema.json", *_comment(f["header"])]
    note = (sc.data.get("notes") or {}).get(platform)
    if note:
        L += ["#", *_comment(f"{f['platform_note']} {pick(note, lang)}")]
    L += [f"case: {case_id}", f"platform: {platform}", f"marketplace: {_q(marketplace)}", f"language: {lang}",
          f"as_of: TODO  # {f['as_of']}", "", *_comment(f["seller"]), "seller:",
          f'  legal_name: ""  # {f["legal_name"]}', f'  store_name: ""  # {f["store_name"]}',
          f'  seller_id: ""  # {f["seller_id"]}', f'  # address: ""  ({f["optional"]})', f'  # email: ""  ({f["optional"]})',
          f"  responsible_person:  # {f['person']}", '    name: ""', '    title: ""', "",
          *_comment(f["notice"]), "notice:", f"  received: TODO  # {f['received']}", f"  deadline: TODO  # {f['deadline']}",
          *_comment(f["enforcement"], "  "), "  enforcement: TODO", f'  reference: ""  # {f["reference"]}',
          f"  violations:  # {f['violation']}", "    - id: V1", *_comment(f["policy"], "      "), '      policy: ""']
    if sc.data.get("code"):
        L += [f"      # code: {sc.data['code']}  ({f['code']})"]
    L += [f"      # affected: []  ({f['affected']})", f'      quote: ""  # {f["quote"]}']
    if metric_names:
        metric = next(m for m in profile["metrics"] if m["name"] == metric_names[0])
        L += ["", *_comment(f["metrics"]), "# metrics:",
              f"#   - name: {metric['name']}", '#     value: ""', f"#     unit: {_q(metric['unit'])}",
              f"#     window: {metric.get('window') or ''}", "#     date: TODO", f"#     exhibit: {(ids['root_causes'] or ['E1'])[0]}"]
    L += ["", *_comment(f["questions"]), *_bullets(sc.text("questions", lang)), "root_causes:", "  - id: RC1",
          "    violations: [V1]", f'    what: ""  # {f["what"]}', f"    when: TODO  # {f['when']}",
          f'    role: ""  # {f["role"]}', f'    gap: ""  # {f["gap"]}', f"    exhibits: [{', '.join(ids['root_causes'])}]",
          "", *_comment(f["actions"]), *_bullets(sc.text("actions", lang)), "corrective_actions:", "  - id: CA1",
          "    root_causes: [RC1]", f'    action: ""  # {f["action"]}', f'    owner: ""  # {f["owner"]}',
          f"    done: TODO  # {f['done']}", f"    exhibits: [{', '.join(ids['corrective_actions'])}]",
          "", *_comment(f["measures"]), *_bullets(sc.text("measures", lang)), "preventive_measures:", "  - id: PM1",
          "    root_causes: [RC1]", f'    measure: ""  # {f["measure"]}', f'    owner: ""  # {f["owner"]}',
          f"    effective: TODO  # {f['effective']}", f'    frequency: ""  # {f["frequency"]}',
          f'    verification: ""  # {f["verification"]}', f"    exhibits: [{', '.join(ids['preventive_measures'])}]",
          "", *_comment(f["evidence"])]
    L += _bullets([f"E{n} {pick(ev['title'], lang)}: {pick(ev['expect'], lang)}" for n, ev in enumerate(kept, 1)])
    if extra:
        L += _comment(f["evidence_more"]) + _bullets([f"{pick(ev['title'], lang)}: {pick(ev['expect'], lang)}" for ev in extra])
    L += ["exhibits:"]
    for n, ev in enumerate(kept, 1):
        L += [f"  - id: E{n}", f"    title: {_q(pick(ev['title'], lang))}", f"    file: {ev['file']}",
              f"    date: TODO  # {f['exhibit_date']}", f"    kind: {ev['kind']}", f'    proves: ""  # {f["proves"]}']
    L += ["", *_comment(f["submissions"]), "# submissions:", '#   - version: "1"', "#     date: TODO",
          "#     outcome: pending  # pending, approved, rejected, no-response",
          f"#     commit: TODO  # git log -1 --format=%h -- cases/{case_id}.yaml", "#     feedback: >-", "#       TODO"]
    return "\n".join(L) + "\n"


def new_case(case_id: str, platform: str, scenario: str, *, marketplace: str | None = None,
             language: str | None = None, cases_dir: Path = Path("cases"), root: Path | None = None) -> Path:
    """Write ``cases_dir/<case_id>.yaml`` and ``cases_dir/<case_id>/evidence/``; return the case file."""
    import re

    from .case import CASE_ID
    from .consistency import RESERVED_IDS
    from .profile import list_platforms, load_profile

    root = root or _root()
    if not CASE_ID.match(case_id):
        raise UsageError(Problem("poa new", message=f"'{case_id}' is not a usable case id",
                                 hint="use letters, digits, '-' and '_', starting with a letter (at most 64)"))
    if case_id in RESERVED_IDS:
        raise UsageError(Problem("poa new", message=f"'{case_id}' is the name of a pipeline rule or folder",
                                 hint=f"choose another id, e.g. case-{case_id}"))
    scenarios = load_scenarios(root)
    platforms = list_platforms(root)
    if platform not in platforms:
        raise UsageError(Problem("poa new", message=f"unknown platform '{platform}'", hint=f"use one of: {', '.join(platforms)}"))
    if scenario not in scenarios:
        raise UsageError(Problem("poa new", message=f"unknown scenario '{scenario}'",
                                 hint=f"use one of: {', '.join(scenarios)} (`poa scenarios` describes them)"))
    sc = scenarios[scenario]
    if platform not in sc.data["platforms"]:
        fits = [s for s, v in scenarios.items() if platform in v.data["platforms"]]
        raise UsageError(Problem("poa new", message=f"scenario '{scenario}' has no scaffold for {platform}",
                                 hint=f"scenarios for {platform}: {', '.join(fits)}"))
    site = marketplace or str(_common(root)["platforms"].get(platform, {}).get("marketplace", "US"))
    if not re.fullmatch(r"[A-Za-z]{2,8}", site):
        raise UsageError(Problem("poa new", message=f"'{site}' is not a marketplace code", hint="use a site code such as US, UK, DE or global"))
    profile = load_profile(platform, site, root)
    lang = language or str(profile["languages"][0])
    if lang not in ("en", "zh"):
        raise UsageError(Problem("poa new", message=f"unknown language '{lang}'", hint="use en or zh"))
    target = cases_dir / f"{case_id}.yaml"
    if target.exists() or target.is_symlink():
        raise CaseError(Problem(str(target), message="already exists; poa new never overwrites a case",
                                hint="choose another case id, or edit the existing file"))
    if not cases_dir.is_dir():
        raise UsageError(Problem(str(cases_dir), message="no cases/ folder here",
                                 hint="run poa new in the project folder (the one with the Snakefile)"))
    text = render_case(case_id, sc, platform, site, lang, profile, root)
    tmp = cases_dir / f".{case_id}.yaml.{os.getpid()}.tmp"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.link(tmp, target)  # fails if the file appeared meanwhile: never overwrite
    except FileExistsError:
        raise CaseError(Problem(str(target), message="already exists; poa new never overwrites a case",
                                hint="choose another case id, or edit the existing file")) from None
    finally:
        tmp.unlink(missing_ok=True)
    (cases_dir / case_id / "evidence").mkdir(parents=True, exist_ok=True)
    return target


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(Problem(self.prog, message=message, hint=f"see `{self.prog} --help`"))


def main_new(argv: Sequence[str]) -> int:
    """``poa new CASE --platform P --scenario S [--marketplace M] [--language L]``."""
    p = _Parser(prog="poa new", description="Start a case from a scenario scaffold (never overwrites).")
    p.add_argument("case", help="case id: the file becomes cases/<case>.yaml")
    p.add_argument("--platform", required=True, help="amazon, tiktok-shop, aliexpress or walmart")
    p.add_argument("--scenario", required=True, help="see `poa scenarios`")
    p.add_argument("--marketplace", help="site code (default: the platform's usual one)")
    p.add_argument("--language", help="en or zh (default: the platform's first language)")
    args = p.parse_args(list(argv))
    path = new_case(args.case, args.platform, args.scenario, marketplace=args.marketplace, language=args.language)
    text = path.read_text(encoding="utf-8")
    todo = sum(1 for line in text.splitlines() if not line.lstrip().startswith("#") and (': ""' in line or ": TODO" in line))
    print(f"wrote {path} and {path.with_suffix('')}/evidence/ ({todo} facts to fill in)\n"
          f"next: put the evidence files in {path.with_suffix('')}/evidence/, fill in every \"\" and TODO, "
          f"run `poa validate {args.case}` until it is clean, then `snakemake {args.case}`")
    return 0


def main_scenarios(argv: Sequence[str]) -> int:
    """``poa scenarios [--platform P] [--format text|json]``."""
    p = _Parser(prog="poa scenarios", description="List the scenario scaffolds `poa new` can start from.")
    p.add_argument("--platform", help="only scenarios for this platform")
    p.add_argument("--language", default="en", help="en or zh (titles)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    args = p.parse_args(list(argv))
    rows = [s for s in load_scenarios().values() if not args.platform or args.platform in s.data["platforms"]]
    if args.format == "json":
        print(json.dumps([{"id": s.id, "title": s.text("title", args.language), "summary": s.text("summary", args.language),
                           "platforms": s.data["platforms"], "evidence": len(s.data["evidence"])} for s in rows],
                         ensure_ascii=False, indent=2))
        return 0
    for s in rows:
        print(f"{s.id:<24} {s.text('title', args.language)}\n{'':<24} platforms: {', '.join(s.data['platforms'])}")
    print(f"\n{len(rows)} scenarios; start a case with `poa new <case> --platform P --scenario S`", file=sys.stderr)
    return 0
