"""The Leipzig App as `flet build` packages it (see README, "Building for phones")."""

from leipzig_app.mobile import run

if __name__ == "__main__":
    run()
