def test_health_and_openapi(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert "/volunteers" in spec["paths"]


def test_districts_loaded_by_migration(client):
    districts = client.get("/districts").json()
    codes = {d["gss_code"] for d in districts}
    assert len(codes) == 14 and "E07000105" in codes and "E06000035" in codes and "OUTSIDE" in codes
