"""/docs works with no internet connection: Swagger UI's script, styles and icon come from this
server (the swagger-ui-bundle package), and its policy lets nothing load from elsewhere."""

from __future__ import annotations

import re


def test_docs_load_every_asset_from_this_server(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "cdn" not in page.text.lower()
    for asset in assets:
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 500, asset
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    policy = page.headers["content-security-policy"]
    assert "http" not in policy  # no host outside this one
    assert client.get("/openapi.json").json()["info"]["title"] == "Kent Volunteer Brokerage"
