"""Reads of enterprise training that are more than a filter."""
