"""``poa.txt`` and ``form.json``: the letter as plain text, and the text of each appeal-form box.

``poa.txt`` is the whole letter, word for word as the PDF and the DOCX show it, with each
form box's text between two marker lines (``== label (n / limit characters) ==`` and
``== end of label ==``), so a seller copies exactly what goes into each box. ``form.json``
holds each box (profile ``form_fields``): its parts of the letter, text, characters, limit
and where the limit comes from. Characters are counted as the platforms count them: ``len()``
of the NFC text. A box over its limit is an error naming the box and by how much.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from poaforge.errors import BuildError, Problem
from poaforge.letter.words import Words

__all__ = ["part_text", "build_form", "render_txt", "count_text", "SIGN_HERE"]

#: the place to sign in plain text (the PDF draws a line)
SIGN_HERE = "_" * 30


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _line(parts: list[dict[str, str]], sep: str) -> str:
    return sep.join(p["label"] + p["value"] for p in parts)


def item_text(item: dict[str, Any], sep: str) -> str:
    """One numbered point: "1. text", then its detail lines indented, the last one cited."""
    lines = [_line(parts, sep) for parts in item["details"]]
    if item["cite"]:
        lines[-1] += item["cite"]["gap"] + item["cite"]["text"]
    return "\n".join([f"{item['number']} {item['text']}"] + [f"   {line}" for line in lines])


def _table(metrics: dict[str, Any]) -> str:
    rows = [metrics["columns"]] + [r["cells"] for r in metrics["rows"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def part_text(model: dict[str, Any], part: str) -> str:
    """The plain text of one part of the letter (``opening``, ``reappeal``, ``metrics`` or a section)."""
    for p in model["paragraphs"]:
        if p["part"] == part:
            return _nfc(p["text"])
    if part == "metrics" and model["metrics"]:
        return _nfc(f"{model['metrics']['heading']}\n{_table(model['metrics'])}")
    for s in model["sections"]:
        if s["part"] == part:
            body = "\n\n".join(item_text(it, model["separators"]["item"]) for it in s["items"])
            return _nfc(f"{s['heading']}\n{body}")
    return ""


def count_text(words: Words, chars: int, limit: int | None) -> str:
    """"123 / 1800 characters", or "123 characters" for a box without a limit, in the letter's language."""
    return words.fill("count_plain", chars=chars) if limit is None else words.fill("count_limit", chars=chars, limit=limit)


def _too_long(model: dict[str, Any], case: dict[str, Any], box: dict[str, Any]) -> Problem:
    over = box["chars"] - box["limit"]
    pieces = [(it["name"], it["id"], len(_nfc(item_text(it, model["separators"]["item"]))))
              for s in model["sections"] if s["part"] in box["parts"] for it in s["items"]]
    pieces += [(p, p, len(part_text(model, p))) for p in box["parts"] if p in ("opening", "reappeal", "metrics")]
    longest = sorted(pieces, key=lambda x: (-x[2], x[1]))[:3]
    named = ", ".join(f"{name} ({ident}, {n:,} characters)" if name != ident else f"the {name} ({n:,} characters)"
                      for name, ident, n in longest)
    platform = case["profile"]["platform"]
    line, col = _where(case, longest[0][1]) if longest else (0, 0)
    return Problem(case.get("source", "case"), line, col,
                   message=f"form box \"{box['label']}\" ({box['key']}) is {box['chars']:,} characters, "
                           f"{over:,} over its limit of {box['limit']:,}",
                   hint=f"shorten it by at least {over:,} characters; its longest parts: {named}. The limit is set in "
                        f"platforms/{platform}.yaml (form_fields: {box['key']}, limit_source: {box['limit_source']})")


def _where(case: dict[str, Any], ident: str) -> tuple[int, int]:
    """Line and column of the item ``ident`` (e.g. "CA1") in the case file, (0, 0) when unknown."""
    from poaforge.case.loader import load_yaml
    from poaforge.errors import CaseError

    for section in ("root_causes", "corrective_actions", "preventive_measures"):
        for i, item in enumerate(case.get(section) or []):
            if isinstance(item, dict) and item.get("id") == ident:
                try:
                    return load_yaml(case["source"]).locate_key((section, i))
                except (CaseError, KeyError):
                    return (0, 0)
    return (0, 0)


def build_form(case: dict[str, Any], model: dict[str, Any], strict: bool = True) -> dict[str, Any]:
    """form.json content: one entry per profile form box with the text of its parts (those
    present in this letter: a first appeal has no re-appeal paragraph). With ``strict``, a box
    over its limit raises BuildError naming it and the excess."""
    words = Words(model["labels"])
    boxes, problems = [], []
    for spec in case["profile"]["form_fields"]:
        parts = [p for p in spec["parts"] if p in model["parts"]]
        text = _nfc("\n\n".join(part_text(model, p) for p in parts))
        label = spec["label"].get(model["language"]) or next(iter(spec["label"].values()))
        box = {"key": spec["key"], "label": label, "parts": parts, "text": text, "chars": len(text),
               "limit": spec["limit"], "limit_source": spec["limit_source"],
               "fits": spec["limit"] is None or len(text) <= spec["limit"]}
        box["count"] = count_text(words, box["chars"], box["limit"])
        boxes.append(box)
        if not box["fits"]:
            problems.append(_too_long(model, case, box))
    if problems and strict:
        raise BuildError(problems)
    return {"language": model["language"], "fields": boxes}


def render_txt(model: dict[str, Any], form: dict[str, Any]) -> str:
    """poa.txt: the whole letter as plain text, each form box between its marker lines."""
    words = Words(model["labels"])
    head = [model["letterhead"]["name"]]
    head += [_line(parts, model["separators"]["letterhead"]) for parts in model["letterhead"]["lines"]]
    colon = model["labels"]["colon"]
    meta = []
    for m in model["meta"]:
        first, *rest = m["lines"]
        meta.append(m["label"] + colon + first)
        meta += [" " * (len(m["label"]) + len(colon)) + line for line in rest]
    blocks = ["\n".join(head), model["title"], "\n".join(meta)]
    starts = {b["parts"][0]: b for b in form["fields"] if b["parts"]}
    ends = {b["parts"][-1]: b for b in form["fields"] if b["parts"]}
    for part in model["parts"]:
        text = part_text(model, part)
        if part in starts:
            box = starts[part]
            text = words.fill("field_header", label=box["label"], count=box["count"]) + "\n" + text
        if part in ends:
            text += "\n" + words.fill("field_end", label=ends[part]["label"])
        blocks.append(text)
    sign = model["signatory"]
    foot = list(model["closing"]) + [""]
    if sign["signature"]:
        foot.append(f"{sign['signature']} {SIGN_HERE}")
    foot += sign["lines"]
    if sign["seal"]:
        foot.append(sign["seal"])
    blocks.append("\n".join(foot))
    return _nfc("\n\n".join(blocks) + "\n")
