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


# Every case (the status page needs every output of every case) and the status page.
rule all:
    default_target: True
    input:
        "results/index.html",


rule validate_case:
    input:
        case="cases/{case}.yaml",
        evidence=evidence_files,
        data=DATA_FILES,
        code=code("validate"),
    output:
        "results/{case}/case.json",
    params:
        digest=case_digest,
    log:
        "logs/{case}/validate_case.log",
    shell:
        step("validate {input.case:q} {output:q}")


# The quality gate in two steps. lint_case writes the report and always succeeds, so the
# report survives a failed gate (Snakemake deletes a failed job's outputs); gate_case stops
# the case's documents when the report holds errors, and has no output then, so the next run
# decides it again. lint_case also compares the case with every other case in cases/
# (templated text, POA604/605): it reads them itself, through a cache keyed by their content,
# so an edit of one case re-checks that case only.
rule lint_case:
    input:
        case="cases/{case}.yaml",
        checked=rules.validate_case.output,
        facts="results/{case}/facts.json",
        exhibits="results/{case}/exhibits.json",
        data=LINT_FILES + DOCUMENT_FILES + SCAFFOLD_FILES,
        code=code("lint-report"),
    output:
        json="results/{case}/report.json",
        txt="results/{case}/report.txt",
    params:
        digest=case_digest,
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
        code=code("gate"),
    output:
        "results/{case}/gate.json",
    params:
        off="" if LINT_GATE else "--off",
    log:
        "logs/{case}/gate_case.log",
    shell:
        step("gate {input.report:q} {output:q} {params.off}")


rule prepare_exhibits:
    input:
        checked=rules.validate_case.output,
        templates=EVIDENCE_TEMPLATES,
        code=code("evidence"),
    output:
        pdfs=directory("results/{case}/exhibits"),
        json="results/{case}/exhibits.json",
    log:
        "logs/{case}/prepare_exhibits.log",
    shell:
        step("evidence {input.checked:q} results/{wildcards.case}")


# Every exhibit read once (text layer or OCR, cached by content), its facts, and the
# index's "checked against the letter" column.
rule read_exhibits:
    input:
        checked=rules.validate_case.output,
        exhibits=rules.prepare_exhibits.output.json,
        data=DOCUMENT_FILES,
        code=code("read"),
    output:
        text=directory("results/{case}/text"),
        facts="results/{case}/facts.json",
    log:
        "logs/{case}/read_exhibits.log",
    benchmark:
        "logs/{case}/read_exhibits.benchmark.tsv"
    shell:
        step("read {input.checked:q} {input.exhibits:q} results/{wildcards.case}")


# The letter composed once (letter.json) and laid out in every format, in one process.
rule compose_letter:
    input:
        checked=rules.validate_case.output,
        gate=rules.gate_case.output,
        templates=TEMPLATES,
        references=REFERENCE_DOCS,
        schema="schemas/letter.schema.json",
        code=code("letter"),
    output:
        model="results/{case}/letter.json",
        pdf="results/{case}/poa.pdf",
        docx="results/{case}/poa.docx",
        txt="results/{case}/poa.txt",
        form="results/{case}/form.json",
    log:
        "logs/{case}/compose_letter.log",
    shell:
        step(
            "letter {input.checked:q} {output.model:q} {output.pdf:q} {output.docx:q} {output.txt:q} {output.form:q}"
        )


rule build_index:
    input:
        checked=rules.validate_case.output,
        letter=rules.compose_letter.output.model,
        exhibits=rules.prepare_exhibits.output.json,
        facts=rules.read_exhibits.output.facts,
        templates=TEMPLATES,
        code=code("index"),
    output:
        pdf="results/{case}/evidence-index.pdf",
        csv="results/{case}/evidence-index.csv",
    log:
        "logs/{case}/build_index.log",
    shell:
        step(
            "index {input.checked:q} {input.letter:q} {input.exhibits:q} {output.pdf:q} {output.csv:q} "
            "--checked {input.facts:q}"
        )


rule merge_bundle:
    input:
        checked=rules.validate_case.output,
        letter=rules.compose_letter.output.model,
        poa=rules.compose_letter.output.pdf,  # the signed scan must have as many pages
        exhibits=rules.prepare_exhibits.output.json,
        facts=rules.read_exhibits.output.facts,
        gate=rules.gate_case.output,
        templates=TEMPLATES + EVIDENCE_TEMPLATES,
        code=code("bundle"),
    output:
        "results/{case}/bundle.pdf",
    log:
        "logs/{case}/merge_bundle.log",
    benchmark:
        "logs/{case}/merge_bundle.benchmark.tsv"
    shell:
        step("bundle {input.checked:q} {input.letter:q} {input.exhibits:q} {output:q} --checked {input.facts:q}")


rule build_upload:
    input:
        checked=rules.validate_case.output,
        exhibits=rules.prepare_exhibits.output.json,
        bundle=rules.merge_bundle.output,
        poa=rules.compose_letter.output.pdf,  # uploaded as the letter when the profile names poa_file
        code=code("upload"),
    output:
        # the list of what was written to results/{case}/upload/ (no marker file in that folder)
        "results/{case}/upload.json",
    params:
        lossy="--allow-lossy" if config.get("allow_lossy") else "",
    log:
        "logs/{case}/build_upload.log",
    shell:
        step(
            "upload {input.checked:q} {input.exhibits:q} results/{wildcards.case}/upload "
            "--bundle {input.bundle:q} --list {output:q} {params.lossy}"
        )


rule write_checklist:
    input:
        checked=rules.validate_case.output,
        gate=rules.gate_case.output,
        letter=rules.compose_letter.output.model,
        form=rules.compose_letter.output.form,
        exhibits=rules.prepare_exhibits.output.json,
        code=code("checklist"),
    output:
        "results/{case}/checklist.md",
    log:
        "logs/{case}/write_checklist.log",
    shell:
        step(
            "checklist {input.checked:q} {input.letter:q} {input.form:q} {input.exhibits:q} {output:q}"
        )


rule write_manifest:
    input:
        outputs=case_outputs,
        changes=changes_output,
        checked=rules.validate_case.output,
        code=code("manifest"),
    output:
        "results/{case}/manifest.json",
    log:
        "logs/{case}/write_manifest.log",
    shell:
        step("manifest {input.checked:q} {output:q}")


# What changed since a rejected submission (only for a case that records one).
rule write_changes:
    input:
        case="cases/{case}.yaml",
        checked=rules.validate_case.output,
        data=LINT_FILES,
        code=code("changes"),
    output:
        "results/{case}/changes.md",
    params:
        digest=case_digest,
    log:
        "logs/{case}/write_changes.log",
    shell:
        step("changes {input.case:q} {output:q}")


# The portfolio at a glance: one row per case, built after every case's manifest.
rule status_page:
    input:
        cases=expand("cases/{case}.yaml", case=CASES),
        manifests=case_targets(CASES),
        template="templates/status.html",
        code=code("status-page"),
    output:
        "results/index.html",
    log:
        "logs/status_page.log",
    shell:
        step("status-page {output:q} {input.cases:q}")


# One target per case, so `snakemake case42` builds case42.
for _case in CASES:

    rule:
        name:
            _case
        localrule: True
        input:
            case_targets([_case]),
