import time

import pytest

from curriculum.yamlsource import YamlSyntaxError, load_yaml


def test_every_key_path_knows_its_line():
    document = load_yaml(
        "slug: a\ncertificate:\n  wording:\n    fr: x\nlist:\n  - id: one\n  - id: two\n"
    )

    assert document.line(("slug",)) == 1
    assert document.line(("certificate", "wording", "fr")) == 4
    assert document.line(("list", 1, "id")) == 7
    # a missing key: the line of the deepest mapping that exists
    assert document.line(("certificate", "wording", "en")) == 3


def test_a_syntax_error_gives_its_line_shifted_by_the_front_matter_offset():
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("slug: a\ntitle: {fr: x\nminutes: 3\n", line_offset=1)

    assert error.value.line == 4
    assert error.value.message.startswith("YAML syntax error: ")


def test_only_lowercase_true_and_false_are_booleans():
    document = load_yaml("a: true\nb: 'no'\nc: no\nd: True\ne: yes\nid: false\n")

    assert document.data == {"a": True, "b": "no", "c": "no", "d": "True", "e": "yes", "id": False}


def test_a_key_given_twice_is_remembered():
    document = load_yaml("title: a\nslug: x\ntitle: b\n")

    assert document.duplicate_keys == [((), "title", 3)]


def test_python_tags_are_refused():
    with pytest.raises(YamlSyntaxError):
        load_yaml("a: !!python/object/apply:os.system ['true']\n")


def billion_laughs(levels: int) -> str:
    """A few hundred bytes that PyYAML alone would expand into 9**levels strings."""
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"lol{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_aliases_are_refused_at_their_line_before_anything_is_expanded():
    # 9**6 strings if expanded: 1.5 s and 200 MB (each level more costs nine times that; the
    # probe's seven levels took 10 s and 1.2 GB); the test stays at six so that, if aliases came
    # back, it fails on time rather than exhausting the machine's memory
    text = billion_laughs(6)
    started = time.perf_counter()

    with pytest.raises(YamlSyntaxError) as error:
        load_yaml(text, line_offset=1)

    assert time.perf_counter() - started < 0.5
    assert len(text) < 500
    assert (error.value.line, error.value.message) == (3, "YAML aliases are not allowed")


def test_a_structure_that_contains_itself_is_refused():
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("slug: a\nsummary: &s [*s]\n")

    assert (error.value.line, error.value.message) == (2, "YAML aliases are not allowed")


def test_merge_keys_need_an_alias_and_are_refused_too():
    with pytest.raises(YamlSyntaxError, match="YAML aliases are not allowed"):
        load_yaml("base: &b {minutes: 5}\nlesson:\n  <<: *b\n")


def test_an_anchor_without_alias_is_refused_as_well():
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("slug: a\nminutes: &m 5\n")

    assert (error.value.line, error.value.message) == (2, "YAML anchors are not allowed")


def test_nesting_deep_enough_to_exhaust_the_stack_is_refused_with_its_line():
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("slug: a\nsummary: " + "[" * 5000 + "]" * 5000 + "\n")

    assert (error.value.line, error.value.message) == (2, "YAML nesting is deeper than 50 levels")
    assert load_yaml("a: " + "[" * 40 + "]" * 40).data["a"] is not None  # deep enough for packs
