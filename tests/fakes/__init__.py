"""Stand-ins for remote services (no network in tests): see sheets_server.py."""
