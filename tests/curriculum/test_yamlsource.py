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
