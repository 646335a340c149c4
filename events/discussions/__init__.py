"""Book discussions: a book, a kick-off, small groups formed fairly from who signed up,
weekly meetings that keep their local time, and a reading plan."""
