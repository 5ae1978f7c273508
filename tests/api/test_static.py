import pytest


@pytest.mark.parametrize("path", ["/", "/js/app.js", "/vendor/plotly.min.js"])
def test_the_app_and_plotly_are_revalidated_so_an_upgrade_reaches_open_browsers(anonymous, path):
    first = anonymous.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"

    again = anonymous.get(path, headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-cache"


def test_plotly_js_is_served_from_the_installed_package_and_nothing_else_of_it(anonymous):
    script = anonymous.get("/vendor/plotly.min.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert b"plotly" in script.content[:2000].lower()
    assert anonymous.get("/vendor/widgetbundle.js").status_code == 404
