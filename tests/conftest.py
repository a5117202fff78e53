"""Shared pytest configuration for the MonitorLab test suite (keep it small; add fixtures below)."""
