"""Careless and hostile clients: bodies and ids that are not what the API expects get a
4xx naming the problem, never a 500, and never an echo of what was sent."""

import logging

import pytest

from tests.api.helpers import PASSWORD

SECRET = "hunter2-" + PASSWORD


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (f"name=admin&password={SECRET}".encode(), "application/x-www-form-urlencoded"),
        (f"name=admin&password={SECRET}".encode(), "text/plain"),
        (b'{"name": "admin", "password": NaN}', "application/json"),
        (f'{{"name": "admin", "password": "\\ud800{SECRET}"}}'.encode(), "application/json"),
        (b'{"name": "admin", "password": ', "application/json"),
    ],
)
def test_a_login_body_that_is_not_credentials_is_a_422_that_echoes_nothing(
    anonymous, caplog, content, content_type
):
    caplog.set_level(logging.DEBUG)

    response = anonymous.post("/api/login", content=content, headers={"content-type": content_type})

    assert response.status_code == 422
    assert SECRET not in response.text and "NaN" not in response.text
    assert SECRET not in caplog.text


def test_a_body_over_the_limit_is_refused_before_it_is_read(anonymous, settings):
    too_big = b"x" * (settings.max_body_bytes + 1)

    declared = anonymous.post(
        "/api/login", content=too_big, headers={"content-type": "application/json"}
    )
    chunked = anonymous.post(
        "/api/login",
        content=iter([too_big[: len(too_big) // 2], too_big[len(too_big) // 2 :]]),
        headers={"content-type": "application/json"},
    )

    for response in (declared, chunked):
        assert response.status_code == 413, response.text[:200]
        assert len(response.content) < 200
        assert response.json()["detail"]["field"] == "body"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/runs/9223372036854775808", None),
        ("get", "/api/datasets/99999999999999999999999", None),
        ("get", "/api/samples/0", None),
        ("get", "/api/runs/compare?ids=1&ids=18446744073709551616", None),
        ("get", "/api/datasets/1/samples?cursor=-5", None),
        ("get", "/api/datasets/1/samples?cursor=9223372036854775808", None),
        ("post", "/api/marks/bulk", {"sample_ids": [2**63], "verdict": "clean"}),
    ],
)
def test_ids_outside_the_databases_integers_are_a_422_naming_the_field(login, method, path, body):
    client = login("curator")

    response = getattr(client, method)(path, **({"json": body} if body else {}))

    assert response.status_code == 422, response.text
    assert response.json()["detail"]["field"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/login", {"name": "ad\u0000min", "password": "x"}),
        ("put", "/api/samples/1/mark", {"verdict": "clean", "note": "a\u0000b"}),
        ("post", "/api/datasets/import", {"name": "x", "layout": "casme2", "path": "/a\u0000"}),
    ],
)
def test_text_with_a_nul_character_is_stored_or_refused_never_a_server_error(
    login, imported, method, path, body
):
    # SQLite stores NUL characters; PostgreSQL's text cannot hold them (a 422 there).
    response = getattr(login("curator"), method)(path, json=body)

    assert response.status_code in (200, 401, 422), response.text
