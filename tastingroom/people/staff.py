"""Staff, their PINs, and manager approvals for privileged actions.

A PIN is four to eight digits, so it is weak on its own: it is kept only as a salted
scrypt hash (slow on purpose), and repeated wrong PINs lock the account for a while.
Privileged actions are decided here, in the engine, not in a screen: a screen asks
`approve` and passes the resulting `Approval` to the engine call that needs it. Each
approval writes an audit row naming who asked and who approved, at once and in its
own transaction, so it is kept even if the cart is then abandoned.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from tastingroom import entry
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, Staff, new_id, utcnow

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class Role(StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"
    OWNER = "owner"


class Action(StrEnum):
    VOID_LINE = "void_line"
    VOID_SALE = "void_sale"
    REFUND = "refund"
    REFUND_OLD_ORDER = "refund_old_order"
    REFUND_OTHER_TENDER = "refund_other_tender"
    PRICE_OVERRIDE = "price_override"
    DISCOUNT_OVER_LIMIT = "discount_over_limit"
    NO_SALE = "no_sale"
    VOID_QUARANTINED = "void_quarantined"
    ACKNOWLEDGE_SYNC_PROBLEM = "acknowledge_sync_problem"
    RESTORE_BACKUP = "restore_backup"
    PAID_OUT = "paid_out"
    CLOSE_DRAWER = "close_drawer"
    ABANDON_TAB = "abandon_tab"
    CARRY_TABS = "carry_tabs"


class AuthError(PermissionError):
    """A sign-in or approval that was refused (the message says why)."""


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    role: Role

    @property
    def can_approve(self) -> bool:
        return self.role in (Role.MANAGER, Role.OWNER)


@dataclass(frozen=True)
class Approval:
    """Proof that a manager approved `action` for `requested_by`; the audit row exists."""

    audit_id: str
    action: Action
    requested_by: str
    approved_by: str
    at: datetime


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
    )
    return hmac.compare_digest(actual, expected)


def _valid_pin(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise AuthError("A PIN is 4 to 8 digits.")


def add_staff(db: Database, name: str, role: Role, pin: str) -> StaffMember:
    """Someone who may sign in. The name is on the sign-in buttons and every receipt, so
    it passes the text rule for staff names (`entry.STAFF_NAME`)."""
    _valid_pin(pin)
    name = entry.text(name, entry.STAFF_NAME)
    if not name:
        raise AuthError("Staff need a name.")
    with db.write() as s:
        if s.scalar(select(Staff.id).where(Staff.name == name)):
            raise AuthError(f"There is already someone called {name}.")
        row = Staff(id=new_id(), name=name, role=role.value, pin_hash=hash_pin(pin))
        s.add(row)
    return StaffMember(row.id, row.name, Role(row.role))


def list_staff(db: Database) -> list[StaffMember]:
    with db.read() as s:
        rows = s.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.name))
        return [StaffMember(r.id, r.name, Role(r.role)) for r in rows]


def sign_in(db: Database, staff_id: str, pin: str, now: datetime | None = None) -> StaffMember:
    """Check a PIN; count failures and lock the account after too many."""
    now = now or utcnow()
    with db.write() as s:
        settings = load_settings(s)
        row = s.get(Staff, staff_id)
        if row is None or not row.active:
            raise AuthError("That staff member is not on this register.")
        if row.locked_until and row.locked_until > now:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            raise AuthError(
                f"{row.name}'s account is locked after too many wrong PINs. "
                f"Try again in {minutes} minute(s) or ask a manager."
            )
        if verify_pin(pin, row.pin_hash):
            row.failed_attempts = 0
            row.locked_until = None
            return StaffMember(row.id, row.name, Role(row.role))
        row.failed_attempts += 1
        if row.failed_attempts >= settings.lockout_attempts:
            row.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            row.failed_attempts = 0
            message = (
                f"Wrong PIN. {row.name}'s account is now locked for "
                f"{settings.lockout_minutes} minutes."
            )
        else:
            left = settings.lockout_attempts - row.failed_attempts
            message = f"Wrong PIN. {left} more wrong attempt(s) will lock the account."
    # Raised after the block so that the failure count is committed.
    raise AuthError(message)


def approve(
    db: Database,
    action: Action,
    requested_by: str,
    manager_id: str,
    manager_pin: str,
    detail: str = "",
    order_id: str | None = None,
    now: datetime | None = None,
) -> Approval:
    """A manager's PIN approves `action`; the audit row is written before this returns."""
    manager = sign_in(db, manager_id, manager_pin, now)
    if not manager.can_approve:
        raise AuthError(f"{manager.name} is a cashier; a manager or owner must approve this.")
    at = now or utcnow()
    with db.write() as s:
        if s.get(Staff, requested_by) is None:
            raise AuthError("The person asking is not on this register.")
        entry = AuditEntry(
            id=new_id(),
            at=at,
            action=action.value,
            requested_by=requested_by,
            approved_by=manager.id,
            order_id=order_id,
            detail=detail,
        )
        s.add(entry)
    return Approval(entry.id, action, requested_by, manager.id, at)


def require(approval: Approval | None, action: Action, requested_by: str) -> None:
    """Refuse unless `approval` is a manager's approval of this very action for this person."""
    if approval is None:
        raise AuthError(f"This needs a manager's PIN ({action.value.replace('_', ' ')}).")
    if approval.action is not action or approval.requested_by != requested_by:
        raise AuthError("That manager approval was given for something else.")
