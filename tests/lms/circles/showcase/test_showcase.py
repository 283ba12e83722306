"""The showcase: published projects only, per programme and province, filtered by a GET form
(theme, province, stage, programme), in a fixed number of queries (at most 8)."""

from __future__ import annotations

import pytest

from .test_public_page import MAX_QUERIES, publish


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


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_showcase_runs_a_fixed_number_of_queries(
    showcase_circle, trainer, grow, add_learners, client, as_user, count_queries, anonymous
):
    first = showcase_circle()
    publish(first, trainer)
    visitor = client if anonymous else as_user(first.members[0].user)

    def count(url: str = "/showcase") -> int:
        visitor.get(url)  # the logged-in visitor's session is warmed up by a first request
        with count_queries() as queries:
            assert visitor.get(url).status_code == 200
        return len(queries)

    grow(first, add_learners, 1)
    small, filtered = count(), count("/showcase?province=Taounate&theme=employment")
    # more members, journal entries, indicators and values, allies, answers; more projects
    grow(first, add_learners, 6)
    for province in ("Rhamna", "Fès"):
        other = showcase_circle(title=f"Projet de {province}", province=province)
        publish(other, trainer)
        grow(other, add_learners, 4)
    assert (count(), count("/showcase?province=Taounate&theme=employment")) == (small, filtered)
    assert max(small, filtered) <= MAX_QUERIES, (small, filtered)
    text = visitor.get("/showcase").get_data(as_text=True)
    assert "Projet de Rhamna" in text and "Projet de Fès" in text
