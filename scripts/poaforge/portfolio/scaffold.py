"""``poa new`` and ``poa scenarios``: start a case from a scenario scaffold.

A scaffold is data (``scaffolds/<scenario>.yaml``, shared parts in
``scaffolds/_common.yaml``): the usual violation, the questions the root cause must
answer, typical actions and measures, and the evidence reviewers expect. ``poa new``
turns it into ``cases/<case>.yaml``: every structural part filled in (ids, references,
exhibit list), every fact left as ``""`` or ``TODO`` with a comment saying what to write,
so that ``poa validate`` fails exactly where a fact is missing. It never overwrites.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poaforge.console import ArgParser
from poaforge.errors import CaseError, Problem, UsageError
from poaforge.paths import PROJECT
from poaforge.portfolio.scenarios import SECTIONS, Scenario, common_parts, load_scenarios, pick

__all__ = ["render_case", "new_case", "main_new", "main_scenarios"]


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
    field = schema["properties"]["notice"]["properties"]["enforcement"]
    # the values are one branch of anyOf; the other is the TODO a scaffold leaves
    return next(list(branch["enum"]) for branch in [field, *field.get("anyOf", [])] if "enum" in branch)


def _exhibit_limit(profile: dict[str, Any]) -> int | None:
    att = profile.get("attachments") or {}
    if att.get("mode") != "separate" or not att.get("max_count"):
        return None
    return int(att["max_count"]) - (1 if att.get("poa_file") else 0)


def render_case(case_id: str, sc: Scenario, platform: str, marketplace: str, lang: str,
                profile: dict[str, Any], root: Path | None = None) -> str:
    """The text of a new case file for scenario ``sc``."""
    root = root or PROJECT
    c = {k: str(v) for k, v in pick(common_parts(root)["comments"], lang).items()}
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

    from poaforge.case.model import CASE_ID
    from poaforge.case.profile import list_platforms, load_profile
    from poaforge.steps import RESERVED_IDS

    root = root or PROJECT
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
    site = marketplace or str(common_parts(root)["platforms"].get(platform, {}).get("marketplace", "US"))
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


def main_new(argv: Sequence[str]) -> int:
    """``poa new CASE --platform P --scenario S [--marketplace M] [--language L]``."""
    p = ArgParser(prog="poa new", description="Start a case from a scenario scaffold (never overwrites).")
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
    p = ArgParser(prog="poa scenarios", description="List the scenario scaffolds `poa new` can start from.")
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
