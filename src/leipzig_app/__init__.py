"""Leipzig App: the city's services for residents in one accessible app."""

__version__ = "0.1.0"
