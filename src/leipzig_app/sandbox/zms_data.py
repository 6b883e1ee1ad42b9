"""Demo catalog of the demo city's citizen offices (Bürgerämter) and their services. All of it is demo data.

Addresses, hours and fees are modelled on a German city's citizen offices but are not authoritative.
"""

from __future__ import annotations

from typing import Any

#: Opening hours as (weekday 0=Monday, "HH:MM" opens, "HH:MM" closes).
_LONG = [(0, "08:00", "12:00"), (1, "09:00", "18:00"), (2, "08:00", "12:00"), (3, "09:00", "18:00"),
         (4, "08:00", "12:00")]  # fmt: skip
_SHORT = [(0, "08:00", "12:00"), (1, "13:00", "18:00"), (3, "09:00", "12:00"), (3, "13:00", "18:00")]

OFFICES: list[dict[str, Any]] = [
    {
        "id": "10001",
        "name": "Bürgeramt Zentrum (Demo)",
        "street": "Otto-Schill-Straße", "house_number": "2", "postal_code": "04109",
        "lat": 51.3381, "lon": 12.3715,
        "hours": _LONG, "step_free": True, "telephone_required": False, "email_confirmation": True,
        "info": "Eingang über den Innenhof, Aufzug vorhanden.",
    },
    {
        "id": "10002",
        "name": "Bürgeramt Grünau (Demo)",
        "street": "Stuttgarter Allee", "house_number": "18", "postal_code": "04209",
        "lat": 51.3131, "lon": 12.2851,
        "hours": _LONG, "step_free": True, "telephone_required": False, "email_confirmation": False,
        "info": "Im Einkaufszentrum, ebenerdig.",
    },
    {
        "id": "10003",
        "name": "Bürgeramt Gohlis (Demo)",
        "street": "Georg-Schumann-Straße", "house_number": "105", "postal_code": "04155",
        "lat": 51.3606, "lon": 12.3636,
        "hours": _SHORT, "step_free": False, "telephone_required": True, "email_confirmation": True,
        "info": "Altbau mit drei Stufen am Eingang; bitte melden Sie sich an der Klingel.",
    },
    {
        "id": "10004",
        "name": "Bürgeramt Paunsdorf (Demo)",
        "street": "Paunsdorfer Allee", "house_number": "1", "postal_code": "04329",
        "lat": 51.3485, "lon": 12.4590,
        "hours": _SHORT, "step_free": None, "telephone_required": False, "email_confirmation": False,
        "info": "",
    },
    {
        "id": "10005",
        "name": "Bürgeramt Südvorstadt (Demo)",
        "street": "Karl-Liebknecht-Straße", "house_number": "93", "postal_code": "04275",
        "lat": 51.3226, "lon": 12.3742,
        "hours": _LONG, "step_free": True, "telephone_required": True, "email_confirmation": True,
        "info": "Barrierefreier Zugang über die Seitentür.",
    },
]  # fmt: skip

#: The second demo jurisdiction's citizen offices, served under `/offenbach/terminvereinbarung/api/citizen/`
#: (offices without "city" are Leipzig's).
OFFICES += [
    {
        "id": "20001",
        "name": "Bürgerbüro Offenbach Stadthof (Demo)", "city": "Offenbach am Main",
        "street": "Stadthof", "house_number": "16", "postal_code": "63065",
        "lat": 50.1057, "lon": 8.7627,
        "hours": _LONG, "step_free": True, "telephone_required": False, "email_confirmation": True,
        "info": "Im Rathaus, Eingang Stadthof, Aufzug vorhanden.",
    },
    {
        "id": "20002",
        "name": "Bürgerbüro Offenbach Bieber (Demo)", "city": "Offenbach am Main",
        "street": "Aschaffenburger Straße", "house_number": "101", "postal_code": "63073",
        "lat": 50.0926, "lon": 8.8062,
        "hours": _SHORT, "step_free": False, "telephone_required": True, "email_confirmation": False,
        "info": "Altbau, zwei Stufen am Eingang.",
    },
]  # fmt: skip

SERVICES: list[dict[str, Any]] = [
    {
        "id": "120703",
        "name": "Personalausweis beantragen",
        "max": 5, "combinable": ["120686", "121151"],
        "fee": "37,00 € (ab 24 Jahren), 22,80 € (unter 24 Jahren)",
        "documents": ["Bisheriger Ausweis oder Reisepass", "Ein aktuelles biometrisches Passfoto",
                      "Bei Kindern: Zustimmung aller Sorgeberechtigten"],
    },
    {
        "id": "121151",
        "name": "Reisepass beantragen",
        "max": 5, "combinable": ["120703"],
        "fee": "70,00 € (ab 24 Jahren), 37,50 € (unter 24 Jahren)",
        "documents": ["Bisheriger Reisepass oder Personalausweis", "Ein aktuelles biometrisches Passfoto"],
    },
    {
        "id": "120686",
        "name": "Wohnsitz anmelden",
        "max": 6, "combinable": ["120703"],
        "fee": "gebührenfrei",
        "documents": ["Personalausweis oder Reisepass aller einziehenden Personen",
                      "Wohnungsgeberbestätigung des Vermieters"],
    },
    {
        "id": "120335",
        "name": "Wohnsitz abmelden (Wegzug ins Ausland)",
        "max": 6, "combinable": [],
        "fee": "gebührenfrei",
        "documents": ["Personalausweis oder Reisepass"],
    },
    {
        "id": "120926",
        "name": "Führungszeugnis beantragen",
        "max": 1, "combinable": [],
        "fee": "13,00 €",
        "documents": ["Personalausweis oder Reisepass",
                      "Für Ehrenamt: Bestätigung der Einrichtung (dann gebührenfrei)"],
    },
    {
        "id": "121598",
        "name": "Vorläufigen Reisepass beantragen",
        "max": 1, "combinable": [],
        "fee": "26,00 €",
        "documents": ["Personalausweis", "Ein aktuelles biometrisches Passfoto",
                      "Nachweis der Dringlichkeit"],
    },
    {
        "id": "121921",
        "name": "Meldebescheinigung ausstellen",
        "max": 3, "combinable": ["120686"],
        "fee": "10,00 €",
        "documents": ["Personalausweis oder Reisepass"],
    },
]  # fmt: skip

#: (office id, service id, time units of 15 minutes per person)
RELATIONS: list[tuple[str, str, int]] = [
    (office["id"], service["id"], 2 if service["id"] in ("120703", "121151") else 1)
    for office in OFFICES
    for service in SERVICES
    # Gohlis and Paunsdorf are small offices without the passport printer desk.
    if not (office["id"] in ("10003", "10004") and service["id"] in ("121151", "121598"))
]
