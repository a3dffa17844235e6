"""Where things are: the project's folders, and evidence paths, which are read only from
inside the case's own folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

__all__ = ["PROJECT", "TEMPLATES", "case_dir_for", "resolve_inside", "PathProblem"]

def _project() -> Path:
    """The project whose data the steps read: ``POA_PROJECT``, else the working folder when it
    is a poa-forge project (Snakemake runs the steps there, and lists that folder's
    schemas/, platforms/ and templates/ as their inputs), else the package's own checkout."""
    env = os.environ.get("POA_PROJECT")
    if env:
        return Path(env).resolve()
    here = Path.cwd()
    if (here / "schemas" / "case.schema.json").is_file() and (here / "templates").is_dir():
        return here.resolve()
    return Path(__file__).resolve().parents[2]


#: The project folder (schemas/, platforms/, templates/, lint/).
PROJECT = _project()
#: Typst templates, label files and the DOCX reference document.
TEMPLATES = PROJECT / "templates"


class PathProblem(ValueError):
    """A path that may not be read; ``args[0]`` says why, ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def case_dir_for(case_file: Path) -> Path:
    """``cases/case42.yaml`` → ``cases/case42``."""
    return case_file.parent / case_file.stem


def resolve_inside(case_dir: Path, relative: str) -> Path:
    """The real path of ``relative`` under ``case_dir``; refuses anything leading outside."""
    inside = f"keep the file inside {case_dir}/ and give its path relative to that folder"
    if "\x00" in relative:
        raise PathProblem("the path contains a NUL character", inside)
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute() or PureWindowsPath(relative).drive:
        raise PathProblem(f"'{relative}' is an absolute path", inside)
    if ".." in PurePosixPath(relative.replace("\\", "/")).parts:
        raise PathProblem(f"'{relative}' climbs out of the case folder with '..'", inside)
    base = case_dir.resolve()
    target = base / relative
    try:
        real = target.resolve(strict=True)
    except FileNotFoundError:
        hint = "write '/' between folders, not '\\'" if "\\" in relative else "check the spelling, or copy the evidence file there"
        raise PathProblem(f"file '{relative}' does not exist in {case_dir}/", hint) from None
    except RuntimeError:  # a symbolic link loop (the message would show the full local path)
        raise PathProblem(f"'{relative}' is a link that leads back to itself", "replace the link with the file itself") from None
    except OSError as exc:
        raise PathProblem(f"'{relative}' cannot be opened ({exc.strerror or type(exc).__name__})", inside) from None
    if not real.is_relative_to(base):
        raise PathProblem(f"'{relative}' is a link that leads outside the case folder", inside + " (copy the file, do not link it)")
    mode = os.stat(real).st_mode
    if stat.S_ISDIR(mode):
        raise PathProblem(f"'{relative}' is a folder, not a file", "name one file; list each document as its own exhibit")
    if not stat.S_ISREG(mode):
        raise PathProblem(f"'{relative}' is not a regular file", "use a PDF, PNG or JPEG file")
    if not os.access(real, os.R_OK):
        raise PathProblem(f"'{relative}' cannot be read (permission denied)", "check the file's permissions")
    return real
