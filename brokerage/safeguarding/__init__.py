"""Safeguarding concerns: raised by anyone signed in, handled by the centre's safeguarding leads."""
