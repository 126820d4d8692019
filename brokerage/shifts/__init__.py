"""Shifts: dated sessions of a role, their places, waiting lists and attendance."""
