"""The demo city's news content: feed titles, the seeded items and the pictures drawn for them.

Deterministic German demo data (clearly marked as such), written the way municipal feeds are: HTML with
umlauts, relative links and pictures, one item without a date, and a counting pixel and a script that the
app's sanitiser must remove. `feeds.py` serves it.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from functools import cache

FEEDS = {
    "stadt": "Stadt Leipzig (Demo)",
    "kultur": "Kultur in Leipzig (Demo)",
    "offenbach": "Stadt Offenbach am Main (Demo)",
}

TRACKER = '<img src="https://met.vgwort.de/na/demo-0815" width="1" height="1" alt="">'

#: (feed, guid, hours before seeding (None: no date), title, html, category, image)
SEED: tuple[tuple[str, str, float | None, str, str, str, str | None], ...] = (
    (
        "stadt", "stadt-001", 2, "Stadtrat beschließt neue Grünflächen für Grünau",
        "<p>Der Stadtrat hat in seiner Sitzung am Mittwoch <strong>zwölf neue Grünflächen</strong> im "
        "Stadtteil Grünau beschlossen.</p><p>Die Bürgerinnen und Bürger können ihre Ideen bis Ende des "
        'Monats <a href="beteiligung/gruenau">online einreichen</a>.</p>' + TRACKER,
        "Verwaltung", "gruenau",
    ),
    (
        "stadt", "stadt-002", 5, "Straßenbahnlinie 11: Bauarbeiten in der Karl-Liebknecht-Straße",
        "<p>Wegen Gleisbauarbeiten fährt die Linie 11 ab Montag zwischen Südplatz und Connewitz Kreuz "
        "nur eingeschränkt.</p><ul><li>Ersatzverkehr mit Bussen</li><li>Fußwege bleiben offen</li></ul>"
        '<p>Mehr bei den <a href="https://www.lvb.de/baustellen">Leipziger Verkehrsbetrieben</a>.</p>',
        "Verkehr", "strassenbahn",
    ),
    (
        "stadt", "stadt-003", 26, "Bürgerbüro Südvorstadt öffnet länger",
        "<p>Ab dem 1. Dezember hat das Bürgerbüro Südvorstadt donnerstags bis 19 Uhr geöffnet. Termine "
        'gibt es in der <a href="/termine">Terminvereinbarung</a>.</p>'
        '<script>document.title="gehackt"</script><p onclick="alert(1)">Ohne Termin geht es nur mit '
        "Wartezeit.</p>",
        "Verwaltung", "buergerbuero",
    ),
    (
        "stadt", "stadt-004", 50, "Weihnachtsmarkt: Sperrungen rund um den Markt",
        "<p>Zum Leipziger Weihnachtsmarkt sind Grimmaische Straße und Petersstraße für den "
        'Lieferverkehr nur bis 10 Uhr frei.</p><img src="bilder/markt.png" alt="Markt" width="640" '
        'height="360" onerror="alert(1)">',
        "Verkehr", None,
    ),
    (
        "stadt", "stadt-005", 24 * 9, "Sperrmüll jetzt auch online anmelden",
        "<p>Sperrmüll können Sie nun über das Serviceportal der Stadt anmelden – schnell, einfach und "
        "gebührenfrei bis zu zweimal im Jahr.</p>",
        "Umwelt", "sperrmuell",
    ),
    (
        "stadt", "stadt-006", None, "Hinweis: Demo-Nachrichten",
        "<p>Alle Nachrichten in dieser App sind Demonstrationsdaten der Demo-Stadt Leipzig.</p>",
        "", None,
    ),
    (
        "kultur", "kultur-001", 3, "Gewandhausorchester spielt Bachs Weihnachtsoratorium",
        "<p>Die Kantaten I–III erklingen am dritten Adventswochenende in der Thomaskirche. Karten gibt "
        'es an der <a href="/gewandhaus/karten">Gewandhauskasse</a>.</p>',
        "Musik", "gewandhaus",
    ),
    (
        "kultur", "kultur-002", 20, "Museum der bildenden Künste: Nacht der offenen Türen",
        "<p>Am Samstag öffnet das MdbK bis Mitternacht. Führungen auf Deutsch, Englisch und Ukrainisch."
        "</p><p>Der Eintritt ist frei.</p>" + TRACKER,
        "Ausstellungen", "museum",
    ),
    (
        "kultur", "kultur-003", 30, "Stadtbibliothek: Lesung mit Leipziger Autorinnen",
        "<p>In der Reihe „Leipzig liest“ stellen drei Autorinnen ihre neuen Bücher vor.</p>"
        '<p><a href="https://stadtbibliothek.leipzig.de/veranstaltungen">Alle Veranstaltungen</a></p>',
        "Literatur", "bibliothek",
    ),
    (
        "kultur", "kultur-004", 24 * 4, "Zoo Leipzig: Lichterfest im Gondwanaland",
        "<p>Große und kleine Gäste können die Tropenhalle an vier Abenden im Lichterglanz erleben.</p>",
        "Familie", "zoo",
    ),
)  # fmt: skip

#: The second demo jurisdiction's items, seeded on their own (older demo data folders get them too).
SEED_OFFENBACH: tuple[tuple[str, str, float | None, str, str, str, str | None], ...] = (
    (
        "offenbach", "offenbach-001", 4, "Wilhelmsplatz: Wochenmarkt mit neuen Ständen",
        "<p>Der Wochenmarkt auf dem Wilhelmsplatz hat dienstags, freitags und samstags geöffnet.</p>",
        "Stadtleben", "markt",
    ),
    (
        "offenbach", "offenbach-002", 30, "Mainuferweg: Sanierung beginnt im Frühjahr",
        "<p>Der Weg am Mainufer zwischen Hafen und Schloss wird abschnittsweise erneuert.</p>",
        "Verkehr", None,
    ),
    (
        "offenbach", "offenbach-003", None, "Hinweis: Demo-Nachrichten",
        "<p>Alle Nachrichten in dieser App sind Demonstrationsdaten der Demo-Stadt Offenbach am Main.</p>",
        "", None,
    ),
)  # fmt: skip


@cache
def png(name: str, width: int = 320, height: int = 180) -> bytes:
    """A small picture drawn here: a two-colour gradient chosen by the name (no files shipped)."""
    digest = hashlib.sha256(name.encode()).digest()
    a, b = digest[0:3], digest[3:6]
    # Colour depends on x + y only: one strip of width + height pixels, each row a slice of it.
    span = width + height
    strip = bytes(int(a[c] * (1 - i / span) + b[c] * i / span) for i in range(span) for c in range(3))
    rows = b"".join(b"\x00" + strip[3 * y : 3 * (y + width)] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
