"""Fuzzing the loader and the validator with hypothesis: whatever the text, the answer is a
valid case or a ``PoaError`` whose every problem says where, what and how to fix it —
never another exception. Bounded (a few hundred examples each) so it runs in every test run.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .corpus import MINI_TEXT, dump, full_data, leaves, write_case

SETTINGS = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

#: pieces of the mini case, so that random text is often nearly valid YAML of the right shape
FRAGMENTS = [line + "\n" for line in MINI_TEXT.splitlines()] + [
    "- ", ": ", "  ", "\t", "&a ", "*a", "!!str ", "? ", "|\n", ">-\n", "---\n", "...\n", "%YAML 1.2\n", "{", "}", "[", "]",
    ",", "'", '"', "#", "\\x00", "\\ud800", "\r\n", "\ufeff", "\u202e", "2026-02-30", "", "null", "~",
]
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=40).map("".join)


def _check(run: Any) -> None:
    from poaforge.errors import PoaError

    try:
        run()
    except PoaError as exc:
        assert exc.problems
        for problem in exc.problems:
            text = str(problem)
            assert problem.file and problem.message, text
            assert " — " in text or problem.hint == "", text
            assert "\n" not in problem.message.strip() or problem.message.count("\n") < 3, text


@SETTINGS
@given(TEXT)
def test_parse_yaml_never_crashes(text: str) -> None:
    from poaforge.case.loader import parse_yaml

    _check(lambda: parse_yaml(text, "fuzz.yaml"))


@SETTINGS
@given(st.binary(max_size=300).map(lambda b: MINI_TEXT.encode()[:200] + b))
def test_load_yaml_never_crashes_on_bytes(tmp_path_factory: Any, raw: bytes) -> None:
    from poaforge.case.loader import load_yaml

    path = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.yaml"
    path.write_bytes(raw)
    _check(lambda: load_yaml(path))


PATHS = [p for p in leaves(full_data())]
VALUES = st.one_of(
    st.text(max_size=30), st.sampled_from(["", " ", "2026-02-30", "V1", "RC1", "E1", "../x", "/etc/passwd", "0", "no", "~"]),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


#: every place of the full case, containers included (a seller block replaced by a string, …)
PLACES = sorted({path[:n] for path in PATHS for n in range(1, len(path) + 1)}, key=repr)


@st.composite
def mutated(draw: st.DrawFn, places: list[tuple[Any, ...]] = PATHS, actions: tuple[str, ...] = ("set", "delete", "extra"),
            most: int = 4) -> dict[str, Any]:
    """The full case with a few of its ``places`` replaced by other ``VALUES``, deleted, or
    gaining an extra key."""
    data = copy.deepcopy(full_data())
    for _ in range(draw(st.integers(1, most))):
        path = draw(st.sampled_from(places))
        node: Any = data
        try:
            for part in path[:-1]:
                node = node[part]
            action = draw(st.sampled_from(actions))
            if action == "set":
                node[path[-1]] = draw(VALUES)
            elif action == "delete":
                del node[path[-1]]
            elif isinstance(node, dict):
                node[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this place
    return data


@SETTINGS
@given(mutated())
def test_validation_never_crashes(tmp_path_factory: Any, data: dict[str, Any]) -> None:
    from poaforge.case.model import load_case

    root = Path(tmp_path_factory.mktemp("case"))
    case = write_case(root, dump(data))
    _check(lambda: load_case(case))


@SETTINGS
@given(mutated(PLACES, ("set",), most=3))
def test_lint_of_an_invalid_case_never_crashes(tmp_path_factory: Any, data: dict[str, Any]) -> None:
    """`poa lint`, the language server and the build's failure message lint every field of an
    invalid case that is present: a block of the wrong shape must not crash them."""
    from poaforge.case.model import inspect_case
    from poaforge.check.engine import lint_inspected

    root = Path(tmp_path_factory.mktemp("shape"))
    case, problems = inspect_case(write_case(root, dump(data)))
    for finding in lint_inspected(case, problems):
        assert finding.file and finding.line >= 0 and finding.message


@SETTINGS
@given(TEXT)
def test_validation_of_random_text_never_crashes(tmp_path_factory: Any, text: str) -> None:
    from poaforge.case.model import load_case

    root = Path(tmp_path_factory.mktemp("text"))
    case = write_case(root, text)
    _check(lambda: load_case(case))


def _tree(node: Any) -> Any:
    """A node as plain data with its marks (line, column, offsets) and style."""
    if node is None:
        return None
    marks = (node.start_mark.line, node.start_mark.column, node.start_mark.index, node.end_mark.index)
    if isinstance(node.value, str):
        return (type(node).__name__, marks, node.style or "", node.value)
    kids = [(_tree(item[0]), _tree(item[1])) if isinstance(item, tuple) else _tree(item) for item in node.value]
    return (type(node).__name__, marks, kids)


@SETTINGS
@given(TEXT)
def test_libyaml_path_reads_what_the_python_parser_reads(text: str) -> None:
    """The fast path (libyaml) gives the same nodes and positions as PyYAML's pure-Python
    parser whenever it answers; when it does not, the Python parser words the problem."""
    from poaforge.case import loader
    from poaforge.errors import CaseError

    if loader._CParser is None:
        import pytest
        pytest.skip("PyYAML was built without libyaml: only the Python parser runs")
    fast = loader._fast_node(text)
    if fast is None:
        return
    try:
        slow = loader._slow_node(text, "t.yaml")
    except CaseError as exc:
        raise AssertionError(f"libyaml read text the Python parser refuses: {exc}") from None
    assert _tree(fast) == _tree(slow)
