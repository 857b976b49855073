"""demo_server."""
