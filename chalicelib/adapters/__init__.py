"""Adapters: the only code that talks to the outside world, each implementing a port from chalicelib.services.ports."""
