"""Replication with the clinic's PostgreSQL server, leader election and the server outbox.

Single-PC mode (no server configured) uses none of this: the app is its own leader.
"""
