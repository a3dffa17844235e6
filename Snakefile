# poa-forge pipeline: one YAML file per case in cases/ → documents in results/<case>/.
#   snakemake case42     build one case
#   snakemake            build every case (and the status page)
# Every computation lives in the poaforge package (scripts/poaforge); this file only
# declares the steps, their inputs and outputs.

from snakemake.utils import min_version

min_version("9.0")


include: "workflow/common.smk"


onstart:
    lock_folder()
    offer_jobserver()


# What the next run compares to skip the cases built (poaforge.portfolio.fresh): noted as the
# run ends, whatever its end, from the jobs Snakemake found or made up to date.
note_fresh_at_exit()


# The run ends with its last job, not a second later (end_scheduler_timers in workflow/common.smk);
# one that built something leaves the project's job server running for the next (prepare_jobserver).
onsuccess:
    end_scheduler_timers()
    prepare_jobserver()


onerror:
    end_scheduler_timers()
    prepare_jobserver()


localrules:
    all,
    status_page,


# Every case and the status page: the cases whose state differs from the one noted when they
# were built (every case when a target is forced or outputs are listed or deleted;
# cases_to_check in workflow/common.smk).
rule all:
    default_target: True
    input:
        "results/index.html",
        lambda w: case_targets(cases_to_check()),


# One job per case (and write_changes for a case that records a rejected submission): every
# stage of the package in one process, in order (poaforge.steps.STEPS, docs/pipeline.md).
# The package's code and the project data it reads are one parameter (a digest, made_from in
# workflow/common.smk), not inputs: a change of them reruns the job all the same.
# The exhibits' text and facts are cached by content and the similarity index of the other
# cases (POA604/605) by theirs, so an edit of the case text reads no exhibit again.
# The quality gate's report and the exhibits' facts are logs: Snakemake deletes a failed job's
# outputs but keeps its logs, and the report must survive the gate that stops the case. A
# failed gate leaves no output, so the next run decides it again.
rule build_case:
    input:
        case="cases/{case}.yaml",
        evidence=evidence_files,
        changes=changes_output,
    output:
        checked="results/{case}/case.json",
        exhibits="results/{case}/exhibits.json",
        pdfs=directory("results/{case}/exhibits"),
        text=directory("results/{case}/text"),
        gate="results/{case}/gate.json",
        model="results/{case}/letter.json",
        pdf="results/{case}/poa.pdf",
        docx="results/{case}/poa.docx",
        txt="results/{case}/poa.txt",
        form="results/{case}/form.json",
        index_pdf="results/{case}/evidence-index.pdf",
        index_csv="results/{case}/evidence-index.csv",
        # the POA and the evidence index typeset for the bundle (exhibit links, no page footer)
        parts=directory("results/{case}/parts"),
        bundle="results/{case}/bundle.pdf",
        # the list of what was written to results/{case}/upload/ (no marker file in that folder)
        upload="results/{case}/upload.json",
        checklist="results/{case}/checklist.md",
        row="results/{case}/status.json",
        manifest="results/{case}/manifest.json",
    params:
        digest=case_digest,
        made_from=CASE_MADE_FROM,
        options=case_options,
    # (no benchmark: directive — Snakemake's sampling thread kept every job about a second longer)
    log:
        step="logs/{case}/build_case.log",
        report_json="results/{case}/report.json",
        report_txt="results/{case}/report.txt",
        # what the exhibits say: `poa lint` and the editor check the case against it, after a failed gate too
        facts="results/{case}/facts.json",
    shell:
        step(
            "case {input.case:q} results/{wildcards.case} --index results/lint-index.json {params.options}"
        )


# What changed since a rejected submission (only for a case that records one).
rule write_changes:
    input:
        case="cases/{case}.yaml",
    output:
        "results/{case}/changes.md",
    params:
        digest=case_digest,
        made_from=made_from("changes", LINT_FILES),
    log:
        "logs/{case}/write_changes.log",
    shell:
        step("changes {input.case:q} {output:q}")


# The portfolio at a glance, made from each case's row: a case rebuilt with the same row
# (same deadline, lint counts, submission) leaves the page alone. The rows of the cases this
# run checks are its inputs; the others are read as they are (the list of cases is a
# parameter: a case added or removed rewrites the page).
rule status_page:
    input:
        rows=lambda w: [f"results/{c}/status.json" for c in cases_to_check()],
    output:
        "results/index.html",
    params:
        rows=expand("results/{case}/status.json", case=CASES),
        made_from=made_from("status-page", ["templates/status.html"]),
    log:
        "logs/status_page.log",
    shell:
        step("status-page {output:q} {params.rows:q}")


# One target per case, so `snakemake case42` builds case42. Its input is a function, evaluated
# only for the case asked for: a thousand cases are a thousand small rules, not 19,000 files.
for _case in CASES:

    rule:
        name:
            _case
        localrule: True
        input:
            lambda w, case=_case: case_targets([case]),
