"""Evidence paths: nothing is read from outside the case folder; odd but legal names build.

Errors are checked on the validate step (``file:line:col`` of the exhibit's ``file:``);
the evidence step re-checks every path itself (a link swapped in after validation).
One end-to-end run builds a case whose file names hold spaces, CJK and shell syntax.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import Step
from .corpus import CASE, MINI_TEXT, assert_clean, copy_project, run_snakemake, tree_hashes, write_case

INSIDE = "keep the file inside cases/mini/ and give its path relative to that folder"
WHERE = f"{CASE}:52:11: exhibits[1] (E1).file:"


def quote(rel: str) -> str:
    """``rel`` as a double-quoted YAML string (backslashes, quotes, tabs and newlines escaped)."""
    return '"' + rel.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def with_file(rel: str) -> str:
    """The mini case with exhibit E1's file set to ``rel``."""
    return MINI_TEXT.replace("file: evidence/late.pdf", f"file: {quote(rel)}")


def _setup(root: Path) -> None:
    ev = root / "cases/mini/evidence"
    (root / "outside").mkdir()
    (root / "outside/secret.pdf").write_bytes((ev / "late.pdf").read_bytes())
    os.symlink("/etc/passwd", ev / "passwd.pdf")
    os.symlink(root / "outside/secret.pdf", ev / "secret.pdf")
    os.symlink("../../../outside/secret.pdf", ev / "relative.pdf")
    os.symlink(root / "outside", ev / "outdir")
    os.symlink("loop.pdf", ev / "loop.pdf")
    os.symlink("late.pdf", ev / "inside.pdf")  # a link that stays inside: fine
    (ev / "folder.pdf").mkdir()
    os.mkfifo(ev / "pipe.pdf")


PATHS = [
    ("/etc/passwd", f"{WHERE} '/etc/passwd' is an absolute path — {INSIDE}"),
    ("../../../../etc/passwd", f"{WHERE} '../../../../etc/passwd' climbs out of the case folder with '..' — {INSIDE}"),
    ("evidence/../../mini.yaml", f"{WHERE} 'evidence/../../mini.yaml' climbs out of the case folder with '..' — {INSIDE}"),
    ("evidence/../evidence/late.pdf", f"{WHERE} 'evidence/../evidence/late.pdf' climbs out of the case folder with '..' — {INSIDE}"),
    ("..\\..\\secret.pdf", f"{WHERE} '..\\..\\secret.pdf' climbs out of the case folder with '..' — {INSIDE}"),
    ("C:\\Users\\dana\\late.pdf", f"{WHERE} 'C:\\Users\\dana\\late.pdf' is an absolute path — {INSIDE}"),
    ("\\\\server\\share\\late.pdf", f"{WHERE} '\\\\server\\share\\late.pdf' is an absolute path — {INSIDE}"),
    ("evidence\\late.pdf", f"{WHERE} file 'evidence\\late.pdf' does not exist in cases/mini/ — write '/' between folders, not '\\'"),
    ("~/late.pdf", f"{WHERE} file '~/late.pdf' does not exist in cases/mini/ — check the spelling, or copy the evidence file there"),
    ("file:///etc/passwd", f"{WHERE} file 'file:///etc/passwd' does not exist in cases/mini/ — check the spelling, "
     "or copy the evidence file there"),
    ("evidence/passwd.pdf", f"{WHERE} 'evidence/passwd.pdf' is a link that leads outside the case folder — {INSIDE} "
     "(copy the file, do not link it)"),
    ("evidence/secret.pdf", f"{WHERE} 'evidence/secret.pdf' is a link that leads outside the case folder — {INSIDE} "
     "(copy the file, do not link it)"),
    ("evidence/relative.pdf", f"{WHERE} 'evidence/relative.pdf' is a link that leads outside the case folder — {INSIDE} "
     "(copy the file, do not link it)"),
    ("evidence/outdir/secret.pdf", f"{WHERE} 'evidence/outdir/secret.pdf' is a link that leads outside the case folder — "
     f"{INSIDE} (copy the file, do not link it)"),
    ("evidence/folder.pdf", f"{WHERE} 'evidence/folder.pdf' is a folder, not a file — name one file; list each document "
     "as its own exhibit"),
    ("evidence", f"{WHERE} 'evidence' is a folder, not a file — name one file; list each document as its own exhibit"),
    ("evidence/missing.pdf", f"{WHERE} file 'evidence/missing.pdf' does not exist in cases/mini/ — check the spelling, "
     "or copy the evidence file there"),
    ("evidence/Late.PDF", f"{WHERE} file 'evidence/Late.PDF' does not exist in cases/mini/ — check the spelling, "
     "or copy the evidence file there"),
    ("evidence/pipe.pdf", f"{WHERE} 'evidence/pipe.pdf' is not a regular file — use a PDF, PNG or JPEG file"),
    ("", f"{WHERE} is empty — give the path relative to cases/<case>/, e.g. evidence/invoice.pdf"),
    ("evidence/" + "é" * 130 + ".pdf", f"{WHERE} '{'evidence/' + 'é' * 130 + '.pdf'}' cannot be opened (File name too long) — "
     f"{INSIDE}"),
]


@pytest.mark.parametrize(("rel", "expected"), PATHS, ids=[p[0] or "empty" for p in PATHS])
def test_bad_path(proj: Path, step: Step, rel: str, expected: str) -> None:
    write_case(proj, with_file(rel))
    _setup(proj)
    assert step("validate", CASE, "results/mini/case.json") == (1, [expected])


def test_symlink_loop(proj: Path, step: Step) -> None:
    write_case(proj, with_file("evidence/loop.pdf"))
    _setup(proj)
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{WHERE} 'evidence/loop.pdf' is a link that leads back to itself — replace the link with the file itself"])


def test_path_longer_than_the_schema_allows(proj: Path, step: Step) -> None:
    rel = "evidence/" + "a" * 260 + ".pdf"
    write_case(proj, with_file(rel))
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{WHERE} '{rel}' cannot be opened (File name too long) — {INSIDE}",
        f"{WHERE} is too long (273 characters; at most 255) — shorten it; reviewers read for minutes, and long documents "
        "belong in exhibits"])


def test_link_inside_the_case_folder_is_fine(proj: Path, step: Step) -> None:
    write_case(proj, with_file("evidence/inside.pdf"))
    _setup(proj)
    assert step("validate", CASE, "results/mini/case.json") == (0, [])
    assert step("evidence", "results/mini/case.json", "results/mini") == (0, [])


def test_translation_path_is_checked_too(proj: Path, step: Step) -> None:
    write_case(proj, MINI_TEXT.replace("file: evidence/late.pdf", "file: evidence/late.pdf\n    translation: /etc/passwd"))
    assert step("validate", CASE, "results/mini/case.json") == (1, [
        f"{CASE}:53:18: exhibits[1] (E1).translation: '/etc/passwd' is an absolute path — {INSIDE}"])


def test_link_swapped_in_after_validation_is_refused(proj: Path, step: Step) -> None:
    """The evidence step does not trust case.json: it resolves every path again."""
    write_case(proj)
    assert step("validate", CASE, "results/mini/case.json") == (0, [])
    late = proj / "cases/mini/evidence/late.pdf"
    late.unlink()
    os.symlink("/etc/passwd", late)
    assert step("evidence", "results/mini/case.json", "results/mini") == (1, [
        "cases/mini/evidence/late.pdf: points outside the case folder (symbolic link) — copy the file itself into the case folder"])
    assert not (proj / "results/mini/exhibits.json").exists()


NAMES = ["late report (final) 2026.pdf", "退款记录 11月.png", "$(touch pwned) `touch pwned2`; rm -rf x & y | z.pdf",
         "it's \"quoted\" -rf --help.pdf", "sub folder/#1 *star* ?q [a].pdf", "tab\there.pdf", "new\nline.pdf",
         "{case} {2026}.pdf"]


@pytest.mark.parametrize("name", NAMES, ids=["spaces", "cjk", "shell", "quotes", "glob", "tab", "newline", "braces"])
def test_odd_file_names_are_accepted(proj: Path, step: Step, name: str) -> None:
    write_case(proj)
    target = proj / "cases/mini/evidence" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    src = proj / "cases/mini/evidence" / ("refunds.png" if name.endswith(".png") else "late.pdf")
    target.write_bytes(src.read_bytes())
    write_case(proj, with_file(f"evidence/{name}"))
    assert step("validate", CASE, "results/mini/case.json") == (0, [])
    assert step("evidence", "results/mini/case.json", "results/mini") == (0, [])
    assert not list(proj.rglob("pwned*"))


@pytest.mark.e2e
def test_snakemake_builds_case_with_odd_file_names(tmp_path: Path) -> None:
    """Spaces, CJK, shell syntax, braces (Snakemake's wildcards), glob characters and a newline
    in evidence names: the real pipeline builds, runs nothing, and leaves every original
    byte-identical."""
    root = copy_project(tmp_path / "p")
    ev = root / "cases/mini/evidence"
    names = {"late.pdf": "late $(touch pwned) `touch pwned2`; echo {case} {2026}.pdf", "refunds.png": "退款 记录 it's\nnew line.png",
             "checklist.pdf": "sub dir/check -rf & [1]*?.pdf"}
    text = MINI_TEXT
    for old, new in names.items():
        (ev / new).parent.mkdir(exist_ok=True)
        (ev / old).rename(ev / new)
        text = text.replace(f"file: evidence/{old}", f"file: {quote('evidence/' + new)}")
    (root / CASE).write_text(text, encoding="utf-8")
    before = tree_hashes(root / "cases")
    result = run_snakemake(root, "mini")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_clean(result.stderr)
    assert tree_hashes(root / "cases") == before
    assert not list(root.rglob("pwned*"))
    from pypdf import PdfReader

    bundle = PdfReader(root / "results/mini/bundle.pdf")
    assert [o.title for o in bundle.outline if not isinstance(o, list)][-1] == "Exhibits"
    assert sorted(p.name for p in (root / "results/mini/upload").iterdir()) == sorted(
        os.listdir(root / "results/mini/upload"))


@pytest.mark.e2e
def test_snakemake_refuses_a_link_to_etc_passwd(tmp_path: Path) -> None:
    from .corpus import build_fails

    err = build_fails(tmp_path / "p", evidence={"late.pdf": "/etc/passwd"})
    assert (f"{WHERE} 'evidence/late.pdf' is a link that leads outside the case folder — {INSIDE} "
            "(copy the file, do not link it)") in err
    assert "root:x:0:0" not in err
