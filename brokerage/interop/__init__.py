"""Interoperability: the UK Volunteering Data Standard feed (publish and import), imports from
TeamKinetic and spreadsheets (dry run, then all-or-nothing), and duplicate volunteers (detect, merge)."""
