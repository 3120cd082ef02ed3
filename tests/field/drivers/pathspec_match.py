"""Field driver: pathspec matches files against gitignore-style patterns."""

import pathspec

spec = pathspec.PathSpec.from_lines("gitwildmatch", ["*.py", "!keep.py", "build/"])
print(sorted(spec.match_files(["a.py", "keep.py", "notes.txt", "build/out.o"])))
