# SPDX-License-Identifier: GPL-2.0
# Print every non-static function definition in a kernel C file that is
# not directly preceded by a kernel-doc comment (/** ... */).
/^\/\*\*/ { indoc = 1 }
indoc && /^ \*\// { indoc = 0; docend = NR; next }
/^[A-Za-z_][A-Za-z0-9_ \t\*]*[A-Za-z0-9_]+\(/ && !/;[ \t]*$/ &&
!/^(static|extern|typedef|struct [a-z_]+ \{)/ && !/^[A-Z_0-9]+\(/ {
	if (docend != NR - 1)
		printf "%s:%d: no kernel-doc: %s\n", FILENAME, NR, $0
}
