"""Platform profiles and language labels: YAML data files, validated, merged.

``platforms/<platform>.yaml`` is validated against ``schemas/platform.schema.json``; the
``marketplaces`` override for the case's site is deep-merged over the top level (mappings
merged, lists and scalars replaced) and the merged profile is validated again. Languages
are the files ``templates/lang/<language>.yaml``: adding one needs no code change.
Every problem raises :class:`ProfileError` as ``platforms/x.yaml:line:col: … — …``.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from poaforge.errors import Problem, ProfileError

__all__ = ["load_profile", "load_labels", "list_platforms", "list_languages", "ProfileError", "LEAD_PARTS"]

_ID = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_I18N = ("addressee", "headings", "submission_steps")
#: Parts of the letter before its sections, in letter order (see poaforge.letter.compose).
LEAD_PARTS = ("opening", "reappeal", "metrics")


class _Loader(yaml.SafeLoader):
    """Safe loader that rejects duplicate and non-string keys."""


#: The same over libyaml (PyYAML's C extension, when built with it): the same nodes and marks,
#: about 8× faster (the profiles and label files of a build: 0.40 s → 0.05 s). A file it
#: refuses is read again by the pure-Python :class:`_Loader`, whose messages our hints fit.
_CLoader = type("_CLoader", (yaml.CSafeLoader,), {}) if hasattr(yaml, "CSafeLoader") else None


class _KeyProblem(yaml.MarkedYAMLError):
    """A mapping key we refuse, with the fix."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        mark = key_node.start_mark
        if not isinstance(key, str):
            raise _KeyProblem(f"key {key!r} is not text", mark, f"quote it: \"{key_node.value}\"")
        if key in out:
            raise _KeyProblem(f"duplicate key '{key}'", mark, "keep one of them: YAML would silently use the last")
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


for _cls in (_Loader, _CLoader):
    if _cls is not None:
        _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


#: Parsed profile and label files of this process: path → ((mtime_ns, size), data, node).
_PARSED: dict[str, tuple[tuple[int, int], Any, Any]] = {}


def _read_yaml(path: Path, shown: str) -> tuple[Any, Any]:
    """Return (data, composed node) of a trusted YAML file, or raise ProfileError.

    A long-running process (``poa watch``, ``poa lsp``, ``poa lint`` over many cases) parses
    each file once while its size and modification time stay the same; the data is a copy."""
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = None
    hit = _PARSED.get(str(path))
    if stamp is not None and hit is not None and hit[0] == stamp:
        return copy.deepcopy(hit[1]), hit[2]
    data, node = _parse_yaml(path, shown)
    if stamp is not None:
        _PARSED[str(path)] = (stamp, copy.deepcopy(data), node)
    return data, node


def _parse_yaml(path: Path, shown: str) -> tuple[Any, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        parsed = _parse_fast(text)
        if parsed is None:
            node = yaml.compose(text, Loader=_Loader)
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
        else:
            data, node = parsed
    except OSError as exc:
        problem = Problem(shown, message=f"cannot read the file: {exc.strerror}", hint="check the path and permissions")
        raise ProfileError(problem) from None
    except UnicodeDecodeError:
        raise ProfileError(Problem(shown, message="the file is not UTF-8 text", hint="save it as UTF-8")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        hint = getattr(exc, "hint", "fix the YAML syntax at this place")
        raise ProfileError(Problem(shown, line, col, f"invalid YAML: {what}", hint)) from None
    return data, node


def _parse_fast(text: str) -> tuple[Any, Any] | None:
    """(data, node) of *text* through libyaml, composed once and constructed from that node
    (a merge key `<<` would add the merged pairs to that node, where they still locate), or None when
    libyaml is missing or refuses anything: the pure-Python loader then words the problem."""
    if _CLoader is None:
        return None
    try:
        yaml.reader.Reader(text)  # refuses the characters YAML forbids, as the pure-Python loader does
    except yaml.YAMLError:
        return None
    loader = _CLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return loader.construct_document(node), node
    except Exception:  # any problem: the pure-Python loader says what it is, where
        return None
    finally:
        loader.dispose()


def _mark(node: Any, path: list[Any]) -> tuple[int, int]:
    """Line and column (1-based) of the deepest composed node along *path*."""
    return _deepest(node, path)[1:]


def _locate(node: Any, prefixes: list[list[Any]], path: list[Any]) -> tuple[int, int]:
    """Line and column of *path*, looked up under each prefix; the deepest match wins (first on ties)."""
    found = [_deepest(node, prefix + path) for prefix in prefixes]
    depth, line, col = max(found, key=lambda f: f[0], default=(0, 0, 0))
    return line, col


def _deepest(node: Any, path: list[Any]) -> tuple[int, int, int]:
    best, depth = node, 0
    for step in path:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            nxt = node.value[step]
        else:
            nxt = None
        if nxt is None:
            break
        node = best = nxt
        depth += 1
    if best is None:
        return 0, 0, 0
    return depth, best.start_mark.line + 1, best.start_mark.column + 1


def list_platforms(root: Path) -> list[str]:
    """Platform ids, one per ``platforms/*.yaml`` file, sorted."""
    return sorted(p.stem for p in (Path(root) / "platforms").glob("*.yaml") if _ID.match(p.stem))


def list_languages(root: Path) -> list[str]:
    """Language codes, one per ``templates/lang/*.yaml`` file, sorted."""
    return sorted(p.stem for p in (Path(root) / "templates" / "lang").glob("*.yaml"))


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _schema_problems(
    data: dict[str, Any], schema: dict[str, Any], shown: str, node: Any, paths: list[list[Any]]
) -> list[Problem]:
    from jsonschema import Draft202012Validator

    problems = []
    for err in sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = list(err.absolute_path)
        line, col = _locate(node, paths, where)
        dotted = ".".join(str(p) for p in where) or "(top level)"
        hint = err.schema.get("x-hint") or err.schema.get("description") if isinstance(err.schema, dict) else ""
        problems.append(Problem(shown, line, col, f"{dotted}: {err.message}", hint or "see schemas/platform.schema.json"))
    return problems[:20]


def _semantic_problems(profile: dict[str, Any], shown: str, node: Any, paths: list[list[Any]], root: Path) -> list[Problem]:
    def at(*path: Any) -> tuple[int, int]:
        return _locate(node, paths, list(path))

    problems: list[Problem] = []
    known = list_languages(root)
    for lang in profile["languages"]:
        if lang not in known:
            problems.append(Problem(shown, *at("languages"), f"language '{lang}' has no templates/lang/{lang}.yaml",
                                    f"add the file, or use one of: {', '.join(known) or 'none'}"))
        for key in _I18N:
            if lang not in profile[key]:
                problems.append(Problem(shown, *at(key), f"{key} has no '{lang}' entry", f"add {key}.{lang}"))
        if lang not in profile["deadline"]["note"]:
            problems.append(Problem(shown, *at("deadline", "note"), f"deadline.note has no '{lang}' entry",
                                    f"add deadline.note.{lang}"))
        for i, field in enumerate(profile["form_fields"]):
            if lang not in field["label"]:
                problems.append(Problem(shown, *at("form_fields", i, "label"), f"form_fields[{i}].label has no '{lang}' entry",
                                        f"add form_fields[{i}].label.{lang}"))
    problems += _box_problems(profile, shown, at)
    keys = [f["key"] for f in profile["form_fields"]]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(Problem(shown, *at("form_fields"), f"form field key '{key}' is used twice",
                                "give each field its own key"))
    return problems


def _box_problems(profile: dict[str, Any], shown: str, at: Any) -> list[Problem]:
    """Each form box takes parts that follow each other in the letter, no part is in two
    boxes, and a limit says where it comes from."""
    order = list(LEAD_PARTS) + list(profile["sections"])
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, field in enumerate(profile["form_fields"]):
        where = at("form_fields", i, "parts")
        places = []
        for part in field["parts"]:
            if part not in order:
                problems.append(Problem(shown, *where, f"part '{part}' is not in sections",
                                        "list it in sections or remove it from this box"))
                continue
            if part in seen:
                problems.append(Problem(shown, *where, f"part '{part}' is in two form boxes",
                                        "put each part of the letter in one box at most"))
            seen[part] = i
            places.append(order.index(part))
        if places and places != list(range(places[0], places[0] + len(places))):
            problems.append(Problem(shown, *where, f"the parts of box '{field['key']}' do not follow each other in the letter",
                                    f"list parts in letter order without gaps: {', '.join(order)}"))
        if (field["limit"] is None) != (field["limit_source"] == "none"):
            problems.append(Problem(shown, *at("form_fields", i, "limit_source"),
                                    f"box '{field['key']}' has limit {field['limit']} with limit_source {field['limit_source']}",
                                    "use limit: null with limit_source: none, and a number with any other source"))
    return problems


def load_profile(platform: str, marketplace: str, root: Path) -> dict[str, Any]:
    """The profile of *platform* merged for *marketplace* (case-insensitive), validated."""
    root = Path(root)
    shown = f"platforms/{platform}.yaml"
    available = list_platforms(root)
    if not _ID.match(str(platform)) or platform not in available:
        raise ProfileError(Problem(shown, message=f"unknown platform '{platform}'",
                                   hint=f"use one of: {', '.join(available) or 'none'} (one file per platform in platforms/)"))
    data, node = _read_yaml(root / shown, shown)
    schema_path = root / "schemas" / "platform.schema.json"
    try:
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProfileError(Problem("schemas/platform.schema.json", message=f"cannot read the profile schema: {exc}",
                                   hint="restore the file from git")) from None
    if not isinstance(data, dict):
        raise ProfileError(Problem(shown, 1, 1, "the profile is not a mapping", "start from an existing platforms/*.yaml"))
    problems = _schema_problems(data, schema, shown, node, [[]])
    if not problems and data["platform"] != platform:
        problems.append(Problem(shown, *_mark(node, ["platform"]), f"platform is '{data['platform']}' in file {platform}.yaml",
                                f"write platform: {platform}"))
    if problems:
        raise ProfileError(problems)
    overrides = data.pop("marketplaces", {}) or {}
    site = next((k for k in sorted(overrides) if k.upper() == str(marketplace).upper()), None)
    merged = _deep_merge(data, overrides[site]) if site else data
    paths = [["marketplaces", site], []] if site else [[]]
    problems = _schema_problems(merged, schema, shown, node, paths)
    if problems:
        raise ProfileError(problems)
    metrics = []
    for metric in merged["metrics"]:
        sites = metric.pop("marketplaces", None)
        if sites is None or str(marketplace).upper() in (s.upper() for s in sites):
            metrics.append(metric)
    merged["metrics"] = metrics
    problems = _semantic_problems(merged, shown, node, paths, root)
    if problems:
        raise ProfileError(problems)
    return merged


def _read_labels(path: Path, shown: str) -> dict[str, str]:
    data, node = _read_yaml(path, shown)
    if not isinstance(data, dict):
        raise ProfileError(Problem(shown, 1, 1, "the label file is not a mapping", "write one `key: text` per line"))
    for key, value in data.items():
        if not _KEY.match(key) or not isinstance(value, str):
            line, col = _mark(node, [key])
            raise ProfileError(Problem(shown, line, col, f"label '{key}' must be a snake_case key with a text value",
                                       "write `key: text`, quoting texts that YAML would read as numbers or booleans"))
    return data


def load_labels(language: str, profile: dict[str, Any], root: Path) -> dict[str, str]:
    """Flat labels of *language* (``templates/lang/<language>.yaml``), with the profile's
    headings, addressee and ``labels`` overrides for that language merged in; ProfileError for
    an override of a key the label files do not have."""
    root = Path(root)
    langs = list_languages(root)
    if language not in langs:
        files = ", ".join(f"templates/lang/{x}.yaml" for x in langs) or "none"
        raise ProfileError(Problem(f"templates/lang/{language}.yaml", message=f"no label file for language '{language}'",
                                   hint=f"files that exist: {files}; add templates/lang/{language}.yaml with the same keys"))
    shown = f"templates/lang/{language}.yaml"
    labels = _read_labels(root / shown, shown)
    others: set[str] = set()
    for other in langs:
        if other != language:
            others |= set(_read_labels(root / f"templates/lang/{other}.yaml", f"templates/lang/{other}.yaml"))
    missing = sorted(others - set(labels))
    if missing:
        raise ProfileError(Problem(shown, message=f"labels missing: {', '.join(missing)}",
                                   hint="every file in templates/lang/ must have the same keys"))

    def pick(mapping: dict[str, Any]) -> Any:
        if language in mapping:
            return mapping[language]
        first = next((lang for lang in profile.get("languages", []) if lang in mapping), None)
        return mapping[first] if first else next(iter(mapping.values()))

    headings = profile.get("headings", {})
    if language in headings:
        labels.update(headings[language])
    if profile.get("addressee"):
        labels["addressee"] = pick(profile["addressee"])
    overrides = (profile.get("labels") or {}).get(language) or {}
    unknown = sorted(set(overrides) - set(labels))
    if unknown:
        platform = profile.get("platform", "")
        raise ProfileError(Problem(f"platforms/{platform}.yaml", message=f"labels.{language}: unknown key(s) {', '.join(unknown)}",
                                   hint=f"override only keys of {shown}"))
    labels.update(overrides)
    return {k: unicodedata.normalize("NFC", v) for k, v in labels.items()}
