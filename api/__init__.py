"""Interfaces of the service: the command line (and, later, HTTP, persistence and feeds)."""
