"""`make bench`: how fast is poa-forge against the raw tools, measured in the same run.

Prints, for a typical case (~10 exhibits, ~40 pages) and a large one (~100 exhibits,
~500 pages, ~100 MB, 20 of them scanned pages read by OCR, generated here):
  * wall time and peak memory of `snakemake <case>` from clean;
  * the raw tools doing the same core work (typst compile of the POA, pandoc to DOCX,
    `qpdf --empty --pages` merge), each in a fresh process, and the ratio;
  * the same case rebuilt after an edit of its text;
  * the bundle stage alone beside a qpdf merge of the same parts timed right before it, with
    its targets (≤ 2× qpdf, ≤ 250 MB for the process tree);
then a no-op `snakemake` over 1, 200 and 1,000 built cases in turns (the ratios beside their
targets), and `poa validate` / `poa lint` over 200;
and the quality gate: `poa check` on a two-page draft, `poa lint` over 200 copies of the
example cases, and the figures on the development corpus (``tools/bench.py gate`` alone);
and the editor (``tools/bench.py editor``): `poa lsp` answer times through a real LSP client
and the `poa watch` save → new PDF latency, on the typical case, beside their targets.
Everything happens in a temporary copy of the project; nothing here is committed.
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from e2e import copy_project  # noqa: E402

PY = sys.executable
SNAKEMAKE = str(Path(PY).with_name("snakemake"))


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, largest process of the tree) of ``cmd``."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
               "took = time.perf_counter() - t; "
               "sys.stderr.write(r.stderr.decode()[-2000:] if r.returncode else ''); "
               "print(took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); sys.exit(r.returncode)")
    out = subprocess.run([PY, "-c", wrapper, *cmd], cwd=cwd, capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{out.stderr}")
    took, peak = out.stdout.split()
    return float(took), float(peak)


def measure_tree(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``cmd`` with every process it starts, summed at each
    moment (sampled every 5 ms, psutil): what a step that forks costs the machine."""
    import psutil

    start = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.005)
    took = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{proc.stderr.read().decode()[-2000:]}")
    return took, peak / 2**20


def best(cmd: list[str], cwd: Path, runs: int = 3, before: object = None,
         env: dict[str, str] | None = None) -> tuple[float, float]:
    results = []
    for _ in range(runs):
        if callable(before):
            before()
        results.append(measure(cmd, cwd, env))
    return min(r[0] for r in results), max(r[1] for r in results)


# --- generated cases -------------------------------------------------------------------

def _pdf_pages(count: int, rng: random.Random) -> bytes:
    import typst

    body = "\n".join("#page[= Supplier document, page " + str(i + 1) + "\n" + " ".join(
        f"item{rng.randrange(10**6)}" for _ in range(220)) + "]" for i in range(count))
    return typst.compile(("#set document(date: none)\n" + body).encode(), timestamp=0)


def _photo(rng: random.Random, size: tuple[int, int]) -> bytes:
    from PIL import Image

    im = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _scan(rng: random.Random, k: int) -> bytes:
    """A scanned invoice: an A4 page of text as a 300 dpi greyscale JPEG (what platforms accept), with no
    text layer (needs OCR)."""
    import typst
    from PIL import Image

    cells = ", ".join(f"[SKU-{rng.randrange(10**4):04d}], [Storage box {rng.randrange(5, 60)} l], [{rng.randrange(10, 900)}], "
                      f"[{rng.randrange(100, 9999) / 100:.2f}]" for _ in range(14))
    src = ("#set page(paper: \"a4\", margin: 2cm)\n#set text(size: 11pt)\n"
           f"= Invoice INV-2026-{k:04d}\nInvoice date: 2026-10-{1 + k % 28:02d}\n\n"
           "Bill to: Northwind Trading Ltd., 12 Harbour Road, Leeds LS1 4AB\n\n"
           f"#table(columns: 4, [Item], [Description], [Qty], [Price (USD)], {cells})\n")
    png = typst.compile(src.encode(), format="png", ppi=300)
    im = Image.open(io.BytesIO(bytes(png[0] if isinstance(png, list) else png))).convert("L")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80, dpi=(300, 300))
    return buf.getvalue()


def write_case(project: Path, cid: str, pdfs: list[int], photos: int, *, seed: int = 1, photo_px: tuple[int, int] = (1400, 1500),
               scans: int = 0) -> None:
    """cases/<cid>.yaml with len(pdfs) PDF exhibits (pages each), ``photos`` JPEG photos and ``scans``
    scanned invoices (JPEG pages of text, read by OCR)."""
    rng = random.Random(seed)
    ev = project / "cases" / cid / "evidence"
    ev.mkdir(parents=True, exist_ok=True)
    files = []
    for k, pages in enumerate(pdfs):
        (ev / f"doc{k + 1}.pdf").write_bytes(_pdf_pages(pages, rng))
        files.append(f"evidence/doc{k + 1}.pdf")
    for k in range(photos):
        (ev / f"photo{k + 1}.jpg").write_bytes(_photo(rng, photo_px))
        files.append(f"evidence/photo{k + 1}.jpg")
    for k in range(scans):
        (ev / f"scan{k + 1}.jpg").write_bytes(_scan(rng, k + 1))
        files.append(f"evidence/scan{k + 1}.jpg")
    ids = [f"E{n}" for n in range(1, len(files) + 1)]
    third = [ids[i::3] for i in range(3)]
    text = (ROOT / "tests/data/mini.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("exhibits:\n  - id: E1")
    head = head.replace("case: mini", f"case: {cid}")
    head = head.replace("exhibits: [E1]", f"exhibits: [{', '.join(third[0])}]")
    head = head.replace("exhibits: [E2]", f"exhibits: [{', '.join(third[1])}]")
    head = head.replace("exhibits: [E3]", f"exhibits: [{', '.join(third[2])}]")
    head = head.replace("Northwind Home", f"Northwind Home {cid}")
    lines = [head + "exhibits:"]
    for n, file in enumerate(files, 1):
        lines.append(f"  - id: E{n}\n    title: Evidence document {n}\n    file: {file}\n    date: 2026-11-12\n"
                     f"    proves: Document {n} shows the change described above.")
    lines.append("waive:")  # generated cases share their wording on purpose
    lines += [f"  - rule: {rule}\n    reason: benchmark cases are generated from one template" for rule in ("POA604", "POA605")]
    (project / "cases" / f"{cid}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the raw tools ------------------------------------------------------------------------

def raw_tools(project: Path, cid: str) -> dict[str, tuple[float, float]]:
    res = project / "results" / cid
    fonts = [str(p) for p in (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/opentype/noto")) if p.is_dir()]
    typst_cmd = ("import json, sys, typst; data = open(sys.argv[1], encoding='utf-8').read(); "
                 "typst.compile(sys.argv[2], output=sys.argv[3], root=sys.argv[4], timestamp=0, "
                 f"font_paths={fonts!r}, ignore_system_fonts=True, sys_inputs={{'data': data, 'mode': 'standalone'}})")
    (project / "raw").mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT / "scripts"))
    from poaforge.letter.docx import document

    ast = project / "raw" / f"{cid}.json"
    ast.write_text(json.dumps(document(json.loads((res / "letter.json").read_text(encoding="utf-8"))), ensure_ascii=False))
    import pypandoc

    exhibits = json.loads((res / "exhibits.json").read_text())["exhibits"]
    parts = [str(res / "poa.pdf"), str(res / "evidence-index.pdf")] + [str(res / e["pdf"]) for e in exhibits]
    return {
        "typst compile (POA)": best([PY, "-c", typst_cmd, str(res / "letter.json"), str(ROOT / "templates/poa.typ"),
                                     str(project / "raw/poa.pdf"), str(ROOT / "templates")], project),
        "pandoc (DOCX)": best([pypandoc.get_pandoc_path(), "-f", "json", "-t", "docx", "-o", str(project / "raw/poa.docx"),
                               str(ast)], project),
        "qpdf merge": best(["qpdf", "--empty", "--pages", *parts, "--", str(project / "raw/merged.pdf")], project),
    }


def _edit(project: Path, cid: str, n: int) -> None:
    """An edit of the case text as a user makes one: a word of the first corrective action."""
    case = project / "cases" / f"{cid}.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(re.sub(r"Refunded all \d+ ", f"Refunded all {40 + n} ", text, count=1), encoding="utf-8")


def case_figures(project: Path, cid: str, label: str) -> None:
    res = project / "results" / cid
    def clean() -> None:  # the case's results and the text cache: every exhibit is read again
        shutil.rmtree(res, ignore_errors=True)
        shutil.rmtree(res.parent / ".cache", ignore_errors=True)
    pipe_t, pipe_m = best([SNAKEMAKE, cid], project, runs=3, before=clean)
    noop_t, _ = best([SNAKEMAKE, cid], project, runs=3)
    edits = iter(range(100))
    edit_t, edit_m = best([SNAKEMAKE, cid], project, runs=3, before=lambda: _edit(project, cid, next(edits)))
    edit_m = max(edit_m, _served_peak(project, 3))
    alone_t, alone_m = best([SNAKEMAKE, cid], project, runs=3, before=lambda: _edit(project, cid, next(edits)),
                            env={**os.environ, "POA_JOBSERVER": "off"})
    raw = raw_tools(project, cid)
    exhibits = json.loads((res / "exhibits.json").read_text())["exhibits"]
    pages = len(__import__("pypdf").PdfReader(res / "bundle.pdf").pages)
    size = sum((project / "cases" / cid / "evidence" / p).stat().st_size for p in os.listdir(project / "cases" / cid / "evidence"))
    raw_sum = sum(t for t, _ in raw.values())
    print(f"\n## {label}: {len(exhibits)} exhibits, {pages} bundle pages, {size / 1e6:.1f} MB of evidence")
    print(f"  snakemake {cid} from clean   {pipe_t:6.2f} s   peak {pipe_m:5.0f} MB")
    print(f"  snakemake {cid} no-op        {noop_t:6.2f} s   (Snakemake start-up + DAG)")
    print(f"  snakemake {cid} after an edit of the case text  {edit_t:6.2f} s   peak {edit_m:5.0f} MB"
          "   (its job forked by the project's job server)")
    print(f"  the same, each job in its own process (POA_JOBSERVER=off)  {alone_t:6.2f} s   peak {alone_m:5.0f} MB")
    for name, (t, m) in raw.items():
        print(f"  raw: {name:<22} {t:6.2f} s   peak {m:5.0f} MB")
    print(f"  raw tools together           {raw_sum:6.2f} s")
    print(f"  ratio pipeline / raw tools               {pipe_t / raw_sum:5.2f}x")
    print(f"  ratio pipeline / (raw tools + start-up)  {pipe_t / (raw_sum + noop_t):5.2f}x   (target ≤ 2)")
    print(f"  ratio rebuild after an edit / (raw tools + start-up)  {edit_t / (raw_sum + noop_t):5.2f}x   (target ≤ 1.5;"
          f" each job in its own process: {alone_t / (raw_sum + noop_t):.2f}x)")
    bundle_figures(project, cid, raw["qpdf merge"][0])


def _served_peak(project: Path, jobs: int, what: str = " case cases/") -> float:
    """The largest peak (MB) of the last ``jobs`` jobs running ``what`` the project's job server
    ran (its log): those processes are not children of the process measured."""
    log = project / ".snakemake/poa-forge/jobserver.log"
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if what in line] if log.exists() else []
    return max([float(m.group(1)) for line in lines[-jobs:] if (m := re.search(r"peak (\d+) MB", line))] or [0.0])


def _clone_case(project: Path, src: str, dst: str, metadata: list[tuple[str, str]], digest: str) -> None:
    """A copy of case ``src``, its built results and Snakemake's records of them under the id
    ``dst`` (files that do not name the case are hard links: 1,000 cases fit in little space)."""
    text = (project / "cases" / f"{src}.yaml").read_text(encoding="utf-8").replace(src, dst)
    (project / "cases" / f"{dst}.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(project / "cases" / src, project / "cases" / dst, copy_function=os.link)
    shutil.copytree(project / "results" / src, project / "results" / dst, symlinks=True, copy_function=os.link)
    for name in ("case.json", "status.json", "report.json", "gate.json", "manifest.json"):  # the ones that name the case
        out = project / "results" / dst / name
        text = out.read_text(encoding="utf-8")
        out.unlink()
        out.write_text(text.replace(src, dst), encoding="utf-8")
    # the records Snakemake keeps per output (the case's digest is a parameter of build_case)
    new = _case_digest(project, dst)
    meta = project / ".snakemake" / "metadata"
    for path, record in metadata:
        name = base64.b64encode(path.replace(src, dst).encode()).decode()
        (meta / name).write_text(record.replace(src, dst).replace(digest, new), encoding="utf-8")


def bundle_figures(project: Path, cid: str, qpdf_first: float, runs: int = 3) -> None:
    """The bundle step alone, as the case's job runs it (the POA and the index typeset for the
    bundle by the front stage before it: ``--parts``, the merge proper) and run on its own
    (typesetting those two itself, in a child process), each beside a plain
    ``qpdf --empty --pages`` merge of the same parts timed right before it; best of ``runs``,
    peak memory of the process tree."""
    res = project / "results" / cid
    exhibits = json.loads((res / "exhibits.json").read_text())["exhibits"]
    parts = [str(res / "poa.pdf"), str(res / "evidence-index.pdf")] + [str(res / e["pdf"]) for e in exhibits]
    args = [f"results/{cid}/case.json", f"results/{cid}/letter.json", f"results/{cid}/exhibits.json", "raw/bundle.pdf",
            "--checked", f"results/{cid}/facts.json"]
    print(f"  bundle step alone ({runs} runs each, best; peak = its process tree, or its child in the job server):")
    sys.path.insert(0, str(ROOT / "scripts"))
    from poaforge import jobserver

    served = {**os.environ, jobserver.ENV_SOCKET: str(jobserver.socket_path(project)), "PYTHONHASHSEED": "0"}
    for name, extra, env in (
            ("as the case's job runs it (--parts), in the project's job server", ["--parts", f"results/{cid}/parts"], served),
            ("the same in a process of its own", ["--parts", f"results/{cid}/parts"], None),
            ("alone, typesetting POA and index", [], None)):
        results, raws = [], []
        log = project / ".snakemake/poa-forge/jobserver.log"
        before = log.read_text(encoding="utf-8").count(" bundle results/") if log.exists() else 0
        for _ in range(runs):
            raws.append(measure(["qpdf", "--empty", "--pages", *parts, "--", str(project / "raw/merged.pdf")], project)[0])
            results.append(measure_tree([PY, "-m", "poaforge.steps", "bundle", *args, *extra], project, env))
        if env is not None and (log.read_text(encoding="utf-8").count(" bundle results/") if log.exists() else 0) < before + runs:
            name += " — NOT SERVED (no matching job server): in a process of its own"
        t, q = min(r[0] for r in results), min(raws)
        peak = max(r[1] for r in results)
        if env is not None:
            peak = max(peak, _served_peak(project, runs, " bundle results/"))
        print(f"    {name:<36}\n      {t:6.2f} s   peak {peak:5.0f} MB   qpdf merge {q:5.2f} s   ratio {t / q:4.2f}x"
              f"   (targets: ≤ 2x qpdf, ≤ 250 MB)")
    check = subprocess.run(["qpdf", "--check", str(project / "raw/bundle.pdf")], capture_output=True, text=True)
    print(f"    qpdf --check of the bundle: {'ok' if check.returncode == 0 else 'FAILED: ' + check.stdout[-300:]}"
          f"   (qpdf merge in the case figures above: {qpdf_first:.2f} s)")


def _case_digest(project: Path, cid: str) -> str:
    """The case's digest parameter, as the Snakefile computes it (poaforge.portfolio.fresh)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from poaforge.portfolio.fresh import case_digest, evidence

    cwd = os.getcwd()
    os.chdir(project)
    try:
        return case_digest(Path("cases", f"{cid}.yaml").read_bytes(), *evidence(cid))
    finally:
        os.chdir(cwd)


def many_projects(root: Path, counts: tuple[int, ...]) -> dict[int, Path]:
    """Projects of ``count`` built cases each: one small case built for real in the first, the
    others copies of it, of its results and of Snakemake's records (so a no-op checks ``count``
    complete DAGs with their metadata without paying for ``count`` first builds)."""
    first = copy_project(root / f"cases-{counts[0]}", cases=[])
    write_case(first, "m000", [2, 1], 1, photo_px=(400, 300))
    measure([SNAKEMAKE, "m000"], first)
    projects = {}
    for count in counts:
        project = first if count == counts[0] else root / f"cases-{count}"
        if project != first:
            shutil.copytree(first, project, symlinks=True)
        meta = project / ".snakemake" / "metadata"
        records = [(base64.b64decode(p.name).decode(), p.read_text(encoding="utf-8")) for p in meta.iterdir()]
        records = [(path, text) for path, text in records if "/m000/" in path]
        digest = _case_digest(project, "m000")
        for i in range(1, count):
            _clone_case(project, "m000", f"m{i:04d}", records, digest)
        now = time.time()
        for path in sorted((project / "cases").rglob("*")):  # every input older than every output, both in the past
            os.utime(path, (now - 60, now - 60), follow_symlinks=False)
        for path in sorted((project / "results").rglob("*")):
            os.utime(path, (now - 30, now - 30), follow_symlinks=False)
        measure([SNAKEMAKE], project)  # the status page of the new set of cases; the copies' states noted
        projects[count] = project
    return projects


def many_cases(root: Path, counts: tuple[int, ...] = (1, 200, 1000), runs: int = 3) -> None:
    """A no-op `snakemake` over 1, 200 and 1,000 built cases, in turns (a shared machine's load
    then weighs on each alike; best of ``runs``), and validate/lint over 200."""
    projects = many_projects(root, counts)
    print(f"\n## many cases (no-op: best of {runs}, the projects in turns)")
    for count, project in projects.items():
        dry = subprocess.run([SNAKEMAKE, "-n"], cwd=project, capture_output=True, text=True)  # checked before timing
        if "Nothing to be done" not in dry.stdout + dry.stderr:
            due = sorted({line.split()[1].rstrip(":") for line in dry.stdout.splitlines() if line.startswith(("rule ", "localrule "))})
            raise SystemExit(f"bench: the {count}-case project is NOT a no-op: {', '.join(due)} due")
    times: dict[int, list[float]] = {c: [] for c in counts}
    peaks: dict[int, float] = {c: 0.0 for c in counts}
    for _ in range(runs):
        for count, project in projects.items():
            t, m = measure([SNAKEMAKE], project)
            times[count].append(t)
            peaks[count] = max(peaks[count], m)
    one = min(times[counts[0]])
    targets = {200: 1.5, 1000: 3.0}
    for count in counts:
        t = min(times[count])
        target = f"   ratio {t / one:4.2f}x   (target ≤ {targets[count]}x)" if count in targets else "   (the reference)"
        print(f"  no-op snakemake, {count:>4} built case{'s' if count > 1 else ' '}  {t:6.2f} s   peak {peaks[count]:4.0f} MB"
              f"   ({(t - one) / max(count - 1, 1) * 1000:4.1f} ms per case more){target}")
    project = projects[200] if 200 in projects else projects[counts[-1]]
    n = len(list((project / "cases").glob("*.yaml")))
    poa = str(Path(PY).with_name("poa"))
    val_t, _ = best([poa, "validate"], project, runs=2)
    print(f"  poa validate, {n} cases           {val_t:6.2f} s   ({val_t / n * 1000:.1f} ms per case)")
    lint_t, _ = best([poa, "lint", "--now", "none"], project, runs=2)
    print(f"  poa lint (incl. similarity), {n}  {lint_t:6.2f} s   ({lint_t / n * 1000:.1f} ms per case)")


#: A two-page draft (about 950 words) of the kind `poa check` is for: mostly specific text,
#: with the usual defects of a first draft.
DRAFT_PARAGRAPHS = [
    "Dear Seller Performance Team,",
    "Many thanks for your time. Below is our plan for the late shipment rate named in the notice of 2026-03-02.",
    "Root cause",
    "Between 2026-01-15 and 2026-02-28, 87 of 1,240 orders (7.0%) were confirmed after their ship-by date.",
    "- On 2026-01-15 we moved fulfilment to a new warehouse in Reno; its system imported orders placed after 13:00 only the next morning.",
    "- Our handling time stayed at 1 day, copied from the old warehouse; nobody compared it with the new cut-off.",
    "- The courier also lost several parcels, and our team did not notice.",
    "We think there were a few other reasons as well, such as the busy season.",
    "Corrective actions",
    "- On 2026-03-03 the Fulfilment Manager, Jonas Berg, shipped the 14 open late orders by 2-day air (Exhibit 1).",
    "- On 2026-03-04 our ERP administrator set the order import to run every 15 minutes (import log, Exhibit 2).",
    "- We refunded the affected buyers and we will ensure it does not recur.",
    "Preventive measures",
    "- Since 2026-03-05 a ship-by report runs at 11:00 each working day; the Fulfilment Manager clears it before 15:00 (Exhibit 3).",
    "- Every warehouse change now needs a cut-over checklist signed by the Operations Director (SOP FUL-02, Exhibit 4).",
    "- Relevant personnel will watch the dashboard regularly.",
    "Closing",
    "Can you reinstate the account quickly? We are very grateful for your kindness.",
]


def gate_figures(project: Path) -> None:
    """`poa check` on a two-page draft, `poa lint` over 200 cases (copies of the examples),
    and the quality gate's figures on the development corpus when it is beside the project."""
    poa = str(Path(PY).with_name("poa"))
    body = DRAFT_PARAGRAPHS[:2] + DRAFT_PARAGRAPHS[2:] * 4       # the body four times: two pages
    draft = project / "draft.txt"
    draft.write_text("\n\n".join(body) + "\n", encoding="utf-8")
    words = len(draft.read_text(encoding="utf-8").split())
    t, m = best(["bash", "-c", f"{poa} check '{draft}' >/dev/null; true"], project, runs=5)   # exit 1: it finds errors
    cpu = subprocess.run([PY, "-c", "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
                          "r = resource.getrusage(resource.RUSAGE_CHILDREN); print(r.ru_utime + r.ru_stime)", poa, "check", str(draft)],
                         capture_output=True, text=True).stdout.strip()
    print("\n## quality gate")
    print(f"  poa check, two-page draft ({words} words)   {t:6.2f} s   ({float(cpu):.2f} s CPU)   peak {m:4.0f} MB   (target ≤ 0.5 s)")
    write_case(project, "m000", [2, 1], 1, photo_px=(400, 300))          # the cases of "many", not built
    for i in range(1, 200):
        (project / "cases" / f"m{i:03d}.yaml").write_text(
            (project / "cases" / "m000.yaml").read_text(encoding="utf-8").replace("m000", f"m{i:03d}"), encoding="utf-8")
        shutil.copytree(project / "cases" / "m000", project / "cases" / f"m{i:03d}")
    t, _ = best(["bash", "-c", f"{poa} lint --now none >/dev/null; true"], project, runs=2)
    print(f"  poa lint, 200 cases (as in '200 cases' below)  {t:6.2f} s   ({t / 200 * 1000:.1f} ms per case)   (target ≤ 3 s)")
    try:
        from corpus_score import corpus_dir, score
    except ImportError:
        return
    if corpus_dir() is None:
        print("  development corpus: not found beside the project (set POA_SHARED)")
        return
    start = time.perf_counter()
    lines = score().lines()
    print(f"  development corpus ({time.perf_counter() - start:.1f} s, in process):")
    for line in lines:
        print("    " + line)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def editor_figures(project: Path, runs: int = 9) -> None:
    """`poa lsp` (a real client over stdio: change → diagnostics, hover, definition,
    completion) and `poa watch` (an edit of the file → a new poa.pdf), on the typical case."""
    from lsp_client import Session
    from watch_client import Watch, wait_replaced

    write_case(project, "typical", [6, 5, 5, 4, 4, 3, 3], 3)
    path = project / "cases" / "typical.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("exhibits: [E")].count("\n")
    col = text.splitlines()[line].index("exhibits: [E")
    poa = str(Path(PY).with_name("poa"))
    print("\n## editor (typical case: 10 exhibits; median and worst of %d)" % runs)
    started = time.perf_counter()
    with Session([poa, "lsp", "--now", "none"], project) as lsp:
        uri = lsp.open(path)
        lsp.wait_diagnostics(uri)
        ready = time.perf_counter() - started
        times: dict[str, list[float]] = {"change → diagnostics (incl. 50 ms debounce)": [], "hover": [], "definition": [],
                                         "completion": []}
        for n in range(runs):
            edited = text.replace("Refunded all 38", f"Refunded all {40 + n}")
            t0 = time.perf_counter()
            lsp.wait_diagnostics(uri, version=lsp.change(uri, edited))
            times["change → diagnostics (incl. 50 ms debounce)"].append(time.perf_counter() - t0)
            times["hover"].append(lsp.timed(lsp.hover, uri, line, col + 12)[1])
            times["definition"].append(lsp.timed(lsp.definition, uri, line, col + 12)[1])
            times["completion"].append(lsp.timed(lsp.completion, uri, line, col + len("exhibits: ["))[1])
    print(f"  poa lsp start → first diagnostics  {ready:6.2f} s")
    for name, values in times.items():
        print(f"  poa lsp {name:<44} {_median(values) * 1000:6.0f} ms   worst {max(values) * 1000:4.0f} ms   (target ≤ 150 ms)")
    watch = Watch(project, "typical", "--now", "none")
    try:
        watch.until(r"^watching ", timeout=120)
        pdf = project / "results" / "typical" / "poa.pdf"
        latencies = []
        for n in range(runs):
            inode = pdf.stat().st_ino
            path.write_text(text.replace("Refunded all 38", f"Refunded all {60 + n}"), encoding="utf-8")
            latencies.append(wait_replaced(pdf, inode))
            watch.until(r"poa\.pdf: \d+ pages?, rendered")
    finally:
        watch.stop()
    print(f"  poa watch: save → new poa.pdf                 {_median(latencies) * 1000:6.0f} ms   worst {max(latencies) * 1000:4.0f} ms"
          "   (target ≤ 500 ms)")


def main(argv: list[str]) -> None:
    parts = set(argv) or {"typical", "large", "many", "gate", "editor"}
    if not shutil.which("qpdf"):
        raise SystemExit("bench: qpdf is needed (make bench installs it via tools/setup.sh --test)")
    tmp = Path(tempfile.mkdtemp(prefix="poa-bench-"))
    os.environ["POA_JOBSERVER_FOLDER"] = str(tmp / "js")  # the job servers the runs start: stopped at the end
    try:
        project = copy_project(tmp / "project", cases=[])
        print("# poa-forge benchmark (best of 3; peak = largest process)")
        if "typical" in parts:
            write_case(project, "typical", [6, 5, 5, 4, 4, 3, 3], 3)
            case_figures(project, "typical", "typical case")
        if "large" in parts:
            write_case(project, "large", [11] * 40, 40, seed=2, scans=20)
            case_figures(project, "large", "large case")
        if "many" in parts:
            many_cases(tmp / "many")
        if "gate" in parts:
            gate_figures(copy_project(tmp / "gate", cases=[]))
        if "editor" in parts:
            editor_figures(copy_project(tmp / "editor", cases=[]))
    finally:
        sys.path.insert(0, str(ROOT / "scripts"))
        from poaforge import jobserver

        jobserver.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
