import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from meclean.api.app import create_app
from meclean.api.deps import CSRF_HEADER, SESSION_COOKIE, current_login
from meclean.db.models import LoginThrottle, User
from meclean.db.session import transaction
from meclean.db.users import start_session
from tests.api.helpers import PASSWORD

PUBLIC = {"/api/login", "/api/health"}


def protected_routes(app):
    """Every (method, concrete URL) of the API but the public ones, from its OpenAPI schema."""
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api") and path not in PUBLIC:
            for method in operations:
                yield method.upper(), re.sub(r"\{[^}]+\}", "1", path)


def api_routes(routes):
    """Every APIRoute of an app, through included routers (FastAPI >= 0.165 keeps them as
    one entry per router in ``app.routes``)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def test_health_needs_no_session(anonymous):
    assert anonymous.get("/api/health").json() == {"status": "ok"}


def test_every_route_but_login_and_health_denies_an_anonymous_request(app, anonymous):
    routes = list(protected_routes(app))
    assert len(routes) >= 8
    for method, url in routes:
        response = anonymous.request(method, url, json={})
        assert response.status_code == 401, (method, url, response.text)


def test_login_sets_an_http_only_strict_session_cookie(anonymous):
    response = anonymous.post("/api/login", json={"name": "annotator", "password": PASSWORD})
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert response.json()["role"] == "annotator"


def test_a_change_without_the_csrf_header_is_refused(login, imported):
    client = login("annotator")
    del client.headers[CSRF_HEADER]
    response = client.put("/api/samples/1/mark", json={"verdict": "clean"})
    assert response.status_code == 403
    assert response.json()["detail"]["field"] == CSRF_HEADER


def test_an_annotator_cannot_import_but_a_curator_can(login, settings):
    body = {"name": "x", "layout": "megc2019", "path": str(settings.data_dir / "composite")}
    response = login("annotator").post("/api/datasets/import", json=body)
    assert response.status_code == 403
    assert "curator" in response.json()["detail"]["message"]


def test_repeated_failed_logins_are_slowed_with_retry_after(anonymous):
    first = anonymous.post("/api/login", json={"name": "annotator", "password": "nope"})
    second = anonymous.post("/api/login", json={"name": "annotator", "password": PASSWORD})
    assert first.status_code == 401
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) >= 1


def test_parallel_wrong_guesses_are_each_counted_or_made_to_wait(app):
    def guess(_: int) -> int:
        client = TestClient(app)
        return client.post("/api/login", json={"name": "curator", "password": "x"}).status_code

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(guess, range(30)))

    assert set(answers) <= {401, 429} and answers.count(429) >= 20
    with app.state.sessions() as session:
        # No lost update: every guess that was checked is in the count.
        assert session.query(LoginThrottle).one().failures == answers.count(401)


def test_behind_a_trusted_proxy_each_expert_is_throttled_by_their_own_address(settings):
    app = create_app(settings.model_copy(update={"trusted_proxies": ["10.0.0.1"]}))
    proxy = TestClient(app, client=("10.0.0.1", 40000))
    stranger = TestClient(app, client=("10.0.0.9", 40000))

    def sign_in(client: TestClient, password: str, forwarded_for: str) -> int:
        body = {"name": "curator", "password": password}
        headers = {"X-Forwarded-For": forwarded_for}
        return client.post("/api/login", json=body, headers=headers).status_code

    assert sign_in(proxy, "guess", "192.168.1.66") == 401
    assert sign_in(proxy, "guess", "192.168.1.66") == 429
    # The guesser's failures do not lock out the expert behind the same proxy...
    assert sign_in(proxy, PASSWORD, "192.168.1.7") == 200
    # ...and a client that is no trusted proxy cannot pick a fresh address to guess from.
    assert sign_in(stranger, "guess", "192.168.1.70") == 401
    assert sign_in(stranger, "guess", "192.168.1.71") == 429
    app.state.engine.dispose()


def test_an_expired_session_is_signed_out(app, anonymous):
    with transaction(app.state.sessions) as session:
        user = session.query(User).filter_by(name="annotator").one()
        token, _ = start_session(session, user, timedelta(seconds=-1))
    anonymous.cookies.set(SESSION_COOKIE, token)
    assert anonymous.get("/api/me").status_code == 401


def test_logout_ends_the_session(login):
    client = login("annotator")
    assert client.post("/api/logout").status_code == 204
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("body", [{"name": "a"}, {"name": "", "password": "x"}])
def test_a_malformed_login_is_422_naming_the_field(anonymous, body):
    response = anonymous.post("/api/login", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] in {"password", "name"}


def test_every_response_carries_the_security_headers(anonymous):
    for path in ("/", "/api/health", "/api/me", "/js/app.js"):
        headers = anonymous.get(path).headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert (
            "script-src 'self' 'unsafe-eval'" in policy
            and "unsafe-inline" not in (policy.split("script-src")[1].split(";")[0])
        )
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_the_api_schema_is_for_signed_in_users_and_no_page_loads_from_a_cdn(anonymous, login):
    assert anonymous.get("/api/openapi.json").status_code == 401
    page = anonymous.get("/docs")  # redirected to the page, which loads nothing from elsewhere
    assert page.status_code == 200 and "/vendor/swagger/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.split("<body>")[0]
    assert anonymous.get("/vendor/swagger/swagger-ui-bundle.js").status_code == 200
    assert anonymous.get("/vendor/swagger/index.html").status_code == 422  # only what /docs uses
    schema = login("annotator").get("/api/openapi.json").json()
    assert "/api/runs/compare" in schema["paths"]


def needed_roles(dependant) -> set[str]:
    """The roles a route's dependencies ask for, 'signed in' for any signed-in user."""
    found = set()
    for sub in dependant.dependencies:
        if hasattr(sub.call, "role"):
            found.add(sub.call.role)
        elif sub.call is current_login:
            found.add("signed in")
        found |= needed_roles(sub)
    return found


def test_every_route_states_the_role_it_needs(app):
    expected = {
        ("POST", "/api/users"): {"admin"},
        ("PATCH", "/api/users/{user_id}"): {"admin"},
        ("POST", "/api/users/{user_id}/password"): {"admin"},
        ("POST", "/api/datasets/import"): {"curator"},
        ("PATCH", "/api/datasets/{dataset_id}"): {"curator"},
        ("GET", "/api/datasets/{dataset_id}/agreement"): {"curator"},
        ("POST", "/api/datasets/{dataset_id}/runs"): {"curator"},
        ("POST", "/api/datasets/{dataset_id}/runs/plan"): {"curator"},
        ("POST", "/api/runs/{run_id}/relabels"): {"curator"},
        ("POST", "/api/runs/{run_id}/relabels/undo"): {"curator"},
        ("DELETE", "/api/runs/{run_id}"): {"curator"},
        ("POST", "/api/datasets/{dataset_id}/label-versions"): {"curator"},
        ("PUT", "/api/samples/{sample_id}/mark"): {"annotator"},
        ("POST", "/api/me/password"): {"signed in"},
    }
    routes = [r for r in api_routes(app.routes) if r.path.startswith("/api")]
    in_schema = sum(len(r.methods) for r in routes if r.include_in_schema)
    assert in_schema == len(list(protected_routes(app))) + len(PUBLIC)  # none missed
    for route in routes:
        roles = needed_roles(route.dependant)
        if route.path in PUBLIC:
            assert not roles, route.path
            continue
        stated = roles - {"signed in"} or roles  # a role implies being signed in
        assert len(stated) == 1, f"{route.methods} {route.path} needs {roles or 'nothing'}"
        for method in route.methods:
            assert expected.get((method, route.path), stated) == stated, (method, route.path)


def test_every_route_says_what_it_does_in_the_api_docs(app):
    undocumented = [
        route.path
        for route in api_routes(app.routes)
        if route.include_in_schema and not (route.endpoint.__doc__ or "").strip()
    ]
    assert undocumented == []


def test_no_response_or_log_line_holds_a_password_or_its_hash(app, login, imported, caplog):
    caplog.set_level(logging.DEBUG)
    admin = login("admin")
    login("annotator").post("/api/login", json={"name": "annotator", "password": "wrong!"})
    created = admin.post("/api/users", json={"name": "dana", "role": "annotator"}).json()

    gets = [url for method, url in protected_routes(app) if method == "GET"]
    texts = [admin.get(url).text for url in gets if not url.endswith("/events")]

    for text in [*texts, caplog.text]:
        assert "$argon2" not in text and PASSWORD not in text and "wrong!" not in text
    assert created["password"] not in caplog.text
