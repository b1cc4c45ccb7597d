"""Helpers for the tests of the settings pages."""

from __future__ import annotations

from koers.tests.helpers import member_of

__all__ = ["member_of"]
