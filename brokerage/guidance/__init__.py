"""The guidance library and training that a volunteer centre offers the organisations it supports."""
