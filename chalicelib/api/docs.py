"""GET /v1/openapi.json: the API's description, public like the API's own documentation."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

bp = Blueprint(__name__)


@bp.route("/v1/openapi.json", methods=["GET"])
def openapi_document() -> dict[str, Any]:
    # The table and its response models are imported on the first request, not with the app:
    # every Lambda imports app.py, and only this route needs them.
    from chalicelib.api.operations import document

    return document()
