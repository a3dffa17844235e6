"""``python -m poaforge.jobserver serve SOCKET | status | stop`` (also ``poa jobserver``)."""

import sys

from poaforge.console import run
from poaforge.jobserver import main

sys.exit(run(main))
