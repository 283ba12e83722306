"""Deep Linking 2.0 against a real platform (lti1p3platform): an instructor's deep-linking
launch opens the picker (searchable, in the instructor's language); the chosen items come back as
a signed LtiDeepLinkingResponse that the platform verifies and decodes."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

from lti1p3platform.exceptions import LtiException

from .platform import INSTRUCTOR, LEARNER, _Conf, _Launch
from .test_launch import counts, post, start

ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
RETURN_URL = "http://platform.test/deep-link/return"


def deep_link_launch(platform, redirect, roles=(INSTRUCTOR,), locale="ar", multiple=True,
                     accept_types=None):  # fmt: skip
    """The platform's answer to a deep-linking login: an LtiDeepLinkingRequest (``accept_types``:
    what the platform accepts, every type by default)."""
    preflight = dict(parse_qsl(urlsplit(redirect).query))
    reg = platform._registration(platform.private_key)
    reg.set_deeplink_launch_url(platform.tool_url + "/lti/launch")
    launch = _Launch(preflight, _Conf(registration=reg))
    launch.set_user_data("teacher", list(roles), full_name="Salma Idrissi",
                         email_address="s@example.org")  # fmt: skip
    launch.set_launch_context_claim("ctx-1", context_title="Civic education 2026")
    launch.set_extra_claims({PRESENTATION: {"document_target": "iframe", "locale": locale}})
    launch.set_dl(RETURN_URL, title="Add an activity", extra_data={"opaque": "42"},
                  accept_types=accept_types)  # fmt: skip
    if not multiple:
        launch._deep_linking_launch_data[
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
        ]["accept_multiple"] = False
    return launch.lti_launch()


def platform_receives(client, platform, html: str):
    """What the platform does with the form the tool's page posts: verify the JWT with the
    tool's published keys and return the content items (or raise)."""
    action = unescape(
        re.search(r'id="lti-deep-link-return" method="post" action="([^"]+)"', html).group(1)
    )
    assert action == RETURN_URL
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    conf = _Conf(registration=platform._registration(platform.private_key))
    conf.get_registration().set_tool_key_set(client.get("/lti/jwks.json").get_json())
    return conf.validate_deeplinking_resp({"JWT": token}), token


def open_picker(client, platform, **options):
    form = deep_link_launch(platform, start(client, platform, "teacher"), **options)
    response = post(client, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert urlsplit(response.location).path == "/lti/deep-link"
    return client.get("/lti/deep-link")


def test_instructor_picks_a_quiz_and_a_module_and_the_platform_accepts_them(
    client, platform, registered, make_course
):
    make_course()
    make_course(slug="budget")
    page = open_picker(client, platform)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="ar"' in html  # the instructor's language
    assert "دورة civics" in html and 'name="csrf_token"' in html
    assert 'value="civics/basics/check"' in html and 'value="budget"' in html
    # the search keeps what matches, with its course and module
    found = client.get("/lti/deep-link?q=CHECK").get_data(as_text=True)
    assert 'value="civics/basics/check"' in found and 'value="civics"' in found
    assert 'value="civics/basics/intro"' not in found
    response = client.post(
        "/lti/deep-link", data={"item": ["civics/basics/check", "civics/basics", "budget"]}
    )
    assert response.status_code == 200
    assert RETURN_URL.split("/deep")[0] in response.headers["Content-Security-Policy"]
    items, _token = platform_receives(client, platform, response.get_data(as_text=True))
    assert [item["type"] for item in items] == ["ltiResourceLink"] * 3
    quiz, module, course = items
    assert quiz["custom"] == {"target": "civics/basics/check"}
    assert quiz["url"].startswith("http://lms.test/lti/launch?target=civics")
    assert quiz["lineItem"] == {"scoreMaximum": 100, "label": quiz["title"],
                                "resourceId": "civics/basics/check"}  # fmt: skip
    assert "lineItem" not in module and course["lineItem"]["resourceId"] == "budget"
    # the answer is single-use: the page is gone once sent, and nothing was created
    assert client.get("/lti/deep-link").status_code == 403
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_the_platform_refuses_a_response_signed_by_another_key(
    client, platform, registered, make_course
):
    make_course()
    open_picker(client, platform)
    html = client.post("/lti/deep-link", data={"item": "civics"}).get_data(as_text=True)
    conf = _Conf(registration=platform._registration(platform.private_key))
    conf.get_registration().set_tool_key_set({"keys": platform.registration.get_jwks()})
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    try:
        conf.validate_deeplinking_resp({"JWT": token})
    except (LtiException, Exception) as error:  # the kid is not in that key set
        assert "key" in str(error).lower() or "signature" in str(error).lower()
    else:
        raise AssertionError("a JWT checked against the wrong keys was accepted")


def test_learners_and_bad_choices_are_refused(client, platform, registered, make_course):
    make_course()
    form = deep_link_launch(platform, start(client, platform, "teacher"), roles=(LEARNER,))
    response = post(client, form)
    assert response.status_code == 403 and "instructor" in response.get_data(as_text=True)
    assert client.get("/lti/deep-link").status_code == 403
    open_picker(client, platform, locale="en", multiple=False)
    response = client.post("/lti/deep-link", data={"item": ["civics", "civics/basics"]})
    assert response.status_code == 400 and "only one" in response.get_data(as_text=True)
    response = client.post("/lti/deep-link", data={"item": "civics/nowhere"})
    assert response.status_code == 400 and "civics/nowhere" in response.get_data(as_text=True)
    assert client.post("/lti/deep-link", data={}).status_code == 400
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_a_platform_that_takes_no_resource_link_is_told_so_on_the_picker(
    client, platform, registered, make_course
):
    make_course()
    page = open_picker(client, platform, locale="en", accept_types={"link", "html"})
    html = unescape(page.get_data(as_text=True))
    assert "Your platform does not accept links to activities here (it accepts: " in html
    assert "html" in html.split("it accepts: ")[1].split(")")[0]
    assert 'name="item"' not in html and 'role="search"' not in html
    assert "Nothing in the catalogue matches" not in html
    response = client.post("/lti/deep-link", data={"item": "civics"})
    answered = unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "does not accept links to activities" in answered
    assert 'name="JWT"' not in answered
    french = open_picker(client, platform, locale="fr", accept_types={"link"})
    assert "Votre plateforme n’accepte pas" in unescape(french.get_data(as_text=True))
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_a_platform_that_takes_one_item_gets_one(client, platform, registered, make_course):
    make_course()
    page = open_picker(client, platform, locale="en", multiple=False,
                       accept_types={"ltiResourceLink"})  # fmt: skip
    html = page.get_data(as_text=True)
    assert 'type="radio" name="item" value="civics/basics/check"' in html
    assert 'type="checkbox"' not in html
    response = client.post("/lti/deep-link", data={"item": "civics/basics/check"})
    assert response.status_code == 200
    items, _token = platform_receives(client, platform, response.get_data(as_text=True))
    assert [item["custom"]["target"] for item in items] == ["civics/basics/check"]
