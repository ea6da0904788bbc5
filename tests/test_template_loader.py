"""Tests for lintkit.templates.loader: values, 1-based marks, short-form tags, JSON fallback, errors, decoding."""

from __future__ import annotations

import copy
import json
import math
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lintkit.templates import loader
from lintkit.templates.loader import (
    LoadedDocument,
    Map,
    Mark,
    Seq,
    TemplateSyntaxError,
    document_from_json,
    document_to_json,
    load_path,
    load_text,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "templates" / "loader"


@pytest.fixture(params=["libyaml", "pure"])
def parser(request, monkeypatch):
    """Run a test with libyaml's parser (when available) and with pyyaml's pure-Python one."""
    if request.param == "libyaml":
        if not getattr(yaml, "__with_libyaml__", False):
            pytest.skip("pyyaml built without libyaml")
        monkeypatch.setattr(loader, "_Loader", loader._make_loader(yaml.CSafeLoader))
    else:
        monkeypatch.setattr(loader, "_Loader", loader._make_loader(yaml.SafeLoader))
    return request.param


def syntax_error(text: str, **kwargs) -> TemplateSyntaxError:
    with pytest.raises(TemplateSyntaxError) as info:
        load_text(text, **kwargs)
    return info.value


# --------------------------------------------------------------------------------------------------
# Marks


SMALL = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: 30
      Layers:
        - arn:one
        -   arn:two
      Tags: {a: 1, b: [x, y]}
"""


def test_key_value_and_item_marks(parser):
    doc = load_text(SMALL)
    data = doc.data
    assert isinstance(data, Map)
    assert data.mark == Mark(1, 1)
    assert data.key_mark("Resources") == Mark(1, 1)
    assert data.value_mark("Resources") == Mark(2, 3)

    fn = data["Resources"]["Fn"]
    assert data["Resources"].key_mark("Fn") == Mark(2, 3)
    assert fn.mark == Mark(3, 5)
    assert fn.key_mark("Type") == Mark(3, 5)
    assert fn.value_mark("Type") == Mark(3, 11)

    props = fn["Properties"]
    assert props["Timeout"] == 30
    assert props.key_mark("Timeout") == Mark(5, 7)
    assert props.value_mark("Timeout") == Mark(5, 16)

    layers = props["Layers"]
    assert isinstance(layers, Seq)
    assert layers == ["arn:one", "arn:two"]
    assert props.value_mark("Layers") == Mark(7, 9)  # a block sequence starts at its first dash
    assert layers.item_marks == [Mark(7, 11), Mark(8, 13)]
    assert layers.item_mark(1) == Mark(8, 13)

    tags = props["Tags"]
    assert props.value_mark("Tags") == Mark(9, 13)
    assert tags.key_marks == {"a": Mark(9, 14), "b": Mark(9, 20)}
    assert tags.value_marks == {"a": Mark(9, 17), "b": Mark(9, 23)}
    assert tags["b"].item_marks == [Mark(9, 24), Mark(9, 27)]
    assert doc.duplicate_keys == []


def test_map_and_seq_are_plain_dict_and_list():
    doc = load_text("a: {b: [1, 2.5, true, null, text]}")
    assert doc.data == {"a": {"b": [1, 2.5, True, None, "text"]}}
    assert type(doc.data) is Map and isinstance(doc.data, dict)
    assert type(doc.data["a"]["b"]) is Seq and isinstance(doc.data["a"]["b"], list)
    assert json.loads(json.dumps(doc.data)) == {"a": {"b": [1, 2.5, True, None, "text"]}}


def test_mark_helper_fallbacks():
    data = load_text("outer:\n  inner: 1\n").data
    inner = data["outer"]
    assert inner.key_mark("missing") == inner.mark == Mark(2, 3)
    assert inner.key_mark("missing", Mark(9, 9)) == Mark(9, 9)
    assert inner.value_mark("missing") == inner.mark
    assert inner.value_mark("missing", Mark(7, 1)) == Mark(7, 1)
    assert inner.key_mark(["unhashable"]) == inner.mark

    partial = Map(a=1)
    partial.mark = Mark(3, 1)
    partial.key_marks["a"] = Mark(4, 2)
    assert partial.value_mark("a") == Mark(4, 2)  # no value mark -> the key's

    seq = load_text("- a\n- b\n").data
    assert seq.item_mark(-1) == Mark(2, 3)
    assert seq.item_mark(5) == seq.mark == Mark(1, 1)

    fresh_map, fresh_seq = Map(), Seq([1, 2])
    assert fresh_map.mark == Mark(1, 1) and fresh_map.key_marks == {} and fresh_map.value_marks == {}
    assert fresh_seq == [1, 2] and fresh_seq.item_mark(0) == Mark(1, 1)


def test_map_and_seq_use_slots_and_survive_copy_and_pickle():
    data = load_text("a:\n  - !Ref x\n").data
    with pytest.raises(AttributeError):
        data.something_else = 1  # __slots__: no per-instance __dict__
    for clone in (copy.copy(data), copy.deepcopy(data), pickle.loads(pickle.dumps(data))):
        assert type(clone) is Map and clone == data
        assert clone.key_marks == {"a": Mark(1, 1)}
        assert clone["a"].item_marks == [Mark(2, 5)]
        assert clone["a"][0].value_mark("Ref") == Mark(2, 10)


def test_non_string_keys_keep_their_marks():
    data = load_text("1: one\n2.5: two\nnull: three\n").data
    assert data == {1: "one", 2.5: "two", None: "three"}
    assert data.key_mark(1) == Mark(1, 1)
    assert data.value_mark(2.5) == Mark(2, 6)
    assert data.key_mark(None) == Mark(3, 1)


# --------------------------------------------------------------------------------------------------
# Short-form tags


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("!Ref MyBucket", {"Ref": "MyBucket"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!GetAtt Role.Arn", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt NoDot", {"Fn::GetAtt": ["NoDot"]}),
        ("!GetAtt [Role, Arn]", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("!GetAtt [Db, Endpoint.Address]", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!Sub '${AWS::StackName}-x'", {"Fn::Sub": "${AWS::StackName}-x"}),
        ("!Sub ['${A}', {A: 1}]", {"Fn::Sub": ["${A}", {"A": 1}]}),
        ("!Join ['-', [a, b]]", {"Fn::Join": ["-", ["a", "b"]]}),
        ("!If [IsProd, 1, 2]", {"Fn::If": ["IsProd", 1, 2]}),
        ("!Select [0, [a, b]]", {"Fn::Select": [0, ["a", "b"]]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
        ("!Base64 hello", {"Fn::Base64": "hello"}),
        ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        ("!ImportValue SharedVpc", {"Fn::ImportValue": "SharedVpc"}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
        ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
        ("!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
         {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}),
        ("!ToJsonString {a: [1]}", {"Fn::ToJsonString": {"a": [1]}}),
        ("!Length [1, 2]", {"Fn::Length": [1, 2]}),
        ("!ForEach [Topics, TopicName, [a]]", {"Fn::ForEach": ["Topics", "TopicName", ["a"]]}),
        ("!Foo bar", {"Fn::Foo": "bar"}),
        ("!Foo [1]", {"Fn::Foo": [1]}),
        ("!Foo {k: v}", {"Fn::Foo": {"k": "v"}}),
    ],
)
def test_short_form_tags(source, expected):
    value = load_text(f"Value: {source}\n").data["Value"]
    assert value == expected
    assert type(value) is Map
    (key,) = value
    assert value.key_mark(key) == Mark(1, 8)  # the tag


def test_tagged_scalars_are_text():
    data = load_text("a: !Ref 123\nb: !Sub true\nc: !Base64 2010-09-09\nd: !Ref\n").data
    assert data == {"a": {"Ref": "123"}, "b": {"Fn::Sub": "true"}, "c": {"Fn::Base64": "2010-09-09"}, "d": {"Ref": ""}}


def test_short_form_marks(parser):
    text = (
        "A: !Ref Bucket\n"  # 1
        "B: !GetAtt Role.Arn\n"  # 2
        "C: !GetAtt 'Db.Endpoint.Address'\n"  # 3
        "D: !GetAtt [Role, Arn]\n"  # 4
        "E: !If\n"  # 5
        "  - IsProd\n"  # 6
        "  - !Ref A\n"  # 7
        "  - !Ref AWS::NoValue\n"  # 8
        "F: !Transform   # a comment\n"  # 9
        "  Name: X\n"  # 10
    )
    data = load_text(text).data

    ref = data["A"]
    assert data.value_mark("A") == ref.mark == Mark(1, 4)
    assert ref.key_mark("Ref") == Mark(1, 4)
    assert ref.value_mark("Ref") == Mark(1, 9)

    get_att = data["B"]["Fn::GetAtt"]
    assert data["B"].value_mark("Fn::GetAtt") == get_att.mark == Mark(2, 12)
    assert get_att.item_marks == [Mark(2, 12), Mark(2, 17)]

    quoted = data["C"]["Fn::GetAtt"]
    assert quoted == ["Db", "Endpoint.Address"]
    assert quoted.item_marks == [Mark(3, 12), Mark(3, 16)]

    listed = data["D"]["Fn::GetAtt"]
    assert listed.mark == Mark(4, 12)
    assert listed.item_marks == [Mark(4, 13), Mark(4, 19)]

    if_ = data["E"]
    assert if_.mark == Mark(5, 4)
    assert if_.value_mark("Fn::If") == if_["Fn::If"].mark == Mark(6, 3)  # the block sequence's first dash
    assert if_["Fn::If"].item_marks == [Mark(6, 5), Mark(7, 5), Mark(8, 5)]
    assert if_["Fn::If"][1].value_mark("Ref") == Mark(7, 10)

    transform = data["F"]
    assert transform.value_mark("Fn::Transform") == Mark(10, 3)
    assert transform["Fn::Transform"].key_mark("Name") == Mark(10, 3)


def test_nested_tags():
    text = (
        "Name: !Join\n"
        "  - '-'\n"
        "  - - !Sub '${AWS::StackName}'\n"
        "    - !Select [0, !GetAZs '']\n"
        "    - !If [IsProd, !GetAtt Fn.Arn, !Ref AWS::NoValue]\n"
    )
    data = load_text(text).data
    assert data["Name"] == {
        "Fn::Join": [
            "-",
            [
                {"Fn::Sub": "${AWS::StackName}"},
                {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
                {"Fn::If": ["IsProd", {"Fn::GetAtt": ["Fn", "Arn"]}, {"Ref": "AWS::NoValue"}]},
            ],
        ]
    }
    parts = data["Name"]["Fn::Join"][1]
    assert parts.item_marks == [Mark(3, 7), Mark(4, 7), Mark(5, 7)]
    assert parts[0].value_mark("Fn::Sub") == Mark(3, 12)
    assert parts[1]["Fn::Select"].item_marks == [Mark(4, 16), Mark(4, 19)]
    assert parts[2]["Fn::If"][1]["Fn::GetAtt"].item_marks == [Mark(5, 28), Mark(5, 31)]


# --------------------------------------------------------------------------------------------------
# Scalars


def test_timestamps_stay_strings(parser):
    data = load_text(
        "AWSTemplateFormatVersion: 2010-09-09\n"
        "When: 2001-12-14t21:59:43.10-05:00\n"
        "Explicit: !!timestamp 2020-01-01\n"
    ).data
    assert data == {
        "AWSTemplateFormatVersion": "2010-09-09",
        "When": "2001-12-14t21:59:43.10-05:00",
        "Explicit": "2020-01-01",
    }


def test_yaml_11_scalars_are_kept(parser):
    data = load_text(
        "i: 42\nhex: 0x1F\nf: 1.5\ninf: .inf\nyes_: yes\nno_: Off\nnull_: ~\nempty:\ns: '42'\nstr_tag: !!str 7\n"
    ).data
    assert data == {
        "i": 42, "hex": 31, "f": 1.5, "inf": math.inf, "yes_": True, "no_": False,
        "null_": None, "empty": None, "s": "42", "str_tag": "7",
    }


def test_bad_value_for_explicit_tag_is_a_syntax_error():
    error = syntax_error("a: 1\nb: !!int twelve\n")
    assert "!!int" in error.message
    assert (error.line, error.column) == (2, 4)


def test_aliases_and_merge_keys():
    doc = load_text(
        "base: &base {Runtime: python3.12, Timeout: 3}\n"
        "fn:\n"
        "  <<: *base\n"
        "  Timeout: 30\n"
        "same: *base\n"
    )
    data = doc.data
    assert data["fn"] == {"Runtime": "python3.12", "Timeout": 30}
    assert data["fn"].key_mark("Timeout") == Mark(4, 3)
    assert data["fn"].key_mark("Runtime") == Mark(1, 14)  # merged from the anchor
    assert data["same"] is data["base"]
    assert doc.duplicate_keys == []  # overriding a merged key is not a duplicate


def test_recursive_alias_is_an_error():
    error = syntax_error("a: &x\n  - *x\n")
    assert "recursive" in error.message
    assert error.line == 1


# --------------------------------------------------------------------------------------------------
# Duplicate keys


def test_duplicate_keys_recorded_and_later_value_wins(parser):
    doc = load_text(
        "Resources:\n"  # 1
        "  Fn:\n"  # 2
        "    Type: A\n"  # 3
        "    Type: B\n"  # 4
        "  Other: {}\n"  # 5
        "  Fn:\n"  # 6
        "    Type: C\n"  # 7
    )
    assert doc.data["Resources"]["Fn"] == {"Type": "C"}
    assert doc.data["Resources"].key_mark("Fn") == Mark(6, 3)
    assert doc.duplicate_keys == [("Type", Mark(4, 5)), ("Fn", Mark(6, 3))]


def test_duplicate_keys_in_json():
    doc = load_text('{\n\t"a": 1,\n\t"a": 2\n}')
    assert doc.data == {"a": 2}
    assert doc.duplicate_keys == [("a", Mark(3, 2))]


# --------------------------------------------------------------------------------------------------
# Errors


def test_yaml_syntax_error_message_and_position(parser):
    error = syntax_error("Resources:\n  Fn:\n    Type: a: b\n")
    assert "mapping values are not allowed" in error.message
    assert (error.line, error.column) == (3, 12)
    assert str(error) == error.message


def test_unclosed_flow_sequence():
    error = syntax_error("a: [1, 2\nb: 3\n")
    assert error.line >= 2
    assert error.message


def test_unhashable_key_is_a_syntax_error():
    error = syntax_error("ok: 1\n? {a: 1}\n: value\n")
    assert error.message == "found unhashable key"
    assert (error.line, error.column) == (2, 3)
    error = syntax_error("!Ref X: 1\n")
    assert error.message == "found unhashable key"


def test_multiple_documents_rejected(parser):
    error = syntax_error("a: 1\n---\nb: 2\n")
    assert error.message.startswith("expected a single document")
    assert (error.line, error.column) == (2, 1)


def test_single_document_with_markers_is_fine():
    assert load_text("---\na: 1\n...\n").data == {"a": 1}


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n# another\n", "\ufeff"])
def test_empty_or_comment_only(text):
    assert load_text(text) == LoadedDocument(data=None, duplicate_keys=[])


def test_odd_top_level_values():
    assert load_text("- a\n- b\n").data == ["a", "b"]
    assert load_text("just text\n").data == "just text"
    assert load_text("---\n").data is None


def test_python_tags_are_rejected_not_executed(parser, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("os.system must never be called")

    monkeypatch.setattr(os, "system", forbidden)
    error = syntax_error("Resources:\n  X: !!python/object/apply:os.system ['echo pwned']\n")
    assert "python/object/apply:os.system" in error.message
    assert (error.line, error.column) == (2, 6)
    for text in ("!!python/name:os.system", "!!python/object:os.stat_result {}", "!<tag:example.com,2000:x> 1"):
        with pytest.raises(TemplateSyntaxError, match="could not determine a constructor"):
            load_text(text)


def test_control_character_position(parser):
    error = syntax_error("a: 1\nb: \u00e9\x01\n")
    assert "#x0001" in error.message
    assert (error.line, error.column) == (2, 5)


def test_template_syntax_error_pickles():
    error = pickle.loads(pickle.dumps(TemplateSyntaxError("boom", 3, 7)))
    assert (error.message, error.line, error.column) == ("boom", 3, 7)
    assert TemplateSyntaxError("x").line == 1 and TemplateSyntaxError("x").column == 1


# --------------------------------------------------------------------------------------------------
# JSON


def test_json_template_marks(parser):
    doc, text = load_path(FIXTURES / "cfn.json")
    data = doc.data
    assert text.startswith("{\n")
    assert data["AWSTemplateFormatVersion"] == "2010-09-09"
    assert data.mark == Mark(1, 1)
    assert data.key_mark("Resources") == Mark(4, 3)
    fn = data["Resources"]["ThumbnailFunction"]
    assert data["Resources"].key_mark("ThumbnailFunction") == Mark(5, 5)
    props = fn["Properties"]
    assert props["Timeout"] == 60
    assert props.value_mark("Timeout") == Mark(10, 20)
    assert props.key_mark("Role") == Mark(11, 9)
    assert props.value_mark("Role") == Mark(11, 17)
    role = props["Role"]
    assert role.key_mark("Fn::GetAtt") == Mark(11, 19)
    assert role["Fn::GetAtt"] == ["ThumbnailRole", "Arn"]
    assert role["Fn::GetAtt"].item_marks == [Mark(11, 34), Mark(11, 51)]
    assert props["Environment"]["Variables"].value_mark("BUCKET") == Mark(14, 23)


def test_tab_indented_json_through_fallback_parser(parser, monkeypatch):
    path = FIXTURES / "cfn_tabs.json"
    text = path.read_text(encoding="utf-8")
    # libyaml rejects the surrogate-pair escape, pyyaml also rejects the tabs: the JSON parser is used.
    with pytest.raises(TemplateSyntaxError):
        loader._load_yaml(text)
    calls = []
    real = loader._load_json
    monkeypatch.setattr(loader, "_load_json", lambda t: calls.append(t) or real(t))

    doc, _ = load_path(path)
    assert calls, "expected the JSON fallback parser to be used"
    data = doc.data
    assert data == json.loads(text)
    assert type(data) is Map and type(data["Resources"]["Fn"]["Properties"]["Layers"]) is Seq
    assert "\U0001f4f7" in data["Description"]
    assert data.key_mark("Resources") == Mark(4, 2)
    assert data.value_mark("Resources") == Mark(4, 15)
    props = data["Resources"]["Fn"]["Properties"]
    assert props.mark == Mark(7, 18)
    assert props.key_mark("Timeout") == Mark(9, 5)
    assert props.value_mark("Timeout") == Mark(9, 16)
    assert props.value_mark("Layers") == Mark(10, 15)
    layers = props["Layers"]
    assert layers.mark == Mark(10, 15)
    assert layers.item_marks == [Mark(11, 6), Mark(12, 6)]
    assert layers[0].key_mark("Ref") == Mark(11, 7)
    assert layers[0].value_mark("Ref") == Mark(11, 14)
    assert doc.duplicate_keys == []


def test_json_parser_values():
    text = '[1, -2.5e3, 1E+2, 0, true, false, null, NaN, -Infinity, "s\\n\\u00e9", {}, [], {"k": []}]'
    data = loader._load_json(text).data
    assert data[:7] == [1, -2500.0, 100.0, 0, True, False, None]
    assert math.isnan(data[7]) and data[8] == -math.inf
    assert data[9:] == ["s\n\u00e9", {}, [], {"k": []}]
    assert type(data[10]) is Map and type(data[11]) is Seq
    assert data.item_marks[-1] == Mark(1, len(text) - 9)


def test_invalid_json_error_position(parser):
    error = syntax_error('{\n\t"a": 1,\n\t"b": "x\\q"\n}')
    assert error.message == "Invalid \\escape"
    assert (error.line, error.column) == (3, 9)
    error = syntax_error('{\n\t"a": 1,\n\t"b": [1, 2\n}')
    assert error.message == "Expecting ',' delimiter"
    assert (error.line, error.column) == (4, 1)
    error = syntax_error('{\n  "a": 1\n  "b": 2\n}')
    assert error.message == "Expecting ',' delimiter"
    assert (error.line, error.column) == (3, 3)


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_json_with_yaml_only_line_breaks_in_strings(char):
    # YAML would fold NEL inside a quoted string and count NEL/LS/PS as line breaks; JSON does neither.
    text = '{"a": "x' + char + 'y",\n "b": 1}'
    data = load_text(text).data
    assert data == {"a": "x" + char + "y", "b": 1}
    assert data.key_mark("b") == Mark(2, 2)


def test_absurd_nesting_is_an_error_not_a_crash():
    error = syntax_error("[" * 100_000 + "]" * 100_000)
    assert error.message == "the document is nested too deeply"
    assert (error.line, error.column) == (1, 5001)
    assert syntax_error("a:\n" + "".join(" " * (i + 1) + "b:\n" for i in range(1500))).message == (
        "the document is nested too deeply"
    )


def test_json_hint_makes_json_errors_win():
    error = syntax_error("a: b: c", json_hint=True)
    assert error.message == "Expecting value"
    assert (error.line, error.column) == (1, 1)
    assert "mapping values" in syntax_error("a: b: c").message


@settings(max_examples=60, deadline=None)
@given(
    data=st.dictionaries(
        st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), min_size=1, max_size=8),
        st.one_of(
            st.integers(-1000, 1000),
            st.text(max_size=6),
            st.lists(st.integers(0, 9), max_size=3),
            st.dictionaries(st.sampled_from(["x", "y", "z"]), st.booleans(), max_size=2),
        ),
        max_size=6,
    ),
    indent=st.sampled_from([None, 1, 2, "\t", "\t\t"]),
)
def test_json_round_trip_marks_point_at_the_keys(data, indent):
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    loaded = load_text(text).data
    assert loaded == data
    lines = text.split("\n")
    for key in data:
        mark = loaded.key_mark(key)
        assert lines[mark.line - 1][mark.column - 1:].startswith(json.dumps(key, ensure_ascii=False))
        value_mark = loaded.value_mark(key)
        assert lines[value_mark.line - 1][value_mark.column - 1:].startswith(
            json.dumps(data[key], indent=indent, ensure_ascii=False).split("\n")[0]
        )


# --------------------------------------------------------------------------------------------------
# Files and decoding


def test_load_path_utf8_bom(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\nb: !Ref X\n")
    doc, text = load_path(path)
    assert text == "a: 1\nb: !Ref X\n"
    assert doc.data == {"a": 1, "b": {"Ref": "X"}}
    assert doc.data.key_mark("a") == Mark(1, 1)
    assert doc.data["b"].value_mark("Ref") == Mark(2, 9)


def test_load_text_strips_bom():
    assert load_text("\ufeffa: 1").data.key_mark("a") == Mark(1, 1)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_load_path_utf16_with_bom(tmp_path, encoding):
    bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
    path = tmp_path / "t.yaml"
    path.write_bytes(bom + "Name: caf\u00e9\nList:\n  - !Sub x\n".encode(encoding))
    doc, text = load_path(path)
    assert text == "Name: caf\u00e9\nList:\n  - !Sub x\n"
    assert doc.data == {"Name": "caf\u00e9", "List": [{"Fn::Sub": "x"}]}
    assert doc.data["List"].item_marks == [Mark(3, 5)]


def test_crlf_gives_the_same_marks_as_lf(tmp_path, parser):
    lf = SMALL + "Out: !GetAtt Fn.Arn\n"
    (tmp_path / "lf.yaml").write_bytes(lf.encode())
    (tmp_path / "crlf.yaml").write_bytes(lf.replace("\n", "\r\n").encode())
    lf_doc, _ = load_path(tmp_path / "lf.yaml")
    crlf_doc, crlf_text = load_path(tmp_path / "crlf.yaml")
    assert "\r\n" in crlf_text  # text is returned as read
    assert crlf_doc == lf_doc

    def all_marks(value):
        if isinstance(value, Map):
            yield value.mark, dict(value.key_marks), dict(value.value_marks)
            for child in value.values():
                yield from all_marks(child)
        elif isinstance(value, Seq):
            yield value.mark, list(value.item_marks)
            for child in value:
                yield from all_marks(child)

    assert list(all_marks(crlf_doc.data)) == list(all_marks(lf_doc.data))
    assert crlf_doc.data["Out"]["Fn::GetAtt"].item_marks == [Mark(10, 14), Mark(10, 17)]


def test_crlf_json_fallback_marks(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(b'{\r\n\t"a": [\r\n\t\t1,\r\n\t\t"\\ud83d\\ude00"\r\n\t]\r\n}\r\n')
    data = load_path(path)[0].data
    assert data["a"].item_marks == [Mark(3, 3), Mark(4, 3)]


def test_nul_byte_rejected(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"a: 1\n\x00\x01\x02")
    with pytest.raises(TemplateSyntaxError) as info:
        load_path(path)
    assert info.value.message == "file contains NUL bytes (binary?)"
    assert (info.value.line, info.value.column) == (1, 1)


def test_non_utf8_rejected(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes("Description: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(TemplateSyntaxError) as info:
        load_path(path)
    assert info.value.message == "file is not UTF-8 text"
    assert (info.value.line, info.value.column) == (1, 1)


def test_missing_file_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        load_path(tmp_path / "nope.yaml")


def test_load_path_accepts_str(tmp_path):
    path = tmp_path / "t.yml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert load_path(str(path))[0].data == {"a": 1}


# --------------------------------------------------------------------------------------------------
# Fixtures


def test_sam_fixture(parser):
    doc, text = load_path(FIXTURES / "sam.yaml")
    data = doc.data
    assert doc.duplicate_keys == []
    assert data["AWSTemplateFormatVersion"] == "2010-09-09"
    assert list(data) == ["AWSTemplateFormatVersion", "Transform", "Description", "Parameters", "Conditions",
                          "Globals", "Resources", "Outputs"]
    assert data.key_mark("Resources") == Mark(21, 1)

    is_prod = data["Conditions"]["IsProd"]
    assert is_prod == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    assert data["Conditions"].value_mark("IsProd") == Mark(11, 11)
    assert is_prod["Fn::Equals"].item_marks == [Mark(11, 20), Mark(11, 32)]
    assert is_prod["Fn::Equals"][0].value_mark("Ref") == Mark(11, 25)

    env = data["Globals"]["Function"]["Environment"]["Variables"]
    assert env == {"TABLE_NAME": {"Ref": "OrdersTable"}}
    assert env.key_mark("TABLE_NAME") == Mark(19, 9)

    fn = data["Resources"]["OrdersFunction"]
    assert data["Resources"].key_mark("OrdersFunction") == Mark(22, 3)
    props = fn["Properties"]
    assert props["MemorySize"] == {"Fn::If": ["IsProd", 1024, 256]}
    assert props.value_mark("MemorySize") == Mark(27, 19)
    assert props["MemorySize"]["Fn::If"].item_marks == [Mark(27, 24), Mark(27, 32), Mark(27, 38)]
    assert props["Role"]["Fn::GetAtt"].item_marks == [Mark(28, 21), Mark(28, 32)]
    assert props["Policies"].item_marks == [Mark(30, 11)]
    assert props["Policies"][0]["DynamoDBCrudPolicy"].value_mark("TableName") == Mark(31, 24)

    events = props["Events"]
    assert list(events) == ["GetOrder", "Nightly"]
    assert events.key_mark("Nightly") == Mark(38, 9)
    assert events["GetOrder"]["Properties"].value_mark("Path") == Mark(36, 19)
    assert events["Nightly"]["Properties"]["Schedule"] == "rate(1 day)"

    table = data["Resources"]["OrdersTable"]
    assert table["Condition"] == "IsProd"
    assert table["Properties"]["TableName"] == {"Fn::Sub": "${AWS::StackName}-orders"}

    output = data["Outputs"]["FunctionArn"]
    assert output["Value"]["Fn::GetAtt"].item_marks == [Mark(52, 21), Mark(52, 37)]
    name = output["Export"]["Name"]
    assert output["Export"].value_mark("Name") == Mark(54, 13)
    assert name.value_mark("Fn::Join") == Mark(55, 9)
    join = name["Fn::Join"]
    assert join == ["-", [{"Ref": "AWS::StackName"}, {"Fn::Sub": "${Stage}-function"}]]
    assert join.item_marks == [Mark(55, 11), Mark(56, 11)]
    assert join[1].item_marks == [Mark(56, 13), Mark(57, 13)]
    assert text.splitlines()[56].strip() == '- !Sub "${Stage}-function"'


def test_all_fixtures_load_with_every_mark_inside_the_text():
    for path in sorted(FIXTURES.iterdir()):
        doc, text = load_path(path)
        lines = text.splitlines()

        def check(mark):
            assert 1 <= mark.line <= len(lines), (path.name, mark)
            assert 1 <= mark.column <= len(lines[mark.line - 1]), (path.name, mark)

        stack = [doc.data]
        while stack:
            value = stack.pop()
            if isinstance(value, Map):
                check(value.mark)
                assert set(value.key_marks) == set(value) == set(value.value_marks)
                for key in value:
                    check(value.key_mark(key))
                    check(value.value_mark(key))
                stack.extend(value.values())
            elif isinstance(value, Seq):
                check(value.mark)
                assert len(value.item_marks) == len(value)
                for mark in value.item_marks:
                    check(mark)
                stack.extend(value)


# --------------------------------------------------------------------------------------------------
# Misc


def test_large_generated_template_loads():
    lines = ["AWSTemplateFormatVersion: 2010-09-09", "Resources:"]
    for i in range(300):
        lines += [f"  Fn{i}:", "    Type: AWS::Serverless::Function", "    Properties:",
                  f"      Handler: app{i}.handler", "      Role: !GetAtt Role.Arn"]
    data = load_text("\n".join(lines) + "\n").data
    assert len(data["Resources"]) == 300
    assert data["Resources"].key_mark("Fn299") == Mark(3 + 299 * 5, 3)
    assert data["Resources"]["Fn299"]["Properties"]["Role"]["Fn::GetAtt"].item_marks == [
        Mark(7 + 299 * 5, 21), Mark(7 + 299 * 5, 26)
    ]


def test_loader_does_not_import_cfn_lint():
    code = "import sys, lintkit.templates.loader as m; m.load_text('a: !Ref b'); print('cfnlint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"


def test_global_loaders_untouched():
    load_text("a: !Ref b")
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load("a: !Ref b")
    assert yaml.safe_load("d: 2010-09-09")["d"].year == 2010


# -- the cached form of a loaded document ----------------------------------------------------------

_VARIED = """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 30
      MemorySize: 1.5e3
      Tracing: true
      Layers: [!Ref A, !Sub "${B}", {"Fn::GetAtt": [C, Arn]}]
      Nothing: null
      Big: 123456789012345678901234567890
      Odd: [.inf, -.inf, .nan]
      Keys: {1: one, false: no, null: none, 2.5: x}
      Timeout: 31
"""


def _same(a, b) -> bool:
    """Equal values, of the same types, with the same marks all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Map):
        return (
            a.mark == b.mark
            and [(type(k), k) for k in a] == [(type(k), k) for k in b]
            and a.key_marks == b.key_marks
            and a.value_marks == b.value_marks
            and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, Seq):
        return a.mark == b.mark and a.item_marks == b.item_marks and len(a) == len(b) and all(map(_same, a, b))
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("text", [_VARIED, json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"A": [1, 2.0, None]}}}}), ""])
def test_a_document_comes_back_from_its_json_form_unchanged(text):
    document = load_text(text)
    data = document_to_json(document)
    assert data is not None
    back = document_from_json(json.loads(json.dumps(data)))
    assert back is not None and _same(document.data, back.data)
    assert back.duplicate_keys == document.duplicate_keys


def test_duplicates_survive_the_json_form():
    back = document_from_json(json.loads(json.dumps(document_to_json(load_text(_VARIED)))))
    assert [(key, tuple(mark)) for key, mark in back.duplicate_keys] == [("Timeout", (13, 7))]


@pytest.mark.parametrize(
    "text",
    [
        "A: &shared {x: 1}\nB: *shared\n",  # an alias shares a node
        "A: !!binary aGVsbG8=\n",  # bytes
        "A: !!omap [{a: 1}, {b: 2}]\n",  # pairs are tuples
        "A: !!set {a, b}\n",
    ],
)
def test_documents_json_cannot_carry_are_not_cached(text):
    assert document_to_json(load_text(text)) is None


@pytest.mark.parametrize("data", [None, [], {"data": ["X", 1, 1, []], "duplicates": []}, {"data": ["M", 1, 1, [["list key"], 1, 1, 1, 1, "v"]], "duplicates": []}, {"data": ["S", 1]}, {"duplicates": [[1]]}])
def test_a_corrupt_json_form_is_refused(data):
    assert document_from_json(data) is None


def test_pyyamls_own_nesting_error_is_reported_in_lintkits_words():
    # PyYAML 6.0.4+ raises "exceeded maximum nesting depth" itself, before lintkit's own depth
    # check; older releases never do. Built here, so every PyYAML version tests the mapping.
    import yaml

    from lintkit.templates.loader import _yaml_error

    mark = yaml.Mark("<file>", 0, 41, 7, "", 0)
    pyyaml_error = yaml.composer.ComposerError(None, None, "exceeded maximum nesting depth (1000)", mark)
    error = _yaml_error(pyyaml_error, "x", offsets_in_bytes=False)
    assert error.message == "the document is nested too deeply"
    assert (error.line, error.column) == (42, 8)
    # another PyYAML problem keeps PyYAML's text and its position
    other = _yaml_error(yaml.scanner.ScannerError(None, None, "found character '\\t'", mark), "x", offsets_in_bytes=False)
    assert (other.message, other.line, other.column) == ("found character '\\t'", 42, 8)


# --------------------------------------------------------------------------- templated YAML

COOKIECUTTER = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  {{ cookiecutter.function_name }}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
"""
JINJA = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
{% for name in queues %}
  {{ name }}Queue:
    Type: AWS::SQS::Queue
{% endfor %}
"""


@pytest.mark.parametrize(("text", "line", "column"), [(COOKIECUTTER, 3, 3), (JINJA, 3, 1), ("a: 1\nb: x{# note #}\n", 2, 5)])
def test_templating_markup_is_found(text: str, line: int, column: int) -> None:
    assert loader.templating_markup(text) == (line, column)


@pytest.mark.parametrize(
    "text",
    [
        # CloudFormation dynamic references use double braces too
        "Resources:\n  Db:\n    Properties:\n      Password: '{{resolve:secretsmanager:db:SecretString:password}}'\n",
        "Value: '{ \"a\": {\"b\": 1} }'\n",
        "Resources: {}\n",
    ],
)
def test_templating_markup_near_misses(text: str) -> None:
    assert loader.templating_markup(text) is None


@pytest.mark.parametrize(("name", "text", "line"), [("template.yaml", COOKIECUTTER, 3), ("stack.template.yaml", JINJA, 3)])
def test_a_templated_template_is_a_note_not_lk001(tmp_path: Path, name: str, text: str, line: int) -> None:
    from conftest import run_engine

    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run_engine([tmp_path])
    assert result.findings == []
    assert result.problems == [(
        (tmp_path / name).as_posix() if os.path.relpath(tmp_path).startswith("..") else os.path.relpath(tmp_path / name),
        f"line {line} holds template markup ({{{{ ... }}}} or {{% ... %}}, as Jinja or cookiecutter write it): "
        "the file is a template to render first; check the rendered file",
    )]


def test_a_broken_template_without_markup_is_still_lk001(tmp_path: Path) -> None:
    from conftest import run_engine

    (tmp_path / "template.yaml").write_text(COOKIECUTTER.replace("{{ cookiecutter.function_name }}", "{a: 1}"), encoding="utf-8")
    result = run_engine([tmp_path])
    assert [(Path(f.path).name, f.line, f.code, f.message) for f in result.findings] == [
        ("template.yaml", 3, "LK001", "template does not parse: found unhashable key")
    ]
    assert result.problems == []
