"""The demo: a channel server on 127.0.0.1 seeded with a clinic's conversations, and the
bootstrap that connects a store to it."""
