"""Test support for the UI: three layers, from fastest to most real.

1. Pure tests of view models and of functions that build control trees (no helper needed).
2. `flet_fake.FakeFletClient`: Flet's real session and page in the test's event loop, driven by real
   protocol messages (about 0.1 s a test). `flet_tree` is its client-side copy of the page,
   `flet_gestures` the user gestures, `flet_methods` its answers to client method calls.
3. `browser` + the pytest plugin `fixtures`: the app served in web mode as a subprocess and driven in
   Debian's Chromium by Playwright (a few seconds a test; mark them `@pytest.mark.e2e`).

`sample_app` is a small app that exercises every feature of the harness; `tests/harness/` proves the
harness on it and on the real app.
"""
