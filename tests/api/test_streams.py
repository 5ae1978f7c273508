import json
import threading
from contextlib import ExitStack

from tests.api.helpers import signed_in


def test_a_progress_stream_ends_when_its_user_is_deactivated(serving, imported):
    annotator, admin = signed_in(serving, "annotator"), signed_in(serving, "admin")
    users = {u["name"]: u["id"] for u in admin.get("/api/users").json()}
    events: list[tuple[str, dict]] = []
    opened = threading.Event()

    def follow() -> None:
        name = None
        with annotator.stream("GET", "/api/runs/events", params={"dataset_id": imported}) as s:
            opened.set()
            for line in s.iter_lines():
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    events.append((name, json.loads(line.split(":", 1)[1])))

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    assert opened.wait(30)

    admin.patch(f"/api/users/{users['annotator']}", json={"active": False})

    reader.join(30)
    assert not reader.is_alive(), "the stream went on after its user was deactivated"
    assert events == [("error", {"message": "signed out"})]


def test_one_expert_holds_a_bounded_number_of_streams_however_often_they_sign_in(
    serving, imported, settings
):
    client = signed_in(serving, "annotator")
    second_sign_in = signed_in(serving, "annotator")
    url = f"/api/runs/events?dataset_id={imported}"

    with ExitStack() as streams:
        for _ in range(settings.max_streams_per_session):
            assert streams.enter_context(client.stream("GET", url)).status_code == 200
        refused = client.get(url)
        refused_again = second_sign_in.get(url)

    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert refused_again.status_code == 429
    with client.stream("GET", url) as again:
        assert again.status_code == 200, "closed streams give their slots back"
