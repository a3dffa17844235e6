"""A real Language Server Protocol client over stdio (pygls's own client class), for the
tests of `poa lsp` and of the schema with the YAML language server, and for `make bench`.

``Session`` starts a server as a subprocess, initialises it, answers the requests a server
may send (configuration, capability registration, progress), collects published
diagnostics and times each request. Everything runs on one asyncio loop in a background
thread, so tests call plain functions.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

__all__ = ["Session"]


class Session:
    """One server process and the client talking to it.

    ``settings``: what the client answers to ``workspace/configuration`` per section
    (the YAML language server asks for ``yaml``)."""

    def __init__(self, cmd: Sequence[str], root: Path, *, settings: dict[str, Any] | None = None,
                 env: dict[str, str] | None = None, timeout: float = 30) -> None:
        self.timeout = timeout
        self.settings = settings or {}
        self.diagnostics: dict[str, list[lsp.PublishDiagnosticsParams]] = {}
        self.messages: list[str] = []
        self._changed = threading.Condition()
        self.versions: dict[str, int] = {}
        self._since: dict[str, int] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = LanguageClient("poa-forge-tests", "1")
        self._features()
        self._run(self.client.start_io(*cmd, cwd=str(root), env=env))
        uri = root.resolve().as_uri()
        caps = lsp.ClientCapabilities(
            workspace=lsp.WorkspaceClientCapabilities(configuration=True),
            text_document=lsp.TextDocumentClientCapabilities(
                completion=lsp.CompletionClientCapabilities(completion_item=lsp.ClientCompletionItemOptions(snippet_support=True)),
                hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown])))
        self.initialize_result = self._run(self.client.initialize_async(lsp.InitializeParams(
            capabilities=caps, root_uri=uri, workspace_folders=[lsp.WorkspaceFolder(uri=uri, name=root.name)])))
        self.client.initialized(lsp.InitializedParams())
        if self.settings:
            self.client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=self.settings))

    def _features(self) -> None:
        c = self.client

        @c.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(ls: Any, params: lsp.PublishDiagnosticsParams) -> None:
            with self._changed:
                self.diagnostics.setdefault(params.uri, []).append(params)
                self._changed.notify_all()

        @c.feature(lsp.WORKSPACE_CONFIGURATION)
        def configuration(ls: Any, params: lsp.ConfigurationParams) -> list[Any]:
            return [self.settings.get(item.section or "", None) for item in params.items]

        @c.feature(lsp.CLIENT_REGISTER_CAPABILITY)
        def register(ls: Any, _params: Any) -> None:
            return None

        @c.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def progress(ls: Any, _params: Any) -> None:
            return None

        @c.feature(lsp.WINDOW_LOG_MESSAGE)
        def logged(ls: Any, params: lsp.LogMessageParams) -> None:
            self.messages.append(params.message)

        @c.feature(lsp.WINDOW_SHOW_MESSAGE)
        def shown(ls: Any, params: lsp.ShowMessageParams) -> None:
            self.messages.append(params.message)

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(self.timeout)

    def _call(self, fn: Any, *args: Any) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    # --- documents ----------------------------------------------------------------------

    def open(self, path: Path, text: str | None = None, language: str = "yaml") -> str:
        """Open a document (again: versions keep counting up); later waits see only what the
        server published after this."""
        uri = path.resolve().as_uri()
        self.versions[uri] = self.versions.get(uri, 0) + 1
        with self._changed:
            self._since[uri] = len(self.diagnostics.get(uri, []))
        body = path.read_text(encoding="utf-8") if text is None else text
        self._call(self.client.text_document_did_open, lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id=language, version=self.versions[uri], text=body)))
        return uri

    def close_document(self, uri: str) -> None:
        self._call(self.client.text_document_did_close, lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))

    def change(self, uri: str, text: str) -> int:
        """Replace the whole text (one full-document change); returns the new version."""
        self.versions[uri] += 1
        self._call(self.client.text_document_did_change, lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)]))
        return self.versions[uri]

    def edit(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> int:
        """One incremental change (a keystroke, a paste) of the range (line, character) 0-based."""
        self.versions[uri] += 1
        change = lsp.TextDocumentContentChangePartial(range=lsp.Range(lsp.Position(*start), lsp.Position(*end)), text=text)
        self._call(self.client.text_document_did_change, lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]), [change]))
        return self.versions[uri]

    def wait_diagnostics(self, uri: str, *, version: int | None = None, count: int = 1,
                         timeout: float | None = None) -> list[lsp.Diagnostic]:
        """The diagnostics of the ``count``-th publication for ``uri`` since it was opened (of
        ``version`` when given)."""
        deadline = time.monotonic() + (timeout or self.timeout)

        def ready() -> list[lsp.PublishDiagnosticsParams]:
            got = self.diagnostics.get(uri, [])[self._since.get(uri, 0):]
            return [g for g in got if version is None or g.version == version]

        with self._changed:
            while len(ready()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no diagnostics for {uri} (version {version}); messages: {self.messages}")
                self._changed.wait(left)
            return list(ready()[count - 1].diagnostics)

    # --- requests -----------------------------------------------------------------------

    def hover(self, uri: str, line: int, character: int) -> lsp.Hover | None:
        return self._run(self.client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character))))

    def definition(self, uri: str, line: int, character: int) -> Any:
        return self._run(self.client.text_document_definition_async(
            lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character))))

    def completion(self, uri: str, line: int, character: int) -> list[lsp.CompletionItem]:
        result = self._run(self.client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character))))
        if result is None:
            return []
        return list(result.items if isinstance(result, lsp.CompletionList) else result)

    def timed(self, fn: Any, *args: Any) -> tuple[Any, float]:
        """``fn(*args)`` and its wall time in seconds (a request's round trip)."""
        began = time.perf_counter()
        out = fn(*args)
        return out, time.perf_counter() - began

    def close(self) -> None:
        try:
            self._run(self.client.shutdown_async(None))
            self.client.exit(None)
        except Exception:  # noqa: BLE001 - the server may be gone already
            pass
        try:
            self._run(self.client.stop())
        except Exception:  # noqa: BLE001
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
