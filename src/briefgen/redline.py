"""A redline: two versions of one brief's document merged, every change marked, for a DOCX
whose tracked changes a reviewer accepts or rejects in Word (``briefgen diff --redline``).

The merge works on the document model, after the cite pass, so the notes are merged too:

- blocks are aligned by their kind and text (``difflib``); a block on both sides is merged
  within, one on one side only is a ``Changed`` block, paragraph marks and all;
- inlines are merged word by word: a word keeps its formatting (emphasis, bold, a link's
  target) as part of what is compared, so a word made bold is a deletion and an insertion;
- a note reference is one token: references in the same place are the same note, whose text is
  merged as blocks are; a reference on one side only takes its whole note with it;
- the merged document's notes are numbered in reading order, as Word numbers them.

``difflib`` is the standard library's sequence matcher (the same one ``diff.word_diff``
uses); no redline library for Word documents reads briefgen's model, so the merge is ours.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from . import model as m

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class _Atom:
    """One word, space, code span, line break or note reference, with its formatting."""

    kind: str                 # "text", "code", "br", "note"
    value: str                # the word, or "" for a break or a note
    path: tuple               # enclosing formatting, outermost first: ("emph",), ("link", url)
    note: int = 0             # a note reference's number in its own version

    @property
    def key(self) -> tuple:
        return self.kind, self.value, self.path


@dataclass
class _Merge:
    """The merge of two documents: the old and new notes by number, the merged notes."""

    old_notes: dict[int, m.Note]
    new_notes: dict[int, m.Note]
    notes: list[m.Note] = field(default_factory=list)

    # -- blocks --

    def blocks(self, old: tuple, new: tuple) -> tuple:
        keys_old = [_block_key(b) for b in old]
        keys_new = [_block_key(b) for b in new]
        out: list = []
        matcher = difflib.SequenceMatcher(a=keys_old, b=keys_new, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                for o, n in zip(old[i1:i2], new[j1:j2]):
                    out += self.block(o, n)
                continue
            gone, came = list(old[i1:i2]), list(new[j1:j2])
            while gone and came and type(gone[0]) is type(came[0]) \
                    and not isinstance(gone[0], m.Changed):
                out += self.block(gone.pop(0), came.pop(0))
            if gone:
                out.append(self.changed("del", tuple(gone)))
            if came:
                out.append(self.changed("ins", tuple(came)))
        return tuple(out)

    def block(self, old: Any, new: Any) -> list:
        """Two blocks of the same kind, merged within (a table of another shape, or a thematic
        break, is taken whole: the old one deleted and the new one inserted, if they differ)."""
        if isinstance(new, (m.Paragraph, m.Heading)):
            return [replace(new, children=self.inlines(old.children, new.children))]
        if isinstance(new, (m.BulletList, m.OrderedList)):
            return [replace(new, items=self.items(old.items, new.items))]
        if isinstance(new, m.BlockQuote):
            return [replace(new, blocks=self.blocks(old.blocks, new.blocks))]
        if isinstance(new, m.Table) and _shape(old) == _shape(new):
            return [replace(new, header=tuple(self.inlines(o, n) for o, n in
                                              zip(old.header, new.header)),
                            rows=tuple(tuple(self.inlines(o, n) for o, n in zip(ro, rn))
                                       for ro, rn in zip(old.rows, new.rows)))]
        if _block_key(old) == _block_key(new) and not _notes_in(old):
            return [new]
        return [self.changed("del", (old,)), self.changed("ins", (new,))]

    def items(self, old: tuple, new: tuple) -> tuple:
        merged = self.blocks(tuple(m.BlockQuote(i) for i in old),
                             tuple(m.BlockQuote(i) for i in new))
        return tuple(b.blocks if isinstance(b, m.BlockQuote) else (b,) for b in merged)

    def changed(self, change: str, blocks: tuple) -> m.Changed:
        side = "old" if change == "del" else "new"
        return m.Changed(change, tuple(self.renumbered(b, side) for b in blocks))

    # -- inlines --

    def inlines(self, old: tuple, new: tuple) -> tuple:
        a, b = _atoms(old), _atoms(new)
        out: list = []
        matcher = difflib.SequenceMatcher(a=[x.key for x in a], b=[x.key for x in b],
                                          autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                out += self.rebuilt(list(zip(a[i1:i2], b[j1:j2])), "equal")
                continue
            if i2 > i1:
                out.append(m.Deleted(tuple(self.rebuilt([(x, None) for x in a[i1:i2]], "del"))))
            if j2 > j1:
                out.append(m.Inserted(tuple(self.rebuilt([(None, x) for x in b[j1:j2]], "ins"))))
        return tuple(out)

    def rebuilt(self, pairs: list, how: str) -> list:
        """Atoms back into inlines, runs of the same formatting together."""
        out: list = []
        for path, group in _runs(pairs):
            nodes: list = []
            for old, new in group:
                atom = new or old
                if atom.kind == "text":
                    nodes.append(m.Text(atom.value))
                elif atom.kind == "code":
                    nodes.append(m.Code(atom.value))
                elif atom.kind == "br":
                    nodes.append(m.LineBreak())
                else:
                    nodes.append(self.note(old, new, how))
            out += _wrapped(path, tuple(m.merge_text(nodes)))
        return out

    def note(self, old: _Atom | None, new: _Atom | None, how: str) -> m.NoteRef:
        """A note reference in the merged document, numbered in reading order, its note merged
        (both sides), or whole (one side)."""
        number = len(self.notes) + 1
        if how == "equal":
            blocks = self.blocks(self.old_notes[old.note].blocks, self.new_notes[new.note].blocks)
        elif how == "del":
            blocks = (m.Changed("del", self.old_notes[old.note].blocks),)
        else:
            blocks = (m.Changed("ins", self.new_notes[new.note].blocks),)
        self.notes.append(m.Note(number, blocks))
        return m.NoteRef(number)

    def renumbered(self, block: Any, side: str) -> Any:
        """A block taken whole from one side, its note references given merged numbers."""
        if isinstance(block, (m.Paragraph, m.Heading)):
            atoms = _atoms(block.children)
            pairs = [(a, None) if side == "old" else (None, a) for a in atoms]
            return replace(block, children=tuple(self.rebuilt(pairs, "del" if side == "old"
                                                              else "ins")))
        if isinstance(block, (m.BulletList, m.OrderedList)):
            return replace(block, items=tuple(tuple(self.renumbered(b, side) for b in item)
                                              for item in block.items))
        if isinstance(block, (m.BlockQuote, m.Changed)):
            return replace(block, blocks=tuple(self.renumbered(b, side) for b in block.blocks))
        if isinstance(block, m.Table):
            return replace(block, header=tuple(self.cell(c, side) for c in block.header),
                           rows=tuple(tuple(self.cell(c, side) for c in row)
                                      for row in block.rows))
        return block

    def cell(self, inlines: tuple, side: str) -> tuple:
        pairs = [(a, None) if side == "old" else (None, a) for a in _atoms(inlines)]
        return tuple(self.rebuilt(pairs, "del" if side == "old" else "ins"))


def _runs(pairs: list) -> list[tuple[tuple, list]]:
    runs: list[tuple[tuple, list]] = []
    for pair in pairs:
        path = (pair[1] or pair[0]).path
        if runs and runs[-1][0] == path:
            runs[-1][1].append(pair)
        else:
            runs.append((path, [pair]))
    return runs


def _wrapped(path: tuple, children: tuple) -> list:
    """``children`` inside the formatting ``path`` names, outermost first."""
    nodes = children
    for step in reversed(path):
        if step[0] == "emph":
            nodes = (m.Emph(nodes),)
        elif step[0] == "strong":
            nodes = (m.Strong(nodes),)
        else:
            nodes = (m.Link(step[1], nodes),)
    return list(nodes)


def _atoms(inlines: tuple, path: tuple = ()) -> list[_Atom]:
    out: list[_Atom] = []
    for node in inlines:
        if isinstance(node, m.Text):
            out += [_Atom("text", w, path) for w in _WORDS.findall(node.text)]
        elif isinstance(node, m.Code):
            out.append(_Atom("code", node.text, path))
        elif isinstance(node, m.LineBreak):
            out.append(_Atom("br", "", path))
        elif isinstance(node, m.NoteRef):
            out.append(_Atom("note", "", path, node.number))
        elif isinstance(node, m.Emph):
            out += _atoms(node.children, path + (("emph",),))
        elif isinstance(node, m.Strong):
            out += _atoms(node.children, path + (("strong",),))
        elif isinstance(node, m.Link):
            out += _atoms(node.children, path + (("link", node.url),))
    return out


def _block_key(block: Any) -> tuple:
    return type(block).__name__, m.plain_text(block)


def _shape(table: m.Table) -> tuple:
    return len(table.header), tuple(len(r) for r in table.rows)


def _notes_in(block: Any) -> bool:
    """Whether a table or rule holds a note reference (which must be renumbered)."""
    if isinstance(block, m.NoteRef):
        return True
    if isinstance(block, (list, tuple)):
        return any(_notes_in(b) for b in block)
    return any(_notes_in(getattr(block, f)) for f in ("children", "blocks", "items", "header",
                                                     "rows") if hasattr(block, f))


def merge(old: m.Document, new: m.Document) -> m.Document:
    """The new document, with what changed since the old one marked as tracked changes."""
    merger = _Merge({n.number: n for n in old.notes}, {n.number: n for n in new.notes})
    # A chart is compared by what it says: its caption and its figures (a tracked change
    # inside a drawing would mean nothing to a reader).
    return replace(new, blocks=merger.blocks(m.without_figures(old.blocks),
                                             m.without_figures(new.blocks)),
                   notes=tuple(merger.notes))
