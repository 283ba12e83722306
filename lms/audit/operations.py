"""Recording audit events (inside the caller's transaction)."""

from __future__ import annotations

from typing import Any

from curriculum.db import db

from .models import AuditEvent


def record(actor, action: str, obj_type: str, obj_id: Any, **data: Any) -> AuditEvent:
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        data=data,
    )
    db.session.add(event)
    return event


def record_pack_import(sender, report, **_extra) -> None:
    """A pack imported from the command line (``curriculum.signals.pack_imported``)."""
    record(
        None,
        "curriculum.import",
        "course",
        report.course,
        added=len(report.added),
        updated=len(report.updated),
        archived=len(report.archived),
        removed=len(report.removed),
    )
