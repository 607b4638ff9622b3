"""Safe YAML: scalars stay text, positions are kept, hostile documents are refused with reasons."""

from __future__ import annotations

import pytest

from grader.loaders.safe_yaml import (
    MAX_DEPTH,
    YamlError,
    YamlMap,
    YamlScalar,
    YamlSeq,
    decode_yaml_bytes,
    parse_yaml,
    parse_yaml_mapping,
)
from grader.model import Reason


def test_scalars_stay_the_text_written() -> None:
    root = parse_yaml_mapping("a: [0.0986, 1e-3, true, .nan, 2024-01-01, 0x10, 010, '7', 1_000]\n")
    seq = root.get("a")
    assert isinstance(seq, YamlSeq)
    texts = [item.text for item in seq.items if isinstance(item, YamlScalar)]
    assert texts == ["0.0986", "1e-3", "true", ".nan", "2024-01-01", "0x10", "010", "7", "1_000"]


def test_positions_are_one_based() -> None:
    root = parse_yaml_mapping("top:\n  key: value\n  list: [x, y]\n")
    top = root.get("top")
    assert isinstance(top, YamlMap)
    value = top.get("key")
    assert isinstance(value, YamlScalar)
    assert (value.line, value.column) == (2, 8)
    seq = top.get("list")
    assert isinstance(seq, YamlSeq)
    assert (seq.items[1].line, seq.items[1].column) == (3, 13)


def test_plain_flag_and_nulls() -> None:
    root = parse_yaml_mapping("a:\nb: ~\nc: null\nd: ''\ne: 'null'\nf: |\n  text\n")
    flags = {}
    for key in "abcdef":
        node = root.get(key)
        assert isinstance(node, YamlScalar)
        flags[key] = node.is_null
    assert flags == {"a": True, "b": True, "c": True, "d": False, "e": False, "f": False}
    block = root.get("f")
    assert isinstance(block, YamlScalar) and block.text == "text\n" and not block.plain


def test_key_order_is_kept() -> None:
    assert parse_yaml_mapping("z: 1\na: 2\nm: 3\n").keys() == ("z", "a", "m")


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]
"""


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        pytest.param(BILLION_LAUGHS, Reason.YAML_FORBIDDEN, 1, id="billion-laughs"),
        pytest.param("a: *undefined\n", Reason.YAML_FORBIDDEN, 1, id="alias-without-anchor"),
        pytest.param("x: 1\ny: &anchor 2\n", Reason.YAML_FORBIDDEN, 2, id="anchor-alone"),
        pytest.param(
            "a: !!python/object/apply:os.system ['touch /tmp/x']\n",
            Reason.YAML_FORBIDDEN,
            1,
            id="python-tag",
        ),
        pytest.param("a: !!str 5\n", Reason.YAML_FORBIDDEN, 1, id="core-tag"),
        pytest.param("a:\n  b: !custom x\n", Reason.YAML_FORBIDDEN, 2, id="local-tag"),
        pytest.param("a: ! x\n", Reason.YAML_FORBIDDEN, 1, id="non-specific-tag"),
        pytest.param("!!map {a: 1}\n", Reason.YAML_FORBIDDEN, 1, id="tag-on-root"),
        pytest.param("a: 1\nb: 2\na: 3\n", Reason.YAML_SYNTAX, 3, id="duplicate-key"),
        pytest.param("a:\n  b: 1\n  b: 2\n", Reason.YAML_SYNTAX, 3, id="duplicate-nested-key"),
        pytest.param("? [a, b]\n: 1\n", Reason.YAML_FORBIDDEN, 1, id="complex-key"),
        pytest.param("a: 1\n---\nb: 2\n", Reason.YAML_FORBIDDEN, 2, id="two-documents"),
        pytest.param("a: [1, 2\n", Reason.YAML_SYNTAX, 2, id="unclosed-flow"),
        pytest.param("a: b: c\n", Reason.YAML_SYNTAX, 1, id="mapping-in-plain"),
        pytest.param("a: \x07\n", Reason.FILE_UNREADABLE, 1, id="control-character"),
        pytest.param("[1, 2]\n", Reason.NOT_A_MAPPING, 1, id="list-at-top"),
        pytest.param("just text\n", Reason.NOT_A_MAPPING, 1, id="scalar-at-top"),
        pytest.param("", Reason.FILE_UNREADABLE, None, id="empty"),
        pytest.param("# only a comment\n\n", Reason.FILE_UNREADABLE, None, id="comment-only"),
        pytest.param("---\n", Reason.FILE_UNREADABLE, None, id="empty-document"),
    ],
)
def test_refused_documents(text: str, reason: Reason, line: int | None) -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml_mapping(text)
    assert info.value.reason is reason
    assert info.value.line == line


def test_duplicate_key_message_names_key_and_both_lines() -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml_mapping("answers:\n  ex1: 1\n  zz: 0\n  ex1: 2\n")
    assert "'ex1'" in info.value.message
    assert "4" in info.value.message and "2" in info.value.message


def test_depth_limit_is_exact() -> None:
    # MAX_DEPTH collections nested inside each other are fine, one more is refused.
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_yaml(ok) is not None
    with pytest.raises(YamlError) as info:
        parse_yaml("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert info.value.reason is Reason.YAML_FORBIDDEN
    assert (info.value.line, info.value.column) == (1, MAX_DEPTH + 1)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="flow-sequences"),
        pytest.param("{a: " * 100_000 + "1" + "}" * 100_000, id="flow-mappings"),
        pytest.param("- " * 100_000 + "x", id="compact-block-sequences"),
        pytest.param("".join(" " * i + "k:\n" for i in range(0, 2_000, 2)), id="block-mappings"),
    ],
)
def test_deep_nesting_fails_with_a_message_not_recursion(text: str) -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml(text)
    assert info.value.reason is Reason.YAML_FORBIDDEN
    assert info.value.line is not None


def test_node_count_is_bounded() -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml("[" + "1," * 50 + "1]", max_nodes=20)
    assert info.value.reason is Reason.FILE_TOO_LARGE


@pytest.mark.parametrize(
    ("data", "reason", "position"),
    [
        pytest.param(b"a: 1\nb: \xc3\x28\n", Reason.FILE_UNREADABLE, (2, 4), id="invalid-utf8"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", Reason.FILE_UNREADABLE, (3, 1), id="binary"),
        pytest.param(b"\xff\xfea\x00:\x00", Reason.FILE_UNREADABLE, (1, 1), id="utf16"),
        pytest.param(b"a: " + b"x" * 2_000_000, Reason.FILE_TOO_LARGE, (None, None), id="2MB"),
    ],
)
def test_refused_bytes(
    data: bytes, reason: Reason, position: tuple[int | None, int | None]
) -> None:
    with pytest.raises(YamlError) as info:
        decode_yaml_bytes(data)
    assert info.value.reason is reason
    assert (info.value.line, info.value.column) == position


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "the file is empty (0 bytes)"),
        (b"\n \n", "the file is empty (only white space)"),
        ("a: 1\n".encode("utf-16"), "UTF-16 (little-endian) text, not UTF-8: save it as UTF-8"),
        ("a: 1\n".encode("utf-16-be"), "UTF-16 (big-endian, without a byte-order mark)"),
        ("a: 1\n".encode("utf-32"), "UTF-32 (little-endian) text"),
        ("a: café\n".encode("cp1252"), "byte 0xE9 at line 1, column 7"),
    ],
)
def test_encodings_and_empty_files_are_named(data: bytes, words: str) -> None:
    with pytest.raises(YamlError) as info:
        decode_yaml_bytes(data)
    assert words in info.value.message
    assert info.value.reason is Reason.FILE_UNREADABLE


def test_a_lone_surrogate_escape_becomes_u_fffd() -> None:
    from grader.loaders.safe_yaml import _Builder

    builder = _Builder(5, 100)
    import yaml

    for event in yaml.parse('a: "x\\ud800y"\n', Loader=yaml.SafeLoader):  # the Python parser
        builder.feed(event)
    assert isinstance(builder.root, YamlMap)
    value = builder.root.get("a")
    assert isinstance(value, YamlScalar) and value.text == "x\ufffdy"


def test_size_limit_message_names_the_limit() -> None:
    with pytest.raises(YamlError) as info:
        decode_yaml_bytes(b"x" * 11, limit=10)
    assert "10" in info.value.message


def test_utf8_bom_and_unicode_text_are_fine() -> None:
    text = decode_yaml_bytes("\ufeffname: Zoë Ñúñez − 3\n".encode())
    root = parse_yaml_mapping(text)
    name = root.get("name")
    assert isinstance(name, YamlScalar) and name.text == "Zoë Ñúñez − 3"
