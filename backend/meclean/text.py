"""Quoting what a client or a file sent, bounded: a cell or a path may be any length."""

from __future__ import annotations


def shortened(text: str, limit: int = 120) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
