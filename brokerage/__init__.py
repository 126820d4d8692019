"""Kent Volunteer Brokerage."""

__version__ = "0.1.0"
