"""The city's payment service: the status endpoint that tells what happened on its payment page.

The hand-off itself is a plain link (built by `domain.letters.payment_handoff_url` and opened in the
browser): the app never sees card or account data. Afterwards the app asks `status_url` for the
Kassenzeichen and gets `{"kassenzeichen", "status": "paid"|"cancelled"|"failed"|"open", "paid_at",
"reference", "amount"[, "currency"][, "transaction"]}` (the shape the demo city and docs/letters.md
describe; no currency means euros; `transaction` names the try on the page the status is about).
Whether a payment settles the letter is decided by `domain.letters.payment_outcome`. Transport failures
become the domain's errors.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from leipzig_app.adapters.http import guarded, json_body, retry_after_seconds
from leipzig_app.domain.errors import InvalidResponseError, ServerError
from leipzig_app.domain.letters import PaymentStatus, RemoteStatus

#: An ISO 4217 currency code ("EUR", "CHF"): the payment record keeps it and the screen shows it.
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_REMOTE_STATUSES = {
    "open": PaymentStatus.OPEN,
    "paid": PaymentStatus.PAID,
    "cancelled": PaymentStatus.CANCELLED,
    "failed": PaymentStatus.FAILED,
}


class PaymentStatusClient:
    """Implements the `PaymentGateway` port over HTTP."""

    def __init__(self, client: httpx.AsyncClient, status_url: str, *, parameter: str = "kassenzeichen"):
        self._client = client
        self._url = status_url
        self._parameter = parameter

    async def status(self, cash_reference: str) -> RemoteStatus:
        response = await guarded(
            lambda: self._client.get(self._url, params={self._parameter: cash_reference}),
            what="payment status",
        )
        if response.status_code != 200:
            raise ServerError(
                f"payment status: the server answered {response.status_code}",
                status=response.status_code,
                retry_after=retry_after_seconds(response),
            )
        return parse_status(json_body(response, what="payment status"))


def parse_status(body: Any) -> RemoteStatus:
    """The status document as a `RemoteStatus`; anything else is `InvalidResponseError`."""
    if not isinstance(body, dict) or body.get("status") not in _REMOTE_STATUSES:
        raise InvalidResponseError(
            "payment status: expected an object with status open, paid, cancelled or failed",
            params={"what": "payment status"},
        )
    paid_at = None
    if body.get("paid_at"):
        try:
            paid_at = datetime.fromisoformat(str(body["paid_at"]))
        except ValueError:
            raise InvalidResponseError(
                "payment status: paid_at is not an ISO date-time", params={"what": "payment status"}
            ) from None
    amount = None
    if body.get("amount") is not None:
        try:
            amount = Decimal(str(body["amount"])).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise InvalidResponseError(
                "payment status: amount is not a number", params={"what": "payment status"}
            ) from None
    status = _REMOTE_STATUSES[body["status"]]
    if status is PaymentStatus.PAID and paid_at is None:
        raise InvalidResponseError(
            "payment status: a paid status needs paid_at", params={"what": "payment status"}
        )
    currency = body.get("currency") or "EUR"
    if not isinstance(currency, str) or not _CURRENCY.match(currency.strip().upper()):
        raise InvalidResponseError(
            "payment status: currency is not an ISO 4217 code", params={"what": "payment status"}
        )
    currency = currency.strip().upper()
    transaction = body.get("transaction") or ""
    if not isinstance(transaction, str):
        raise InvalidResponseError(
            "payment status: transaction is not a text", params={"what": "payment status"}
        )
    return RemoteStatus(
        status,
        paid_at,
        str(body.get("reference") or ""),
        amount,
        currency=currency,
        cash_reference=str(body.get("kassenzeichen") or ""),
        transaction=transaction,
    )
