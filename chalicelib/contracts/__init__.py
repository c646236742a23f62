"""What crosses Mahnwerk's boundary: request models and JSON reading shared by the API and the inbound adapters.

The API (chalicelib.api) and the adapters that read shops' and PSPs' payloads (chalicelib.adapters) both import
from here; neither imports the other.
"""
