#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The bash completion installed for multinicctl completes its options, its
# commands (also after options and their arguments), the arguments of
# show, sync and log (also after a shortened command, which multinicctl
# takes), and a file after -s. Needs neither root nor a build.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"

completion=$top/etc/bash-completion/multinicctl
ok "etc/bash-completion/multinicctl exists" [ -f "$completion" ] ||
    abort_test "no completion file"

# completes WORD...: what bash offers for the last WORD, as readline would
# ask it: a fresh bash with only the completion file sourced.
completes() {
	bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		spec=$(complete -p multinicctl) || exit 1
		func=${spec#*-F }
		func=${func%% *}
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		"$func" multinicctl "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd " " -
	' completes "$completion" "$@"
}

is "$(completes multinicctl "")" "log reload show status sync" "the commands"
is "$(completes multinicctl s)" "show status sync" "the commands starting with s"
is "$(completes multinicctl -)" "-V -h -j -s" "the options"
is "$(completes multinicctl -j st)" "status" "a command after an option"
is "$(completes multinicctl -s /run/x.sock re)" "reload" \
    "a command after -s and its argument"
is "$(completes multinicctl show "")" "interfaces" "show: interfaces"
is "$(completes multinicctl sh "")" "interfaces" "sh (show shortened): interfaces"
is "$(completes multinicctl sync -)" "--allow-delete" "sync: --allow-delete"
is "$(completes multinicctl log "")" "debug error info warn" "log: the levels"
is "$(completes multinicctl log w)" "warn" "log w: warn"
is "$(completes multinicctl status "")" "" "status takes nothing"
is "$(completes multinicctl show interfaces "")" "" "nor does show interfaces"
is "$(completes multinicctl -s "$top/etc/bash-completion/multi")" \
    "$completion" "-s: a file name"

done_testing
