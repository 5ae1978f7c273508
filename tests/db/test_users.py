from datetime import timedelta

import pytest

from meclean.db.models import LoginThrottle
from meclean.db.session import transaction
from meclean.db.users import (
    LoginThrottled,
    authenticate,
    create_user,
    end_session,
    ensure_admin,
    has_role,
    session_user,
    start_session,
)


def test_passwords_are_stored_as_argon2_hashes_and_checked(factory):
    with transaction(factory) as session:
        user = create_user(session, "ana", "curator", "correct horse")
        assert user.password_hash.startswith("$argon2")
        assert "correct horse" not in user.password_hash
    with transaction(factory) as session:
        assert authenticate(session, "ana", "correct horse").id == user.id
    with transaction(factory) as session:
        assert authenticate(session, "nobody", "correct horse") is None


def test_each_failed_login_doubles_the_wait_before_the_next(factory):
    with transaction(factory) as session:
        create_user(session, "ana", "annotator", "correct horse")
    with transaction(factory) as session:
        assert authenticate(session, "ana", "wrong") is None
    with pytest.raises(LoginThrottled), transaction(factory) as session:
        authenticate(session, "ana", "correct horse")
    with factory() as session:
        assert session.query(LoginThrottle).one().failures == 1  # a refused attempt is not checked


def test_a_name_that_does_not_exist_is_throttled_alike_revealing_no_account(factory):
    with transaction(factory) as session:
        create_user(session, "ana", "annotator", "correct horse")
    for name in ("ana", "nobody"):
        with transaction(factory) as session:
            assert authenticate(session, name, "wrong") is None
        with pytest.raises(LoginThrottled), transaction(factory) as session:
            authenticate(session, name, "wrong again")


def test_failed_logins_from_elsewhere_do_not_lock_an_expert_out(factory):
    with transaction(factory) as session:
        create_user(session, "ana", "annotator", "correct horse")
    with transaction(factory) as session:
        assert authenticate(session, "ANA", "guess", client="10.0.0.66") is None
    with transaction(factory) as session:
        assert authenticate(session, "ana", "correct horse", client="10.0.0.7").name == "ana"
    with pytest.raises(LoginThrottled), transaction(factory) as session:
        authenticate(session, "ana", "correct horse", client="10.0.0.66")


def test_sessions_expire_and_end(factory):
    with transaction(factory) as session:
        user = create_user(session, "ana", "annotator", "correct horse")
        token, _ = start_session(session, user, timedelta(hours=1))
        stale, _ = start_session(session, user, timedelta(seconds=-1))
    with transaction(factory) as session:
        assert session_user(session, token)[0].name == "ana"
        assert session_user(session, stale) is None
        end_session(session, token)
    with factory() as session:
        assert session_user(session, token) is None


def test_roles_are_ordered_and_bad_accounts_are_refused(factory):
    with transaction(factory) as session:
        curator = create_user(session, "cu", "curator", "long enough")
        assert has_role(curator, "annotator") and not has_role(curator, "admin")
        with pytest.raises(ValueError, match="role"):
            create_user(session, "x", "boss", "long enough")
        with pytest.raises(ValueError, match="8 characters"):
            create_user(session, "y", "annotator", "short")
        with pytest.raises(ValueError, match="already exists"):
            create_user(session, "cu", "annotator", "long enough")


def test_a_first_admin_is_created_once_with_a_one_time_password(factory):
    with transaction(factory) as session:
        name, password = ensure_admin(session)
    with transaction(factory) as session:
        assert ensure_admin(session) is None
        assert authenticate(session, name, password).role == "admin"
