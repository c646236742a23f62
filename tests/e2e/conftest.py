"""The e2e tier runs against the local stack over HTTP."""

from tests.local_stack import local_api  # noqa: F401 - the tier's fixture
