"""manifest.json: the SHA-256 of every input and output; an evidence file intake already
hashed in this build is not read again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from letter_cases import example


def test_evidence_digests_come_from_intake_and_match_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import poaforge.submit.manifest as manifest
    from poaforge.evidence.intake import prepare

    case = example("walmart-us")
    results = tmp_path / "results"
    prepare(case, Path(case["case_dir"]), results)
    hashed: list[str] = []
    real = manifest.sha256_file
    monkeypatch.setattr(manifest, "sha256_file", lambda p: hashed.append(Path(p).name) or real(p))

    def evidence() -> dict[str, tuple[str, int]]:
        out = manifest.build_manifest(case, results)
        return {Path(e["path"]).name: (e["sha256"], e["bytes"]) for e in out["inputs"] if "/evidence/" in e["path"]}

    got = evidence()
    files = {Path(e["file"]).name: Path(case["case_dir"]) / e["file"] for e in case["exhibits"]}
    assert set(got) == set(files) and len(files) >= 5
    for name, path in files.items():  # the same digests as hashing the originals
        assert got[name] == (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size), name
    assert not set(hashed) & set(files), "an evidence file intake hashed is not read again"
    # a file whose size is no longer the one intake read is hashed again
    record = json.loads((results / "exhibits.json").read_text(encoding="utf-8"))
    record["exhibits"][0]["size"] += 1
    (results / "exhibits.json").write_text(json.dumps(record), encoding="utf-8")
    hashed.clear()
    assert evidence() == got and Path(record["exhibits"][0]["file"]).name in hashed
