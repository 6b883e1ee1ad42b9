"""Base45 (RFC 9285): binary data as text in the QR code's alphanumeric alphabet.

QR alphanumeric mode stores two characters in 11 bits, so Base45 text (three characters per two bytes)
packs binary data about as densely as byte mode while staying printable and free of encoding ambiguity
(scanners never have to guess a character set). Decoding is strict: only the 45 upper-case characters,
no padding, and no group whose value is out of range, so that every distinct text decodes to distinct
bytes or fails.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {char: index for index, char in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """The text is not valid Base45."""


def b45encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        e, rest = divmod(n, 45 * 45)
        d, c = divmod(rest, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    if len(text) % 3 == 1:
        raise Base45Error("Base45 text cannot have a length of 3n+1")
    try:
        values = [_VALUE[char] for char in text]
    except KeyError as error:
        raise Base45Error(f"character {error.args[0]!r} is not in the Base45 alphabet") from None
    out = bytearray()
    for i in range(0, len(values), 3):
        group = values[i : i + 3]
        if len(group) == 3:
            n = group[0] + group[1] * 45 + group[2] * 45 * 45
            if n > 0xFFFF:
                raise Base45Error("a Base45 group encodes a value above 65535")
            out += n.to_bytes(2, "big")
        else:
            n = group[0] + group[1] * 45
            if n > 0xFF:
                raise Base45Error("a final Base45 pair encodes a value above 255")
            out.append(n)
    return bytes(out)
