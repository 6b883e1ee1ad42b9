"""Official letters: the signed notice code, GiroCode, trust in signing keys, and inspection of scans.

The public API for services and screens:
- `model`: `Notice`, `Authority`, `Remedy`, `notice_problems` (also importable from `code`);
- `code`: `encode_notice`, `decode_notice`, `Envelope`, `NoticeCodeError`;
- `trust`: `TrustedKey`, `parse_trusted_key`, `validate_key_list`, `merge_trust`, `verify`;
- `girocode`: `GiroCode`, `parse_girocode`, `parse_girocode_bytes`, `build_girocode`, `transfer_girocode`,
  `GiroCodeError`;
- `inspect`: `InspectionContext`, `context_from_profile`, `inspect_payload`, `inspect_letter`,
  `compare_codes`;
- `problems`: `Problem`, `PROBLEM_CODES` and the stable `ACTIONS`.
Deadlines live in `leipzig_app.domain.deadlines`. The format is documented in docs/notice-code.md.
"""
