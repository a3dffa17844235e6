# Helpers for the Snakefile: which cases exist, what each step reads, how a step is run.
import functools
import hashlib
import os
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))
from poaforge.case.model import CASE_ID  # noqa: E402
from poaforge.deps import module_files  # noqa: E402
from poaforge.steps import FAILED_MARK, RESERVED_IDS, step_named  # noqa: E402  (light: the registry of steps)

PY = sys.executable


def _refuse(message):
    """Stop before any job runs, with the message alone (no Snakemake stack)."""
    print(f"poa-forge: {message}", file=sys.stderr, flush=True)
    os._exit(1)


def _discover_cases():
    cases = []
    for path in sorted(Path("cases").glob("*.yaml")):
        stem = path.stem
        if not CASE_ID.match(stem):
            _refuse(f"{path}: the file name '{stem}' is not a usable case id — "
                    "rename it: letters, digits, '-' and '_', starting with a letter")
        if stem in RESERVED_IDS:
            _refuse(f"{path}: the case id '{stem}' is the name of a pipeline rule — "
                    f"rename the file, e.g. to case-{stem}.yaml")
        cases.append(stem)
    return cases


CASES = _discover_cases()

wildcard_constraints:
    case="[A-Za-z][A-Za-z0-9_-]*",


# Project data the steps read. They are not Snakemake inputs: with the step's code they make one
# digest, a parameter of the steps that read them (made_from below), computed once per run (a parameter that changes
# reruns the step, like a newer input). Listed as inputs, these few hundred files — and the
# package's modules below — were ~90 inputs per job, which Snakemake matched against every
# rule and stat'ed on every run: most of a no-op's time over many cases (docs/pipeline.md).
DATA_FILES = sorted(["schemas/case.schema.json", "schemas/platform.schema.json"]
                    + [str(p) for p in Path("platforms").glob("*.yaml")]
                    + [str(p) for p in Path("templates/lang").glob("*.yaml")])
LINT_FILES = sorted(str(p) for p in Path("lint").rglob("*.yaml"))
# the scaffolds' own wording: a case that keeps it is flagged (POA614)
SCAFFOLD_FILES = sorted(str(p) for p in Path("scaffolds").glob("*.yaml"))
DOCUMENT_FILES = sorted(str(p) for p in Path("documents").glob("*.yaml"))  # document kinds, required evidence
TEMPLATES = sorted(str(p) for p in Path("templates").glob("*.typ"))
# pages poa-forge typesets from evidence files (e-mail, text, tables, charts) and their labels
EVIDENCE_TEMPLATES = sorted(str(p) for d in ("evidence", "chart") for p in Path("templates", d).glob("*") if p.is_file())
REFERENCE_DOCS = sorted(str(p) for p in Path("templates").glob("reference-*.docx"))


@functools.cache
def _file_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def digest(*groups):
    """SHA-256 over the names and contents of the files in ``groups`` (lists of paths); each
    file is read once per run."""
    h = hashlib.sha256()
    for path in sorted({str(p) for group in groups for p in group}):
        h.update(f"{path}\0{_file_digest(path)}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def made_from(command, *groups):
    """Digest of what the step ``command`` (poaforge.steps.STEPS) is made from: the package's
    source files it runs — its module, its stages' modules and everything they import from
    the package — and the project files in ``groups`` it reads. A parameter of its rule, so a
    change of either reruns exactly the steps it affects."""
    step = step_named(command)
    modules = [step.module] + [step_named(s).module for s in step.stages]
    return digest([str(p) for p in module_files(*modules)], *groups)


@functools.cache
def _case_file(case):
    """The bytes of cases/<case>.yaml, read once per run (a digest and an input function use them)."""
    return Path(f"cases/{case}.yaml").read_bytes()


def case_digest(wildcards):
    """SHA-256 of the case file: content edits rebuild even when the time stamp goes back.
    Evidence files whose names hold braces cannot be Snakemake inputs: their size and time
    stamp are part of the digest instead."""
    h = hashlib.sha256(_case_file(wildcards.case))
    for path in _evidence(wildcards.case)[1]:
        st = os.stat(path)
        h.update(f"\0{path}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


@functools.cache
def _evidence(case):
    """Regular files in the case's own folder (not following links out), in two lists: those
    whose path has no brace (Snakemake would read '{x}' as a wildcard) and those that have one.
    The folder is walked once per run."""
    plain, braced = [], []
    for folder, dirs, files in os.walk(Path("cases", case)):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            p = Path(folder, name)
            if not name.startswith(".") and p.is_file() and not p.is_symlink():
                (braced if "{" in str(p) or "}" in str(p) else plain).append(str(p))
    return plain, braced


def evidence_files(wildcards):
    """Every evidence file of the case, as inputs (so that replacing one rebuilds)."""
    return _evidence(wildcards.case)[0]


#: What a case's target (`snakemake <case>`) and `snakemake` ask for: the outputs of its last
#: step. Every other output is an input of a later step (the manifest hashes them all), so a
#: lost one is made again all the same: Snakemake reruns a job whose output a later job needs.
CASE_OUTPUTS = ["evidence-index.pdf", "evidence-index.csv", "bundle.pdf", "upload.json", "checklist.md", "status.json",
                "manifest.json"]


def case_targets(cases):
    return [f"results/{c}/{name}" for c in cases for name in CASE_OUTPUTS]


def step(command):
    """Shell line running one pipeline step, its messages going to the rule's log, which a
    failure ends with FAILED_MARK and the exit status. A failed step's problems are printed
    once, at the end of the run, by the poaforge logger plugin
    (scripts/snakemake_logger_plugin_poaforge, named in the profiles)."""
    env = "TZ=UTC SOURCE_DATE_EPOCH=0 PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1"
    run = f"{env} {shlex.quote(PY)} -m poaforge.steps {command} > {{log:q}} 2>&1"
    return f"{run} || {{{{ status=$?; echo \"{FAILED_MARK} $status\" >> {{log:q}}; exit $status; }}}}"


# --- many cases: re-appeals, status page, rebuilds from git (see docs/many-cases.md) ---------
from poaforge.portfolio.history import has_rejected_text  # noqa: E402  (light: no third-party modules)

#: `--config lint_gate=off` (`poa rebuild`): lint errors are reported but do not stop the
#: build, so a version that was filed can be shown again as it was.
LINT_GATE = str(config.get("lint_gate", "on")).lower() != "off"


def changes_output(wildcards):
    """results/<case>/changes.md when the case records a rejected submission."""
    text = _case_file(wildcards.case).decode("utf-8", errors="replace")
    return [f"results/{wildcards.case}/changes.md"] if has_rejected_text(text) else []


# --- one build at a time in a folder (see tests/hardening/test_faults.py) ---------------------
_FOLDER_LOCK = []


def lock_folder():
    """Hold an exclusive lock on .snakemake/poa-forge.lock until this snakemake exits.

    Snakemake's own lock can let two runs started at the same moment both through; this one
    cannot (flock is atomic), and the system releases it when the process ends, even on kill -9,
    so it never needs `--unlock`."""
    import fcntl

    Path(".snakemake").mkdir(exist_ok=True)
    handle = open(".snakemake/poa-forge.lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise WorkflowError("another snakemake run is building in this folder — wait for it to finish, then run again")
    _FOLDER_LOCK.append(handle)
