#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Rows (doc/architecture.md, 1, 3.1, 3.2, 3.10): of a table holding rows for
# this node and for another one, good and bad, only this node's reach the
# applier; the bad ones as held, written back as netplan_success=0, each logged
# once with its id and reason and counted by reason, while the good ones are
# applied and written back as 1. A fixed row is applied next.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"

test_begin curl jq

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
node=$(uname -n)
other=elsewhere-$node

# The node's NICs: every MAC a row names, and one only the other node's row
# names.
node_create fa:16:3e:00:20:01 fa:16:3e:00:20:02 fa:16:3e:00:20:05 \
    fa:16:3e:00:20:06 fa:16:3e:00:20:07 fa:16:3e:00:20:09 \
    fa:16:3e:00:20:0a fa:16:3e:00:20:0b fa:16:3e:00:20:0d ||
    bail_out "cannot create the node's namespace"

# Every bad row starts as netplan_success=1, so writing back 0 shows.
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu, netplan_success) VALUES
    (1, 'p1', 's1', 'fa:16:3e:00:20:01', '$node', '10.20.0.1', '10.20.0.0/24', 1400, 0),
    (2, 'p2', 's1', 'FA-16-3E-00-20-02', '$node', NULL, NULL, NULL, 0),
    (3, 'p3', 's1', 'fa:16:3e:00:20:zz', '$node', '10.20.0.3', '10.20.0.0/24', 1500, 1),
    (4, 'p4', 's1', 'fa:16:3e-00-20-04', '$node', '10.20.0.4', '10.20.0.0/24', 1500, 1),
    (5, 'p5', 's1', 'fa:16:3e:00:20:05', '$node', '10.30.0.5', '10.20.0.0/24', 1500, 1),
    (6, 'p6', 's1', 'fa:16:3e:00:20:06', '$node', '10.20.0.6', '10.20.0.0/24', 20, 1),
    (7, 'p7', 's1', 'fa:16:3e:00:20:07', '$node', '10.20.0.7', '10.20.0.0/24', 1500, 1),
    (8, 'p8', 's1', 'FA:16:3E:00:20:07', '$node', '10.20.0.8', '10.20.0.0/24', 1500, 1),
    (9, 'p9', 's1', 'fa:16:3e:00:20:09', '$node', '10.20.0.9', '10.20.0.0/24', 1500, 1),
    (10, 'p10', 's1', 'fa:16:3e:00:20:0a', '$node', '10.20.0.9', '10.20.0.0/24', 1500, 1),
    (11, 'p11', 's1', 'fa:16:3e:00:20:0b', '$node', '10.20.0.11', NULL, 1500, 1),
    (12, 'p12', 's1', 'ab\n  set-name: lo', '$node', '10.20.0.12', '10.20.0.0/24', 1500, 1),
    (13, 'p13', 's1', 'fa:16:3e:00:20:0d', '$other', '10.20.0.13', '10.20.0.0/24', 1500, 0),
    (14, 'p14', 's1', 'not-a-mac', '$other', '10.20.0.14', '10.20.0.0/24', 1500, 1)" ||
    bail_out "cannot insert the rows"

conf=$TEST_DIR/multinicd.conf
node_config "$conf"
start_in_netns "$NODE_NS" "$conf"
wait_children_ready "$DAEMON_PID"
log=$DAEMON_LOG

# --- The first cycles ------------------------------------------------------

ok "the good rows are applied and written back as 1" \
    wait_until 150 rows_success_are 1=1 2=1
ok "every bad row is written back as 0" wait_until 150 rows_success_are \
    3=0 4=0 5=0 6=0 7=0 8=0 9=0 10=0 11=0 12=0
is "$(row_success 13),$(row_success 14)" 0,1 \
    "the other node's rows are left as they were"

is "$(applier_rows "$log" | tr '\n' ' ')" \
    "1 valid 2 valid 3 held 4 held 5 held 6 held 7 held 8 held 9 held 10 held 11 held 12 held " \
    "the applier got this node's rows only: the good ones valid, the bad ones held"

# link_of MAC: the name of the node's link with this MAC.
link_of() {
	ip -n "$NODE_NS" -o link show | awk -v mac="$1" '$0 ~ "link/ether " mac " " {
		sub(/:$/, "", $2); sub(/@.*/, "", $2); print $2 }'
}
good1=$(link_of fa:16:3e:00:20:01)
like "$good1" '^multinic[0-9]$' "the first good row's NIC is named $good1"
is "$(netns_ipv4 "$NODE_NS" "$good1")" 10.20.0.1/24 "and has its address"
like "$(netns_link "$NODE_NS" "$good1")" ' mtu 1400 ' "and its MTU"
good2=$(link_of fa:16:3e:00:20:02)
like "$good2" '^multinic[0-9]$' \
    "the row with an upper-case, dashed MAC names its NIC too ($good2)"
is "$(netns_ipv4 "$NODE_NS" "$good2")" "" "and, without address or CIDR, gives it none"
like "$(netns_link "$NODE_NS" "$good2")" ' mtu 1500 ' "and the default MTU"

untouched=
for mac in 05 06 07 09 0a 0b 0d; do
	name=$(link_of "fa:16:3e:00:20:$mac")
	[[ $name == ens* ]] && [ -z "$(netns_ipv4 "$NODE_NS" "$name")" ] ||
	    untouched="$untouched $mac:$name"
done
is "$untouched" "" "the NICs of held rows and of the other node's row are untouched"

# --- What the operator sees ------------------------------------------------

# rejections ID: the log lines saying row ID was rejected.
rejections() {
	grep -E "fetcher: row $1 rejected: " "$log"
}

reasons_once=
for id in 3 4 5 6 7 8 9 10 11 12; do
	[ "$(rejections "$id" | wc -l)" = 1 ] || reasons_once="$reasons_once $id"
done
is "$reasons_once" "" "each bad row is logged once"
like "$(rejections 3)" 'rejected: macaddress: MAC "fa:16:3e:00:20:zz" is not 6 groups' \
    "a bad MAC is named with its value"
like "$(rejections 4)" 'rejected: macaddress: MAC .* has mixed separators' \
    "mixed separators are named"
like "$(rejections 5)" 'rejected: address: address 10\.30\.0\.5 not inside 10\.20\.0\.0/24' \
    "an address outside its CIDR is named"
like "$(rejections 6)" 'rejected: mtu: MTU 20 outside 68\.\.9216' "MTU 20 is named"
like "$(rejections 7)" 'rejected: macaddress: MAC fa:16:3e:00:20:07 also in row 8' \
    "a duplicate MAC names the other row"
like "$(rejections 8)" 'also in row 7' "in both rows"
like "$(rejections 10)" 'rejected: address: address 10\.20\.0\.9 also in row 9' \
    "a duplicate address names the other row"
like "$(rejections 11)" 'rejected: cidr: address "10\.20\.0\.11" without CIDR' \
    "an address without CIDR is named"
like "$(rejections 12)" 'rejected: macaddress: non-printable character in MAC "ab\?  set-name: lo"' \
    "a value with a newline and YAML in it is named, made printable"
unlike "$(cat "$log")" '^  set-name' "the newline never reaches the log"
is "$(grep -cE 'row 1[34] ' "$log")" 0 "the other node's rows are not logged"

# The first rejection of a row is counted by the column at fault, or as a
# duplicate.
rejected() {
	node_metric "multinic_rows_rejected_total{reason=\"$1\"}"
}
is "$(rejected macaddress) $(rejected address) $(rejected cidr) $(rejected mtu) $(rejected duplicate)" \
    "3 1 1 1 4" "multinic_rows_rejected_total counts them by reason"
is "$(node_status '.interfaces | "\(.applied) \(.held)"')" "2 10" \
    "GET / counts 2 applied and 10 held interfaces"

shown=$(node_interfaces)
# shown_row ID FILTER: jq FILTER holds for row ID in show interfaces.
shown_row() {
	jq -e --argjson id "$1" "[.[] | select(.row_id == \$id)] | length == 1 and
	    (.[0] | $2)" <<<"$shown" >/dev/null
}
is "$(jq -c '[.[].row_id] | sort' <<<"$shown")" "[1,2,3,4,5,6,7,8,9,10,11,12]" \
    "multinicctl show interfaces lists this node's rows only"
ok "the good rows as applied, with their name, address and MTU" shown_row 1 \
    ".state == \"applied\" and .name == \"$good1\" and .mac == \"fa:16:3e:00:20:01\"
    and .address == \"10.20.0.1\" and .prefix == 24 and .mtu == 1400"
ok "the bad rows as held, with the reason" shown_row 6 \
    '.state == "held" and (.reason | test("MTU 20 outside"))'
ok "a MAC that does not parse as the row has it" shown_row 3 \
    '.state == "held" and .mac == "fa:16:3e:00:20:zz"'
is "$(jq '[.[] | select(.state == "held")] | length' <<<"$shown")" 10 \
    "10 rows held"

# --- Later polls of the same rows ------------------------------------------

seen=$(applier_snapshots "$log")
more_snapshots() {
	[ "$(applier_snapshots "$log")" -ge $((seen + 3)) ]
}
ok "three more polls reach the applier" wait_until 100 more_snapshots
is "$(grep -c ' rejected: ' "$log")" 10 "no rejection is logged again"
is "$(rejected duplicate)" 4 "nor counted again"

# --- A bad row changes, then is fixed --------------------------------------

mariadb_sql "UPDATE multi_interface SET mtu = 100000 WHERE id = 6"
twice() {
	[ "$(rejections 6 | wc -l)" = 2 ]
}
ok "a held row with a new reason is logged again" wait_until 150 twice
like "$(rejections 6 | tail -n 1)" 'MTU 100000 outside' "with the new reason"
is "$(rejected mtu)" 2 "and counted again"

mariadb_sql "UPDATE multi_interface SET mtu = 1500 WHERE id = 6"
ok "the fixed row is applied and written back as 1" \
    wait_until 100 rows_success_are 6=1
fixed=$(link_of fa:16:3e:00:20:06)
like "$fixed" '^multinic[0-9]$' "its NIC is named $fixed"
is "$(netns_ipv4 "$NODE_NS" "$fixed")" 10.20.0.6/24 "and has its address"

stop_daemon "$DAEMON_PID"
ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$log'"
done_testing
