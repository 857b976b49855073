"""diary_tui."""
