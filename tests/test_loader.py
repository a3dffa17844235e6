"""Strict YAML loading: scalars stay as written, dangerous YAML is refused with a position."""

from __future__ import annotations

from pathlib import Path

import pytest

from poaforge.case.loader import load_yaml, parse_yaml
from poaforge.errors import CaseError


def test_scalars_stay_as_written() -> None:
    doc = parse_yaml("a: no\nb: 0123\nc: 2026-02-30\nd: 1.50\ne: ~\nf: yes\n", "t.yaml")
    assert doc.data == {"a": "no", "b": "0123", "c": "2026-02-30", "d": "1.50", "e": "~", "f": "yes"}


def test_positions_of_values_and_keys() -> None:
    doc = parse_yaml("top:\n  items:\n    - id: A\n      text: hello\n", "t.yaml")
    assert doc.locate(("top", "items", 0, "text")) == (4, 13)
    assert doc.locate_key(("top", "items", 0, "text")) == (4, 7)
    assert doc.locate(("top", "items", 0, "missing")) == (3, 7)


BAD = [
    ("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key 'a' (first at line 1) — keep one of them; a repeated key would silently replace the first"),
    ("a: &x 1\nb: *x\n", "t.yaml:1:4: anchor '&x' is not allowed — write the value out in full; anchors and aliases (&, *) are not supported"),
    ("a: !!python/object:os.system x\n", "t.yaml:1:4: tag '!!python/object:os.system' is not allowed — remove the tag; case files hold plain text, lists and mappings"),
    ("a: !custom x\n", "t.yaml:1:4: tag '!custom' is not allowed — remove the tag; case files hold plain text, lists and mappings"),
    ("a:\n\tb: 1\n", "t.yaml:2:1: a tab character is used for indentation — indent with spaces only (YAML does not allow tabs)"),
    ("- 1\n- 2\n", "t.yaml:1:1: the file must be a mapping of fields (case:, platform:, …) — start the file with 'case: <id>' lines, not a list or plain text"),
    ("", "t.yaml:1:1: the file is empty — start from an example in cases/ or run `poa new <case>`"),
    ("# only a comment\n", "t.yaml:1:1: the file is empty — start from an example in cases/ or run `poa new <case>`"),
    ("a: b: c\n", "t.yaml:1:5: unexpected ':' in a value — put the text in quotes, or use a block (>- on the line before) for long text"),
    ("a: [1\n", "t.yaml:2:1: YAML syntax error: expected ',' or ']', but got '<stream end>' while parsing a flow sequence — check indentation and quotes on this line and the one before"),
    ("? [a]\n: 1\n", "t.yaml:1:3: a key must be plain text — write the key as a name followed by ':'"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(CaseError) as exc:
        parse_yaml(text, "t.yaml")
    assert str(exc.value) == message


def test_billion_laughs_refused_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]" for i in range(8)]
    with pytest.raises(CaseError, match="anchor '&a' is not allowed"):
        parse_yaml("\n".join(lines) + "\n", "t.yaml")


@pytest.mark.parametrize(("raw", "expected"), [
    (b"\xef\xbb\xbfa: 1\r\nb: 2\r\n", {"a": "1", "b": "2"}),  # BOM and CRLF are fine
    ("a: 中文 ✓\n".encode(), {"a": "中文 ✓"}),
])
def test_bom_crlf_utf8(tmp_path: Path, raw: bytes, expected: dict[str, str]) -> None:
    (tmp_path / "c.yaml").write_bytes(raw)
    assert load_yaml(tmp_path / "c.yaml").data == expected


@pytest.mark.parametrize(("raw", "message"), [
    (b"a: ok\nb: caf\xe9\n", "byte 0xe9 is not UTF-8 text — save the file as UTF-8"),
    (b"a: \x00\n", "the file contains NUL bytes"),
])
def test_not_text(tmp_path: Path, raw: bytes, message: str) -> None:
    (tmp_path / "c.yaml").write_bytes(raw)
    with pytest.raises(CaseError) as exc:
        load_yaml(tmp_path / "c.yaml")
    assert message in str(exc.value)
    if b"\xe9" in raw:
        assert str(exc.value).startswith(f"{tmp_path / 'c.yaml'}:2:7: ")


def test_size_cap(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("a: " + "x" * 5_000_000 + "\n")
    with pytest.raises(CaseError, match="larger than 2,000,000 bytes — keep long documents in exhibits"):
        load_yaml(tmp_path / "c.yaml")


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="no such case file"):
        load_yaml(tmp_path / "nope.yaml")
    with pytest.raises(CaseError, match="is a folder, not a case file"):
        load_yaml(tmp_path)


def test_examples_and_scaffolds_read_by_libyaml_as_by_python() -> None:
    """Every example case and scaffold goes through the fast path (libyaml), with the same
    values and positions as PyYAML's pure-Python parser gives."""
    from poaforge.case import loader

    if loader._CParser is None:
        pytest.skip("PyYAML was built without libyaml: only the Python parser runs")
    root = Path(__file__).resolve().parents[1]
    files = sorted([*root.glob("cases/*.yaml"), *root.glob("scaffolds/*.yaml")])
    assert len(files) >= 5
    for f in files:
        text = f.read_text(encoding="utf-8")
        fast = loader._fast_node(text)
        assert fast is not None, f
        slow = loader._slow_node(text, str(f))
        fast_doc, slow_doc = loader.Document(str(f), None), loader.Document(str(f), None)
        assert loader._build(fast, (), fast_doc, []) == loader._build(slow, (), slow_doc, [])
        assert (fast_doc.values, fast_doc.keys, fast_doc.spans) == (slow_doc.values, slow_doc.keys, slow_doc.spans), f


SEEN_BY_A_PERSON = [
    # a quote left open: PyYAML gives up many lines later; the message points at the quote
    ('seller:\n  name: "Harbor Crest\n  id: A3\nnotice:\n  reference: "SP-1"\n  received: x\n',
     't.yaml:2:9: this quoted text is not closed on its line, so YAML reads on to the next " (line 5) — '
     "add the closing quote at the end of the text"),
    ("seller:\n  name: 'Harbor Crest\n  id: A3\nnotice:\n  reference: SP-1\n  quote: 'ODR is 2 %'\n",
     "t.yaml:2:9: this quoted text is not closed on its line, so YAML reads on to the next ' (line 6) — "
     "add the closing quote at the end of the text"),
    # a missing ':' after a name (PyYAML reports the line after)
    ("seller:\n  name: Lin Wei\n  title Operations Director\n\nnotice:\n  reference: SP-1\n",
     "t.yaml:3:3: this line has no ':' after its name — write it as 'name: value' (a colon and a space after the name), "
     "or join it to the text above"),
    # a name indented deeper than the line above (PyYAML: "mapping values are not allowed here")
    ("seller:\n  legal_name: Harbor Crest\n    store_name: Harbor\n",
     "t.yaml:3:5: this line is indented deeper than line 2 above it, so YAML reads it as more of line 2's text — "
     "give it the indentation of the other names in its block; if the ':' belongs to the text, put the text in quotes"),
    ("seller:\n  legal_name: Harbor Crest\n store_name: Harbor\n",
     "t.yaml:3:2: this line's indentation does not match the lines above it — "
     "indent it with as many spaces as the other names of its block"),
]


@pytest.mark.parametrize(("text", "message"), SEEN_BY_A_PERSON)
def test_syntax_errors_point_where_the_person_made_them(text: str, message: str) -> None:
    with pytest.raises(CaseError) as exc:
        parse_yaml(text, "t.yaml")
    assert [str(p) for p in exc.value.problems] == [message]


def test_a_quoted_text_over_several_lines_is_still_fine() -> None:
    doc = parse_yaml('a: "one\n  two"\nb: \'x\'\n', "t.yaml")
    assert doc.data == {"a": "one two", "b": "x"}
