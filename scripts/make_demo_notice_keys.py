"""Generate the demo city's notice-signing keys and key-list signing key (run once; the output is committed).

Writes src/leipzig_app/sandbox/data/demo_keys.json and prints the `[notices]` TOML entries for the demo
profile and the fingerprints for `DEMO_KEY_FINGERPRINTS` in src/leipzig_app/domain/notices/trust.py. These
keys are DEMO keys: their private halves are public in this repository, so a profile that is not
`city.demo = true` refuses them, recognised by their public keys whatever their demo flag says. Re-running
replaces every key (update `DEMO_KEY_FINGERPRINTS` then); letters made before no longer verify.

    .venv/bin/python scripts/make_demo_notice_keys.py [--check]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

OUT = Path(__file__).resolve().parent.parent / "src" / "leipzig_app" / "sandbox" / "data" / "demo_keys.json"

# kid, role, valid_from, valid_until, revoked_on, reason
NOTICE_KEYS = [
    ("demo-2025", "current", "2025-01-01", "2030-12-31", None, ""),
    ("demo-2030", "next", "2030-07-01", None, None, ""),
    ("demo-2024", "revoked", "2024-01-01", "2025-12-31", "2025-06-01", "key compromised (demo scenario)"),
]
LIST_SIGNERS = [("demo-list-1", "list-signer", "2025-01-01", "2035-12-31", None, "")]


def _raw(key: Ed25519PrivateKey) -> tuple[str, str]:
    private = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def _entry(spec: tuple[str, str, str, str | None, str | None, str]) -> dict[str, object]:
    kid, role, valid_from, valid_until, revoked_on, reason = spec
    private, public = _raw(Ed25519PrivateKey.generate())
    entry: dict[str, object] = {
        "kid": kid,
        "role": role,
        "algorithm": "Ed25519",
        "public_key": public,
        "private_key": private,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "demo": True,
    }
    if revoked_on:
        entry["revoked_on"] = revoked_on
        entry["reason"] = reason
    return entry


def toml_entries(data: dict[str, list[dict[str, object]]]) -> str:
    lines = []
    for table, keys in (
        ("trusted_keys", data["notice_keys"][:1]),
        ("key_list_signers", data["list_signers"]),
    ):
        for key in keys:
            lines.append(f"[[notices.{table}]]")
            for name in ("kid", "algorithm", "public_key", "valid_from", "valid_until"):
                if key[name] is not None:
                    value = key[name]
                    lines.append(
                        f'{name} = "{value}"'
                        if name in ("kid", "algorithm", "public_key")
                        else f"{name} = {value}"
                    )
            lines.append("demo = true\n")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only print the TOML entries of the existing file"
    )
    args = parser.parse_args()
    if args.check:
        data = json.loads(OUT.read_text(encoding="utf-8"))
    else:
        data = {
            "warning": "DEMO KEYS of the demo city. The private keys are public: never trust them in a real "
            "city profile.",
            "issuer": "Demo-Stadt Leipzig",
            "notice_keys": [_entry(spec) for spec in NOTICE_KEYS],
            "list_signers": [_entry(spec) for spec in LIST_SIGNERS],
        }
        OUT.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {OUT}", file=sys.stderr)
    print(toml_entries(data))
    print(fingerprint_lines(data))
    return 0


def fingerprint_lines(data: dict[str, list[dict[str, object]]]) -> str:
    """The entries of `DEMO_KEY_FINGERPRINTS` in src/leipzig_app/domain/notices/trust.py, by which the app
    recognises these keys whatever their demo flag says (a test compares the two)."""
    lines = ["# DEMO_KEY_FINGERPRINTS (src/leipzig_app/domain/notices/trust.py):"]
    for key in data["notice_keys"] + data["list_signers"]:
        digest = hashlib.sha256(base64.b64decode(str(key["public_key"]))).hexdigest()
        lines.append(f'"{digest}",  # {key["kid"]} ({key["role"]})')
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
