"""Counting words as a limit counts them: body and notes, by section."""

from briefgen import measure
from briefgen.model import Document, Heading, Meta, Note, NoteRef, Paragraph, Table, Text


def doc() -> Document:
    return Document(
        Meta("T"),
        (Paragraph((Text("Two words"), NoteRef(1))),
         Heading(2, (Text("Food security"),)),
         Paragraph((Text("one two three  four\tfive"),)),
         Table(((Text("Answer"),), (Text("Per cent"),)), (((Text("Yes"),), (Text("40"),)),)),
         Heading(2, (Text("Camps"),)),
         Paragraph((Text("Hangul 북한 counts as one"),))),
        (Note(1, (Paragraph((Text("Ibid, para 80."),)),)),),
    )


def test_words_are_runs_between_spaces_and_note_numbers_are_not_words():
    count = measure.count(doc())
    assert count.body == 2 + 2 + 5 + 5 + 1 + 5
    assert count.notes == 3
    assert count.total() == 23 and count.total(with_notes=False) == 20


def test_sections_are_headed_by_their_heading_and_largest_come_first():
    count = measure.count(doc())
    assert count.sections == (("(opening)", 2), ("Food security", 12), ("Camps", 6))
    assert count.largest(2) == [("Food security", 12), ("Camps", 6)]
    assert count.largest(4) == [("Food security", 12), ("Camps", 6), ("(footnotes)", 3),
                                ("(opening)", 2)]
    assert ("(footnotes)", 3) not in count.largest(4, with_notes=False)
