"""Step 4 for budget books: tables of 款・項・目・節 and 説明 to records with their hierarchy.

``columns`` reads what each column holds from its headers, ``codes`` splits
``５款 労働費`` into code, level and name, ``explain`` reads 説明 lines,
``document`` finds the book's year and account, and ``reader`` walks the
pages.  Pages that hold no budget table are left to ``extract.records``.
"""

from .reader import BookReader, mark_repeats, read_book

__all__ = ["BookReader", "mark_repeats", "read_book"]
