"""Which source files of the package a pipeline step runs: the step's module and every
package module it imports, found by scanning the import lines (nothing is imported).

The Snakefile makes a digest of them a parameter of each step, so changing a module
rebuilds exactly the outputs of the steps that use it. :func:`package_digest` is the cheap,
coarser key of a saved result (the quality gate's similarity index).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["module_files", "package_digest"]

PACKAGE = Path(__file__).resolve().parent


@cache
def _file_of(module: str, root: Path) -> Path | None:
    parts = module.split(".")[1:]
    base = root.joinpath(*parts) if parts else root
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]+)", re.M)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+(poaforge[\w.]*)", re.M)


@cache
def _imports(path: Path, module: str) -> frozenset[str]:
    text = path.read_text(encoding="utf-8")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set(_IMPORT.findall(text))
    for dots, name, names in _FROM.findall(text):
        if dots:
            base = package.split(".")
            base = base[: len(base) - len(dots) + 1]
            prefix = ".".join(base + ([name] if name else []))
        else:
            prefix = name
        if prefix.split(".")[0] != "poaforge":
            continue
        found.add(prefix)
        found.update(f"{prefix}.{n.strip()}" for n in names.split(",") if n.strip())
    return frozenset(found)


@cache
def module_files(*modules: str, root: Path = PACKAGE) -> tuple[Path, ...]:
    """Source files of ``modules`` (e.g. ``"poaforge.letter.render"``) and all package modules they import."""
    seen: dict[str, Path] = {}
    todo = list(modules) + ["poaforge", "poaforge.steps"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _file_of(name, root)
        if path is None:
            continue
        seen[name] = path
        if path.name == "__init__.py" and name != "poaforge":
            todo += [f"{name}.{p.stem}" for p in path.parent.glob("*.py") if p.stem != "__init__"]
        todo += sorted(_imports(path, name))
        parent = name.rpartition(".")[0]
        if parent:
            todo.append(parent)
    return tuple(sorted(set(seen.values())))


@cache
def package_digest(root: Path = PACKAGE) -> str:
    """Hex SHA-256 of every source file of the package (relative names and bytes), once per
    process: the key of a saved result the package's code shapes, where rebuilding it after any
    code change costs less than finding the modules that matter (:func:`module_files` over the
    import graph: ~45 ms, against ~15 ms to read the ~120 files)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
