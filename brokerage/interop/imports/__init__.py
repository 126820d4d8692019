"""Imports of volunteers and sessions/hours: read a file, check every row (the dry run), then
write everything or nothing. See ``docs/imports.md``."""
