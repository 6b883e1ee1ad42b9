"""Views of the services hub's modules (routes `/more/<module>`), built from `ui/more/hub.py`."""
