"""Safe YAML: a plain, located tree built from PyYAML's event stream, never from `yaml.load`.

Student YAML is hostile input. This module never constructs Python objects from it: it walks
the parser's events iteratively and builds :class:`YamlMap` / :class:`YamlSeq` /
:class:`YamlScalar` nodes itself, so that

- every scalar stays the TEXT the student wrote (`0.0986`, `1e-3`, `true`, `.nan`, `2024-01-01`
  are all strings; numbers are typed later by `grader.numeric`);
- every node keeps its 1-based line and column, for messages;
- anchors and aliases are refused (no billion-laughs expansion), and so is any explicit tag
  (`!!python/object`, `!foo`, `!`);
- nesting depth and node count are checked while streaming, so a 10^5-deep document fails at
  depth :data:`MAX_DEPTH` without recursion;
- duplicate keys are an error naming the key and both lines (which value would count is
  ambiguous, so nothing is guessed);
- only one document per stream.

Everything that goes wrong raises :class:`YamlError` with a :class:`grader.model.Reason`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from grader.loaders.encoding import TextProblem, decode_text
from grader.model import Reason

MAX_YAML_BYTES = 1 << 20  # 1 MiB: an answer sheet is a few kilobytes
MAX_DEPTH = 20  # mappings and sequences nested inside each other
MAX_NODES = 10_000  # scalars + collections: a sheet has ~200; the pure-Python parser is slow

# Plain (unquoted) scalars that YAML 1.1 reads as null: they mean "no answer".
NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
_SURROGATE = re.compile("[\ud800-\udfff]")


class YamlError(Exception):
    """Why a YAML text was refused, with a 1-based position when one is known."""

    def __init__(
        self, reason: Reason, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class YamlScalar:
    """A scalar exactly as written. `plain` is False for quoted and block (`|`, `>`) scalars."""

    text: str
    line: int
    column: int
    plain: bool = True

    @property
    def is_null(self) -> bool:
        """True for an empty plain scalar or a YAML null word (`~`, `null`)."""
        return self.plain and self.text in NULL_WORDS


@dataclass(frozen=True)
class YamlSeq:
    """A sequence of nodes."""

    items: tuple[YamlNode, ...]
    line: int
    column: int


@dataclass(frozen=True)
class YamlMap:
    """A mapping from scalar keys to nodes, in document order (keys are unique)."""

    entries: tuple[tuple[YamlScalar, YamlNode], ...]
    line: int
    column: int

    def get(self, key: str) -> YamlNode | None:
        """The value under `key` (compared with the key's text), or None."""
        for k, value in self.entries:
            if k.text == key:
                return value
        return None

    def keys(self) -> tuple[str, ...]:
        """The keys' texts in document order."""
        return tuple(k.text for k, _ in self.entries)


YamlNode = YamlScalar | YamlSeq | YamlMap


@dataclass
class _Frame:
    """A collection being built (private, mutable while streaming)."""

    is_map: bool
    line: int
    column: int
    items: list[YamlNode] = field(default_factory=list)
    entries: list[tuple[YamlScalar, YamlNode]] = field(default_factory=list)
    key: YamlScalar | None = None
    seen: dict[str, int] = field(default_factory=dict)  # key text -> line

    def node(self) -> YamlNode:
        if self.is_map:
            return YamlMap(tuple(self.entries), self.line, self.column)
        return YamlSeq(tuple(self.items), self.line, self.column)


def _pos(mark: object) -> tuple[int | None, int | None]:
    """1-based line and column of a PyYAML mark (0-based), or (None, None)."""
    line = getattr(mark, "line", None)
    column = getattr(mark, "column", None)
    if not isinstance(line, int) or not isinstance(column, int):
        return None, None
    return line + 1, column + 1


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a 0-based character offset."""
    head = text[:offset]
    return head.count("\n") + 1, offset - (head.rfind("\n") + 1) + 1


def decode_yaml_bytes(data: bytes, limit: int = MAX_YAML_BYTES) -> str:
    """Decode a YAML file's bytes as UTF-8 (a BOM is allowed), refusing junk before parsing:
    empty files, UTF-16/32 and legacy encodings by name, binary data (see :mod:`.encoding`)."""
    if len(data) > limit:
        raise YamlError(
            Reason.FILE_TOO_LARGE, f"the file is larger than the limit of {limit} bytes"
        )
    try:
        return decode_text(data)
    except TextProblem as exc:
        raise YamlError(Reason.FILE_UNREADABLE, exc.message, exc.line, exc.column) from None


def _codepoint(character: object) -> str:
    """`U+0007` for a character code PyYAML reports (an int, or a one-character string)."""
    if isinstance(character, str) and len(character) == 1:
        character = ord(character)
    return f"U+{character:04X}" if isinstance(character, int) else "unknown"


def _events(text: str) -> Iterator[yaml.Event]:
    """PyYAML's event stream, with its errors turned into located YamlErrors."""
    try:
        # libyaml's C parser when present: the same events, about ten times faster.
        yield from yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        raise YamlError(
            Reason.FILE_UNREADABLE,
            f"the text contains a control character YAML forbids ({_codepoint(exc.character)})",
            line,
            col,
        ) from None
    except yaml.MarkedYAMLError as exc:
        at_line, at_col = _pos(exc.problem_mark or exc.context_mark)
        if "nesting depth" in str(exc.problem):  # libyaml's own depth guard can fire first
            raise YamlError(
                Reason.YAML_FORBIDDEN, "the YAML is nested too deeply", at_line, at_col
            ) from None
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(
            Reason.YAML_SYNTAX, f"YAML syntax error: {problem}", at_line, at_col
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(Reason.YAML_SYNTAX, f"YAML syntax error: {exc}") from None


def _refuse_decorations(event: yaml.NodeEvent) -> None:
    """Anchors (the first half of an alias bomb) and explicit tags are never accepted."""
    line, col = _pos(event.start_mark)
    if event.anchor is not None:
        raise YamlError(
            Reason.YAML_FORBIDDEN, "anchors (&name) and aliases (*name) are not allowed", line, col
        )
    tag = getattr(event, "tag", None)
    if tag is not None:
        raise YamlError(
            Reason.YAML_FORBIDDEN, f"explicit YAML tags such as {tag!r} are not allowed", line, col
        )


class _Builder:
    """Turns events into a tree with an explicit stack (no recursion, bounded depth)."""

    def __init__(self, max_depth: int, max_nodes: int) -> None:
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.stack: list[_Frame] = []
        self.root: YamlNode | None = None
        self.nodes = 0
        self.documents = 0

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                line, col = _pos(event.start_mark)
                raise YamlError(
                    Reason.YAML_FORBIDDEN, "only one YAML document (no second ---)", line, col
                )
        elif isinstance(event, yaml.AliasEvent):
            line, col = _pos(event.start_mark)
            raise YamlError(
                Reason.YAML_FORBIDDEN,
                "anchors (&name) and aliases (*name) are not allowed",
                line,
                col,
            )
        elif isinstance(event, yaml.ScalarEvent):
            self._count(event)
            _refuse_decorations(event)
            line, col = _pos(event.start_mark)
            # "\ud800" in a quoted scalar (the pure-Python parser accepts it): text that cannot
            # be written out anywhere; U+FFFD instead.
            text = _SURROGATE.sub("\ufffd", event.value)
            node = YamlScalar(text, line or 1, col or 1, not event.style)  # C parser: ""
            self._add(node)
        elif isinstance(event, yaml.CollectionStartEvent):
            self._open(event)
        elif isinstance(event, yaml.CollectionEndEvent):
            frame = self.stack.pop()
            self._add(frame.node())

    def _count(self, event: yaml.Event) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            line, col = _pos(event.start_mark)
            raise YamlError(
                Reason.FILE_TOO_LARGE, f"more than {self.max_nodes} YAML values", line, col
            )

    def _open(self, event: yaml.CollectionStartEvent) -> None:
        self._count(event)
        _refuse_decorations(event)
        line, col = _pos(event.start_mark)
        if len(self.stack) >= self.max_depth:
            raise YamlError(
                Reason.YAML_FORBIDDEN,
                f"nested more than {self.max_depth} levels deep",
                line,
                col,
            )
        is_map = isinstance(event, yaml.MappingStartEvent)
        self.stack.append(_Frame(is_map, line or 1, col or 1))

    def _add(self, node: YamlNode) -> None:
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        if not parent.is_map:
            parent.items.append(node)
        elif parent.key is None:
            parent.key = _as_key(node, parent)
        else:
            parent.entries.append((parent.key, node))
            parent.key = None


def _as_key(node: YamlNode, parent: _Frame) -> YamlScalar:
    """Keys must be scalars and unique within their mapping."""
    if not isinstance(node, YamlScalar):
        raise YamlError(
            Reason.YAML_FORBIDDEN,
            "a mapping key must be a plain name, not a list or mapping",
            node.line,
            node.column,
        )
    first = parent.seen.get(node.text)
    if first is not None:
        raise YamlError(
            Reason.YAML_SYNTAX,
            f"duplicate key {node.text!r} on line {node.line} (first given on line {first})",
            node.line,
            node.column,
        )
    parent.seen[node.text] = node.line
    return node


def parse_yaml(
    text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> YamlNode | None:
    """Parse one YAML document into a located tree; None when the text holds no document.

    Raises :class:`YamlError` for syntax errors and for everything this module refuses.
    """
    builder = _Builder(max_depth, max_nodes)
    for event in _events(text):
        builder.feed(event)
    return builder.root


def parse_yaml_mapping(text: str, *, what: str = "the file") -> YamlMap:
    """Parse a document that must be a mapping at the top (an answer sheet, a notebook cell).

    An empty document raises FILE_UNREADABLE; a list or scalar raises NOT_A_MAPPING.
    """
    root = parse_yaml(text)
    if root is None or (isinstance(root, YamlScalar) and root.is_null):
        raise YamlError(Reason.FILE_UNREADABLE, f"{what} is empty (no YAML content)")
    if not isinstance(root, YamlMap):
        kind = "a list" if isinstance(root, YamlSeq) else "a single value"
        raise YamlError(
            Reason.NOT_A_MAPPING,
            f"{what} must be a mapping of keys (student:, answers:, ...), not {kind}",
            root.line,
            root.column,
        )
    return root
