"""Editor integration: ``poa lsp`` (a language server: diagnostics, hover, go to definition,
completion for case files and drafts) and ``poa watch`` (re-check and re-render the letter on
every save).

Both reuse the pipeline's own readers: the case loader and validator
(:func:`poaforge.case.model.inspect_case`), the quality gate
(:func:`poaforge.check.engine.lint_inspected`, :func:`poaforge.check.check_text`) and the
letter (:mod:`poaforge.letter`); what is here only places their answers in a buffer.

Modules: ``text`` (offsets and positions), ``outline`` (items and references of a case file),
``context`` (is an id expected at the cursor), ``analysis`` (problems and findings as marks
with ranges), ``navigate`` (hover text, completion choices), ``lsp`` (the server),
``preview`` and ``watch`` (``poa watch``).
"""
