"""``poa lsp``: the language server (stdio) for case files and drafts, on ``pygls``.

* Diagnostics: on open, change (debounced: a burst of keystrokes is read once, see
  ``--debounce``) and save of a case file (``cases/*.yaml``) its validation problems and
  quality-gate findings, as ``poa lint`` reports them, at the words they are about: the rule
  id as code, the severity, the fix in the message; of a draft (``.txt``, ``.md``) the
  findings of ``poa check``. Deadlines are judged against the clock, as ``poa lint`` does.
* Hover: over a diagnostic, the rule's message, fix and rationale; over an id, the item
  (an exhibit: its number in the letter, title, file, date, what it proves, who cites it).
* Go to definition: from an id (RC2, E3, V1, CA1, PM1) to its ``id:``.
* Completion: ids where ids are expected (``exhibits: [``, ``root_causes:``, a violation
  list, a metric's ``exhibit:``), rule ids after ``rule:`` in ``waive:``.

The project (schemas, platforms, lint data) is the working folder the editor starts the
server in, or the workspace root when that is a poa-forge project (``POA_PROJECT`` wins).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import ServerTextPosition

from poaforge import __version__
from poaforge.console import ArgParser

from .analysis import Analysis, Mark, analyse_case, analyse_draft, is_case_file, is_draft_file
from .context import expected_at
from .navigate import hover_item, hover_mark, id_choices, rule_choices
from .outline import Item, Outline
from .text import Lines, Span, word_at

__all__ = ["PoaLanguageServer", "build_server", "main"]

_SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
             "hint": lsp.DiagnosticSeverity.Hint}
log = logging.getLogger("poaforge.lsp")


class PoaLanguageServer(LanguageServer):
    """The server's state: the last analysis of each open document (with the text it read),
    the last outline that could be read (ids for completion while the YAML is broken), and
    what is loaded once (rule catalogue, platform profiles, label files)."""

    def __init__(self, debounce: float = 0.05, now: str | None = None) -> None:
        super().__init__("poa-forge", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.debounce = debounce
        self.now = now  # `--now` as `poa lint` takes it; None: the clock at each reading
        self.analyses: dict[str, tuple[str, Analysis]] = {}
        self.outlines: dict[str, tuple[Outline, Any]] = {}
        self.generation: dict[str, int] = {}
        self.catalogue: Any = None
        self.profiles: dict[tuple[str, str], dict[str, Any]] = {}
        self.labels: dict[Any, Any] = {}

    # --- analysis ------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the catalogue and the schema and run every rule once, so the first answer is fast."""
        from poaforge.case.model import SCHEMA
        from poaforge.case.schema_check import load_schema
        from poaforge.check import load_catalogue

        self.catalogue = load_catalogue()
        load_schema(str(SCHEMA))
        analyse_draft(Path("warm-up.txt"), "Root cause\nThe carrier lost 3 parcels.\n", catalogue=self.catalogue)

    def analyse(self, uri: str) -> Analysis | None:
        """Read the document at ``uri`` now and publish its diagnostics; None if not ours."""
        path = Path(to_fs_path(uri) or uri)
        doc = self.workspace.get_text_document(uri)
        text = doc.source
        if self.catalogue is None:
            self.warm_up()
        try:
            if is_case_file(path):
                from poaforge.dates import parse_now

                now = None if self.now == "none" else parse_now(self.now)
                result = analyse_case(path, text, now=now, catalogue=self.catalogue, profiles=self.profiles)
            elif is_draft_file(path):
                result = analyse_draft(path, text, catalogue=self.catalogue)
            else:
                return None
        except Exception as exc:  # a bug of ours: say so in the editor, keep serving
            log.exception("analysis failed")
            self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error,
                                                         f"poa lsp: internal error reading {path.name}: {type(exc).__name__}: {exc}"))
            return None
        self.analyses[uri] = (text, result)
        if result.outline is not None:
            self.outlines[uri] = (result.outline, result.case)
        lines = text.splitlines(keepends=True) or [""]
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=doc.version, diagnostics=[self._diagnostic(m, Lines(text), lines, doc) for m in result.marks]))
        return result

    def _range(self, span: Span, at: Lines, lines: list[str], doc: Any) -> lsp.Range:
        codec = doc.position_codec
        start, end = at.position(span.start), at.position(span.end)
        return lsp.Range(codec.position_to_client_units(lines, ServerTextPosition(*start)),
                         codec.position_to_client_units(lines, ServerTextPosition(*end)))

    def _diagnostic(self, mark: Mark, at: Lines, lines: list[str], doc: Any) -> lsp.Diagnostic:
        return lsp.Diagnostic(range=self._range(mark.span, at, lines, doc), message=mark.message,
                              severity=_SEVERITY[mark.severity], code=mark.code or None, source=mark.source,
                              data={"rule": mark.code} if mark.code else None)

    # --- questions about a place ---------------------------------------------------------

    def current(self, uri: str) -> tuple[str, Analysis] | None:
        """The last analysis, if it read the document's present text."""
        found = self.analyses.get(uri)
        if found is None or found[0] != self.workspace.get_text_document(uri).source:
            return None
        return found

    def item_named(self, uri: str, ident: str) -> tuple[Item | None, Outline | None, Any]:
        """The item with id ``ident`` in the document's outline (the last one that could be read)."""
        outline, case = self.outlines.get(uri, (None, None))
        return (outline.items.get(ident) if outline else None), outline, case

    def profile(self, case: Any) -> dict[str, Any]:
        from poaforge.check.engine import profile_for

        return profile_for(case, self.profiles) if case is not None else {}


def _offset(doc: Any, position: lsp.Position) -> int:
    return int(doc.offset_at_position(position))


def build_server(debounce: float = 0.05, now: str | None = None) -> PoaLanguageServer:
    """The server with every feature registered (tests start it with ``poa lsp``)."""
    server = PoaLanguageServer(debounce, now)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: PoaLanguageServer, params: lsp.InitializeParams) -> None:
        root = to_fs_path(params.root_uri) if params.root_uri else params.root_path
        if root and "POA_PROJECT" not in os.environ and "poaforge.paths" not in sys.modules \
                and (Path(root) / "schemas" / "case.schema.json").is_file():
            os.environ["POA_PROJECT"] = str(Path(root).resolve())

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: PoaLanguageServer, params: lsp.InitializedParams) -> None:
        ls.warm_up()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PoaLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.generation[params.text_document.uri] = 0
        ls.analyse(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: PoaLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        mine = ls.generation[uri] = ls.generation.get(uri, 0) + 1
        await asyncio.sleep(ls.debounce)
        if ls.generation.get(uri) == mine:  # no newer change came in meanwhile
            ls.analyse(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PoaLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.analyse(params.text_document.uri)  # evidence files may have changed too

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PoaLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        for table in (ls.analyses, ls.outlines, ls.generation):
            table.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: PoaLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        uri = params.text_document.uri
        doc = ls.workspace.get_text_document(uri)
        offset = _offset(doc, params.position)
        parts: list[str] = []
        found = ls.current(uri)
        if found is not None:
            parts += [hover_mark(m, ls.catalogue) for m in found[1].marks if m.span.start <= offset <= max(m.span.end, m.span.start + 1)]
        word = word_at(doc.source, offset)
        if word is not None:
            item, outline, case = ls.item_named(uri, doc.source[word.start:word.end])
            if item is not None and outline is not None:
                parts.append(hover_item(item, outline, case, ls.profile(case), ls.labels))
        if not parts:
            return None
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, "\n\n---\n\n".join(parts)))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: PoaLanguageServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        uri = params.text_document.uri
        doc = ls.workspace.get_text_document(uri)
        word = word_at(doc.source, _offset(doc, params.position))
        if word is None:
            return None
        ident = doc.source[word.start:word.end]
        found = ls.current(uri)
        span: Span | None = None
        if found is not None and found[1].outline is not None and ident in found[1].outline.items:
            span = found[1].outline.items[ident].span
        else:  # the text changed since it was read (or is not YAML now): find its 'id:' line
            m = re.search(rf"\bid:\s*['\"]?({re.escape(ident)})['\"]?\s*(?:[,}}#]|$)", doc.source, re.M)
            span = Span(m.start(1), m.end(1)) if m else None
        if span is None:
            return None
        text = doc.source
        return lsp.Location(uri, ls._range(span, Lines(text), text.splitlines(keepends=True) or [""], doc))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["[", ",", " ", "-"]))
    def completion(ls: PoaLanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        uri = params.text_document.uri
        doc = ls.workspace.get_text_document(uri)
        if not is_case_file(Path(to_fs_path(uri) or uri)):
            return None
        pos = doc.position_codec.position_from_client_units(doc.lines, params.position)
        expected = expected_at(doc.source, pos.line, pos.character)
        if expected is None:
            return lsp.CompletionList(is_incomplete=False, items=[])
        if expected.target == "rules":
            choices = rule_choices(ls.catalogue)
        else:
            outline = ls.outlines.get(uri, (None, None))[0]
            choices = id_choices(outline, expected.target) if outline is not None else []
        lines = doc.source.splitlines(keepends=True) or [""]
        where = ls._range(expected.span, Lines(doc.source), lines, doc)
        kind = lsp.CompletionItemKind.Reference if expected.target != "rules" else lsp.CompletionItemKind.EnumMember
        items = [lsp.CompletionItem(label=c.label, kind=kind, detail=c.detail, sort_text=f"{c.order:05d}",
                                    documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, c.documentation),
                                    text_edit=lsp.TextEdit(where, c.label)) for c in choices]
        return lsp.CompletionList(is_incomplete=False, items=items)

    return server


def main(argv: Sequence[str]) -> int:
    """``poa lsp [--debounce SECONDS]``: serve the Language Server Protocol on stdin/stdout."""
    p = ArgParser(prog="poa lsp", description="Language server for case files and drafts (stdio): "
                  "diagnostics, hover, go to definition, completion. Started by the editor.")
    p.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default and only transport)")
    p.add_argument("--debounce", type=float, default=0.05,
                   help="seconds to wait after a change for the next one before reading the buffer (default 0.05)")
    p.add_argument("--now", help="judge deadlines against this moment (ISO date-time; 'none': only against as_of; "
                                 "default: the clock, as `poa lint`)")
    args = p.parse_args(list(argv))
    if args.now is not None and args.now.lower() != "none":
        from poaforge.dates import parse_now

        parse_now(args.now)  # a wrong value is a usage error now, not in the editor later
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="poa lsp: %(message)s")
    started = time.perf_counter()
    now = "none" if args.now is not None and args.now.lower() == "none" else args.now
    server = build_server(max(0.0, args.debounce), now)
    log.info("ready in %.2f s", time.perf_counter() - started)
    server.start_io()
    return 0

