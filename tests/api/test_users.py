from tests.api.conftest import PASSWORD


def test_an_admin_adds_a_user_whose_generated_password_works(login, anonymous):
    created = login("admin").post("/api/users", json={"name": "cleo", "role": "curator"})

    assert created.status_code == 201
    password = created.json()["password"]
    response = anonymous.post("/api/login", json={"name": "cleo", "password": password})
    assert response.json()["role"] == "curator"


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


def test_users_change_their_own_password(login, anonymous):
    client = login("annotator")
    wrong = client.post("/api/me/password", json={"old": "nope", "new": "a new secret"})
    right = client.post("/api/me/password", json={"old": PASSWORD, "new": "a new secret"})

    assert wrong.status_code == 422 and right.status_code == 204
    login_again = anonymous.post(
        "/api/login", json={"name": "annotator", "password": "a new secret"}
    )
    assert login_again.status_code == 200
