"""Official letters: the signed notice code, GiroCode, trust in signing keys, and inspection of scans.

The public API for services and screens:
- `code`: `Notice`, `Authority`, `Remedy`, `encode_notice`, `decode_notice`, `NoticeCodeError`;
- `trust`: `TrustedKey`, `parse_trusted_key`, `validate_key_list`, `merge_trust`, `verify`;
- `girocode`: `GiroCode`, `parse_girocode`, `parse_girocode_bytes`, `build_girocode`, `GiroCodeError`;
- `inspect`: `InspectionContext`, `inspect_payload`, `inspect_letter`, `compare_codes`;
- `problems`: `Problem` and the stable action codes.
Deadlines live in `leipzig_app.domain.deadlines`. The format is documented in docs/notice-code.md.
"""
