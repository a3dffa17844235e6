"""Fixtures of the hardening tests: a temporary project folder and a pipeline step runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .corpus import assert_clean

Step = Callable[..., tuple[int, list[str]]]


@pytest.fixture(autouse=True)
def _default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the built-in caps, whatever the caller's environment sets."""
    from poaforge.limits import ENV

    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty project folder as the current directory (cases/ and results/ go there)."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def step(capsys: pytest.CaptureFixture[str]) -> Step:
    """``step("validate", "cases/mini.yaml", "results/mini/case.json")`` runs one pipeline step
    exactly as Snakemake does (``python -m poaforge.steps …``, in-process) and returns its exit
    code and stderr lines; it fails the test on a traceback or an internal error."""
    from poaforge.console import run
    from poaforge.steps import main

    def call(*argv: str) -> tuple[int, list[str]]:
        capsys.readouterr()
        code = run(main, list(argv))
        out, err = capsys.readouterr()
        assert_clean(out + err)
        return code, err.splitlines()

    return call
