# Helpers for the Snakefile: which cases exist, what each step reads, how a step is run.
import functools
import hashlib
import os
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))
from poaforge.case.model import CASE_ID  # noqa: E402
from poaforge.deps import module_files  # noqa: E402
from poaforge.steps import FAILED_MARK, RESERVED_IDS, step_named  # noqa: E402  (light: the registry of steps)
from poaforge.portfolio import fresh  # noqa: E402  (standard library only)

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
    """The case's digest parameter (poaforge.portfolio.fresh.case_digest): its file's content
    and its evidence files' names."""
    return fresh.case_digest(_case_file(wildcards.case), *_evidence(wildcards.case))


@functools.cache
def _evidence(case):
    """The case's evidence files, plain and braced (poaforge.portfolio.fresh.evidence); the
    folder is walked once per run."""
    return fresh.evidence(case)


def evidence_files(wildcards):
    """Every evidence file of the case, as inputs (so that replacing one rebuilds)."""
    return _evidence(wildcards.case)[0]


def case_targets(cases):
    """What a case's target (`snakemake <case>`) and `snakemake` ask for: every output of the
    case's job (Snakemake reruns a job for a missing output only when it is asked for)."""
    return [str(o).replace("{case}", c) for c in cases for o in rules.build_case.output]


#: What the case's job is made from: the package's modules its stages import and every
#: project file they read.
CASE_MADE_FROM = made_from("case", DATA_FILES, DOCUMENT_FILES, EVIDENCE_TEMPLATES, LINT_FILES, SCAFFOLD_FILES,
                           TEMPLATES, REFERENCE_DOCS, ["schemas/letter.schema.json"])


def case_options(wildcards=None):
    """The options of the case's job that change what it writes (`--config lint_gate=off`, `allow_lossy=1`)."""
    return " ".join(o for o, on in (("--gate-off", not LINT_GATE), ("--allow-lossy", bool(config.get("allow_lossy")))) if on)


class _Case:  # what an input function of the case's rule is given: its wildcards
    def __init__(self, case):
        self.case = case


#: When this run began: an input changed since is not noted as built (it may not be).
_RUN_STARTED_NS = time.time_ns()


def _state(case):
    """What the case's job is built from now (poaforge.portfolio.fresh.state)."""
    w = _Case(case)
    return fresh.state(CASE_MADE_FROM, case_options().split(), case_digest(w),
                       [f"cases/{case}.yaml", *evidence_files(w), *changes_output(w)], case_targets([case]))


@functools.cache
def _notes():
    return fresh.Notes()


def _building():
    """True in a run that builds or dry-runs (an executor is set), not one that lists,
    summarises or deletes outputs."""
    return getattr(workflow, "_executor_plugin", None) is not None


@functools.cache
def cases_to_check():
    """The cases a plain `snakemake` hands to Snakemake: all of them, except, in a run that
    builds and forces nothing, the cases whose noted state is their state now (skipped
    without a job: a no-op over a thousand cases costs a stat per file, not Snakemake's
    ~2.5 ms per job; poaforge.portfolio.fresh)."""
    settings = getattr(workflow, "dag_settings", None)
    forced = settings is None or settings.forceall or settings.forcetargets or settings.forcerun
    if not _building() or forced:
        return CASES
    notes = _notes().cases
    stale = []
    for c in CASES:
        try:
            if fresh.is_fresh(notes.get(c), _state(c)):
                continue
        except OSError:
            pass
        stale.append(c)
    return stale


def _note_fresh():
    """Note the state of every case whose job Snakemake found up to date or ran to the end in
    this run (not in a dry run; not when an input changed since the run began)."""
    dag = getattr(workflow, "dag", None)
    if dag is None or not _building():
        return
    built = {}
    for job in list(dag.jobs):
        if job.rule.name != "build_case" or not dag.noneedrun_finished(job):
            continue
        if workflow.dryrun and dag.needrun(job):
            continue
        case = job.wildcards_dict.get("case", "")
        try:
            now = _state(case)
        except OSError:
            continue
        if all(mtime < _RUN_STARTED_NS for _, mtime in now["inputs"].values()):
            built[case] = now
    _notes().save(built, keep=CASES)


def note_fresh_at_exit():
    """Run :func:`_note_fresh` when Snakemake exits (after a success, a failure or "nothing to
    be done"); a failure to note only costs the next run a full check."""
    import atexit

    def note():
        try:
            _note_fresh()
        except Exception:  # noqa: BLE001  (the notes are an optimisation; Snakemake's exit stays as it is)
            pass

    atexit.register(note)


def end_scheduler_timers():
    """Cancel the timers Snakemake's scheduler leaves behind, so the run ends when its last job
    does. After every round that starts jobs, the scheduler arms a ``threading.Timer`` of the
    ``--max-jobs-per-timespan`` span (default 100 per 1 s) to look at the queue again; the
    timer is not a daemon thread, so Python's exit waited for it: up to a second added to every
    run that built something (measured: a one-case rebuild 3.6-3.8 s → 2.5-2.6 s). Called from
    onsuccess/onerror, when the scheduler has returned and nothing waits for these timers any
    more; only the scheduler's own timers are touched (tests/test_scheduler_timers.py checks that
    Snakemake still arms them so)."""
    import threading

    for thread in threading.enumerate():
        function = getattr(thread, "function", None)
        if isinstance(thread, threading.Timer) and "JobScheduler._schedule_reevalutation" in getattr(
                function, "__qualname__", ""):
            thread.cancel()


#: The environment every step runs in: reproducible times and hashes, bytecode kept under
#: .snakemake (step, below); the project's job server is started with it too (prepare_jobserver).
STEP_ENV = {"TZ": "UTC", "SOURCE_DATE_EPOCH": "0", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": ".snakemake/pycache"}


def _local_build():
    """True in a run whose jobs run here and build: not a cluster's, a dry run or --touch."""
    settings = getattr(getattr(workflow, "_executor_plugin", None), "common_settings", None)
    return settings is not None and settings.local_exec and not settings.dryrun_exec and not settings.touch_exec


def offer_jobserver():
    """In a local run that builds, let its jobs use the project's job server when one runs
    (poaforge.jobserver: each job forked from a process that has loaded the libraries, ~0.4 s
    less per job; POA_JOBSERVER=off turns it off)."""
    if _local_build():
        from poaforge import jobserver

        jobserver.offer()


def prepare_jobserver():
    """As a local run that built something ends, start the project's job server for the next
    run if none runs (poaforge.jobserver.prepare)."""
    if _local_build():
        from poaforge import jobserver

        jobserver.prepare(STEP_ENV)


def step(command):
    """Shell line running one pipeline step, its messages going to the rule's (first) log, which a
    failure ends with FAILED_MARK and the exit status. A failed step's problems are printed
    once, at the end of the run, by the poaforge logger plugin
    (scripts/snakemake_logger_plugin_poaforge, named in the profiles). The package's bytecode
    is kept under .snakemake/pycache, not beside the sources: a job then loads its ~100
    modules compiled (0.1-0.9 s less than compiling them from source every time). The path is
    relative to the working folder (Snakemake's record of a job holds its command: an absolute
    path would rebuild every case of a project moved or copied elsewhere)."""
    env = " ".join(f"{k}={v}" for k, v in STEP_ENV.items())
    run = f"{env} {shlex.quote(PY)} -m poaforge.steps {command} > {{log[0]:q}} 2>&1"
    return f"{run} || {{{{ status=$?; echo \"{FAILED_MARK} $status\" >> {{log[0]:q}}; exit $status; }}}}"


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
