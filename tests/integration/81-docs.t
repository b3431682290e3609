#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The project's documentation stands on its own: no file of the tree cites
# a design document kept outside it, every doc/*.md a file names is there,
# doc/architecture.md numbers its sections in order, and every citation of
# it ("doc/architecture.md, 3.8", in code, tests or documents) names a
# section it has. Needs neither root nor a build.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

top=$(cd "$here/../.." && pwd)
doc=$top/doc/architecture.md

# tree_grep GREP-ARGS...: "path:line:text" for every text file of the tree
# but the version control and build directories.
tree_grep() {
	(cd "$top" && grep -rIn --exclude-dir=.git --exclude-dir=build "$@" .) |
	    sed 's|^\./||'
}

# The section numbers of the document, in order: "## 3. Title" gives 3,
# "### 3.8 Title" gives 3.8.
sections() {
	sed -n 's/^###\{0,1\} \([0-9][0-9]*\(\.[0-9][0-9]*\)*\)\.\{0,1\} .*/\1/p' \
	    "$doc"
}

ok "doc/architecture.md exists" [ -f "$doc" ]

# The design notes the code was first written from are not in the tree: a
# citation of them (the word in capitals and a section number) would send a
# reader nowhere. The pattern is spelt so that this file does not match it.
external=$(tree_grep -w 'DESIG[N]')
is "$external" "" "no file cites the design document outside the tree" ||
    diag "cite doc/architecture.md and its section instead"

# Every doc/*.md a file names is in the tree.
missing=$(tree_grep -o 'doc/[A-Za-z0-9_-]*\.md' | while IFS= read -r hit; do
	[ -f "$top/${hit##*:}" ] || echo "$hit"
done)
is "$missing" "" "every doc/*.md a file names exists"

# Top-level sections count 1, 2, 3, ...; the subsections of each count
# 1, 2, 3, ... below it.
misnumbered=$(sections | awk -F. '
	NF == 1 { if ($1 != top + 1) print "section " $0 " after " top ".";
		  top = $1; sub_ = 0; next }
	NF == 2 { if ($1 != top || $2 != sub_ + 1)
		      print "section " $0 " in section " top " after " sub_;
		  sub_ = $2; next }
	{ print "section " $0 " is nested too deep" }')
ok "doc/architecture.md has numbered sections" [ -n "$(sections)" ]
is "$misnumbered" "" "its sections are numbered in order"

known=$(sections)
# section_exists N: the document has a section numbered N.
section_exists() {
	grep -qxF -- "$1" <<<"$known"
}

# Citations: "doc/architecture.md, 3.8", "doc/architecture.md, 1, 3.1",
# "doc/architecture.md, 3.3-3.5", "doc/architecture.md, section 3".
citations=$(tree_grep -oE \
    'doc/architecture\.md,( sections?)? [0-9]+(\.[0-9]+)*((, | and |-)[0-9]+(\.[0-9]+)*)*')
ok "the tree cites doc/architecture.md by section" [ -n "$citations" ]
bad=$(while IFS= read -r hit; do
	[ -n "$hit" ] || continue
	grep -oE '[0-9]+(\.[0-9]+)*' <<<"${hit#*architecture.md,}" |
	    while IFS= read -r number; do
		section_exists "$number" || echo "$hit: no section $number"
	done
done <<<"$citations")
is "$bad" "" "every citation of doc/architecture.md names a section it has"

# A citation broken over two lines would escape the check above.
split=$(tree_grep -E 'doc/architecture\.md,[[:space:]]*$')
is "$split" "" "no citation is split after its comma"

# The document's own references: "(3.8)", "(3.6, step 3)", "section 9".
bad=$(grep -noE '\([0-9]+\.[0-9]+[,)]|[Ss]ections? [0-9]+(\.[0-9]+)*' "$doc" |
    while IFS= read -r hit; do
	number=$(grep -oE '[0-9]+(\.[0-9]+)*' <<<"${hit#*:}")
	section_exists "$number" || echo "line $hit: no section $number"
done)
is "$bad" "" "every reference inside doc/architecture.md names a section it has"

done_testing
