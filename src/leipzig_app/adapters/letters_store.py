"""Local storage of official letters: the letters seen, payments, reminders and objection drafts.

Component "letters" of the app's SQLite database (see `sqlite_store.py`). A letter is kept as the JSON of
`domain.letters.Letter` under its stable id, so scanning the same letter again finds what was already done
with it (a paid letter stays paid). Nothing here leaves the device.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from leipzig_app.adapters.sqlite_store import Database, Migrations, StorageError
from leipzig_app.domain.letters import (
    Letter,
    ObjectionDraft,
    PaymentRecord,
    PaymentStatus,
    Reminder,
)

MIGRATIONS = Migrations(
    "letters",
    [
        """
        CREATE TABLE letters (
            id TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        CREATE TABLE letter_payments (
            letter_id TEXT PRIMARY KEY REFERENCES letters(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            amount TEXT,
            paid_at TEXT,
            reference TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL,
            updated_at TEXT
        );
        CREATE TABLE letter_reminders (
            letter_id TEXT PRIMARY KEY REFERENCES letters(id) ON DELETE CASCADE,
            remind_on TEXT NOT NULL,
            due_date TEXT NOT NULL,
            cash_reference TEXT NOT NULL DEFAULT '',
            amount TEXT,
            payee TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE objection_drafts (
            letter_id TEXT PRIMARY KEY REFERENCES letters(id) ON DELETE CASCADE,
            reason TEXT NOT NULL DEFAULT '',
            sender_name TEXT NOT NULL DEFAULT '',
            sender_address TEXT NOT NULL DEFAULT '',
            updated_at TEXT
        );
        """,
        "ALTER TABLE letter_payments ADD COLUMN earlier_result TEXT NOT NULL DEFAULT '';",
        "ALTER TABLE letter_payments ADD COLUMN earlier_transaction TEXT NOT NULL DEFAULT '';",
        # The currency of a payment. Kept before: euros wherever that is known (a payment that settles or
        # underpays a letter is in euros by rule, a pending hand-off and a transfer hold the letter's own
        # amount), not known ("") for a payment the city reported as not matching the letter, which may
        # have been made in another currency.
        """
        ALTER TABLE letter_payments ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR';
        UPDATE letter_payments SET currency = '' WHERE status = 'differs' AND channel = 'payment_page';
        """,
    ],
)


class SqliteLettersStore:
    """Implements the `LettersStore` port on the app's database."""

    def __init__(self, db: Database):
        self._db = db

    # --- letters ------------------------------------------------------------------------------------

    def save_letter(self, letter: Letter, seen_at: datetime) -> None:
        data = json.dumps(letter.to_json(), ensure_ascii=False)
        stamp = seen_at.isoformat()
        self._write(
            "INSERT INTO letters (id, data, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data, last_seen = excluded.last_seen",
            (letter.id, data, stamp, stamp),
        )

    def letter(self, letter_id: str) -> Letter | None:
        row = self._one("SELECT data FROM letters WHERE id = ?", (letter_id,))
        return None if row is None else _letter(row["data"])

    def latest_letter(self) -> Letter | None:
        row = self._one("SELECT data FROM letters ORDER BY last_seen DESC, rowid DESC LIMIT 1", ())
        return None if row is None else _letter(row["data"])

    # --- payments -----------------------------------------------------------------------------------

    def save_payment(self, record: PaymentRecord) -> None:
        self._write(
            "INSERT INTO letter_payments (letter_id, status, amount, paid_at, reference, channel, "
            "updated_at, earlier_result, earlier_transaction, currency) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(letter_id) DO UPDATE SET "
            "status = excluded.status, amount = excluded.amount, paid_at = excluded.paid_at, "
            "reference = excluded.reference, channel = excluded.channel, updated_at = excluded.updated_at, "
            "earlier_result = excluded.earlier_result, earlier_transaction = excluded.earlier_transaction, "
            "currency = excluded.currency",
            (
                record.letter_id,
                record.status.value,
                _amount_text(record.amount),
                record.paid_at.isoformat() if record.paid_at else None,
                record.reference,
                record.channel,
                record.updated_at.isoformat() if record.updated_at else None,
                record.earlier_result.value if record.earlier_result else "",
                record.earlier_transaction,
                record.currency,
            ),
        )

    def payment(self, letter_id: str) -> PaymentRecord | None:
        row = self._one("SELECT * FROM letter_payments WHERE letter_id = ?", (letter_id,))
        if row is None:
            return None
        return PaymentRecord(
            letter_id=row["letter_id"],
            status=PaymentStatus(row["status"]),
            amount=_amount(row["amount"]),
            paid_at=datetime.fromisoformat(row["paid_at"]) if row["paid_at"] else None,
            reference=row["reference"],
            channel=row["channel"],
            updated_at=datetime.fromisoformat(row["updated_at"]) if row["updated_at"] else None,
            earlier_result=PaymentStatus(row["earlier_result"]) if row["earlier_result"] else None,
            earlier_transaction=row["earlier_transaction"],
            currency=row["currency"],
        )

    # --- reminders ----------------------------------------------------------------------------------

    def save_reminder(self, reminder: Reminder) -> None:
        self._write(
            "INSERT INTO letter_reminders (letter_id, remind_on, due_date, cash_reference, amount, payee) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(letter_id) DO UPDATE SET remind_on = excluded.remind_on, "
            "due_date = excluded.due_date, cash_reference = excluded.cash_reference, "
            "amount = excluded.amount, payee = excluded.payee",
            (
                reminder.letter_id,
                reminder.remind_on.isoformat(),
                reminder.due_date.isoformat(),
                reminder.cash_reference,
                _amount_text(reminder.amount),
                reminder.payee,
            ),
        )

    def delete_reminder(self, letter_id: str) -> None:
        self._write("DELETE FROM letter_reminders WHERE letter_id = ?", (letter_id,))

    def reminder(self, letter_id: str) -> Reminder | None:
        row = self._one("SELECT * FROM letter_reminders WHERE letter_id = ?", (letter_id,))
        return None if row is None else _reminder(row)

    def reminders(self) -> list[Reminder]:
        try:
            with self._db.transaction() as conn:
                rows = conn.execute("SELECT * FROM letter_reminders ORDER BY remind_on, letter_id").fetchall()
        except sqlite3.DatabaseError as error:
            raise StorageError(f"letters: cannot read ({error})") from None
        return [_reminder(row) for row in rows]

    # --- objection drafts ---------------------------------------------------------------------------

    def save_draft(self, draft: ObjectionDraft) -> None:
        self._write(
            "INSERT INTO objection_drafts (letter_id, reason, sender_name, sender_address, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(letter_id) DO UPDATE SET reason = excluded.reason, "
            "sender_name = excluded.sender_name, sender_address = excluded.sender_address, "
            "updated_at = excluded.updated_at",
            (
                draft.letter_id,
                draft.reason,
                draft.sender_name,
                draft.sender_address,
                draft.updated_at.isoformat() if draft.updated_at else None,
            ),
        )

    def draft(self, letter_id: str) -> ObjectionDraft | None:
        row = self._one("SELECT * FROM objection_drafts WHERE letter_id = ?", (letter_id,))
        if row is None:
            return None
        return ObjectionDraft(
            letter_id=row["letter_id"],
            reason=row["reason"],
            sender_name=row["sender_name"],
            sender_address=row["sender_address"],
            updated_at=datetime.fromisoformat(row["updated_at"]) if row["updated_at"] else None,
        )

    # --- plumbing -----------------------------------------------------------------------------------

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        try:
            with self._db.transaction() as conn:
                conn.execute(sql, params)
        except sqlite3.DatabaseError as error:
            raise StorageError(f"letters: cannot save ({error})") from None

    def _one(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Row | None:
        try:
            with self._db.transaction() as conn:
                row: sqlite3.Row | None = conn.execute(sql, params).fetchone()
        except sqlite3.DatabaseError as error:
            raise StorageError(f"letters: cannot read ({error})") from None
        return row


def _letter(data: str) -> Letter:
    return Letter.from_json(json.loads(data))


def _reminder(row: sqlite3.Row) -> Reminder:
    return Reminder(
        letter_id=row["letter_id"],
        remind_on=date.fromisoformat(row["remind_on"]),
        due_date=date.fromisoformat(row["due_date"]),
        cash_reference=row["cash_reference"],
        amount=_amount(row["amount"]),
        payee=row["payee"],
    )


def _amount_text(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
