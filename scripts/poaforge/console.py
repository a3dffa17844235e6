"""Running a command: user errors become ``where: what — how to fix`` lines and an exit code."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence

from .errors import PoaError

__all__ = ["run"]


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
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug of ours, not the user's
        if os.environ.get("POA_DEBUG"):
            traceback.print_exc()
        print(f"poa: internal error: {type(exc).__name__}: {exc} — please report it "
              "(run again with POA_DEBUG=1 for details)", file=sys.stderr)
        return 3
