"""The bodies of the demo ZMS citizen API, shaped like it-at-m/eappointment's `zmscitizenapi` models.

`offices-and-services/` is its `OfficeServiceAndRelationList`, a process its `ThinnedProcess` with a
`ThinnedScope` (later versions of both). Fields the real API lacks are added only with the demo switch
`extensions` on: see `zms.py` and docs/appointments.md.
"""

from __future__ import annotations

import json
from typing import Any

from leipzig_app.sandbox.zms import ACTIVATION_SECONDS, MAX_PER_MAIL, RESERVATION_SECONDS, UNIT, _office
from leipzig_app.sandbox.zms_data import OFFICES, RELATIONS, SERVICES


def thinned_scope(o: dict[str, Any], extensions: bool) -> dict[str, Any]:
    """An office's scope as the real API's `ThinnedScope` (later versions) writes it."""
    scope: dict[str, Any] = {
        "id": int(o["id"]) + 50000, "shortName": o["name"], "emailFrom": "noreply@example.org",
        "emailRequired": True, "telephoneActivated": True, "telephoneRequired": o["telephone_required"],
        "customTextfieldActivated": False, "customTextfieldRequired": False, "customTextfieldLabel": "",
        "captchaActivatedRequired": False, "infoForAppointment": o["info"] or None,
        "infoForAllAppointments": None, "slotsPerAppointment": None, "appointmentsPerMail": str(MAX_PER_MAIL),
        "reservationDuration": RESERVATION_SECONDS // 60, "activationDuration": ACTIVATION_SECONDS // 60,
    }  # fmt: skip
    if extensions:
        scope["emailConfirmationActivated"] = o["email_confirmation"]
    return scope


def catalog_body(city: str = "Leipzig", *, extensions: bool = True) -> dict[str, Any]:
    """`offices-and-services/` as `OfficeServiceAndRelationList`: offices, services, relations."""
    local = [o for o in OFFICES if o.get("city", "Leipzig") == city]
    ids = {o["id"] for o in local}
    offices = []
    for o in local:
        office: dict[str, Any] = {
            "id": int(o["id"]), "name": o["name"],
            "address": {"street": o["street"], "house_number": o["house_number"],
                        "postal_code": o["postal_code"], "city": city},
            "showAlternativeLocations": False, "displayNameAlternatives": [],
            "organization": None, "organizationUnit": None, "slotTimeInMinutes": UNIT // 60,
            "geo": {"lat": str(o["lat"]), "lon": str(o["lon"])},
            "disabledByServices": [], "priority": 1, "scope": thinned_scope(o, extensions),
        }  # fmt: skip
        if extensions:
            office["openingHours"] = [{"weekday": w, "from": a, "to": b} for w, a, b in o["hours"]]
            office["stepFreeAccess"] = o["step_free"]
        offices.append(office)
    services = []
    for s in SERVICES:
        service: dict[str, Any] = {
            "id": int(s["id"]), "name": s["name"], "maxQuantity": s["max"],
            "combinable": {c: [int(r[0]) for r in RELATIONS if r[1] == c and r[0] in ids]
                           for c in s["combinable"]} or [],
            "parentId": None, "variantId": None, "rootParentId": int(s["id"]), "showOnStartPage": True,
        }  # fmt: skip
        if extensions:
            service["fees"], service["documents"] = s["fee"], s["documents"]
        services.append(service)
    relations = [
        {"officeId": int(o), "serviceId": int(s), "slots": n, "public": True, "maxQuantity": None}
        for o, s, n in RELATIONS
        if o in ids
    ]
    return {"offices": offices, "services": services, "relations": relations}


#: The demo's process states as the real API names them (`thinnedProcess.json` has no "cancelled").
_STATUS = {"cancelled": "deleted"}


def process_body(row: Any, *, extensions: bool = True) -> dict[str, Any]:
    """A process as the real API's `ThinnedProcess`: the first service is `serviceId` with its
    `serviceCount`, further ones are `subRequestCounts`; `timestamp` is a string of Unix seconds."""
    office = _office(row["office_id"])
    services = [int(s) for s in json.loads(row["service_ids"])]
    counts = json.loads(row["service_counts"])
    names = {int(s["id"]): s["name"] for s in SERVICES}
    body: dict[str, Any] = {
        "processId": row["process_id"],
        "timestamp": str(row["timestamp"]),
        "authKey": row["auth_key"],
        "familyName": row["family_name"] or None,
        "customTextfield": None,
        "customTextfield2": None,
        "email": row["email"] or None,
        "telephone": row["telephone"] or None,
        "officeName": office["name"],
        "officeId": int(row["office_id"]),
        "status": _STATUS.get(row["status"], row["status"]),
        "scope": thinned_scope(office, extensions),
        "subRequestCounts": [{"id": s, "count": c} for s, c in zip(services[1:], counts[1:], strict=True)],
        "serviceId": services[0] if services else 0,
        "serviceName": names.get(services[0]) if services else None,
        "serviceCount": counts[0] if counts else 0,
        "slotCount": row["units"],
    }
    if extensions and row["status"] in ("reserved", "preconfirmed") and row["expires_at"] is not None:
        body["reservedUntil"] = int(row["expires_at"])
    return body
