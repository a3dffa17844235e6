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


localrules:
    all,
    status_page,


# Every case and the status page.
rule all:
    default_target: True
    input:
        "results/index.html",
        case_targets(CASES),


# Five jobs per case (and write_changes for a case that records a rejected submission); each
# runs one or more stages of the package in one process (poaforge.steps.STEPS). The package's
# code and the project data a step reads are one parameter (a digest, made_from in
# workflow/common.smk), not inputs: a change of them reruns the step all the same.
# The case file, checked, its exhibits prepared and read (every exhibit's text and facts,
# cached by content, so an edit of the case text reads nothing again).
rule prepare_case:
    input:
        case="cases/{case}.yaml",
        evidence=evidence_files,
    output:
        checked="results/{case}/case.json",
        exhibits="results/{case}/exhibits.json",
        pdfs=directory("results/{case}/exhibits"),
        facts="results/{case}/facts.json",
        text=directory("results/{case}/text"),
    params:
        digest=case_digest,
        made_from=made_from("prepare", DATA_FILES, DOCUMENT_FILES, EVIDENCE_TEMPLATES),
    log:
        "logs/{case}/prepare_case.log",
    benchmark:
        "logs/{case}/prepare_case.benchmark.tsv"
    shell:
        step("prepare {input.case:q} results/{wildcards.case}")


# The quality gate in two steps. lint_case writes the report and always succeeds, so the
# report survives a failed gate (Snakemake deletes a failed job's outputs); gate_case stops
# the case's documents when the report holds errors, and has no output then, so the next run
# decides it again; the documents of an earlier build are removed then (they would not match the case).
# lint_case also compares the case with every other case in cases/ (templated text,
# POA604/605): it reads them itself, through a cache keyed by their content, so an edit of
# one case re-checks that case only.
rule lint_case:
    input:
        case="cases/{case}.yaml",
        checked=rules.prepare_case.output.checked,
        facts=rules.prepare_case.output.facts,
        text=rules.prepare_case.output.text,
        exhibits=rules.prepare_case.output.exhibits,
    output:
        json="results/{case}/report.json",
        txt="results/{case}/report.txt",
    params:
        made_from=made_from("lint-report", LINT_FILES, DOCUMENT_FILES, SCAFFOLD_FILES),
    log:
        "logs/{case}/lint_case.log",
    shell:
        step(
            "lint-report {input.checked:q} {input.case:q} {output.json:q} {output.txt:q} "
            "--index results/lint-index.json --facts {input.facts:q} --exhibits {input.exhibits:q} --now none"
        )


rule gate_case:
    input:
        report=rules.lint_case.output.json,
    output:
        "results/{case}/gate.json",
    params:
        off="" if LINT_GATE else "--off",
        made_from=made_from("gate"),
        # the case's documents of an earlier build, removed when the gate fails
        stale=lambda w: [p.replace("{case}", w.case) for p in [*rules.compose_letter.output, *rules.build_bundle.output]],
    log:
        "logs/{case}/gate_case.log",
    shell:
        step("gate {input.report:q} {output:q} {params.off} --stale {params.stale:q}")


# The letter composed once (letter.json) and laid out in every format, in one process.
rule compose_letter:
    input:
        checked=rules.prepare_case.output.checked,
        gate=rules.gate_case.output,
    output:
        model="results/{case}/letter.json",
        pdf="results/{case}/poa.pdf",
        docx="results/{case}/poa.docx",
        txt="results/{case}/poa.txt",
        form="results/{case}/form.json",
    params:
        made_from=made_from("letter", TEMPLATES, REFERENCE_DOCS, ["schemas/letter.schema.json"]),
    log:
        "logs/{case}/compose_letter.log",
    shell:
        step(
            "letter {input.checked:q} {output.model:q} {output.pdf:q} {output.docx:q} {output.txt:q} {output.form:q}"
        )


# After the letter: the evidence index, the bundle, the uploads, the checklist, the case's
# row of the status page and, last, the manifest (SHA-256 of every output), in one process.
rule build_bundle:
    input:
        checked=rules.prepare_case.output.checked,
        exhibits=rules.prepare_case.output.exhibits,
        pdfs=rules.prepare_case.output.pdfs,
        facts=rules.prepare_case.output.facts,
        gate=rules.gate_case.output,
        letter=rules.compose_letter.output.model,
        poa=rules.compose_letter.output.pdf,  # bundled and uploaded (the signed scan must have as many pages)
        form=rules.compose_letter.output.form,
        # hashed by the manifest with every other output
        report=rules.lint_case.output,
        docx=rules.compose_letter.output.docx,
        txt=rules.compose_letter.output.txt,
        changes=changes_output,
    output:
        index_pdf="results/{case}/evidence-index.pdf",
        index_csv="results/{case}/evidence-index.csv",
        bundle="results/{case}/bundle.pdf",
        # the list of what was written to results/{case}/upload/ (no marker file in that folder)
        upload="results/{case}/upload.json",
        checklist="results/{case}/checklist.md",
        row="results/{case}/status.json",
        manifest="results/{case}/manifest.json",
    params:
        made_from=made_from("package", TEMPLATES, EVIDENCE_TEMPLATES),
        lossy="--allow-lossy" if config.get("allow_lossy") else "",
    log:
        "logs/{case}/build_bundle.log",
    benchmark:
        "logs/{case}/build_bundle.benchmark.tsv"
    shell:
        step("package results/{wildcards.case} {params.lossy}")


# What changed since a rejected submission (only for a case that records one).
rule write_changes:
    input:
        case="cases/{case}.yaml",
        checked=rules.prepare_case.output.checked,
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
# (same deadline, lint counts, submission) leaves the page alone.
rule status_page:
    input:
        rows=expand("results/{case}/status.json", case=CASES),
    output:
        "results/index.html",
    params:
        made_from=made_from("status-page", ["templates/status.html"]),
    log:
        "logs/status_page.log",
    shell:
        step("status-page {output:q} {input.rows:q}")


# One target per case, so `snakemake case42` builds case42.
for _case in CASES:

    rule:
        name:
            _case
        localrule: True
        input:
            case_targets([_case]),
