"""The composition root fills the services' registries: every provider and shop the API accepts has its reader."""

from __future__ import annotations

import pytest

from chalicelib.bootstrap import Container
from chalicelib.services.psp_webhooks import PSP_PROVIDERS
from chalicelib.services.shop_webhooks import SHOP_SYSTEMS
from chalicelib.settings import Settings

pytestmark = pytest.mark.unit


def test_every_payment_provider_the_api_accepts_has_a_reader() -> None:
    assert set(Container(Settings.from_env()).payment_readers) == set(PSP_PROVIDERS)


def test_every_shop_system_the_api_accepts_has_a_reader() -> None:
    assert set(Container(Settings.from_env()).shop_readers) == set(SHOP_SYSTEMS)
