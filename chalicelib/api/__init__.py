"""HTTP entry points as Chalice blueprints: parse, call one service, shape the response."""
