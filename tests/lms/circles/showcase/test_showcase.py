"""The showcase: published projects only, per programme and province, filtered by a GET form
(theme, province, stage, programme), in a fixed number of queries (at most 8)."""

from __future__ import annotations

from .test_public_page import publish


def test_the_showcase_lists_published_projects_and_filters(
    showcase_circle, trainer, client, count_queries
):
    shown = showcase_circle()
    hidden = showcase_circle(title="Projet non publié", province="Fès")
    publish(shown, trainer)
    text = client.get("/showcase").get_data(as_text=True)
    assert "Café-emploi du samedi" in text and "Projet non publié" not in text
    assert "Taounate" in text and f"/projects/{shown.project.id}" in text
    assert "Café-emploi" in client.get(
        "/showcase?province=Taounate&theme=employment&stage=pilot"
    ).get_data(as_text=True)
    assert "Café-emploi" not in client.get("/showcase?stage=charter").get_data(as_text=True)
    assert "Café-emploi" not in client.get("/showcase?province=Fès").get_data(as_text=True)
    assert client.get("/showcase?theme=<script>").status_code == 200  # unknown values are ignored
    assert "/showcase" in client.get("/courses").get_data(as_text=True)
    publish(hidden, trainer)
    with count_queries() as queries:
        assert client.get("/showcase").status_code == 200
    assert len(queries) <= 8, queries
