"""Audit log of staff actions on personal data (never special-category values)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from brokerage.auth.principal import Principal
from brokerage.models import AuditLog


def record(
    session: Session,
    principal: Principal | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    **detail: Any,
) -> None:
    session.add(
        AuditLog(
            actor_user_id=principal.user_id if principal else None,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail or None,
        )
    )
