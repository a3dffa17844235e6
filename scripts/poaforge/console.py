"""Running a command: user errors become ``where: what — how to fix`` lines and an exit code;
its arguments are parsed by :class:`ArgParser`, whose mistakes are user errors too."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from poaforge.errors import PoaError, Problem, UsageError

__all__ = ["run", "ArgParser", "INTERRUPTED"]

#: The line a command prints when it is interrupted (Ctrl-C); the run's summary reads a step
#: whose only message is this one as stopped, not failed (scripts/snakemake_logger_plugin_poaforge).
INTERRUPTED = "interrupted"


class ArgParser(argparse.ArgumentParser):
    """``argparse`` whose command-line errors are ours: ``poa x: what — see `poa x --help```, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(Problem(self.prog, message=message, hint=f"see `{self.prog} --help`"))


def run(main: Callable[[Sequence[str]], int], argv: Sequence[str] | None = None) -> int:
    """Call ``main(argv)``; print problems instead of tracebacks; return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return main(args)
    except PoaError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except OSError as exc:  # the disk, not the case: full, read-only, no permission
        if exc.errno not in _DISK_ERRORS:
            return _internal(exc)
        where = exc.filename or "poa"
        hint = "check the permissions of the file and its folder" if exc.errno in (errno.EACCES, errno.EPERM) \
            else "free some disk space and check that the results folder is writable, then run again"
        print(f"{where}: cannot read or write a file ({exc.strerror}) — {hint}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug of ours, not the user's
        return _internal(exc)


_DISK_ERRORS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def _internal(exc: BaseException) -> int:
    """A bug of ours: one line (the traceback only with POA_DEBUG=1), exit code 3."""
    if os.environ.get("POA_DEBUG"):
        traceback.print_exc()
    print(f"poa: internal error: {type(exc).__name__}: {exc} — please report it "
          "(run again with POA_DEBUG=1 for details)", file=sys.stderr)
    return 3
