from fastapi.testclient import TestClient

from meclean.api.deps import CSRF_HEADER
from tests.api.helpers import PASSWORD


def test_a_generated_password_works_once_and_only_to_choose_a_new_one(app, login, anonymous):
    created = login("admin").post("/api/users", json={"name": "cleo", "role": "curator"})
    assert created.status_code == 201
    generated = created.json()["password"]
    cleo = TestClient(app)
    me = cleo.post("/api/login", json={"name": "cleo", "password": generated}).json()
    cleo.headers[CSRF_HEADER] = me["csrf_token"]

    refused = cleo.get("/api/datasets")
    changed = cleo.post("/api/me/password", json={"old": generated, "new": "cleo's own secret"})

    assert me["role"] == "curator" and me["must_change_password"] is True
    assert refused.status_code == 403
    assert refused.json()["detail"]["field"] == "must_change_password"
    assert changed.status_code == 204
    assert cleo.get("/api/datasets").status_code == 200
    again = anonymous.post("/api/login", json={"name": "cleo", "password": generated})
    assert again.status_code == 401


def test_an_admin_resets_a_forgotten_password_to_a_one_time_one(app, login, anonymous):
    admin, forgetful = login("admin"), login("annotator")
    users = {u["name"]: u["id"] for u in admin.get("/api/users").json()}

    reset = admin.post(f"/api/users/{users['annotator']}/password")

    assert reset.status_code == 200
    assert forgetful.get("/api/me").status_code == 401  # signed out everywhere
    old = anonymous.post("/api/login", json={"name": "annotator", "password": PASSWORD})
    assert old.status_code == 401
    fresh = TestClient(app, client=("10.0.0.2", 50000))  # not the throttled address
    me = fresh.post("/api/login", json={"name": "annotator", "password": reset.json()["password"]})
    assert me.json()["must_change_password"] is True
    assert login("curator").post(f"/api/users/{users['annotator']}/password").status_code == 403


def test_only_admins_manage_users(login):
    curator = login("curator")
    assert curator.get("/api/users").status_code == 403
    assert curator.post("/api/users", json={"name": "x", "role": "admin"}).status_code == 403


def test_a_deactivated_user_is_signed_out_at_once(login):
    admin, victim = login("admin"), login("annotator")
    users = {u["name"]: u["id"] for u in admin.get("/api/users").json()}

    response = admin.patch(f"/api/users/{users['annotator']}", json={"active": False})

    assert response.json()["active"] is False
    assert victim.get("/api/me").status_code == 401


def test_an_admin_cannot_demote_themselves(login):
    admin = login("admin")
    me = admin.get("/api/me").json()
    response = admin.patch(f"/api/users/{me['id']}", json={"role": "annotator"})
    assert response.status_code == 422


def test_a_new_password_signs_out_every_other_session_of_the_user(login, anonymous):
    here, elsewhere = login("annotator"), login("annotator")
    wrong = here.post("/api/me/password", json={"old": "nope", "new": "a new secret"})
    same = here.post("/api/me/password", json={"old": PASSWORD, "new": PASSWORD})
    right = here.post("/api/me/password", json={"old": PASSWORD, "new": "a new secret"})

    assert wrong.status_code == 422 and same.status_code == 422 and right.status_code == 204
    assert here.get("/api/me").status_code == 200
    assert elsewhere.get("/api/me").status_code == 401
    login_again = anonymous.post(
        "/api/login", json={"name": "annotator", "password": "a new secret"}
    )
    assert login_again.status_code == 200
