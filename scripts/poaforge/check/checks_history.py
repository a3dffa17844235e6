"""Re-appeals (POA606–607): the case against its latest rejected submission as filed.

The filed text comes from git (``submissions[].commit``, see :mod:`poaforge.portfolio.history`).
POA606: a field whose wording is mostly reused from the rejected version. POA607: a point
of the reviewer's feedback ("greater detail on the root cause", "actions not
implemented", "documents invalid") whose section shows no change since — or, when no
commit is recorded, nothing dated after the rejection.
"""

from __future__ import annotations

from poaforge.portfolio.history import SECTIONS, feedback_points, filed_version, reused_fields, section_changes

from .context import Context

__all__ = ["check_history"]


def check_history(ctx: Context) -> None:
    filed = filed_version(ctx.case.path, ctx.data)
    if filed is None:
        return
    settings = ctx.catalogue.settings.get("reappeal") or {}
    overlap = float(settings.get("reuse_overlap", 0.5))
    for path, reused, total, _ in reused_fields(ctx.case, filed, ctx.catalogue.settings["similarity"]):
        if total and reused / total >= overlap:
            item = ctx.data[path[0]][path[1]]
            ctx.emit("POA606", path, where=f"{item.get('id', path[0])} {path[2]}", pct=round(100 * reused / total),
                     version=filed.version)
    changes = section_changes(filed.data, ctx.data, ctx.case.dir, filed.blobs) if filed.data is not None else None
    subs = ctx.data.get("submissions") or []
    at = next((i for i, s in enumerate(subs) if s is filed.submission), 0)
    for point in feedback_points(ctx.data, filed, settings, changes):
        if point.status != "unanswered":
            continue
        why = ("is unchanged since it was filed" if changes is not None
               else f"has no item dated after {filed.submission.get('date')}")
        ctx.emit("POA607", ("submissions", at, "feedback"), version=filed.version, label=point.label,
                 phrase=point.phrase, section=f"the {SECTIONS[point.section].lower()} section", why=why)
